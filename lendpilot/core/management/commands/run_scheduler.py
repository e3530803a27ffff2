"""Enqueue the daily jobs of settings.LENDPILOT_SCHEDULE at their cron times.

    python manage.py run_scheduler                 # runs until stopped (one per deployment is enough;
                                                   # a second one enqueues nothing twice)
    python manage.py run_scheduler --once --date 2026-11-28   # enqueue every job for that date now

Both also enqueue again a day whose task failed or died without an answer (the catch-up): the
long-running scheduler checks the last week every few minutes, `--once` the date it is given. `--once`
exits with status 1 when a job failed (its task answered failed, or it may not be retried again).
The long-running scheduler stamps a heartbeat every minute, which /readyz reads.
"""

import logging
from datetime import date, timedelta

from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import close_old_connections
from django.utils import timezone

from lendpilot.core.scheduling import daily_jobs, heartbeat, retry_unfinished, schedule_daily_job

logger = logging.getLogger(__name__)
RETRY_EVERY_MINUTES = 10


class Command(BaseCommand):
    help = "Enqueue the daily jobs (EOD, log sealing, ...) at their scheduled times, and retry failed ones."

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
            failed = []
            for job in jobs:
                outcome = schedule_daily_job(job, business_date=day)
                self.stdout.write(outcome.line())
                if outcome.failed:
                    failed.append(job.name)
            if failed:
                raise CommandError(f"failed: {', '.join(failed)}")
            return
        scheduler = BlockingScheduler(timezone=settings.TIME_ZONE)
        for job in jobs:
            scheduler.add_job(self._fire, CronTrigger.from_crontab(job.cron, timezone=settings.TIME_ZONE),
                              args=[job], id=job.name, misfire_grace_time=3600, coalesce=True)
            self.stdout.write(f"{job.name}: {job.cron} -> {job.task_path}")
        scheduler.add_job(self._retry, IntervalTrigger(minutes=RETRY_EVERY_MINUTES), args=[jobs], id="_retry",
                          coalesce=True, max_instances=1)
        scheduler.add_job(self._heartbeat, IntervalTrigger(minutes=1), id="_heartbeat", coalesce=True,
                          max_instances=1)
        self._heartbeat()
        scheduler.start()

    def _fire(self, job):
        close_old_connections()
        outcome = schedule_daily_job(job, business_date=self._yesterday())
        self.stdout.write(outcome.line())

    def _retry(self, jobs):
        close_old_connections()
        for outcome in retry_unfinished(jobs, today=timezone.localdate()):
            self.stdout.write(outcome.line())

    @staticmethod
    def _heartbeat():
        close_old_connections()
        try:
            heartbeat()
        except Exception:
            # The database may be away for a moment; /readyz shows the missing beats, the next one retries.
            logger.exception("scheduler heartbeat could not be written")

    @staticmethod
    def _yesterday() -> date:
        return timezone.localdate() - timedelta(days=1)
