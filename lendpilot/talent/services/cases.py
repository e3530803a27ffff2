"""Role-play drills scored by a lead against a rubric, and the case library of won and lost deals (A5)."""

from collections.abc import Mapping
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from lendpilot.compliance.audit import record_batch_event, record_event
from lendpilot.org.models import Staff
from lendpilot.sales.models import Opportunity
from lendpilot.talent.access import COACHES, TALENT_MANAGERS, login_of, require_role
from lendpilot.talent.models import Case, DrillScenario, DrillScore
from lendpilot.talent.rubric import rubric_score
from lendpilot.talent.services.appraisal_inputs import appraisal_inputs_push


def drill_score(*, actor: object, scenario: DrillScenario, staff: Staff, scores: Mapping[str, int],
                today: date | None = None) -> DrillScore:
    """A lead scores a role-play against the scenario's rubric; the total is computed here."""
    act = require_role(actor, COACHES)
    if act.staff is not None and act.role == "team_lead" and staff.team_id != act.staff.team_id:
        raise ValidationError({"staff": "a team lead scores the drills of their own team"})
    try:
        total = rubric_score(scenario.rubric, scores)
    except ValueError as exc:
        raise ValidationError({"scores": str(exc)}) from exc
    with transaction.atomic():
        result = DrillScore.objects.create(scenario=scenario, staff=staff, scored_by=login_of(act),
                                           scores=dict(scores), total=total,
                                           scored_on=today or timezone.localdate())
        record_event(actor=act.user, event_code="talent.drill_scored", obj=result,
                     after={"scenario": scenario.pk, "staff": staff.pk, "total": total})
        appraisal_inputs_push(actor=act, months=[result.scored_on], staff_ids=[staff.pk])
    return result


def case_record(*, actor: object, title: str, outcome: str, summary: str, lesson: str, funnel_stage: str = "",
                objection: str = "", opportunity: Opportunity | None = None) -> Case:
    act = require_role(actor, COACHES)
    if outcome not in Case.Outcome.values:
        raise ValidationError({"outcome": "won or lost"})
    for field, value in (("title", title), ("summary", summary), ("lesson", lesson)):
        if not value.strip():
            raise ValidationError({field: "required"})
    with transaction.atomic():
        case = Case.objects.create(title=title.strip(), outcome=outcome, summary=summary.strip(),
                                   lesson=lesson.strip(), funnel_stage=funnel_stage, objection=objection,
                                   opportunity=opportunity, created_on=timezone.localdate())
        record_event(actor=act.user, event_code="talent.case_recorded", obj=case,
                     after={"title": case.title, "outcome": outcome})
    return case


def cases_from_closed_opportunities(*, actor: object, since: date, limit: int = 200) -> int:
    """Draft a case for each opportunity closed won or lost since `since` that has none yet; the lesson is a
    prompt for the lead to fill in. Set-based, and a rerun adds nothing."""
    act = require_role(actor, TALENT_MANAGERS)
    closed = (Opportunity.objects.filter(node__in=("won", "lost"), closed_at__date__gte=since, case__isnull=True)
              .order_by("closed_at", "pk")[:limit])
    today = timezone.localdate()
    rows = [Case(title=o.name, outcome=o.node, funnel_stage=o.node, objection=o.loss_reason,
                 summary=o.name, lesson="", opportunity_id=o.pk, created_on=today) for o in closed]
    with transaction.atomic():
        Case.objects.bulk_create(rows, ignore_conflicts=True)
        if rows:
            record_batch_event(actor=act.user, event_code="talent.case_recorded",
                               summary={"batch_id": f"cases_from_opportunities:{today}", "drafted": len(rows)})
    return len(rows)
