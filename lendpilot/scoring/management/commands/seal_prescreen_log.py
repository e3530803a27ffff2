"""`python manage.py seal_prescreen_log [--date YYYY-MM-DD]`: put one day's pre-screen log into the
audit chain as a digest (default: yesterday). Run daily after midnight; running it twice for a day
whose log has not changed adds nothing."""

from datetime import date, timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from lendpilot.scoring.services.prescreen_log import prescreen_log_seal


class Command(BaseCommand):
    help = "Seal one day's pre-screen log into the audit chain."

    def add_arguments(self, parser):
        parser.add_argument("--date", help="business date, YYYY-MM-DD (default: yesterday)")

    def handle(self, *args, date: str | None = None, **options):
        today = timezone.localdate()
        try:
            day = _parse(date) if date else today - timedelta(days=1)
        except ValueError as exc:
            raise CommandError(f"--date: {exc}") from exc
        if day >= today:
            raise CommandError("--date: only a finished day can be sealed")
        event = prescreen_log_seal(actor=None, day=day)
        self.stdout.write(f"{day}: {event.after['rows']} pre-screens sealed as audit event #{event.seq}")


def _parse(text: str):
    return date.fromisoformat(text)
