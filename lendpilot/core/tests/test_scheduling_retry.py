"""The scheduler's catch-up: a day whose task failed or died without an answer is enqueued again, once,
by the next pass or `run_scheduler --once`; a failed job makes `--once` exit non-zero; the heartbeat."""

from datetime import date, timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from lendpilot.core.models import ScheduledRun
from lendpilot.core.scheduling import (
    HEARTBEAT_JOB,
    daily_jobs,
    heartbeat,
    last_heartbeat,
    retry_unfinished,
    schedule_daily_job,
)

pytestmark = pytest.mark.django_db
DAY = date(2026, 11, 27)
DB_QUEUE = override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}})


def job(name="opportunities_sync"):
    return next(j for j in daily_jobs() if j.name == name)


@DB_QUEUE
def test_a_failed_task_is_enqueued_again_once(world):
    first = schedule_daily_job(job(), business_date=DAY)
    assert (first.action, first.state) == ("enqueued", "queued")
    DBTaskResult.objects.filter(id=first.task_id).update(status="FAILED", finished_at=timezone.now(),
                                                         exception_class_path="builtins.RuntimeError",
                                                         traceback="RuntimeError: database went away")
    again = schedule_daily_job(job(), business_date=DAY)
    assert again.action == "retried" and again.task_id != first.task_id
    assert ScheduledRun.objects.get(job="opportunities_sync", business_date=DAY).task_id == again.task_id
    # the retried task is queued: a further pass leaves it alone
    third = schedule_daily_job(job(), business_date=DAY)
    assert (third.action, third.state, third.task_id) == ("already", "queued", again.task_id)
    assert DBTaskResult.objects.count() == 2


@DB_QUEUE
def test_a_task_killed_while_running_is_retried_after_its_window(live_world):
    # live_world: the worker closes its connection after a batch, as it does in production
    first = schedule_daily_job(job(), business_date=DAY)
    started = timezone.now() - timedelta(minutes=10)
    DBTaskResult.objects.filter(id=first.task_id).update(status="RUNNING", started_at=started)
    assert schedule_daily_job(job(), business_date=DAY).state == "running"  # within its window: alive
    DBTaskResult.objects.filter(id=first.task_id).update(started_at=timezone.now() - timedelta(hours=4))
    retried = retry_unfinished([job()], today=DAY + timedelta(days=1))
    assert [(o.job, o.business_date, o.action) for o in retried] == [("opportunities_sync", DAY, "retried")]
    call_command("db_worker", "--batch", "--no-startup-delay", stdout=StringIO(), stderr=StringIO())
    assert schedule_daily_job(job(), business_date=DAY).state == "succeeded"


@DB_QUEUE
def test_retries_stop_at_the_jobs_limit_and_once_exits_non_zero(world):
    for _ in range(3):
        outcome = schedule_daily_job(job(), business_date=DAY)
        DBTaskResult.objects.filter(id=outcome.task_id).update(status="FAILED", finished_at=timezone.now(),
                                                               exception_class_path="builtins.RuntimeError",
                                                               traceback="RuntimeError: no")
    out = StringIO()
    with pytest.raises(CommandError, match="failed: opportunities_sync"):
        call_command("run_scheduler", "--once", "--date", DAY.isoformat(), "--job", "opportunities_sync",
                     stdout=out)
    assert "failed after 3 attempts" in out.getvalue() or "RuntimeError" in out.getvalue()
    assert DBTaskResult.objects.count() == 3


def test_a_claim_left_without_a_task_is_retried(world):
    """The scheduler was killed between claiming the day and enqueueing its task."""
    ScheduledRun.objects.create(job="opportunities_sync", business_date=DAY, task_id="")
    assert schedule_daily_job(job(), business_date=DAY).state == "queued"  # another scheduler may be at it
    ScheduledRun.objects.filter(business_date=DAY).update(enqueued_at=timezone.now() - timedelta(hours=4))
    retried = schedule_daily_job(job(), business_date=DAY)
    assert (retried.action, retried.state) == ("retried", "succeeded") and retried.task_id


def test_heartbeat_is_one_row_a_day_stamped_each_time(world):
    assert last_heartbeat() is None
    heartbeat()
    first = last_heartbeat()
    heartbeat()
    assert last_heartbeat() >= first
    assert ScheduledRun.objects.filter(job=HEARTBEAT_JOB).count() == 1
