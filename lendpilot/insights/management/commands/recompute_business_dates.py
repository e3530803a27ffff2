"""`manage.py recompute_business_dates --year 2027`: move the open deadlines of a year whose business
calendar changed; without --year, every year changed since its last recompute (the nightly job)."""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from lendpilot.insights.calendar_changes import recompute_business_dates, years_changed_since_recompute


class Command(BaseCommand):
    help = "Move open SLAs and deadlines to the business calendar now in force."

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, help="the year whose calendar changed (default: every changed year)")

    def handle(self, *args, year=None, **options):
        if year is not None and not 1990 <= year <= 2100:
            raise CommandError("--year must be between 1990 and 2100")
        years = [year] if year is not None else years_changed_since_recompute(today=timezone.localdate())
        for y in years:
            counts = recompute_business_dates(year=y)
            self.stdout.write(f"{y}: {counts['applications']} applications, {counts['instalments']} instalments, "
                              f"{counts['interventions']} intervention steps, {counts['action_items']} action items "
                              "moved")
        if not years:
            self.stdout.write("no changed year")
