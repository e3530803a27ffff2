"""`python manage.py run_eod [--date YYYY-MM-DD] [--rerun]`: the end-of-day batch for one business date
(default: today). Prints each stage as it starts and ends, with its counts and time; a completed date
is left alone unless --rerun; a killed run resumes where it stopped."""

import json
from datetime import date

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from lendpilot.monitoring.services import STAGES, eod_run


class Command(BaseCommand):
    help = "Run the end-of-day batch (days past due, penalty, early warning, line review, snapshots)."

    def add_arguments(self, parser):
        parser.add_argument("--date", help="business date, YYYY-MM-DD (default: today)")
        parser.add_argument("--rerun", action="store_true", help="repeat every stage of a completed date")

    def handle(self, *args, date: str | None = None, rerun: bool = False, **options):
        day = _parse(date) if date else timezone.localdate()
        done = {"n": 0}

        def progress(stage: str, info: dict) -> None:
            if info.get("status") == "started":
                done["n"] += 1
                self.stdout.write(f"[{done['n']}/{len(STAGES)}] {stage} ...", ending="")
                self.stdout.flush()
            else:
                counts = {k: v for k, v in info.items() if k not in ("status", "seconds")}
                self.stdout.write(f" {info['seconds']:.2f}s {json.dumps(counts, ensure_ascii=False)}")

        try:
            run = eod_run(actor=None, business_date=day, rerun=rerun, progress=progress)
        except ValidationError as exc:
            raise CommandError("; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())) from exc
        self.stdout.write(f"EOD {run.business_date}: {run.status} in {run.seconds:.2f}s (attempt {run.attempts})")


def _parse(text: str):
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise CommandError(f"--date: not a date (YYYY-MM-DD): {text}") from exc
