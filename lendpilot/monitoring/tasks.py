"""Background jobs of monitoring (thin wrappers around services)."""

from django_tasks import task

from lendpilot.monitoring.services import eod_run


@task()
def run_eod_task(*, business_date: str) -> dict:
    """The nightly end-of-day batch (C5): idempotent for a date, resumes a killed run."""
    run = eod_run(actor=None, business_date=business_date)
    return {"business_date": run.business_date.isoformat(), "status": run.status}
