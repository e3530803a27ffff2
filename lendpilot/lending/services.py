"""Every write of lending: one function per business act, keyword-only, one transaction, one audit record.

Applications and their three-level approval (C1, C2), contracts and disbursement, repayments (X1),
days past due and classification (X2), credit lines (C3). Concurrency: the approval and repayment
paths lock their row (`select_for_update`) and re-check state after the lock; a decision is unique
per (case, submission round, step) and a repayment per external reference, so a lost race ends
in `Conflict`, never a double action. Credit-line draws use one conditional UPDATE.
"""

import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Case, F, IntegerField, OuterRef, Subquery, Value, When
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from lendpilot.compliance.audit import record_event, snapshot
from lendpilot.core.business_calendar import add_business_days, next_business_day
from lendpilot.core.errors import Conflict
from lendpilot.core.money import to_money
from lendpilot.core.reference import RepaymentMethod
from lendpilot.customers.models import Customer
from lendpilot.lending import authority
from lendpilot.lending.allocation import (
    AllocationError,
    OpenInstalment,
    SettlementQuote,
    accrue_penalty,
    allocate,
    parse_order,
    prepay,
    reverse_penalty,
    settlement_quote,
)
from lendpilot.lending.classification import DEFAULT_THRESHOLDS, NORMAL, Thresholds, classify, days_past_due
from lendpilot.lending.models import (
    Application,
    AuthorityMatrix,
    ChecklistEntry,
    ChecklistItem,
    ClassificationChange,
    Collateral,
    Contract,
    CreditLine,
    CrossCheck,
    Decision,
    Instalment,
    Loan,
    LoanClass,
    Repayment,
    StatusChange,
)
from lendpilot.lending.schedule import add_months, annualised_rate, build_schedule, totals
from lendpilot.lending.selectors import eligible_approvers, four_eyes_excluded, is_deciding_step, level_pool
from lendpilot.org.access import Actor, actor_of, require, scope_filter
from lendpilot.org.models import Staff
from lendpilot.org.roles import Perm, Role
from lendpilot.products.models import Product
from lendpilot.products.services import offer_check
from lendpilot.scoring import services as scoring_services
from lendpilot.scoring.models import PrescreenLog

AUDITED_APPLICATION_FIELDS = [
    "number", "applicant_id", "product_id", "amount", "term_months", "repayment_method", "annual_rate",
    "fee_amount", "purpose", "risk_grade", "monthly_income", "monthly_debt_payments", "dti", "status",
    "submission_round", "route", "step", "current_level", "stage_due_on", "conditions", "score",
    "scorecard_version_id", "policy_version_id", "prescreen_id",
]
# The grade, score and route are the engine's and the matrix's: never edited by a client.
EDITABLE_APPLICATION_FIELDS = {"amount", "term_months", "repayment_method", "annual_rate", "fee_amount", "purpose",
                               "monthly_income", "monthly_debt_payments"}
REQUIRED_DISCLOSURES = ("annual_rate", "apr", "total_interest", "total_repayment", "fees", "penalty_rate",
                        "prepayment_terms", "repayment_method", "schedule")
LOAN_FIELDS = ["number", "borrower_id", "principal", "annual_rate", "term_months", "repayment_method",
               "disbursed_on", "outstanding_principal", "status", "days_past_due", "risk_class", "manual_class"]


# --------------------------------------------------------------------------------------------- helpers

def _staff(actor: Actor) -> Staff | None:
    return actor.staff


def _acting_staff(actor: Actor) -> Staff:
    if actor.staff is None:
        raise ValidationError({"actor": _("this action needs a staff member")})
    return actor.staff


def _money(value, field: str, errors: dict, *, positive: bool = False, allow_zero: bool = True) -> Decimal | None:
    try:
        if isinstance(value, float):
            value = repr(value)
        amount = Decimal(str(value).strip())
        if not amount.is_finite():
            raise InvalidOperation
    except (InvalidOperation, ValueError, TypeError):
        errors[field] = _("not a number")
        return None
    if amount != amount.quantize(Decimal("0.01")):
        errors[field] = _("more than two decimal places")
        return None
    if amount < 0 or (positive and amount == 0) or (not allow_zero and amount == 0):
        errors[field] = _("must be positive") if positive else _("must not be negative")
        return None
    return to_money(amount)


def _rate(value, field: str, errors: dict) -> Decimal | None:
    try:
        rate = Decimal(str(value).strip())
        if not rate.is_finite():
            raise InvalidOperation
    except (InvalidOperation, ValueError, TypeError):
        errors[field] = _("not a number")
        return None
    if not Decimal(0) <= rate <= Decimal("0.36"):
        errors[field] = _("annual rate is a fraction between 0 and 0.36")
        return None
    return rate.quantize(Decimal("0.000001"))


def _move(application: Application, to_status: str, actor: Actor, note: str = "") -> None:
    StatusChange.objects.create(application=application, from_status=application.status, to_status=to_status,
                                actor=_staff(actor), note=note[:500])
    application.status = to_status


def _number(prefix: str) -> str:
    return f"{prefix}{timezone.localdate():%y%m%d}{uuid.uuid4().hex[:8].upper()}"


def _audit(actor: Actor, code: str, obj, before=None, after=None) -> None:
    record_event(actor=actor.user, event_code=code, obj=obj, before=before, after=after)


def _snap(application: Application) -> dict:
    return snapshot(application, AUDITED_APPLICATION_FIELDS)


def _lock(application: Application) -> Application:
    return Application.objects.select_for_update().get(pk=application.pk)


# ---------------------------------------------------------------------------------- authority matrix

def active_matrix() -> AuthorityMatrix:
    """The active matrix; the built-in defaults are published as version 1 the first time one is needed."""
    matrix = AuthorityMatrix.objects.filter(is_active=True).first()
    if matrix is None:
        with transaction.atomic():
            try:
                matrix, _created = AuthorityMatrix.objects.get_or_create(
                    version=1, defaults={"rules": authority.DEFAULT_RULES.to_json(), "is_active": True,
                                         "note": "built-in defaults"})
            except IntegrityError:
                matrix = AuthorityMatrix.objects.get(is_active=True)
    return matrix


def rules_of(matrix: AuthorityMatrix | None) -> authority.AuthorityRules:
    return authority.AuthorityRules.from_json(matrix.rules) if matrix else authority.DEFAULT_RULES


@transaction.atomic
def authority_matrix_publish(*, actor, rules: dict, note: str = "") -> AuthorityMatrix:
    """A new version of the rules becomes active; cases already routed keep their version."""
    acting = actor_of(actor)
    require(acting, Perm.MANAGE_AUTHORITY)
    try:
        parsed = authority.AuthorityRules.from_json(rules)
    except (TypeError, ValueError, InvalidOperation) as exc:
        raise ValidationError({"rules": str(exc)}) from exc
    last = AuthorityMatrix.objects.select_for_update().order_by("-version").first()
    AuthorityMatrix.objects.filter(is_active=True).update(is_active=False)
    matrix = AuthorityMatrix.objects.create(version=(last.version + 1) if last else 1, rules=parsed.to_json(),
                                            is_active=True, note=note[:200], created_by=_staff(acting))
    _audit(acting, "lending.authority_matrix_published", matrix, after={"version": matrix.version,
                                                                         "rules": matrix.rules})
    return matrix


# ------------------------------------------------------------------------------------ applications

@transaction.atomic
def checklist_item_set(*, actor, product: Product, code: str, label: str, kind: str = ChecklistItem.Kind.DOCUMENT,
                       required: bool = True, position: int = 0) -> ChecklistItem:
    acting = actor_of(actor)
    require(acting, Perm.MANAGE_PRODUCTS)
    if kind not in ChecklistItem.Kind.values:
        raise ValidationError({"kind": _("unknown checklist item kind")})
    if not code.strip() or not label.strip():
        raise ValidationError({"code": _("code and label are required")})
    item, _created = ChecklistItem.objects.update_or_create(
        product=product, code=code.strip(), defaults={"label": label, "kind": kind, "required": required,
                                                      "position": position})
    _audit(acting, "lending.checklist_configured", item, after=snapshot(item))
    return item


