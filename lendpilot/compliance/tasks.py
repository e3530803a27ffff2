"""Background jobs of compliance (thin wrappers around its services)."""

from datetime import date

from django_tasks import task

from lendpilot.compliance.audit import audit_checkpoint
from lendpilot.compliance.drills.services import canary_sweep


@task()
def audit_checkpoint_task(*, business_date: str) -> dict:
    """Sign the audit chain head at the close of the business date; running it again changes nothing."""
    checkpoint = audit_checkpoint(day=date.fromisoformat(business_date))
    return {"business_date": business_date, "seq": checkpoint.seq, "signature": checkpoint.signature}


@task()
def canary_sweep_task() -> dict:
    """Raise the alert of every logged reveal of a canary record that has none yet; running it again raises nothing."""
    return {"raised": canary_sweep()}
