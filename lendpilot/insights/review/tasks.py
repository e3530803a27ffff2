"""Background jobs of the review cycle, each a thin wrapper around a service (FEATURES B11)."""

from django_tasks import task

from lendpilot.insights.review.actions import action_items_escalate_overdue


@task()
def escalate_overdue_action_items_task(business_date: str) -> int:
    """Daily: escalate the action items past their SLA (idempotent; `business_date` only names the run)."""
    return action_items_escalate_overdue(actor=None)