def _validated_terms(data: dict, product: Product) -> dict:
    errors: dict[str, str] = {}
    clean = dict(data)
    for field in ("amount", "monthly_income", "monthly_debt_payments", "fee_amount"):
        if field in data:
            clean[field] = _money(data[field], field, errors, positive=field == "amount")
    if "annual_rate" in data:
        clean["annual_rate"] = _rate(data["annual_rate"], "annual_rate", errors)
    if "purpose" in data and not str(data["purpose"] or "").strip():
        errors["purpose"] = _("state the purpose of the loan")
    if "term_months" in data and (not isinstance(data["term_months"], int) or isinstance(data["term_months"], bool)):
        errors["term_months"] = _("term is a whole number of months")
    if errors:
        raise ValidationError(errors)
    return clean


def _check_offer(application: Application) -> None:
    offer_check(product=application.product, amount=application.amount, term_months=application.term_months,
                repayment_method=application.repayment_method, annual_rate=application.annual_rate)
    if application.fee_amount >= application.amount:
        raise ValidationError({"fee_amount": _("fees must be smaller than the amount")})


def _dti(application: Application) -> Decimal | None:
    """Debt-to-income: (existing monthly debt payments + the new loan's first monthly payment) / monthly income."""
    if not application.monthly_income:
        return None
    rows = build_schedule(principal=application.amount, annual_rate=application.annual_rate,
                          periods=application.term_months, method=application.repayment_method,
                          start=timezone.localdate())
    new_payment = rows[0].payment if len(rows) > 1 else rows[0].interest / application.term_months
    value = (application.monthly_debt_payments + new_payment) / application.monthly_income
    return min(value, Decimal("999")).quantize(Decimal("0.0001"))


APPLICANT_FACTS = ("age", "employment_years", "bureau_inquiries_6m", "bureau_overdue_24m", "credit_history_months",
                   "bureau_flags", "collateral_value")


def application_prescreen(*, actor, applicant: Customer, product: Product, amount, term_months: int,
                          monthly_income, monthly_debt_payments=Decimal("0"), **facts) -> dict:
    """The pre-screen (D6) of an application being filled in: the same engine as `POST /api/v1/prescreen`
    (active scorecard of the product's family, active policy rules, blacklists, the product rate plus the
    industry premium), for a customer in the actor's scope; age, industry, region and identifiers come
    from the customer record. Returns the engine's answer (score, PD, grade, declines with reasons,
    approvable amount, approval probability, top-3 reason codes, priced rate); logged like every
    pre-screen. Bad or missing applicant facts -> ValidationError naming the field."""
    unknown = set(facts) - set(APPLICANT_FACTS)
    if unknown:
        raise ValidationError({field: _("not an applicant fact") for field in sorted(unknown)})
    return scoring_services.prescreen_run(
        actor=actor, amount=amount, term_months=term_months, product_id=product.pk, customer_id=applicant.pk,
        monthly_income=monthly_income, monthly_debt_payments=monthly_debt_payments,
        **{k: v for k, v in facts.items() if v is not None and v != ""}).body


def decline_texts(body: dict) -> list[str]:
    """The hard-rule declines of a pre-screen answer in the user's language."""
    key = "text_zh" if (get_language() or "").lower().startswith("zh") else "text_en"
    return [d[key] for d in body.get("declines", [])]


PRESCREEN_VALID_DAYS = 30


def _engine_grade(prescreen: PrescreenLog, *, applicant: Customer, product: Product, clean: dict,
                  term_months: int) -> None:
    """A pre-screen logged earlier (the live panel of the form) stands for this case only if the engine
    passed this applicant for this product, amount and term, recently, and no other case used it."""
    errors = {}
    if prescreen.customer_id != applicant.pk or prescreen.product_id != product.pk:
        errors["prescreen"] = _("the pre-screen was made for another applicant or product")
    elif prescreen.amount != clean["amount"] or prescreen.term_months != term_months:
        errors["prescreen"] = _("the pre-screen was made for another amount or term; pre-screen again")
    elif prescreen.decision != PrescreenLog.Decision.PASS:
        errors["prescreen"] = _("the pre-screen declined this applicant")
    elif prescreen.created_at < timezone.now() - timedelta(days=PRESCREEN_VALID_DAYS):
        errors["prescreen"] = _("the pre-screen is older than %(days)s days; pre-screen again") % {
            "days": PRESCREEN_VALID_DAYS}
    elif Application.objects.filter(prescreen=prescreen).exists():
        errors["prescreen"] = _("the pre-screen already stands for another case")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def application_create(*, actor, applicant: Customer, product: Product, amount, term_months: int,
                       repayment_method: str, annual_rate, purpose: str, monthly_income,
                       monthly_debt_payments=Decimal("0"), fee_amount=Decimal("0"),
                       applicant_facts: dict | None = None, prescreen: PrescreenLog | None = None) -> Application:
    """An account manager (or their lead) opens a case for a customer in their scope (C1). The risk grade,
    score, scorecard version and policy-rules version come from the pre-screen engine only (D6): the
    engine runs now with `applicant_facts`, or `prescreen` names the engine's logged answer for this very
    applicant, product, amount and term. A hard-rule decline (blacklist, age, debt-to-income, excluded
    industry, bureau red flags, ...) rejects the case with its reasons under `prescreen`. No caller can
    hand in a grade: it would choose the approval route."""
    acting = actor_of(actor)
    require(acting, Perm.APPLY_LOAN)
    staff = _acting_staff(acting)
    if not scope_filter(acting, Customer.objects.filter(pk=applicant.pk), owner="manager").exists():
        raise ValidationError({"applicant": _("the applicant is not one of your customers")})
    clean = _validated_terms(dict(amount=amount, term_months=term_months, annual_rate=annual_rate, purpose=purpose,
                                  monthly_income=monthly_income, monthly_debt_payments=monthly_debt_payments,
                                  fee_amount=fee_amount), product)
    if prescreen is None:
        body = application_prescreen(actor=actor, applicant=applicant, product=product, amount=clean["amount"],
                                     term_months=term_months, monthly_income=clean["monthly_income"],
                                     monthly_debt_payments=clean["monthly_debt_payments"], **(applicant_facts or {}))
        if body["declines"]:
            raise ValidationError({"prescreen": decline_texts(body)})
        prescreen = PrescreenLog.objects.get(pk=body["prescreen_id"])
    else:
        _engine_grade(prescreen, applicant=applicant, product=product, clean=clean, term_months=term_months)
    clean.update(risk_grade=prescreen.grade, score=prescreen.score, scorecard_version_id=prescreen.scorecard_version_id,
                 policy_version_id=prescreen.policy_version_id, prescreen_id=prescreen.pk)
    application = Application(number=_number("AP"), applicant=applicant, product=product,
                              repayment_method=repayment_method, created_by=staff, **clean)
    _check_offer(application)
    application.dti = _dti(application)
    application.save()
    ChecklistEntry.objects.bulk_create(
        [ChecklistEntry(application=application, item=item) for item in product.checklist_items.all()])
    StatusChange.objects.create(application=application, to_status=application.status, actor=staff)
    _audit(acting, "lending.application_created", application, after=_snap(application))
    return application


@transaction.atomic
def application_update(*, actor, application: Application, **changes) -> Application:
    acting = actor_of(actor)
    require(acting, Perm.APPLY_LOAN)
    application = _lock(application)
    _check_owner(acting, application)
    if application.status not in (Application.Status.DRAFT, Application.Status.RETURNED):
        raise Conflict(_("only a draft or returned case can be changed"), field="status")
    unknown = set(changes) - EDITABLE_APPLICATION_FIELDS
    if unknown:
        raise ValidationError({field: _("this field cannot be changed") for field in sorted(unknown)})
    before = _snap(application)
    old_rate = application.annual_rate
    for field, value in _validated_terms(changes, application.product).items():
        setattr(application, field, value)
    _check_offer(application)
    if application.annual_rate != old_rate:
        # A rate approval covers the rate that was approved, not one typed in afterwards.
        application.rate_approved_by = None
    if RESCREENED_FIELDS & set(changes):
        _rescreen(acting, application)
    application.dti = _dti(application)
    application.save()
    _audit(acting, "lending.application_updated", application, before=before, after=_snap(application))
    return application


RESCREENED_FIELDS = {"amount", "term_months", "monthly_income", "monthly_debt_payments"}
RESCREEN_FACTS = ("employment_years", "bureau_inquiries_6m", "bureau_overdue_24m", "credit_history_months")


