"""`python manage.py build_metric_snapshots [--date YYYY-MM-DD | --from YYYY-MM-DD --to YYYY-MM-DD]`: build the
daily metric snapshot of the command centre for one date (default yesterday) or backfill a range, set-based
(one INSERT ... SELECT per dimension for the whole range). Idempotent: a date built twice changes nothing."""

import json

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from lendpilot.insights.services import metric_snapshots_build


class Command(BaseCommand):
    help = "Build (or backfill) the daily metric snapshot of the command centre."

    def add_arguments(self, parser):
        parser.add_argument("--date", help="one business date, YYYY-MM-DD (default: yesterday)")
        parser.add_argument("--from", dest="date_from", help="first date of a backfill, YYYY-MM-DD")
        parser.add_argument("--to", dest="date_to", help="last date of a backfill, YYYY-MM-DD (default: --from)")

    def handle(self, *args, date=None, date_from=None, date_to=None, **options):
        if date and date_from:
            raise CommandError("give either --date or --from/--to")
        try:
            summary = metric_snapshots_build(actor=None, business_date=date or date_from, date_to=date_to)
        except ValidationError as exc:
            raise CommandError(json.dumps(exc.message_dict, ensure_ascii=False)) from exc
        self.stdout.write(json.dumps(summary, ensure_ascii=False))
