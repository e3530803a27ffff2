"""Requisitions with their competency profile, candidates, their stage moves and sourcing spend (A1, A2)."""

from collections.abc import Mapping
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from lendpilot.compliance.audit import record_event
from lendpilot.org.models import Team
from lendpilot.org.roles import Role
from lendpilot.talent.access import TALENT_MANAGERS, login_of, require_role
from lendpilot.talent.matching import Requirement, match_score
from lendpilot.talent.models import (
    Candidate,
    CandidateSkill,
    CandidateTransition,
    Requisition,
    RequisitionSkill,
    Skill,
    Source,
    SourcingSpend,
)

# Moves a candidate may make; hired, rejected and withdrawn are final.
NEXT_STAGES: dict[str, frozenset[str]] = {
    "applied": frozenset({"screening", "rejected", "withdrawn"}),
    "screening": frozenset({"interview", "rejected", "withdrawn"}),
    "interview": frozenset({"offer", "rejected", "withdrawn"}),
    "offer": frozenset({"hired", "rejected", "withdrawn"}),
}


def _levels(values: Mapping[str, int], *, field: str) -> dict[str, int]:
    out = {}
    for skill, level in values.items():
        if skill not in Skill.values:
            raise ValidationError({field: f"unknown skill {skill!r}"})
        if not isinstance(level, int) or not 1 <= level <= 5:
            raise ValidationError({field: f"{skill}: level 1 to 5"})
        out[skill] = level
    return out


def requirements_of(requisition: Requisition) -> list[Requirement]:
    return [Requirement(s.skill, s.weight, s.level) for s in requisition.skills.all()]


def requisition_open(*, actor: object, team: Team, role: str, title: str, headcount: int,
                     profile: Mapping[str, tuple[int, int]], today: date | None = None) -> Requisition:
    """Open a requisition for a team and role with its competency profile {skill: (weight, level)}."""
    act = require_role(actor, TALENT_MANAGERS)
    if role not in Role.values:
        raise ValidationError({"role": "unknown role"})
    if not title.strip():
        raise ValidationError({"title": "a requisition needs a title"})
    if headcount < 1:
        raise ValidationError({"headcount": "at least one"})
    if not profile:
        raise ValidationError({"profile": "name at least one skill"})
    weights = _levels({k: v[0] for k, v in profile.items()}, field="profile")
    levels = _levels({k: v[1] for k, v in profile.items()}, field="profile")
    with transaction.atomic():
        req = Requisition.objects.create(team=team, role=role, title=title.strip(), headcount=headcount,
                                         opened_on=today or timezone.localdate(), created_by=login_of(act))
        RequisitionSkill.objects.bulk_create(
            RequisitionSkill(requisition=req, skill=s, weight=weights[s], level=levels[s]) for s in sorted(weights))
        record_event(actor=act.user, event_code="talent.requisition_opened", obj=req,
                     after={"title": req.title, "team": team.pk, "role": role, "headcount": headcount,
                            "profile": {s: [weights[s], levels[s]] for s in sorted(weights)}})
    return req


def candidate_add(*, actor: object, requisition: Requisition, name: str, source: str,
                  skills: Mapping[str, int], background: str = "", applied_on: date | None = None) -> Candidate:
    """Add a candidate to a requisition; the match score is computed here from the profile, never taken
    from the client."""
    act = require_role(actor, TALENT_MANAGERS)
    if source not in Source.values:
        raise ValidationError({"source": "headhunter, referral, campus or online"})
    if not name.strip():
        raise ValidationError({"name": "a candidate needs a name"})
    levels = _levels(skills, field="skills")
    score = match_score(requirements_of(requisition), levels)
    with transaction.atomic():
        cand = Candidate.objects.create(requisition=requisition, name=name.strip(), source=source,
                                        background=background.strip(), match_score=score,
                                        applied_on=applied_on or timezone.localdate())
        CandidateSkill.objects.bulk_create(CandidateSkill(candidate=cand, skill=s, level=lv)
                                           for s, lv in sorted(levels.items()))
        CandidateTransition.objects.create(candidate=cand, to_stage=Candidate.Stage.APPLIED, at=timezone.now(),
                                           by=login_of(act))
        record_event(actor=act.user, event_code="talent.candidate_added", obj=cand,
                     after={"requisition": requisition.pk, "source": source, "match_score": score})
    return cand


def candidate_move(*, actor: object, candidate_id: int, to_stage: str) -> Candidate:
    act = require_role(actor, TALENT_MANAGERS)
    with transaction.atomic():
        cand = Candidate.objects.select_for_update().get(pk=candidate_id)
        if to_stage not in NEXT_STAGES.get(cand.stage, frozenset()):
            raise ValidationError({"to_stage": f"a candidate at {cand.stage} cannot move to {to_stage}"})
        before = cand.stage
        cand.stage = to_stage
        cand.save(update_fields=["stage"])
        CandidateTransition.objects.create(candidate=cand, from_stage=before, to_stage=to_stage,
                                           at=timezone.now(), by=login_of(act))
        if to_stage == Candidate.Stage.HIRED:
            req = Requisition.objects.select_for_update().get(pk=cand.requisition_id)
            hired = req.candidates.filter(stage=Candidate.Stage.HIRED).count()
            if hired >= req.headcount and req.status == Requisition.Status.OPEN:
                req.status = Requisition.Status.FILLED
                req.save(update_fields=["status"])
        record_event(actor=act.user, event_code="talent.candidate_moved", obj=cand,
                     before={"stage": before}, after={"stage": to_stage})
    return cand


def sourcing_spend_set(*, actor: object, source: str, month: date, amount: Decimal) -> SourcingSpend:
    act = require_role(actor, TALENT_MANAGERS)
    if source not in Source.values:
        raise ValidationError({"source": "headhunter, referral, campus or online"})
    if amount < 0:
        raise ValidationError({"amount": "not negative"})
    with transaction.atomic():
        spend, _created = SourcingSpend.objects.update_or_create(
            source=source, month=month.replace(day=1), defaults={"amount": amount.quantize(Decimal("0.01"))})
        record_event(actor=act.user, event_code="talent.sourcing_spend_set", obj=spend,
                     after={"source": source, "month": spend.month, "amount": spend.amount})
    return spend