def _rescreen(acting: Actor, application: Application) -> None:
    """New terms are graded again by the engine, with the applicant facts the earlier pre-screen recorded."""
    inputs = application.prescreen.inputs if application.prescreen_id else {}
    facts = {k: inputs[k] for k in RESCREEN_FACTS if inputs.get(k) is not None}
    body = application_prescreen(actor=acting.user, applicant=application.applicant, product=application.product,
                                 amount=application.amount, term_months=application.term_months,
                                 monthly_income=application.monthly_income,
                                 monthly_debt_payments=application.monthly_debt_payments, **facts)
    if body["declines"]:
        raise ValidationError({"prescreen": decline_texts(body)})
    log = PrescreenLog.objects.get(pk=body["prescreen_id"])
    application.risk_grade, application.score, application.prescreen = log.grade, log.score, log
    application.scorecard_version_id, application.policy_version_id = log.scorecard_version_id, log.policy_version_id


def _check_owner(acting: Actor, application: Application) -> None:
    visible = scope_filter(acting, Application.objects.filter(pk=application.pk), owner="applicant__manager")
    if not visible.exists():
        raise ValidationError({"application": _("the case is outside your data scope")})


def _editable(acting: Actor, application: Application) -> Application:
    require(acting, Perm.APPLY_LOAN)
    application = _lock(application)
    _check_owner(acting, application)
    if application.status not in (Application.Status.DRAFT, Application.Status.RETURNED):
        raise Conflict(_("only a draft or returned case can be changed"), field="status")
    return application


@transaction.atomic
def collateral_add(*, actor, application: Application, kind: str, description: str, valuation, valuer: str,
                   valued_on: date) -> Collateral:
    acting = actor_of(actor)
    application = _editable(acting, application)
    errors: dict[str, str] = {}
    if kind not in Collateral.Kind.values:
        errors["kind"] = _("unknown collateral kind")
    value = _money(valuation, "valuation", errors, positive=True)
    if not (valuer or "").strip():
        errors["valuer"] = _("name the valuer")
    if not isinstance(valued_on, date) or valued_on > timezone.localdate():
        errors["valued_on"] = _("the valuation date must be a date not in the future")
    if errors:
        raise ValidationError(errors)
    item = Collateral.objects.create(application=application, kind=kind, description=description[:200],
                                     valuation=value, valuer=valuer.strip(), valued_on=valued_on)
    _audit(acting, "lending.collateral_added", item, after=snapshot(item))
    return item


def loan_to_value(application: Application) -> Decimal | None:
    total = sum((c.valuation for c in application.collateral.all()), Decimal("0"))
    if not total:
        return None
    return (application.amount / total).quantize(Decimal("0.0001"))


@transaction.atomic
def checklist_mark(*, actor, application: Application, item_code: str, done: bool = True,
                   evidence: str = "") -> ChecklistEntry:
    acting = actor_of(actor)
    application = _editable(acting, application)
    entry = ChecklistEntry.objects.select_related("item").filter(application=application,
                                                                 item__code=item_code).first()
    if entry is None:
        raise ValidationError({"item_code": _("no such checklist item for this product")})
    if done and not evidence.strip():
        raise ValidationError({"evidence": _("name the document or verification that completes this item")})
    entry.done, entry.evidence = done, evidence[:300]
    entry.done_by, entry.done_at = (_staff(acting), timezone.now()) if done else (None, None)
    entry.save()
    _audit(acting, "lending.checklist_updated", application,
           after={"item": item_code, "done": done, "evidence": entry.evidence})
    return entry


@transaction.atomic
def cross_check_record(*, actor, application: Application, kind: str, passed: bool, evidence: str,
                       stated: str = "", observed: str = "") -> CrossCheck:
    """A cross-validation (stated income vs tax or bank flows, identity vs bureau) with its evidence. Risk
    officers may record checks while the case is in review; the account manager before submitting."""
    acting = actor_of(actor)
    if not (acting.can(Perm.APPLY_LOAN) or acting.can(Perm.APPROVE_LOAN) or acting.is_system):
        require(acting, Perm.APPLY_LOAN)
    application = _lock(application)
    if acting.can(Perm.APPLY_LOAN) and not acting.can(Perm.APPROVE_LOAN):
        _check_owner(acting, application)
    errors = {}
    if kind not in CrossCheck.Kind.values:
        errors["kind"] = _("unknown cross-check")
    if not (evidence or "").strip():
        errors["evidence"] = _("record the evidence of the check")
    if errors:
        raise ValidationError(errors)
    check = CrossCheck.objects.create(application=application, kind=kind, passed=bool(passed), stated=stated[:100],
                                      observed=observed[:100], evidence=evidence[:300],
                                      checked_by=_acting_staff(acting))
    _audit(acting, "lending.cross_check_recorded", check, after=snapshot(check))
    return check


@transaction.atomic
def application_rate_approve(*, actor, application: Application) -> Application:
    """A rate below the submitter's authority tier is approved by someone holding the rate authority."""
    acting = actor_of(actor)
    require(acting, Perm.APPROVE_RATE)
    application = _lock(application)
    if application.created_by_id == getattr(acting.staff, "pk", None):
        raise ValidationError({"actor": _("the rate approver may not be the person who offered the rate")})
    if application.status not in (Application.Status.DRAFT, Application.Status.RETURNED):
        raise Conflict(_("the rate is approved before the case is submitted"), field="status")
    application.rate_approved_by = _acting_staff(acting)
    application.save(update_fields=["rate_approved_by", "updated_at"])
    _audit(acting, "lending.rate_approved", application, after={"annual_rate": application.annual_rate})
    return application


def _stage(application: Application, rules: authority.AuthorityRules, today: date) -> None:
    level = application.route[application.step]
    application.current_level = level
    application.stage_started_on = today
    application.stage_due_on = add_business_days(today, rules.sla_business_days[level])
    application.escalated_at = None


@transaction.atomic
def application_submit(*, actor, application: Application, today: date | None = None) -> Application:
    """Send the case into review: the checklist must be complete, collateral must cover the product's
    loan-to-value cap, a rate below the submitter's tier must be approved. The active authority matrix
    fixes the route of levels for this submission."""
    acting = actor_of(actor)
    application = _editable(acting, application)
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
    _check_offer(application)
    matrix = active_matrix()
    rules = rules_of(matrix)
    submitter = _acting_staff(acting)
    needs_rate = authority.rate_needs_approval(annual_rate=application.annual_rate, submitter_role=submitter.role,
                                               rules=rules)
    if needs_rate and application.rate_approved_by_id is None:
        errors["annual_rate"] = _("the rate is below your authority tier and needs the rate approver first")
    if application.rate_approved_by_id and application.rate_approved_by_id == submitter.pk:
        errors["annual_rate"] = _("the approver of the below-floor rate may not also submit the case")
    if errors:
        raise ValidationError(errors)
    before = _snap(application)
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
    _move(application, Application.Status.IN_REVIEW, acting)
    application.save()
    _audit(acting, "lending.application_submitted", application, before=before, after=_snap(application))
    return application


@transaction.atomic
def application_withdraw(*, actor, application: Application, reason: str = "") -> Application:
    acting = actor_of(actor)
    require(acting, Perm.APPLY_LOAN)
    application = _lock(application)
    _check_owner(acting, application)
    if application.status not in (Application.Status.DRAFT, Application.Status.RETURNED,
                                  Application.Status.IN_REVIEW):
        raise Conflict(_("the case can no longer be withdrawn"), field="status")
    before = _snap(application)
    application.current_level = None
    _move(application, Application.Status.WITHDRAWN, acting, reason)
    application.save()
    _audit(acting, "lending.application_withdrawn", application, before=before, after=_snap(application))
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
        amount = _money(raw["amount"], "conditions.amount", errors, positive=True)
        if amount is not None and amount > application.amount:
            errors["conditions.amount"] = _("a condition may lower the amount, not raise it")
    if raw.get("annual_rate") not in (None, ""):
        rate = _rate(raw["annual_rate"], "conditions.annual_rate", errors)
        if rate is not None and rate < application.annual_rate:
            errors["conditions.annual_rate"] = _("a condition may raise the rate, not lower it")
    extra = str(raw.get("extra_collateral") or "").strip()
    if errors:
        raise ValidationError(errors)
    if amount is None and rate is None and not extra:
        raise ValidationError({"conditions": _("approval with conditions needs at least one condition")})
    return Conditions(amount, rate, extra)


