"""Background jobs of compliance (thin wrappers around its services)."""

from datetime import date

from django_tasks import task

from lendpilot.compliance.audit import audit_checkpoint
from lendpilot.compliance.drills.services import canary_sweep
from lendpilot.compliance.screening.services import rescreen


@task()
def audit_checkpoint_task(*, business_date: str) -> dict:
    """Sign the audit chain head at the close of the business date; running it again changes nothing."""
    checkpoint = audit_checkpoint(day=date.fromisoformat(business_date))
    return {"business_date": business_date, "seq": checkpoint.seq, "signature": checkpoint.signature}


@task()
def canary_sweep_task() -> dict:
    """Raise the alert of every logged reveal of a canary record that has none yet; running it again raises nothing."""
    return {"raised": canary_sweep()}


@task()
def rescreen_task() -> dict:
    """Screen every customer again against the lists in use (enqueued by each list import); resumes a killed
    sweep and does nothing once the current lists were swept."""
    sweeps = rescreen(actor=None)
    return {"sweeps": [{"source": s.source, "screened": s.run.subjects, "new_hits": s.run.hits} for s in sweeps]}
