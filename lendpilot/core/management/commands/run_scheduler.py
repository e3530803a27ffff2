"""Enqueue the daily jobs of settings.LENDPILOT_SCHEDULE at their cron times.

    python manage.py run_scheduler                 # runs until stopped (one per deployment is enough;
                                                   # a second one enqueues nothing twice)
    python manage.py run_scheduler --once --date 2026-11-28   # enqueue every job for that date now
"""

from datetime import date, timedelta

from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from lendpilot.core.scheduling import daily_jobs, enqueue_daily_job


class Command(BaseCommand):
    help = "Enqueue the daily jobs (EOD, log sealing, ...) at their scheduled times."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="enqueue every job for --date now and exit")
        parser.add_argument("--date", help="business date for --once (YYYY-MM-DD; default yesterday)")
        parser.add_argument("--job", action="append", help="only this job (repeatable)")

    def handle(self, *args, **options):
        jobs = daily_jobs()
        if options["job"]:
            unknown = set(options["job"]) - {job.name for job in jobs}
            if unknown:
                raise CommandError(f"unknown job: {', '.join(sorted(unknown))}")
            jobs = [job for job in jobs if job.name in options["job"]]
        if options["once"]:
            try:
                day = date.fromisoformat(options["date"]) if options["date"] else self._yesterday()
            except ValueError as exc:
                raise CommandError(f"--date: {exc}") from exc
            for job in jobs:
                run = enqueue_daily_job(job, business_date=day)
                state = f"enqueued {run.task_id}" if run else "already enqueued"
                self.stdout.write(f"{job.name} {day}: {state}")
            return
        scheduler = BlockingScheduler(timezone=settings.TIME_ZONE)
        for job in jobs:
            scheduler.add_job(self._fire, CronTrigger.from_crontab(job.cron, timezone=settings.TIME_ZONE),
                              args=[job], id=job.name, misfire_grace_time=3600, coalesce=True)
            self.stdout.write(f"{job.name}: {job.cron} -> {job.task_path}")
        scheduler.start()

    def _fire(self, job):
        run = enqueue_daily_job(job, business_date=self._yesterday())
        if run:
            self.stdout.write(f"{job.name} {run.business_date}: enqueued {run.task_id}")

    @staticmethod
    def _yesterday() -> date:
        return timezone.localdate() - timedelta(days=1)