@transaction.atomic
def application_decide(*, actor, application: Application, outcome: str, expected_step: int, reason: str = "",
                       conditions: dict | None = None, today: date | None = None) -> Decision:
    """Record one step's decision (a review's recommendation, or the decision at the last level). The caller
    names the step it was looking at (`expected_step`); it is compared with the case under the row lock, so
    of two approvers acting at once the second gets `Conflict` instead of deciding the next level."""
    acting = actor_of(actor)
    require(acting, Perm.APPROVE_LOAN)
    today = today or timezone.localdate()
    if outcome not in Decision.Outcome.values:
        raise ValidationError({"outcome": _("outcome is one of %(choices)s") % {
            "choices": ", ".join(Decision.Outcome.values)}})
    application = _lock(application)
    if application.status != Application.Status.IN_REVIEW:
        raise Conflict(_("the case is not awaiting a decision (now %(status)s)") % {
            "status": application.get_status_display()}, field="status")
    if isinstance(expected_step, bool) or not isinstance(expected_step, int):
        raise ValidationError({"expected_step": _("name the step you are deciding")})
    if expected_step != application.step:
        raise Conflict(_("the case has moved on since you opened it"), field="expected_step")
    level = application.current_level
    staff = _staff(acting)
    problem = approver_problem(staff, application, level)
    if problem:
        raise ValidationError({"approver": problem})
    reason = (reason or "").strip()
    is_final = is_deciding_step(application)
    approving = outcome in (Decision.Outcome.APPROVE, Decision.Outcome.APPROVE_WITH_CONDITIONS)
    override = False
    if outcome in (Decision.Outcome.REJECT, Decision.Outcome.RETURN) and not reason:
        raise ValidationError({"reason": _("give the reason for this decision")})
    if approving and application.decline_recommended and is_final:
        if not reason:
            raise ValidationError({"reason": _("grade E is declined unless the final approver overrides with a "
                                               "reason")})
        override = True
    cond = _conditions(application, conditions) if outcome == Decision.Outcome.APPROVE_WITH_CONDITIONS else None
    before = _snap(application)
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
        if cond.amount is not None:
            application.amount = cond.amount
        if cond.annual_rate is not None:
            application.annual_rate = cond.annual_rate
        merged = dict(application.conditions or {})
        merged.update(decision.conditions)
        application.conditions = merged
        _check_offer(application)
        application.dti = _dti(application)
    label = f"{authority.LEVEL_NAMES[level]}: {outcome}"
    if outcome == Decision.Outcome.REJECT:
        application.current_level = None
        _move(application, Application.Status.REJECTED, acting, f"{label} {reason}")
    elif outcome == Decision.Outcome.RETURN:
        application.current_level = None
        _move(application, Application.Status.RETURNED, acting, f"{label} {reason}")
    elif application.step + 1 < len(application.route):
        application.step += 1
        _stage(application, rules_of(application.matrix), today)
        StatusChange.objects.create(application=application, from_status=application.status,
                                    to_status=application.status, actor=staff, note=label)
    else:
        application.current_level = None
        _move(application, Application.Status.APPROVED, acting, label)
    application.save()
    _audit(acting, "lending.application_decided", application, before=before,
           after={**_snap(application), "decision": snapshot(decision)})
    return decision


@transaction.atomic
def applications_escalate_overdue(*, actor=None, today: date | None = None) -> int:
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


# ------------------------------------------------------------------------------ contract, disbursement

def schedule_json(rows) -> list[dict]:
    return [{"seq": r.seq, "due_date": r.due_date.isoformat(), "principal": str(r.principal),
             "interest": str(r.interest), "payment": str(r.payment), "balance_after": str(r.balance_after)}
            for r in rows]


def disclosure_gaps(contract: Contract) -> list[str]:
    """The compliance checkpoint before signing: every required disclosure present and non-empty."""
    disclosures = contract.disclosures or {}
    return [key for key in REQUIRED_DISCLOSURES if disclosures.get(key) in (None, "", [], {})]


@transaction.atomic
def contract_generate(*, actor, application: Application, start: date | None = None) -> Contract:
    """The contract of an approved case, with the APR (IRR method, fees included), the full schedule (dated
    from `start`, re-dated at disbursement) and the required disclosures."""
    acting = actor_of(actor)
    require(acting, Perm.ISSUE_CONTRACT)
    application = _lock(application)
    if application.status != Application.Status.APPROVED:
        raise Conflict(_("a contract is generated for an approved case"), field="status")
    start = start or timezone.localdate()
    product = application.product
    rows = build_schedule(principal=application.amount, annual_rate=application.annual_rate,
                          periods=application.term_months, method=application.repayment_method, start=start,
                          roll_business_days=product.roll_business_days)
    apr = annualised_rate(principal=application.amount, rows=rows, periods=application.term_months,
                          fees=application.fee_amount)
    sums = totals(rows)
    disclosures = {
        "annual_rate": str(application.annual_rate),
        "apr": str(apr),
        "total_interest": str(sums["interest"]),
        "total_repayment": str(sums["payment"] + application.fee_amount),
        "fees": str(application.fee_amount),
        "penalty_rate": str((application.annual_rate * product.penalty_multiplier).quantize(Decimal("0.000001"))),
        "penalty_multiplier": str(product.penalty_multiplier),
        "allocation_order": product.allocation_order,
        "settlement_fee_rate": str(product.settlement_fee_rate),
        "due_dates_roll_to_business_day": product.roll_business_days,
        "product_terms_version": product.terms_version,
        "prepayment_terms": _("Early repayment or settlement is allowed on any day; interest accrued to that day "
                              "(actual/360) is paid, never the interest of instalments not yet due. Early "
                              "settlement costs a fee of %(fee)s%% of the principal repaid early. A repayment "
                              "beyond what is due and not declared early repayment is held as credit.") % {
            "fee": format((product.settlement_fee_rate * 100).normalize(), "f")},
        "repayment_method": application.repayment_method,
        "schedule": schedule_json(rows),
        "day_count": _("Monthly rate = annual rate / 12; broken periods actual/360."),
        "conditions": application.conditions or {},
    }
    contract = Contract.objects.create(
        application=application, number=_number("CT"), principal=application.amount,
        annual_rate=application.annual_rate, apr=apr, term_months=application.term_months,
        repayment_method=application.repayment_method, schedule=disclosures["schedule"], disclosures=disclosures,
        product_terms_version=product.terms_version, penalty_multiplier=product.penalty_multiplier,
        allocation_order=product.allocation_order, roll_business_days=product.roll_business_days,
        settlement_fee_rate=product.settlement_fee_rate, generated_by=_acting_staff(acting))
    before = _snap(application)
    _move(application, Application.Status.CONTRACTED, acting, contract.number)
    application.save()
    _audit(acting, "lending.contract_generated", contract, before=before,
           after={"contract": contract.number, "apr": apr, "principal": contract.principal})
    return contract


@transaction.atomic
def contract_sign(*, actor, contract: Contract) -> Contract:
    """Record the borrower's signature. Blocked while any required disclosure is missing."""
    acting = actor_of(actor)
    require(acting, Perm.ISSUE_CONTRACT)
    contract = Contract.objects.select_for_update().get(pk=contract.pk)
    if contract.status != Contract.Status.GENERATED:
        raise Conflict(_("the contract is already signed"), field="status")
    gaps = disclosure_gaps(contract)
    if gaps:
        raise ValidationError({"disclosures": _("missing required disclosures: %(keys)s") % {"keys": ", ".join(gaps)}})
    contract.status = Contract.Status.SIGNED
    contract.signed_at = timezone.now()
    contract.signed_recorded_by = _acting_staff(acting)
    contract.save()
    application = _lock(contract.application)
    _move(application, Application.Status.SIGNED, acting, contract.number)
    application.save()
    _audit(acting, "lending.contract_signed", contract, after={"contract": contract.number,
                                                               "signed_at": contract.signed_at})
    return contract


