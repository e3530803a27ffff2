"""Background jobs of the command centre (thin wrappers around services)."""

from datetime import date, timedelta

from django_tasks import task

from lendpilot.insights.calendar_changes import recompute_business_dates, years_changed_since_recompute
from lendpilot.insights.services import metric_snapshots_build


@task()
def build_metric_snapshots_task(*, business_date: str) -> dict:
    """The nightly metric snapshot (B9, F1): builds the day that ended before `business_date` (the scheduler
    runs it early in the morning, after the end-of-day batch). Idempotent for a date."""
    day = date.fromisoformat(business_date) - timedelta(days=1)
    return metric_snapshots_build(actor=None, business_date=day)


@task()
def recompute_business_dates_task(*, business_date: str) -> dict:
    """Nightly: open deadlines move to any business calendar changed since they were computed (X4)."""
    today = date.fromisoformat(business_date) + timedelta(days=1)
    return {str(year): recompute_business_dates(year=year) for year in years_changed_since_recompute(today=today)}
