"""Daily jobs: which task runs when (settings.LENDPILOT_SCHEDULE), and enqueuing one day's jobs
exactly once (ScheduledRun's unique row). The cron clock itself is APScheduler's, in
`manage.py run_scheduler`."""

from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.module_loading import import_string

from lendpilot.core.models import ScheduledRun


@dataclass(frozen=True)
class DailyJob:
    name: str
    task_path: str
    cron: str

    @property
    def task(self):
        return import_string(self.task_path)


def daily_jobs() -> list[DailyJob]:
    return [DailyJob(name, spec["task"], spec["cron"]) for name, spec in settings.LENDPILOT_SCHEDULE.items()]


def enqueue_daily_job(job: DailyJob, *, business_date: date) -> ScheduledRun | None:
    """Enqueue `job` for `business_date` unless it was already enqueued for that date; returns the
    run row, or None when it had been enqueued before."""
    try:
        with transaction.atomic():
            run = ScheduledRun.objects.create(job=job.name, business_date=business_date)
    except IntegrityError:
        return None
    result = job.task.enqueue(business_date=business_date.isoformat())
    ScheduledRun.objects.filter(pk=run.pk).update(task_id=str(result.id)[:64])
    run.task_id = str(result.id)[:64]
    return run