def _create_loan(*, borrower: Customer, product: Product, principal: Decimal, annual_rate: Decimal,
                 term_months: int, method: str, disbursed_on: date, contract: Contract | None = None,
                 credit_line: CreditLine | None = None, number: str | None = None) -> Loan:
    # The contract's copy of the product terms wins: a product changed after signing never reaches the loan.
    terms = contract or product
    rows = build_schedule(principal=principal, annual_rate=annual_rate, periods=term_months, method=method,
                          start=disbursed_on, roll_business_days=terms.roll_business_days)
    loan = Loan.objects.create(
        number=number or _number("LN"), contract=contract, credit_line=credit_line, borrower=borrower,
        product=product, principal=principal, annual_rate=annual_rate, term_months=term_months,
        repayment_method=method, disbursed_on=disbursed_on, outstanding_principal=principal,
        penalty_multiplier=terms.penalty_multiplier, allocation_order=terms.allocation_order,
        settlement_fee_rate=terms.settlement_fee_rate)
    Instalment.objects.bulk_create([
        Instalment(loan=loan, seq=r.seq, due_date=r.due_date, due_day=r.due_date.toordinal(),
                   principal_due=r.principal, interest_due=r.interest) for r in rows])
    return loan


@transaction.atomic
def loan_disburse(*, actor, contract: Contract, disbursed_on: date | None = None) -> Loan:
    """Operations pay out a signed contract: the loan and its instalments (dated from the disbursement)."""
    acting = actor_of(actor)
    require(acting, Perm.DISBURSE_LOAN)
    disbursed_on = disbursed_on or timezone.localdate()
    # Conditional update: of two concurrent disbursements exactly one moves the contract on.
    moved = Contract.objects.filter(pk=contract.pk, status=Contract.Status.SIGNED).update(
        status=Contract.Status.DISBURSED)
    if not moved:
        raise Conflict(_("only a signed, not yet disbursed contract can be paid out"), field="status")
    contract.refresh_from_db()
    application = _lock(contract.application)
    loan = _create_loan(borrower=application.applicant, product=application.product, principal=contract.principal,
                        annual_rate=contract.annual_rate, term_months=contract.term_months,
                        method=contract.repayment_method, disbursed_on=disbursed_on, contract=contract)
    _move(application, Application.Status.DISBURSED, acting, loan.number)
    application.save()
    _audit(acting, "lending.loan_disbursed", loan, after=snapshot(loan, LOAN_FIELDS))
    return loan


# ----------------------------------------------------------------------------------------- repayments

def open_instalments(instalments) -> list[OpenInstalment]:
    return [OpenInstalment(i.seq, i.due_date, i.principal_open, i.interest_open, i.penalty_open, i.penalty_through)
            for i in instalments]


@dataclass
class Applied:
    penalty: Decimal
    interest: Decimal
    principal: Decimal
    unapplied: Decimal
    fee: Decimal = Decimal("0.00")
    credit_used: Decimal = Decimal("0.00")


def _order_of(loan: Loan) -> tuple[str, ...]:
    return parse_order(loan.allocation_order)


def _accrue(loan: Loan, opened: list[Instalment], value_date: date) -> list[OpenInstalment]:
    """Penalty brought up to `value_date` on the Instalment objects in memory; their open amounts returned."""
    accrued = accrue_penalty(open_instalments(opened), value_date=value_date, annual_rate=loan.annual_rate,
                             multiplier=loan.penalty_multiplier)
    by_seq = {i.seq: i for i in opened}
    for acc in accrued:
        inst = by_seq[acc.seq]
        inst.penalty_accrued = inst.penalty_paid + acc.penalty
        inst.penalty_through = acc.penalty_through
    return accrued


def _credit_split(amount: Decimal, credit: Decimal, left: Decimal) -> tuple[Decimal, Decimal]:
    """(unapplied of this cash, credit spent) when `amount` plus earlier `credit` was offered and `left` remains."""
    return max(Decimal("0.00"), left - credit), max(Decimal("0.00"), credit - left)


def apply_to_instalments(loan: Loan, instalments: list[Instalment], *, amount: Decimal, value_date: date,
                         order: tuple[str, ...] | None = None, use_credit: bool = True) -> Applied:
    """Accrue penalty to the value date and allocate `amount` (plus the loan's unapplied credit) over what is
    due, in the loan's allocation order, changing the Instalment objects and the loan in memory (the caller
    saves them). What is not due stays open: the rest becomes the loan's credit (`Loan.unapplied_credit`)."""
    opened = [i for i in instalments if not i.is_settled]
    # Only what is due takes part: instalments not yet due neither accrue penalty nor receive money.
    due = [i for i in opened if i.due_date <= value_date]
    accrued = _accrue(loan, due, value_date)
    by_seq = {i.seq: i for i in due}
    credit = loan.unapplied_credit if use_credit else Decimal("0.00")
    offered = amount + credit
    if offered <= 0:
        return Applied(Decimal("0.00"), Decimal("0.00"), Decimal("0.00"), Decimal("0.00"))
    result = allocate(offered, accrued, value_date=value_date, order=order or _order_of(loan))
    for seq, parts in result.applied.items():
        inst = by_seq[seq]
        inst.penalty_paid += parts["penalty"]
        inst.interest_paid += parts["interest"]
        inst.principal_paid += parts["principal"]
        inst.is_settled = inst.principal_paid == inst.principal_due and inst.interest_paid == inst.interest_due \
            and inst.penalty_paid == inst.penalty_accrued
    principal = result.total("principal")
    loan.outstanding_principal -= principal
    if use_credit:
        loan.unapplied_credit = result.unapplied
    else:
        loan.unapplied_credit += result.unapplied
    if loan.outstanding_principal == 0 and all(i.is_settled for i in opened):
        loan.status = Loan.Status.SETTLED
    unapplied, credit_used = _credit_split(amount, credit, result.unapplied)
    return Applied(result.total("penalty"), result.total("interest"), principal, unapplied, credit_used=credit_used)


def validate_repayment(*, external_ref, amount, value_date) -> tuple[str, Decimal, date]:
    errors: dict[str, str] = {}
    ref = str(external_ref or "").strip()
    if not ref or len(ref) > 64:
        errors["external_ref"] = _("an external reference of 1 to 64 characters is required")
    money = _money(amount, "amount", errors, positive=True)
    if isinstance(value_date, str):
        try:
            value_date = date.fromisoformat(value_date.strip())
        except ValueError:
            errors["value_date"] = _("not a date (YYYY-MM-DD)")
    elif not isinstance(value_date, date):
        errors["value_date"] = _("not a date (YYYY-MM-DD)")
    if isinstance(value_date, date) and value_date > timezone.localdate():
        errors["value_date"] = _("the value date lies in the future")
    if errors:
        raise ValidationError(errors)
    return ref, money, value_date


REPAYMENT_KINDS = tuple(Repayment.Kind.values)
PREPAYMENT_MODES = ("reduce_payment", "shorten_term")


def _period_start(loan: Loan, value_date: date) -> date:
    """Where interest of the running period starts: the last due date on or before `value_date` (or the
    disbursement). A due date rolled past a holiday still ends its period on the contractual date (the roll
    does not change interest), so the accrual starts there; an early repayment's own date is its own start."""
    last_due = loan.instalments.filter(due_date__lte=value_date).order_by("-due_date").values_list(
        "due_date", flat=True).first()
    if last_due is None:
        return loan.disbursed_on
    for k in range(1, loan.term_months + 1):
        contractual = add_months(loan.disbursed_on, k)
        if contractual > last_due:
            break
        if contractual < last_due and next_business_day(contractual) == last_due:
            return contractual
    return last_due


def quote_settlement(loan: Loan, value_date: date, instalments: list[Instalment] | None = None) -> SettlementQuote:
    """The early-settlement figure of `loan` on `value_date` (penalty accrued to that date; nothing saved)."""
    opened = [i for i in (instalments if instalments is not None
                          else loan.instalments.filter(is_settled=False).order_by("seq")) if not i.is_settled]
    accrued = accrue_penalty(open_instalments(opened), value_date=value_date, annual_rate=loan.annual_rate,
                             multiplier=loan.penalty_multiplier)
    ahead = sum((i.interest_paid for i in opened if i.due_date > value_date), Decimal("0.00"))
    return settlement_quote(accrued, value_date=value_date, period_start=_period_start(loan, value_date),
                            annual_rate=loan.annual_rate, fee_rate=loan.settlement_fee_rate,
                            interest_paid_ahead=ahead)


