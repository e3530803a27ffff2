"""Background jobs of sales (thin wrappers around services)."""

from django_tasks import task

from lendpilot.sales.services import opportunities_sync_lending


@task()
def sync_opportunities_with_lending_task(*, business_date: str) -> dict:
    """Close opportunities whose application was disbursed, rejected or withdrawn (C1); idempotent."""
    return opportunities_sync_lending(actor=None)
