"""Training completion and drill scores pushed down to the appraisal (A4, A5 into A7).

The appraisal lives in incentives, a floor below talent, and must not read talent's tables; talent hands it
the figures instead: per person and month, the courses enrolled in that month and how many of them are
completed, and the drills scored in that month with the sum of their scores. The services that change
them (enrolment, completion, drill score) push the person's month in their own transaction; the monthly
job pushes whole months set-based."""

from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from django.db.models import Count, Q, Sum

from lendpilot.core.months import month_start
from lendpilot.incentives.commission_inputs import month_end
from lendpilot.incentives.models import AppraisalInput
from lendpilot.incentives.services import InputRow, appraisal_inputs_set
from lendpilot.talent.models import DrillScore, Enrolment


def appraisal_rows(month: date, staff_ids: Iterable[int] | None = None) -> list[InputRow]:
    """The month's figures of the people given (None: everyone with a course, a drill or an earlier push in
    the month), read set-based from enrolments and drill scores."""
    start = month_start(month)
    end = month_end(start)
    enrolments = Enrolment.objects.filter(enrolled_on__range=(start, end))
    drills = DrillScore.objects.filter(scored_on__range=(start, end))
    if staff_ids is None:
        ids = set(enrolments.values_list("staff_id", flat=True)) | set(drills.values_list("staff_id", flat=True)) \
            | set(AppraisalInput.objects.filter(month=start).values_list("staff_id", flat=True))
    else:
        ids = set(staff_ids)
    courses: dict[int, tuple[int, int]] = {
        r["staff_id"]: (r["n"], r["done"]) for r in enrolments.filter(staff_id__in=ids).values("staff_id").annotate(
            n=Count("id"), done=Count("id", filter=Q(completed_on__isnull=False))).order_by()}
    scored: dict[int, tuple[int, Decimal]] = {
        r["staff_id"]: (r["n"], r["points"] or Decimal(0)) for r in drills.filter(staff_id__in=ids)
        .values("staff_id").annotate(n=Count("id"), points=Sum("total")).order_by()}
    return [InputRow(staff_id=pk, courses_enrolled=courses.get(pk, (0, 0))[0],
                     courses_completed=courses.get(pk, (0, 0))[1], drills=scored.get(pk, (0, Decimal(0)))[0],
                     drill_points=scored.get(pk, (0, Decimal(0)))[1])
            for pk in sorted(ids)]


def appraisal_inputs_push(*, actor: object, months: Iterable[date], staff_ids: Iterable[int] | None = None) -> int:
    """Push the months' figures (of the people given, or of everyone concerned) to the appraisal; returns
    the number of person-months kept. Called inside the caller's transaction."""
    people = None if staff_ids is None else list(staff_ids)
    kept = 0
    for month in sorted({month_start(m) for m in months}):
        kept += appraisal_inputs_set(actor=actor, month=month, rows=appraisal_rows(month, people))
    return kept
