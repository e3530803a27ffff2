"""Due dates of open intervention steps, moved when a year's business calendar changes (FEATURES X4)."""

from datetime import date

from lendpilot.core.business_calendar import add_business_days
from lendpilot.monitoring.models import Intervention
from lendpilot.monitoring.services.ruleset import active_ruleset


def recompute_intervention_deadlines(*, year: int) -> int:
    """Re-derive `due_on` of every open step whose SLA runs through `year` from its creation day and the
    SLA of its tier (the alert's rule version, else the active one); returns how many moved. The caller
    holds the transaction."""
    first, last = date(year, 1, 1), date(year, 12, 31)
    active = active_ruleset()
    moved = []
    steps = (Intervention.objects.select_for_update(of=("self",)).select_related("alert__ruleset")
             .filter(status=Intervention.Status.OPEN, created_on__lte=last, due_on__gte=first))
    for step in steps:
        thresholds = (step.alert.ruleset or active).thresholds
        days = thresholds.get("sla_days", {}).get(str(step.tier))
        if days is None:
            continue
        due = add_business_days(step.created_on, int(days))
        if due != step.due_on:
            step.due_on = due
            moved.append(step)
    Intervention.objects.bulk_update(moved, ["due_on"], batch_size=500)
    return len(moved)