def _settle(loan: Loan, instalments: list[Instalment], *, amount: Decimal, value_date: date) -> Applied:
    """Early settlement (提前结清): the quote on the value date is paid in full (with the loan's credit);
    the coming instalments are replaced by one closing instalment on the value date."""
    opened = [i for i in instalments if not i.is_settled]
    _accrue(loan, opened, value_date)
    quote = quote_settlement(loan, value_date, opened)
    credit = loan.unapplied_credit
    if amount + credit < quote.total:
        raise ValidationError({"amount": _("settlement on %(date)s needs %(total)s CNY") % {
            "date": value_date.isoformat(), "total": format(quote.total - credit, ",.2f")}})
    due = [i for i in opened if i.due_date <= value_date]
    future = [i for i in opened if i.due_date > value_date]
    for inst in due:
        inst.penalty_paid, inst.interest_paid, inst.principal_paid = (inst.penalty_accrued, inst.interest_due,
                                                                      inst.principal_due)
        inst.is_settled = True
    Instalment.objects.bulk_update(due, ["principal_paid", "interest_paid", "penalty_paid", "penalty_accrued",
                                         "penalty_through", "is_settled"])
    if future:
        paid_ahead = sum((i.interest_paid for i in future), Decimal("0.00"))
        principal = sum((i.principal_due for i in future), Decimal("0.00"))
        Instalment.objects.filter(pk__in=[i.pk for i in future]).delete()
        Instalment.objects.create(loan=loan, seq=future[0].seq, due_date=value_date, due_day=value_date.toordinal(),
                                  principal_due=principal, interest_due=paid_ahead + quote.interest,
                                  principal_paid=principal, interest_paid=paid_ahead + quote.interest,
                                  is_settled=True)
    loan.outstanding_principal -= quote.due_principal + quote.principal
    loan.status = Loan.Status.SETTLED
    left = amount + credit - quote.total
    loan.unapplied_credit = left
    unapplied, credit_used = _credit_split(amount, credit, left)
    return Applied(quote.due_penalty, quote.due_interest + quote.interest, quote.due_principal + quote.principal,
                   unapplied, fee=quote.fee, credit_used=credit_used)


def _reverse_after(loan: Loan, value_date: date) -> tuple[date | None, Decimal]:
    """Penalty accrued (by the EOD) after a back-dated value date taken back; (the accrual horizon, amount)."""
    opened = list(loan.instalments.filter(is_settled=False).order_by("seq"))
    horizon = max((i.penalty_through for i in opened if i.penalty_through), default=None)
    if horizon is None or horizon <= value_date:
        return None, Decimal("0.00")
    reversed_ = reverse_penalty(open_instalments(opened), value_date=value_date, annual_rate=loan.annual_rate,
                                multiplier=loan.penalty_multiplier)
    taken = Decimal("0.00")
    for inst, acc in zip(opened, reversed_, strict=True):
        taken += inst.penalty_accrued - (inst.penalty_paid + acc.penalty)
        inst.penalty_accrued, inst.penalty_through = inst.penalty_paid + acc.penalty, acc.penalty_through
    Instalment.objects.bulk_update(opened, ["penalty_accrued", "penalty_through"])
    return horizon, taken


def _reaccrue(loan: Loan, horizon: date) -> Decimal:
    opened = list(loan.instalments.filter(is_settled=False).order_by("seq"))
    before = sum((i.penalty_accrued for i in opened), Decimal("0.00"))
    _accrue(loan, opened, horizon)
    Instalment.objects.bulk_update(opened, ["penalty_accrued", "penalty_through"])
    return sum((i.penalty_accrued for i in opened), Decimal("0.00")) - before


def _redate_delinquency(loan: Loan, thresholds: Thresholds = DEFAULT_THRESHOLDS) -> None:
    """Days past due and class as of the loan's last delinquency date, from its instalments as they now stand."""
    as_of = loan.dpd_as_of or timezone.localdate()
    oldest = loan.instalments.filter(is_settled=False, due_day__lt=as_of.toordinal()).order_by("due_day") \
        .values_list("due_date", flat=True).first()
    loan.days_past_due = 0 if loan.status != Loan.Status.ACTIVE else days_past_due(as_of, oldest)
    loan.risk_class = classify(loan.days_past_due, loan.manual_class, thresholds)


@transaction.atomic
def repayment_post(*, actor, loan: Loan, external_ref: str, amount, value_date, prepayment: bool = False,
                   prepayment_mode: str = "reduce_payment", kind: str | None = None,
                   source: str = Repayment.Source.API, batch: str = "") -> Repayment:
    """Post one repayment from the core-banking feed. The reference is posted once: a repeat (or a
    concurrent twin) gets `Conflict` naming `external_ref` and changes nothing.

    `kind` is what the borrower declared: `regular` pays what is due and holds the rest as credit;
    `prepayment` (提前还款, or `prepayment=True`) makes the amount beyond what is due an early repayment
    that recalculates the remaining schedule (`prepayment_mode`: reduce_payment or shorten_term);
    `settlement` (提前结清) settles the loan at the quote of the value date (`quote_settlement`).

    A value date before penalty already accrued (by the EOD) re-values the loan: the accrual after the
    value date is taken back, the repayment applied as on its date, penalty re-accrued to where it stood
    on the lower balance, days past due and class recomputed; the change is kept in `revaluation`."""
    acting = actor_of(actor)
    require(acting, Perm.POST_REPAYMENT)
    ref, amount, value_date = validate_repayment(external_ref=external_ref, amount=amount, value_date=value_date)
    kind = kind or (Repayment.Kind.PREPAYMENT if prepayment else Repayment.Kind.REGULAR)
    if kind not in REPAYMENT_KINDS:
        raise ValidationError({"kind": _("kind is regular, prepayment or settlement")})
    if prepayment_mode not in PREPAYMENT_MODES:
        raise ValidationError({"prepayment_mode": _("mode is reduce_payment or shorten_term")})
    if Repayment.objects.filter(external_ref=ref).exists():
        raise Conflict(_("repayment %(ref)s was already posted") % {"ref": ref}, field="external_ref")
    loan = Loan.objects.select_for_update().get(pk=loan.pk)
    # Re-check after the lock: a concurrent post of the same reference has committed by now.
    if Repayment.objects.filter(external_ref=ref).exists():
        raise Conflict(_("repayment %(ref)s was already posted") % {"ref": ref}, field="external_ref")
    if loan.status != Loan.Status.ACTIVE:
        raise ValidationError({"loan": _("the loan is settled")})
    if value_date < loan.disbursed_on:
        raise ValidationError({"value_date": _("the value date lies before the disbursement")})
    latest = loan.repayments.order_by("-value_date").values_list("value_date", flat=True).first()
    if latest and value_date < latest:
        raise ValidationError({"value_date": _("a repayment with the later value date %(date)s is already posted; "
                                               "repayments of a loan are posted in value-date order") % {
            "date": latest.isoformat()}})
    before = snapshot(loan, LOAN_FIELDS)
    dpd_before, class_before = loan.days_past_due, loan.risk_class
    horizon, taken_back = _reverse_after(loan, value_date)
    instalments = list(loan.instalments.filter(is_settled=False).order_by("seq"))
    if kind == Repayment.Kind.PREPAYMENT:
        applied = _prepay(loan, instalments, amount=amount, value_date=value_date, mode=prepayment_mode)
    elif kind == Repayment.Kind.SETTLEMENT:
        applied = _settle(loan, instalments, amount=amount, value_date=value_date)
    else:
        applied = apply_to_instalments(loan, instalments, amount=amount, value_date=value_date)
        Instalment.objects.bulk_update(instalments, ["principal_paid", "interest_paid", "penalty_paid",
                                                     "penalty_accrued", "penalty_through", "is_settled"])
    revaluation: dict = {}
    if horizon is not None:
        reaccrued = _reaccrue(loan, horizon) if loan.status == Loan.Status.ACTIVE else Decimal("0.00")
        _redate_delinquency(loan)
        revaluation = {"from": value_date.isoformat(), "through": horizon.isoformat(),
                       "penalty_taken_back": str(taken_back), "penalty_reaccrued": str(reaccrued),
                       "days_past_due": [dpd_before, loan.days_past_due], "risk_class": [class_before, loan.risk_class]}
    elif loan.dpd_as_of and value_date <= loan.dpd_as_of:
        _redate_delinquency(loan)
    loan.save(update_fields=["outstanding_principal", "status", "unapplied_credit", "days_past_due", "risk_class"])
    if loan.credit_line_id and applied.principal:
        CreditLine.objects.filter(pk=loan.credit_line_id).update(
            utilised=Greatest(F("utilised") - applied.principal, Value(Decimal("0.00"))))
    try:
        with transaction.atomic():
            repayment = Repayment.objects.create(
                loan=loan, external_ref=ref, amount=amount, value_date=value_date, penalty_part=applied.penalty,
                interest_part=applied.interest, principal_part=applied.principal, fee_part=applied.fee,
                unapplied=applied.unapplied, credit_used=applied.credit_used, kind=kind, source=source, batch=batch,
                revaluation=revaluation, posted_by=_staff(acting))
    except IntegrityError as exc:
        raise Conflict(_("repayment %(ref)s was already posted") % {"ref": ref}, field="external_ref") from exc
    code = {Repayment.Kind.PREPAYMENT: "lending.loan_prepaid", Repayment.Kind.SETTLEMENT: "lending.loan_settled_early"
            }.get(kind, "lending.repayment_posted")
    _audit(acting, code, repayment, before=before,
           after={"repayment": snapshot(repayment), "loan": snapshot(loan, LOAN_FIELDS)})
    return repayment


