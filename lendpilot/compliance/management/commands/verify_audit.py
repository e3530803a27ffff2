"""`python manage.py verify_audit`: check the audit log's hash chain; exit 1 at the first broken link."""

import sys

from django.core.management.base import BaseCommand

from lendpilot.compliance.audit import verify_chain


class Command(BaseCommand):
    help = "Verify the hash chain of the audit log and report the first broken link."

    def handle(self, *args, **options):
        report = verify_chain()
        if report.ok:
            self.stdout.write(self.style.SUCCESS(f"audit log intact: {report.checked} events verified"))
            return
        self.stderr.write(
            self.style.ERROR(f"audit log broken at event #{report.broken_seq}: {report.reason} "
                             f"({report.checked} events verified before it)")
        )
        sys.exit(1)
