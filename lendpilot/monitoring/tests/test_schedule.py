"""The nightly EOD through the task backend and the scheduler: one run per date, recorded as the
scheduler's with its task id, idempotent when the task runs again; the EOD page lists scheduled days."""

from datetime import date, timedelta
from io import StringIO

from django.conf import settings
from django.core.management import call_command
from django.test import Client
from django_tasks import TaskResultStatus

from lendpilot.core.models import ScheduledRun
from lendpilot.core.scheduling import daily_jobs, enqueue_daily_job
from lendpilot.monitoring.models import Alert, EodRun, EodStage, PortfolioSnapshot, Signal
from lendpilot.monitoring.services import STAGES
from lendpilot.monitoring.tasks import run_eod_task
from lendpilot.monitoring.tests.conftest import make_loan

DAY = date(2025, 2, 20)


def state():
    return (Signal.objects.count(), Alert.objects.count(), PortfolioSnapshot.objects.count(),
            list(EodRun.objects.values_list("business_date", "status", "attempts", "trigger")))


def test_the_eod_task_runs_the_date_once_through_the_task_backend(world):
    make_loan(world)
    result = run_eod_task.enqueue(business_date=DAY.isoformat())
    assert result.status == TaskResultStatus.SUCCESSFUL
    assert result.return_value["status"] == "completed"
    run = EodRun.objects.get(business_date=DAY)
    assert (run.trigger, run.task_id, run.attempts) == ("scheduler", str(result.id), 1)
    assert EodStage.objects.filter(run=run, completed=True).count() == len(STAGES)
    assert Alert.objects.count() == 1
    before = state()
    again = run_eod_task.enqueue(business_date=DAY.isoformat())
    assert again.status == TaskResultStatus.SUCCESSFUL and again.return_value["attempts"] == 1
    assert state() == before
    # a date before the last run: the task fails with the reason and changes nothing
    earlier = run_eod_task.enqueue(business_date=(DAY - timedelta(days=3)).isoformat())
    assert earlier.status == TaskResultStatus.FAILED and "ValidationError" in earlier.errors[0].exception_class_path
    assert state() == before


def test_the_scheduler_enqueues_the_eod_once_and_the_page_shows_it(world):
    make_loan(world)
    job = next(j for j in daily_jobs() if j.name == "eod")
    assert settings.LENDPILOT_SCHEDULE["eod"]["task"] == "lendpilot.monitoring.tasks.run_eod_task"
    out = StringIO()
    call_command("run_scheduler", "--once", "--date", DAY.isoformat(), "--job", "eod", stdout=out)
    assert f"eod {DAY}: enqueued" in out.getvalue()
    assert enqueue_daily_job(job, business_date=DAY) is None  # a second scheduler enqueues nothing
    scheduled = ScheduledRun.objects.get(job="eod", business_date=DAY)
    run = EodRun.objects.get(business_date=DAY)
    assert run.status == "completed" and run.trigger == "scheduler" and run.task_id == scheduled.task_id
    ScheduledRun.objects.create(job="eod", business_date=date(2025, 2, 21), task_id="queued-task")
    c = Client()
    c.force_login(world.user("risk_l1"))
    html = c.get("/monitoring/eod/").content.decode()
    assert f'id="eod-{DAY.isoformat()}" data-status="completed" data-trigger="scheduler"' in html
    assert 'id="eod-scheduled"' in html and 'data-status="queued"' in html
    assert scheduled.task_id[:10] in html


def test_the_page_shows_a_killed_run_with_its_progress(world):
    from lendpilot.monitoring import services

    make_loan(world)
    services.eod_run(actor=None, business_date=DAY, stop_after="penalty")
    c = Client()
    c.force_login(world.user("risk_l1"))
    html = c.get("/monitoring/eod/").content.decode()
    assert 'data-status="running"' in html and 'aria-valuenow="2"' in html and 'hx-trigger="every 5s"' in html
    body = c.get("/api/v1/monitoring/eod-runs").json()["items"][0]
    assert body["trigger"] == "command" and body["status"] == "running"


def test_run_eod_command_shows_a_progress_bar_on_request(world, capsys):
    make_loan(world)
    out = StringIO()
    call_command("run_eod", "--date", DAY.isoformat(), "--progress", stdout=out)
    assert f"[{len(STAGES)}/{len(STAGES)}] thresholds" in out.getvalue()
    assert "started by command" in out.getvalue()
    assert "stage" in capsys.readouterr().err  # the tqdm bar