def _prepay(loan: Loan, instalments: list[Instalment], *, amount: Decimal, value_date: date, mode: str) -> Applied:
    due = [i for i in instalments if i.due_date <= value_date]
    future = [i for i in instalments if i.due_date > value_date]
    if any(i.principal_paid or i.interest_paid for i in future):
        raise ValidationError({"prepayment": _("instalments were paid in advance; post this as a regular repayment")})
    if not future:
        raise ValidationError({"prepayment": _("no instalment remains to be recalculated")})
    due_total = Decimal("0.00")
    applied = Applied(Decimal("0.00"), Decimal("0.00"), Decimal("0.00"), Decimal("0.00"))
    if due:
        owed = sum((i.principal_open + i.interest_open + i.penalty_open for i in due), Decimal("0.00"))
        # Penalty accrues to the value date first, so pay what is due including it.
        credit = loan.unapplied_credit
        applied = apply_to_instalments(loan, due, amount=amount, value_date=value_date, use_credit=False)
        loan.unapplied_credit = credit
        due_total = applied.penalty + applied.interest + applied.principal
        Instalment.objects.bulk_update(due, ["principal_paid", "interest_paid", "penalty_paid", "penalty_accrued",
                                             "penalty_through", "is_settled"])
        if not all(i.is_settled for i in due):
            raise ValidationError({"amount": _("the amount does not cover what is already due (%(owed)s CNY)") % {
                "owed": format(owed, ",.2f")}})
        applied.unapplied = Decimal("0.00")
    rest = amount - due_total
    if rest <= 0:
        return applied
    period_start = _period_start(loan, value_date)
    outstanding = sum((i.principal_due for i in future), Decimal("0.00"))
    current_payment = future[0].principal_due + future[0].interest_due
    try:
        result = prepay(amount=rest, outstanding_principal=outstanding, annual_rate=loan.annual_rate,
                        method=loan.repayment_method, period_start=period_start, value_date=value_date,
                        remaining_due_dates=[i.due_date for i in future], current_payment=current_payment, mode=mode)
    except AllocationError as exc:
        raise ValidationError({"amount": str(exc)}) from exc
    first_seq = future[0].seq
    Instalment.objects.filter(pk__in=[i.pk for i in future]).delete()
    Instalment.objects.create(loan=loan, seq=first_seq, due_date=value_date, due_day=value_date.toordinal(),
                              principal_due=result.principal_paid, interest_due=result.interest_paid,
                              principal_paid=result.principal_paid, interest_paid=result.interest_paid,
                              is_settled=True)
    if result.settled:
        # The accrued interest and the whole principal are settled in the closing instalment on the value date.
        loan.status = Loan.Status.SETTLED
        loan.unapplied_credit += result.unapplied
    else:
        Instalment.objects.bulk_create([
            Instalment(loan=loan, seq=first_seq + r.seq, due_date=r.due_date, due_day=r.due_date.toordinal(),
                       principal_due=r.principal, interest_due=r.interest) for r in result.new_rows])
    loan.outstanding_principal -= result.principal_paid
    return Applied(applied.penalty, applied.interest + result.interest_paid, applied.principal + result.principal_paid,
                   result.unapplied)


@transaction.atomic
def loans_apply_credit(*, actor=None, as_of: date | None = None, loan_ids: list[int] | None = None) -> int:
    """Unapplied credit pays what has fallen due by `as_of` (the EOD calls this before days past due), so a
    borrower who paid ahead is not overdue. Only loans holding credit are read."""
    acting = actor_of(actor)
    as_of = as_of or timezone.localdate()
    loans = Loan.objects.select_for_update().filter(status=Loan.Status.ACTIVE, unapplied_credit__gt=0)
    if loan_ids is not None:
        loans = loans.filter(pk__in=loan_ids)
    moved = []
    for loan in loans.order_by("pk"):
        due = list(loan.instalments.filter(is_settled=False, due_date__lte=as_of).order_by("seq"))
        if not due:
            continue
        credit = loan.unapplied_credit
        applied = apply_to_instalments(loan, due, amount=Decimal("0.00"), value_date=as_of)
        Instalment.objects.bulk_update(due, ["principal_paid", "interest_paid", "penalty_paid", "penalty_accrued",
                                             "penalty_through", "is_settled"])
        loan.save(update_fields=["outstanding_principal", "status", "unapplied_credit"])
        if loan.credit_line_id and applied.principal:
            CreditLine.objects.filter(pk=loan.credit_line_id).update(
                utilised=Greatest(F("utilised") - applied.principal, Value(Decimal("0.00"))))
        moved.append({"loan": loan.number, "credit_before": str(credit), "credit_after": str(loan.unapplied_credit),
                      "penalty": str(applied.penalty), "interest": str(applied.interest),
                      "principal": str(applied.principal)})
    if moved:
        record_event(actor=acting.user, event_code="lending.credit_applied", object_type="batch",
                     object_id=as_of.isoformat(), after={"as_of": as_of.isoformat(), "loans": moved})
    return len(moved)


# --------------------------------------------------------------------- days past due and classification

def _class_case(thresholds: Thresholds):
    whens = [When(days_past_due__gt=above, then=Value(klass)) for above, klass in thresholds.bands()]
    return Case(*whens, default=Value(NORMAL), output_field=IntegerField())


@transaction.atomic
def loans_update_delinquency(*, actor=None, as_of: date | None = None, thresholds: Thresholds = DEFAULT_THRESHOLDS,
                             loan_ids: list[int] | None = None) -> dict[str, int]:
    """Days past due and the five-category class of every active loan as of `as_of`, in two set-based
    UPDATE statements (no Python loop): DPD = as_of - the oldest unsettled due date before as_of; class =
    the worse of the DPD band and any manual downgrade. Idempotent for a date; the EOD batch calls it."""
    acting = actor_of(actor)
    as_of = as_of or timezone.localdate()
    loans_apply_credit(actor=acting, as_of=as_of, loan_ids=loan_ids)
    loans = Loan.objects.filter(status=Loan.Status.ACTIVE)
    if loan_ids is not None:
        loans = loans.filter(pk__in=loan_ids)
    oldest = Instalment.objects.filter(loan=OuterRef("pk"), is_settled=False, due_day__lt=as_of.toordinal()) \
        .order_by("due_day").values("due_day")[:1]
    updated = loans.update(
        days_past_due=Coalesce(Value(as_of.toordinal()) - Subquery(oldest, output_field=IntegerField()), Value(0)),
        dpd_as_of=as_of)
    loans.update(risk_class=Greatest(_class_case(thresholds), Coalesce(F("manual_class"), Value(NORMAL))))
    Loan.objects.filter(status=Loan.Status.SETTLED).exclude(days_past_due=0).update(days_past_due=0, dpd_as_of=as_of)
    summary = {"as_of": as_of.isoformat(), "loans": updated}
    record_event(actor=acting.user, event_code="lending.delinquency_updated", object_type="batch",
                 object_id=as_of.isoformat(), after=summary)
    return summary


def _class_label(klass: int) -> str:
    return str(LoanClass(klass).label)


