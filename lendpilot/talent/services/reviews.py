"""Talent reviews on the 9-box (A3): started from the period's appraisal, rated by the reviewer with
evidence, calibrated across teams, decided with reasons and completed only when every low/low person has
a training plan or a reassignment (never an exit). A promotion to team lead decided in a review takes effect
in the organisation when the director confirms it (`review_promotion_confirm`); nothing in a review ever
moves anyone out."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from lendpilot.compliance.audit import record_event
from lendpilot.incentives.selectors import appraisal_scores
from lendpilot.org.models import Staff, Team
from lendpilot.org.roles import Role
from lendpilot.org.services import staff_promote
from lendpilot.talent import ninebox
from lendpilot.talent.access import TALENT_MANAGERS, login_of, require_role
from lendpilot.talent.models import ReviewDecision, ReviewEntry, TalentReview

LOW_LOW_DECISIONS = (ReviewDecision.Kind.TRAINING_PLAN, ReviewDecision.Kind.REASSIGN)
# Who confirms a promotion: the director, who keeps the organisation (org.manage).
CONFIRMERS = frozenset({Role.DIRECTOR})


def _level(value: int, field: str) -> int:
    if value not in (1, 2, 3):
        raise ValidationError({field: "1 (low), 2 (medium) or 3 (high)"})
    return value


def review_start(*, actor: object, name: str, period_start: date, months: int = 3) -> TalentReview:
    """Open a review of the account managers in the actor's scope, placing each on the performance axis from
    the period's appraisal score; potential waits for the reviewer."""
    act = require_role(actor, TALENT_MANAGERS)
    if not name.strip():
        raise ValidationError({"name": "a review needs a name"})
    if months not in (1, 3, 6, 12):
        raise ValidationError({"months": "1, 3, 6 or 12"})
    scores = appraisal_scores(act, start=period_start, months=months)
    teams = dict(Staff.objects.filter(pk__in=[s["staff_id"] for s in scores]).values_list("pk", "team_id"))
    with transaction.atomic():
        review = TalentReview.objects.create(name=name.strip(), period_start=period_start, months=months,
                                             created_by=login_of(act))
        ReviewEntry.objects.bulk_create(
            ReviewEntry(review=review, staff_id=s["staff_id"], team_id=teams.get(s["staff_id"]),
                        appraisal_score=s["score"],
                        performance=ninebox.performance_band(s["score"]) or ninebox.MEDIUM)
            for s in scores)
        record_event(actor=act.user, event_code="talent.review_started", obj=review,
                     after={"name": review.name, "period_start": period_start, "months": months,
                            "people": len(scores)})
    return review


def _open_entry(entry_id: int) -> ReviewEntry:
    entry = ReviewEntry.objects.select_for_update().select_related("review").get(pk=entry_id)
    if entry.review.status != TalentReview.Status.OPEN:
        raise ValidationError({"review": "the review is completed"})
    return entry


def review_entry_rate(*, actor: object, entry_id: int, potential: int, evidence: str, risk_of_loss: int,
                      impact_of_loss: int) -> ReviewEntry:
    """The reviewer's rating of potential, with the evidence it rests on, and of risk and impact of loss."""
    act = require_role(actor, TALENT_MANAGERS)
    if not evidence.strip():
        raise ValidationError({"evidence": "potential is rated on evidence: say what was seen"})
    with transaction.atomic():
        entry = _open_entry(entry_id)
        before = {"potential": entry.potential, "box": entry.box}
        entry.potential = _level(potential, "potential")
        entry.risk_of_loss = _level(risk_of_loss, "risk_of_loss")
        entry.impact_of_loss = _level(impact_of_loss, "impact_of_loss")
        entry.potential_evidence = evidence.strip()
        entry.box = ninebox.box(entry.performance, entry.potential)
        entry.rated_by = login_of(act)
        entry.save()
        record_event(actor=act.user, event_code="talent.review_rated", obj=entry, before=before,
                     after={"potential": entry.potential, "box": entry.box, "risk": entry.risk_of_loss,
                            "impact": entry.impact_of_loss})
    return entry


def review_entry_calibrate(*, actor: object, entry_id: int, performance: int, potential: int,
                           reason: str) -> ReviewEntry:
    """Move a person to another box in the calibration meeting; the reason is kept as a decision."""
    act = require_role(actor, TALENT_MANAGERS)
    if not reason.strip():
        raise ValidationError({"reason": "a calibration change needs its reason"})
    with transaction.atomic():
        entry = _open_entry(entry_id)
        before = {"performance": entry.performance, "potential": entry.potential, "box": entry.box}
        entry.performance = _level(performance, "performance")
        entry.potential = _level(potential, "potential")
        entry.box = ninebox.box(entry.performance, entry.potential)
        entry.save(update_fields=["performance", "potential", "box"])
        ReviewDecision.objects.create(entry=entry, kind=ReviewDecision.Kind.CALIBRATE, reason=reason.strip(),
                                      decided_by=login_of(act))
        record_event(actor=act.user, event_code="talent.review_decided", obj=entry, before=before,
                     after={"performance": entry.performance, "potential": entry.potential, "box": entry.box,
                            "reason": reason.strip()})
    return entry


