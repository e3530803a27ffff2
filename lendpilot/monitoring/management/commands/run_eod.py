"""`python manage.py run_eod [--date YYYY-MM-DD] [--rerun] [--catch-up] [--no-progress]`: the end-of-day batch
for one business date (default: today). A progress bar over the stages on stderr (when it is a terminal, or
with --progress), and one line per finished stage with its position, counts and time on stdout; a completed
date is left alone unless --rerun; a killed run resumes where it stopped.

Exit status: 0 done; 1 refused (bad date, or an earlier date must run first: --catch-up runs the missed
dates first); 75 (EX_TEMPFAIL) another EOD is running right now, nothing was started."""

import argparse
import json
import sys
from datetime import date

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from tqdm import tqdm

from lendpilot.core.errors import Conflict
from lendpilot.monitoring.models import EodRun
from lendpilot.monitoring.services.eod import STAGES, eod_run

EX_TEMPFAIL = 75  # sysexits.h: try again later


class Command(BaseCommand):
    help = "Run the end-of-day batch (days past due, penalty, early warning, line review, snapshots)."

    def add_arguments(self, parser):
        parser.add_argument("--date", help="business date, YYYY-MM-DD (default: today)")
        parser.add_argument("--rerun", action="store_true", help="repeat every stage of a completed date")
        parser.add_argument("--catch-up", action="store_true",
                            help="first run the earlier dates whose run has not completed, in order")
        parser.add_argument("--progress", action=argparse.BooleanOptionalAction, default=None,
                            help="show a progress bar on stderr (default: when stderr is a terminal)")

    def handle(self, *args, date: str | None = None, rerun: bool = False, progress: bool | None = None,
               catch_up: bool = False, **options):
        day = _parse(date) if date else timezone.localdate()
        show = sys.stderr.isatty() if progress is None else progress
        bar = tqdm(total=len(STAGES), desc=f"EOD {day}", unit="stage", file=sys.stderr, disable=not show,
                   leave=False, dynamic_ncols=True)

        def on_stage(stage: str, info: dict) -> None:
            status = info.get("status")
            if status == "started":
                bar.set_postfix_str(stage)
                return
            bar.update(1)
            if status == "skipped":
                return
            counts = {k: v for k, v in info.items() if k not in ("status", "seconds", "position", "total")}
            self.stdout.write(f"[{info['position']}/{info['total']}] {stage} {info['seconds']:.2f}s "
                              f"{json.dumps(counts, ensure_ascii=False)}")

        try:
            run = eod_run(actor=None, business_date=day, rerun=rerun, progress=on_stage,
                          trigger=EodRun.Trigger.COMMAND, catch_up=catch_up)
        except ValidationError as exc:
            raise CommandError("; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())) from exc
        except Conflict as exc:
            raise CommandError(exc.message, returncode=EX_TEMPFAIL) from exc
        finally:
            bar.close()
        self.stdout.write(f"EOD {run.business_date}: {run.status} in {run.seconds:.2f}s (attempt {run.attempts}, "
                          f"started by {run.trigger})")


def _parse(text: str):
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise CommandError(f"--date: not a date (YYYY-MM-DD): {text}") from exc
