from datetime import date

import pytest
from django.core.management import CommandError, call_command
from django.utils.module_loading import import_string

from lendpilot.core.models import ScheduledRun
from lendpilot.core.scheduling import daily_jobs, enqueue_daily_job

pytestmark = pytest.mark.django_db


def test_every_scheduled_job_names_an_importable_task():
    for job in daily_jobs():
        assert hasattr(import_string(job.task_path), "enqueue"), job.name


def test_a_day_is_enqueued_once_even_when_the_scheduler_fires_twice(world):
    job = next(job for job in daily_jobs() if job.name == "opportunities_sync")
    first = enqueue_daily_job(job, business_date=date(2026, 11, 27))
    second = enqueue_daily_job(job, business_date=date(2026, 11, 27))
    assert first is not None and first.task_id
    assert second is None
    assert ScheduledRun.objects.filter(job="opportunities_sync").count() == 1


def test_once_runs_the_seal_job_through_the_task_backend(world, capsys):
    call_command("run_scheduler", "--once", "--date", "2026-11-27", "--job", "seal_prescreen_log")
    assert "seal_prescreen_log 2026-11-27: enqueued" in capsys.readouterr().out
    call_command("run_scheduler", "--once", "--date", "2026-11-27", "--job", "seal_prescreen_log")
    assert "already enqueued" in capsys.readouterr().out


def test_unknown_job_is_refused():
    with pytest.raises(CommandError, match="unknown job: nightly"):
        call_command("run_scheduler", "--once", "--job", "nightly")
