"""Background jobs of talent (thin wrappers around its services)."""

from datetime import date

from django_tasks import task

from lendpilot.talent.services import certification_reminders_send


@task()
def certification_reminders_task(*, business_date: str) -> dict:
    """Send the 90/60/30-day expiry reminders due on the business date; running it again sends nothing."""
    sent = certification_reminders_send(today=date.fromisoformat(business_date))
    return {"business_date": business_date, "sent": sent}
