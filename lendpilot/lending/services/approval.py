"""Submission and the three-level decision of a case (C2): routing, four eyes, conditions, SLA escalation."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lendpilot.compliance.audit import record_event, snapshot
from lendpilot.compliance.screening.selectors import customer_ref, is_frozen
from lendpilot.core.business_calendar import add_business_days
from lendpilot.core.errors import Conflict
from lendpilot.core.field_values import read_money
from lendpilot.lending import authority
from lendpilot.lending.models import (
    Application,
    Decision,
    StatusChange,
)
from lendpilot.lending.selectors import eligible_approvers, four_eyes_excluded, is_deciding_step, level_pool
from lendpilot.lending.services.authority_matrix import active_matrix, rules_of
from lendpilot.lending.services.records import (
    Acting,
    acting_staff,
    application_snapshot,
    audit,
    editable_case,
    lock_application,
    move_status,
    staff_of,
)
from lendpilot.lending.services.terms import (
    check_offer,
    debt_to_income,
    loan_to_value,
    read_rate,
)
from lendpilot.org.access import Actor, actor_of, require
from lendpilot.org.models import Staff
from lendpilot.org.roles import Perm, Role
from lendpilot.products.models import Product


def _stage(application: Application, rules: authority.AuthorityRules, today: date) -> None:
    level = application.route[application.step]
    application.current_level = level
    application.stage_started_on = today
    application.stage_due_on = add_business_days(today, rules.sla_business_days[level])
    application.escalated_at = None


@transaction.atomic
def application_submit(*, actor: Acting, application: Application, today: date | None = None) -> Application:
    """Send the case into review: the checklist must be complete, collateral must cover the product's
    loan-to-value cap, a rate below the submitter's tier must be approved. The active authority matrix
    fixes the route of levels for this submission."""
    acting = actor_of(actor)
    application = editable_case(acting, application)
    today = today or timezone.localdate()
    errors: dict[str, str] = {}
    missing = [e.item.label for e in application.checklist.select_related("item") if e.item.required and not e.done]
    if missing:
        errors["checklist"] = _("incomplete pre-loan checklist: %(items)s") % {"items": ", ".join(missing)}
    product = application.product
    if product.collateral == Product.Collateral.REQUIRED:
        ltv = loan_to_value(application)
        if ltv is None:
            errors["collateral"] = _("this product requires collateral")
        elif product.max_ltv is not None and ltv > product.max_ltv:
            errors["collateral"] = _("loan-to-value %(ltv)s is above the product's cap %(cap)s") % {
                "ltv": format(ltv, ".2%"), "cap": format(product.max_ltv, ".2%")}
    if is_frozen(ref=customer_ref(application.applicant_id)):
        errors["applicant"] = _("the applicant is frozen by a confirmed sanctions hit; compliance must lift it first")
    check_offer(application)
    matrix = active_matrix()
    rules = rules_of(matrix)
    submitter = acting_staff(acting)
    needs_rate = authority.rate_needs_approval(annual_rate=application.annual_rate, submitter_role=submitter.role,
                                               rules=rules)
    if needs_rate and application.rate_approved_by_id is None:
        errors["annual_rate"] = _("the rate is below your authority tier and needs the rate approver first")
    if application.rate_approved_by_id and application.rate_approved_by_id == submitter.pk:
        errors["annual_rate"] = _("the approver of the below-floor rate may not also submit the case")
    if errors:
        raise ValidationError(errors)
    before = application_snapshot(application)
    # The highest limit among the final approvers who may take this case: above it, the director decides.
    final_limit = max(level_pool(authority.FINAL).exclude(
        pk__in={submitter.pk, application.created_by_id, application.rate_approved_by_id} - {None}
    ).values_list("approval_limit", flat=True), default=Decimal("0"))
    route = authority.route_for(amount=application.amount, grade=application.risk_grade,
                                category=product.category, rules=rules, final_limit=final_limit)
    application.matrix = matrix
    application.route = list(route.levels)
    application.submitted_by = submitter
    application.submission_round += 1
    # Never a case that nobody can move: every step needs someone who may act on it.
    nobody = [f"L{level}" for step, level in enumerate(application.route)
              if not eligible_approvers(application, step=step).exists()]
    if nobody:
        raise ValidationError({"route": _("nobody can act at %(levels)s of this case; ask the administrator to "
                                          "assign an officer") % {"levels": ", ".join(nobody)}})
    application.decline_recommended = route.decline_recommended
    application.rate_approval_needed = needs_rate
    application.step = 0
    application.submitted_at = timezone.now()
    _stage(application, rules, today)
    move_status(application, Application.Status.IN_REVIEW, acting)
    application.save()
    audit(acting, "lending.application_submitted", application, before=before, after=application_snapshot(application))
    return application



def approver_problem(staff: Staff | None, application: Application, level: int) -> str | None:
    """Why `staff` may not act on `application` at `level` (its current step), or None. Reviews before the
    deciding level need the level; the decision also needs the amount within the approver's limit. Four
    eyes: not the creator, the submitter or the approver of a below-floor rate, not someone who decided
    another level of this case, not someone who already decided this round."""
    if staff is None or not staff.is_active:
        return _("only an active staff member can decide")
    if level == authority.DIRECTOR:
        if staff.role != Role.DIRECTOR:
            return _("this level is decided by the director")
    else:
        if staff.role != Role.RISK_OFFICER or staff.approval_level != level:
            return _("this step is for the risk officers of approval level %(level)s") % {"level": level}
        if is_deciding_step(application) and staff.approval_limit < application.amount:
            return _("the amount is above the approver's limit of %(limit)s CNY") % {
                "limit": format(staff.approval_limit, ",.2f")}
    if staff.pk in (application.submitted_by_id, application.created_by_id):
        return _("nobody approves a case they submitted")
    if staff.pk == application.rate_approved_by_id:
        return _("the approver of the below-floor rate may not decide this case")
    if staff.pk in four_eyes_excluded(application, level):
        return _("the approver has already decided another level of this case")
    return None


@dataclass(frozen=True)
class Conditions:
    amount: Decimal | None = None
    annual_rate: Decimal | None = None
    extra_collateral: str = ""


def _conditions(application: Application, raw: dict | None) -> Conditions:
    raw = raw or {}
    unknown = set(raw) - {"amount", "annual_rate", "extra_collateral"}
    if unknown:
        raise ValidationError({f"conditions.{k}": _("unknown condition") for k in sorted(unknown)})
    errors: dict[str, str] = {}
    amount = rate = None
    if raw.get("amount") not in (None, ""):
        amount = read_money(raw["amount"], field="conditions.amount", errors=errors, required=True, positive=True)
        if amount is not None and amount > application.amount:
            errors["conditions.amount"] = _("a condition may lower the amount, not raise it")
    if raw.get("annual_rate") not in (None, ""):
        rate = read_rate(raw["annual_rate"], "conditions.annual_rate", errors)
        if rate is not None and rate < application.annual_rate:
            errors["conditions.annual_rate"] = _("a condition may raise the rate, not lower it")
    extra = str(raw.get("extra_collateral") or "").strip()
    if errors:
        raise ValidationError(errors)
    if amount is None and rate is None and not extra:
        raise ValidationError({"conditions": _("approval with conditions needs at least one condition")})
    return Conditions(amount, rate, extra)


def _decision_reason(application: Application, outcome: str, reason: str) -> bool:
    """Checks the reason an outcome needs; True when the approval overrides the engine's grade-E decline."""
    if outcome in (Decision.Outcome.REJECT, Decision.Outcome.RETURN) and not reason:
        raise ValidationError({"reason": _("give the reason for this decision")})
    approving = outcome in (Decision.Outcome.APPROVE, Decision.Outcome.APPROVE_WITH_CONDITIONS)
    if not (approving and application.decline_recommended and is_deciding_step(application)):
        return False
    if not reason:
        raise ValidationError({"reason": _("grade E is declined unless the final approver overrides with a "
                                           "reason")})
    return True