@transaction.atomic
def loan_downgrade(*, actor, loan: Loan, to_class: int, reason: str) -> ClassificationChange:
    """A risk officer moves a loan to a worse class at once, with a reason; the class becomes a floor."""
    acting = actor_of(actor)
    require(acting, Perm.CLASSIFY_LOAN)
    if to_class not in LoanClass.values:
        raise ValidationError({"to_class": _("class is 1 (normal) to 5 (loss)")})
    if not (reason or "").strip():
        raise ValidationError({"reason": _("give the reason for the downgrade")})
    loan = Loan.objects.select_for_update().get(pk=loan.pk)
    if to_class <= loan.risk_class:
        raise ValidationError({"to_class": _("a downgrade moves the loan to a worse class than %(now)s") % {
            "now": _class_label(loan.risk_class)}})
    change = ClassificationChange.objects.create(loan=loan, from_class=loan.risk_class, to_class=to_class,
                                                 reason=reason[:300], requested_by=_acting_staff(acting),
                                                 status=ClassificationChange.Status.APPLIED,
                                                 decided_at=timezone.now())
    before = snapshot(loan, LOAN_FIELDS)
    loan.manual_class, loan.manual_reason, loan.risk_class = to_class, reason[:300], to_class
    loan.save(update_fields=["manual_class", "manual_reason", "risk_class"])
    _audit(acting, "lending.class_downgraded", loan, before=before, after=snapshot(loan, LOAN_FIELDS))
    return change


@transaction.atomic
def loan_upgrade_request(*, actor, loan: Loan, to_class: int, reason: str) -> ClassificationChange:
    """Asking to lift a manual downgrade; it takes effect only when a second risk officer approves."""
    acting = actor_of(actor)
    require(acting, Perm.CLASSIFY_LOAN)
    if to_class not in LoanClass.values:
        raise ValidationError({"to_class": _("class is 1 (normal) to 5 (loss)")})
    if not (reason or "").strip():
        raise ValidationError({"reason": _("give the reason for the upgrade")})
    loan = Loan.objects.select_for_update().get(pk=loan.pk)
    if loan.manual_class is None or to_class >= loan.manual_class:
        raise ValidationError({"to_class": _("an upgrade lowers a manual downgrade to a better class")})
    if loan.class_changes.filter(status=ClassificationChange.Status.PENDING).exists():
        raise Conflict(_("an upgrade of this loan already awaits a second approver"))
    change = ClassificationChange.objects.create(loan=loan, from_class=loan.manual_class, to_class=to_class,
                                                 reason=reason[:300], requested_by=_acting_staff(acting),
                                                 status=ClassificationChange.Status.PENDING)
    _audit(acting, "lending.class_upgrade_requested", change, after=snapshot(change))
    return change


@transaction.atomic
def loan_upgrade_decide(*, actor, change: ClassificationChange, approve: bool,
                        thresholds: Thresholds = DEFAULT_THRESHOLDS) -> ClassificationChange:
    acting = actor_of(actor)
    require(acting, Perm.CLASSIFY_LOAN)
    change = ClassificationChange.objects.select_for_update().get(pk=change.pk)
    if change.status != ClassificationChange.Status.PENDING:
        raise Conflict(_("the request was already decided"))
    staff = _acting_staff(acting)
    if staff.pk == change.requested_by_id:
        raise ValidationError({"approver": _("an upgrade needs a second approver, not the requester")})
    loan = Loan.objects.select_for_update().get(pk=change.loan_id)
    before = snapshot(loan, LOAN_FIELDS)
    change.approved_by, change.decided_at = staff, timezone.now()
    change.status = ClassificationChange.Status.APPLIED if approve else ClassificationChange.Status.REJECTED
    change.save()
    if approve:
        loan.manual_class = None if change.to_class == NORMAL else change.to_class
        loan.risk_class = classify(loan.days_past_due, loan.manual_class, thresholds)
        loan.save(update_fields=["manual_class", "risk_class"])
    _audit(acting, "lending.class_upgrade_decided", change, before=before,
           after={"change": snapshot(change), "loan": snapshot(loan, LOAN_FIELDS)})
    return change


# --------------------------------------------------------------------------------------- credit lines

@transaction.atomic
def credit_line_create(*, actor, customer: Customer, product: Product, limit, annual_rate,
                       expires_on: date) -> CreditLine:
    acting = actor_of(actor)
    require(acting, Perm.MANAGE_CREDIT_LINES)
    errors: dict[str, str] = {}
    money = _money(limit, "limit", errors, positive=True)
    rate = _rate(annual_rate, "annual_rate", errors)
    if not isinstance(expires_on, date) or expires_on <= timezone.localdate():
        errors["expires_on"] = _("the expiry lies in the future")
    if rate is not None and not product.min_annual_rate <= rate <= product.max_annual_rate:
        errors["annual_rate"] = _("the rate is outside the product's range")
    if errors:
        raise ValidationError(errors)
    line = CreditLine.objects.create(number=_number("CL"), customer=customer, product=product, limit=money,
                                     annual_rate=rate, expires_on=expires_on, created_by=_acting_staff(acting))
    _audit(acting, "lending.credit_line_created", line, after=snapshot(line))
    return line


@transaction.atomic
def credit_line_set_status(*, actor, line: CreditLine, status: str, reason: str, limit=None) -> CreditLine:
    """Freeze (blocks new draws at once), reduce (a lower limit) or reactivate a line, with a reason."""
    acting = actor_of(actor)
    require(acting, Perm.MANAGE_CREDIT_LINES)
    if status not in CreditLine.Status.values:
        raise ValidationError({"status": _("status is active, reduced or frozen")})
    if not (reason or "").strip():
        raise ValidationError({"reason": _("give the reason for the change")})
    line = CreditLine.objects.select_for_update().get(pk=line.pk)
    before = snapshot(line)
    if limit is not None:
        errors: dict[str, str] = {}
        new_limit = _money(limit, "limit", errors)
        if errors:
            raise ValidationError(errors)
        if status == CreditLine.Status.REDUCED and new_limit >= line.limit:
            raise ValidationError({"limit": _("a reduction lowers the limit")})
        line.limit = new_limit
    elif status == CreditLine.Status.REDUCED:
        raise ValidationError({"limit": _("a reduction names the new limit")})
    line.status, line.status_reason = status, reason[:300]
    line.save()
    _audit(acting, "lending.credit_line_status_changed", line, before=before, after=snapshot(line))
    return line


@transaction.atomic
def credit_line_draw(*, actor, line: CreditLine, amount, term_months: int, repayment_method: str,
                     drawn_on: date | None = None) -> Loan:
    """A draw creates a loan. One conditional UPDATE reserves the amount only while the line is active or
    reduced, unexpired and has room, so two concurrent draws can never exceed the limit together."""
    acting = actor_of(actor)
    require(acting, Perm.DRAW_CREDIT_LINE)
    drawn_on = drawn_on or timezone.localdate()
    errors: dict[str, str] = {}
    money = _money(amount, "amount", errors, positive=True)
    if not isinstance(term_months, int) or isinstance(term_months, bool) or term_months < 1:
        errors["term_months"] = _("term is a whole number of months, at least 1")
    if repayment_method not in RepaymentMethod.values:
        errors["repayment_method"] = _("unknown repayment method")
    if errors:
        raise ValidationError(errors)
    reserved = CreditLine.objects.filter(
        pk=line.pk, status__in=[CreditLine.Status.ACTIVE, CreditLine.Status.REDUCED], expires_on__gte=drawn_on,
        utilised__lte=F("limit") - money,
    ).update(utilised=F("utilised") + money)
    if not reserved:
        line.refresh_from_db()
        if line.status == CreditLine.Status.FROZEN:
            raise Conflict(_("the credit line is frozen"), field="status")
        if line.expires_on < drawn_on:
            raise Conflict(_("the credit line has expired"), field="expires_on")
        raise Conflict(_("the draw exceeds the available amount of %(available)s CNY") % {
            "available": format(line.available, ",.2f")}, field="amount")
    line.refresh_from_db()
    offer_check(product=line.product, amount=money, term_months=term_months, repayment_method=repayment_method,
                annual_rate=line.annual_rate)
    loan = _create_loan(borrower=line.customer, product=line.product, principal=money, annual_rate=line.annual_rate,
                        term_months=term_months, method=repayment_method, disbursed_on=drawn_on, credit_line=line)
    _audit(acting, "lending.credit_line_drawn", loan, after={"line": line.number, "utilised": line.utilised,
                                                             "loan": snapshot(loan, LOAN_FIELDS)})
    return loan

