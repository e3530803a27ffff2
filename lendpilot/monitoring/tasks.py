"""Background jobs of monitoring (thin wrappers around services)."""

from django_tasks import task

from lendpilot.monitoring.models import EodRun
from lendpilot.monitoring.services.eod import eod_run


@task(takes_context=True)
def run_eod_task(context, *, business_date: str) -> dict:
    """The nightly end-of-day batch (C5), enqueued by `manage.py run_scheduler` (settings.LENDPILOT_SCHEDULE
    "eod"): idempotent for a date, resumes a killed run, first runs any earlier date left unfinished (in
    order); the run log records the scheduler and the task id. While another EOD runs the task fails with
    `Conflict` and the scheduler retries it later."""
    run = eod_run(actor=None, business_date=business_date, trigger=EodRun.Trigger.SCHEDULER,
                  task_id=str(context.task_result.id), catch_up=True)
    return {"business_date": run.business_date.isoformat(), "status": run.status, "seconds": run.seconds,
            "attempts": run.attempts}