def _case_awaiting(application: Application, *, outcome: str, expected_step: int) -> Application:
    """The case locked and still at the step the approver was looking at."""
    if outcome not in Decision.Outcome.values:
        raise ValidationError({"outcome": _("outcome is one of %(choices)s") % {
            "choices": ", ".join(Decision.Outcome.values)}})
    application = lock_application(application)
    if application.status != Application.Status.IN_REVIEW:
        raise Conflict(_("the case is not awaiting a decision (now %(status)s)") % {
            "status": application.get_status_display()}, field="status")
    if isinstance(expected_step, bool) or not isinstance(expected_step, int):
        raise ValidationError({"expected_step": _("name the step you are deciding")})
    if expected_step != application.step:
        raise Conflict(_("the case has moved on since you opened it"), field="expected_step")
    return application


def _apply_conditions(application: Application, decision: Decision, cond: Conditions) -> None:
    if cond.amount is not None:
        application.amount = cond.amount
    if cond.annual_rate is not None:
        application.annual_rate = cond.annual_rate
    merged = dict(application.conditions or {})
    merged.update(decision.conditions)
    application.conditions = merged
    check_offer(application)
    application.dti = debt_to_income(application)


def _advance(application: Application, *, outcome: str, label: str, reason: str, acting: Actor, today: date) -> None:
    """The case after the decision: rejected, returned, on to the next level, or approved at the last one."""
    if outcome == Decision.Outcome.REJECT:
        application.current_level = None
        move_status(application, Application.Status.REJECTED, acting, f"{label} {reason}")
    elif outcome == Decision.Outcome.RETURN:
        application.current_level = None
        move_status(application, Application.Status.RETURNED, acting, f"{label} {reason}")
    elif application.step + 1 < len(application.route):
        application.step += 1
        _stage(application, rules_of(application.matrix), today)
        StatusChange.objects.create(application=application, from_status=application.status,
                                    to_status=application.status, actor=staff_of(acting), note=label)
    else:
        application.current_level = None
        move_status(application, Application.Status.APPROVED, acting, label)


