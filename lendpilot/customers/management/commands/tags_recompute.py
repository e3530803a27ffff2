"""`python manage.py tags_recompute [--as-of YYYY-MM-DD] [--tag CODE ...] [--all]`: recompute portrait tags
(B4) set-based; with --all also feed signals, tiers, RFM and lifetime value first (the customers' part of
the nightly run; the loan-book facts come from lending.customer_facts)."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from lendpilot.customers import services


class Command(BaseCommand):
    help = "Recompute portrait tags (and, with --all, signals, tiers, RFM and lifetime value)."

    def add_arguments(self, parser):
        parser.add_argument("--as-of", dest="as_of", help="business date (ISO); default today")
        parser.add_argument("--tag", dest="tags", action="append", help="only this tag code (repeatable)")
        parser.add_argument("--all", dest="everything", action="store_true",
                            help="signals, tiers, RFM and value first")

    def handle(self, *args, as_of=None, tags=None, everything=False, **options):
        try:
            day = date.fromisoformat(as_of) if as_of else timezone.localdate()
        except ValueError as exc:
            raise CommandError(f"--as-of: {exc}") from None
        if everything:
            summary = services.portrait_recompute(actor=None, as_of=day)
            self.stdout.write(f"portrait recomputed as of {day}: {summary}")
            return
        counts = services.tags_recompute(actor=None, as_of=day, codes=tags)
        self.stdout.write(f"{len(counts)} tags recomputed as of {day}, {sum(counts.values())} memberships")
