"""Background jobs of scoring (thin wrappers around services)."""

from datetime import date

from django_tasks import task

from lendpilot.scoring.services.prescreen_log import prescreen_log_seal


@task()
def seal_prescreen_log_task(*, business_date: str) -> dict:
    """Seal the day's pre-screen log into the audit chain (D6); sealing an unchanged day again adds nothing."""
    event = prescreen_log_seal(actor=None, day=date.fromisoformat(business_date))
    return {"business_date": business_date, "audit_seq": event.seq}