@transaction.atomic
def application_decide(*, actor: Acting, application: Application, outcome: str, expected_step: int,
                       reason: str = "", conditions: dict[str, Any] | None = None,
                       today: date | None = None) -> Decision:
    """Record one step's decision (a review's recommendation, or the decision at the last level). The caller
    names the step it was looking at (`expected_step`); it is compared with the case under the row lock, so
    of two approvers acting at once the second gets `Conflict` instead of deciding the next level."""
    acting = actor_of(actor)
    require(acting, Perm.APPROVE_LOAN)
    today = today or timezone.localdate()
    application = _case_awaiting(application, outcome=outcome, expected_step=expected_step)
    level = application.current_level
    staff = staff_of(acting)
    problem = approver_problem(staff, application, level) if level is not None else None
    if problem or staff is None or level is None:
        raise ValidationError({"approver": problem or _("only an active staff member can decide")})
    reason = (reason or "").strip()
    override = _decision_reason(application, outcome, reason)
    cond = _conditions(application, conditions) if outcome == Decision.Outcome.APPROVE_WITH_CONDITIONS else None
    before = application_snapshot(application)
    try:
        with transaction.atomic():
            decision = Decision.objects.create(
                application=application, submission_round=application.submission_round, step=application.step,
                level=level, outcome=outcome, approver=staff, reason=reason[:2000], override=override,
                conditions={k: str(v) for k, v in (cond.__dict__.items() if cond else []) if v not in (None, "")},
                within_sla=application.stage_due_on is None or today <= application.stage_due_on)
    except IntegrityError as exc:
        raise Conflict(_("another approver has already decided this step"), field="step") from exc
    if cond is not None:
        _apply_conditions(application, decision, cond)
    _advance(application, outcome=outcome, label=f"{authority.LEVEL_NAMES[level]}: {outcome}", reason=reason,
             acting=acting, today=today)
    application.save()
    audit(acting, "lending.application_decided", application, before=before,
          after={**application_snapshot(application), "decision": snapshot(decision)})
    return decision


@transaction.atomic
def applications_escalate_overdue(*, actor: Acting = None, today: date | None = None) -> int:
    """Flag every case whose current level is past its SLA (set-based); escalated cases appear at the top of
    the next level's and the director's queues. Idempotent: a case is escalated once per stage."""
    acting = actor_of(actor)
    today = today or timezone.localdate()
    overdue = Application.objects.filter(status=Application.Status.IN_REVIEW, stage_due_on__lt=today,
                                         escalated_at__isnull=True)
    ids = list(overdue.values_list("pk", flat=True)[:10000])
    count = Application.objects.filter(pk__in=ids).update(escalated_at=timezone.now())
    if count:
        record_event(actor=acting.user, event_code="lending.application_escalated", object_type="batch",
                     object_id=str(today), after={"count": count, "applications": ids[:200]})
    return count
