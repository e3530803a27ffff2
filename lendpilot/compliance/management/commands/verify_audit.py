"""`python manage.py verify_audit [--expect SEQ:HASH]`: check the audit log's keyed hash chain and its signed
daily checkpoints; exit 1 at the first broken link."""

import sys

from django.core.management.base import BaseCommand, CommandError

from lendpilot.compliance.audit import verify_chain


def _expectation(text: str) -> tuple[int, str]:
    seq, _sep, digest = text.partition(":")
    if not seq.isdigit() or len(digest) != 64:
        raise CommandError("--expect takes SEQ:HASH, as printed in a checkpoint line of the security log")
    return int(seq), digest


class Command(BaseCommand):
    help = "Verify the keyed hash chain of the audit log and its signed checkpoints; report the first break."

    def add_arguments(self, parser):
        parser.add_argument("--expect", metavar="SEQ:HASH",
                            help="a checkpoint published outside the database (security log) that must still hold")

    def handle(self, *args, **options):
        expect = _expectation(options["expect"]) if options.get("expect") else None
        report = verify_chain(expect=expect)
        if report.ok:
            self.stdout.write(self.style.SUCCESS(
                f"audit log intact: {report.checked} events and {report.checkpoints} checkpoints verified"))
            return
        self.stderr.write(
            self.style.ERROR(f"audit log broken at event #{report.broken_seq}: {report.reason} "
                             f"({report.checked} events verified before it)")
        )
        sys.exit(1)