def review_decide(*, actor: object, entry_id: int, kind: str, reason: str) -> ReviewDecision:
    """Record a decision on a rated person, with its reason. A promotion to team lead needs high potential;
    a low/low person gets a training plan, a reassignment or a development plan, nothing else."""
    act = require_role(actor, TALENT_MANAGERS)
    if kind not in ReviewDecision.Kind.values or kind == ReviewDecision.Kind.CALIBRATE:
        raise ValidationError({"kind": "unknown decision"})
    if not reason.strip():
        raise ValidationError({"reason": "a decision needs its reason"})
    with transaction.atomic():
        entry = _open_entry(entry_id)
        if entry.box is None:
            raise ValidationError({"entry": "rate potential before deciding"})
        allowed = set(ninebox.recommendations(entry.box, is_manager=True)) | {ReviewDecision.Kind.DEVELOP}
        if entry.box == 1 and kind not in allowed:
            raise ValidationError({"kind": "a low/low person gets a training plan or a reassignment"})
        if kind == ReviewDecision.Kind.PROMOTE and ninebox.bands_of(entry.box)[1] != ninebox.HIGH:
            raise ValidationError({"kind": "promotion to team lead needs high potential"})
        decision = ReviewDecision.objects.create(entry=entry, kind=kind, reason=reason.strip(),
                                                 decided_by=login_of(act))
        record_event(actor=act.user, event_code="talent.review_decided", obj=entry,
                     after={"kind": kind, "reason": decision.reason, "box": entry.box})
    return decision


def review_complete(*, actor: object, review_id: int) -> TalentReview:
    act = require_role(actor, TALENT_MANAGERS)
    with transaction.atomic():
        review = TalentReview.objects.select_for_update().get(pk=review_id)
        if review.status != TalentReview.Status.OPEN:
            raise ValidationError({"review": "already completed"})
        entries = review.entries.all()
        unrated = entries.filter(box__isnull=True).count()
        if unrated:
            raise ValidationError({"review": f"{unrated} people have no potential rating yet"})
        planned = ReviewDecision.objects.filter(entry=OuterRef("pk"), kind__in=LOW_LOW_DECISIONS)
        bare = entries.filter(box=1).exclude(Exists(planned)).count()
        if bare:
            raise ValidationError({"review": f"{bare} low/low people need a training plan or a reassignment"})
        review.status = TalentReview.Status.COMPLETED
        review.completed_at = timezone.now()
        review.save(update_fields=["status", "completed_at"])
        record_event(actor=act.user, event_code="talent.review_completed", obj=review,
                     after={"people": entries.count(), "distribution": ninebox.distribution(
                         b for b in entries.values_list("box", flat=True) if b is not None)})
    return review


def review_promotion_confirm(*, actor: object, decision_id: int, team_id: int | None = None) -> ReviewDecision:
    """The director confirms a promotion to team lead decided in a review: the person becomes team lead in
    the organisation (of their own team, or of the team named), through `org.services.staff_promote`. Only a
    promotion decision, only once, and only while the person still sits in a high-potential box."""
    act = require_role(actor, CONFIRMERS)
    with transaction.atomic():
        decision = ReviewDecision.objects.select_for_update().select_related("entry", "entry__staff").filter(
            pk=decision_id).first()
        if decision is None:
            raise ValidationError({"decision_id": "unknown decision"})
        if decision.kind != ReviewDecision.Kind.PROMOTE:
            raise ValidationError({"decision_id": "only a promotion to team lead is confirmed"})
        if decision.confirmed_at is not None:
            raise ValidationError({"decision_id": "the promotion is already confirmed"})
        entry = decision.entry
        if entry.box is None or ninebox.bands_of(entry.box)[1] != ninebox.HIGH:
            raise ValidationError({"decision_id": "the person is no longer rated high potential"})
        team = None
        if team_id is not None:
            team = Team.objects.filter(pk=team_id).first()
            if team is None:
                raise ValidationError({"team_id": "unknown team"})
        try:
            staff = staff_promote(actor=act, staff=entry.staff, role=Role.TEAM_LEAD, team=team,
                                  reason=decision.reason)
        except ValidationError as exc:
            if hasattr(exc, "error_dict") and "team" in exc.error_dict:
                raise ValidationError({"team_id": exc.error_dict["team"]}) from exc
            raise
        decision.confirmed_at = timezone.now()
        decision.confirmed_by = login_of(act)
        decision.promoted_team = staff.team
        decision.save(update_fields=["confirmed_at", "confirmed_by", "promoted_team"])
        record_event(actor=act.user, event_code="talent.review_decided", obj=entry,
                     after={"kind": decision.kind, "confirmed": True, "decision": decision.pk,
                            "team": staff.team_id, "role": staff.role})
    return decision
