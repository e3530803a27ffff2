"""Background jobs of talent (thin wrappers around its services)."""

from datetime import date

from django.db import transaction
from django_tasks import task

from lendpilot.core.months import month_start, shift_month
from lendpilot.talent.services import appraisal_inputs_push, certification_reminders_send


@task()
def certification_reminders_task(*, business_date: str) -> dict:
    """Send the 90/60/30-day expiry reminders due on the business date; running it again sends nothing."""
    sent = certification_reminders_send(today=date.fromisoformat(business_date))
    return {"business_date": business_date, "sent": sent}


@task()
def appraisal_inputs_task(*, business_date: str) -> dict:
    """Push the training and drill figures of the business date's month and the month before to the
    appraisal (set-based; a rerun writes the same figures)."""
    month = month_start(date.fromisoformat(business_date))
    with transaction.atomic():
        kept = appraisal_inputs_push(actor=None, months=[shift_month(month, -1), month])
    return {"business_date": business_date, "person_months": kept}
