"""Decision deadlines of cases in review, moved when a year's business calendar changes (FEATURES X4):
a provisional year that gets its official arrangement changes which days count."""

from datetime import date

from django.db.models import Q

from lendpilot.core.business_calendar import add_business_days
from lendpilot.lending.models import Application
from lendpilot.lending.services import rules_of


def recompute_stage_deadlines(*, year: int) -> int:
    """Re-derive `stage_due_on` of every case in review whose stage runs through `year`, from the stage's
    start and its matrix version's SLA; returns how many moved. The caller holds the transaction."""
    first, last = date(year, 1, 1), date(year, 12, 31)
    moved = []
    cases = (Application.objects.select_for_update().select_related("matrix")
             .filter(status=Application.Status.IN_REVIEW, stage_started_on__isnull=False,
                     current_level__isnull=False, stage_started_on__lte=last)
             .filter(Q(stage_due_on__gte=first) | Q(stage_due_on__isnull=True)))
    for case in cases:
        sla = rules_of(case.matrix).sla_business_days.get(case.current_level)
        if sla is None:
            continue
        due = add_business_days(case.stage_started_on, sla)
        if due != case.stage_due_on:
            case.stage_due_on = due
            moved.append(case)
    Application.objects.bulk_update(moved, ["stage_due_on"], batch_size=500)
    return len(moved)
