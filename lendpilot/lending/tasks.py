"""Background jobs of lending (thin wrappers around services)."""

from datetime import date

from django_tasks import task

from lendpilot.lending.customer_facts import refresh_customer_portrait


@task()
def refresh_customer_portrait_task(*, business_date: str) -> dict:
    """Nightly after the EOD: per-customer loan facts, then tags, tiers, RFM and lifetime value (B2, B4, D7).
    Set-based and idempotent for a date."""
    summary = refresh_customer_portrait(as_of=date.fromisoformat(business_date), actor=None)
    return {key: value for key, value in summary.items() if isinstance(value, int | float | str)}
