"""The qualitative appraisal inputs talent pushes down (A7 with A4/A5): per person and month, the courses
enrolled and completed and the drills scored with the sum of their scores.

Talent sits a floor above incentives, so the appraisal never reads talent's tables: talent's services call
`appraisal_inputs_set` inside their own transaction whenever an enrolment, a completion or a drill score
changes a person's month, and its monthly job pushes whole months in one call. The rows are derived figures,
recomputed from talent's records (which carry the audit trail of each enrolment, completion and drill);
writing them records no audit event of its own.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

from lendpilot.core.months import month_start
from lendpilot.incentives.models import AppraisalInput
from lendpilot.org.access import actor_of, require
from lendpilot.org.models import Staff
from lendpilot.org.roles import Perm

MAX_COUNT = 10_000


@dataclass(frozen=True)
class InputRow:
    staff_id: int
    courses_enrolled: int = 0
    courses_completed: int = 0
    drills: int = 0
    drill_points: Decimal = Decimal(0)


def _invalid(n: int, message: str) -> ValidationError:
    return ValidationError({"rows": [f"row {n}: {message}"]})


def _count(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= MAX_COUNT


@transaction.atomic
def appraisal_inputs_set(*, actor, month: date, rows: Sequence[InputRow]) -> int:
    """Replace the month's inputs of the people in `rows` with the figures given (a person whose figures are
    all zero loses the month's row). Every row is checked before anything is written; returns the number of
    rows kept."""
    who = actor_of(actor)
    require(who, Perm.VIEW_INCENTIVES)
    month = month_start(month)
    seen: set[int] = set()
    for n, r in enumerate(rows):
        if not all(_count(v) for v in (r.courses_enrolled, r.courses_completed, r.drills)):
            raise _invalid(n, f"counts are whole numbers from 0 to {MAX_COUNT}")
        if r.courses_completed > r.courses_enrolled:
            raise _invalid(n, "more courses completed than enrolled")
        points = Decimal(r.drill_points)
        if not points.is_finite() or not 0 <= points <= 100 * r.drills:
            raise _invalid(n, "drill scores are 0 to 100 each")
        if r.staff_id in seen:
            raise _invalid(n, "one row per person")
        seen.add(r.staff_id)
    known = set(Staff.objects.filter(pk__in=seen).values_list("pk", flat=True))
    if seen - known:
        raise ValidationError({"rows": [f"unknown staff {min(seen - known)}"]})
    AppraisalInput.objects.filter(month=month, staff_id__in=seen).delete()
    keep = [AppraisalInput(staff_id=r.staff_id, month=month, courses_enrolled=r.courses_enrolled,
                           courses_completed=r.courses_completed, drills=r.drills,
                           drill_points=Decimal(r.drill_points).quantize(Decimal("0.1")))
            for r in rows if r.courses_enrolled or r.drills]
    AppraisalInput.objects.bulk_create(keep, batch_size=2000)
    return len(keep)
