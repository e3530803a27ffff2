"""Opening and preparing a case (C1): pre-screen, terms, collateral, checklist, cross-checks, rate approval,
withdrawal."""

from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from lendpilot.channels.models import Partner
from lendpilot.compliance.audit import snapshot
from lendpilot.core.errors import Conflict
from lendpilot.core.field_values import read_money
from lendpilot.customers.models import Customer
from lendpilot.lending.models import (
    Application,
    ChecklistEntry,
    ChecklistItem,
    Collateral,
    CrossCheck,
    StatusChange,
)
from lendpilot.lending.services.records import (
    Acting,
    acting_staff,
    application_snapshot,
    audit,
    check_owner,
    editable_case,
    lock_application,
    move_status,
    new_number,
    staff_of,
)
from lendpilot.lending.services.terms import (
    EDITABLE_APPLICATION_FIELDS,
    check_offer,
    debt_to_income,
    validated_terms,
)
from lendpilot.org.access import Actor, actor_of, require, scope_filter
from lendpilot.org.roles import Perm
from lendpilot.products.models import Product
from lendpilot.scoring import services as scoring_services
from lendpilot.scoring.models import PrescreenLog


@transaction.atomic
def checklist_item_set(*, actor: Acting, product: Product, code: str, label: str,
                       kind: str = ChecklistItem.Kind.DOCUMENT, required: bool = True,
                       position: int = 0) -> ChecklistItem:
    acting = actor_of(actor)
    require(acting, Perm.MANAGE_PRODUCTS)
    if kind not in ChecklistItem.Kind.values:
        raise ValidationError({"kind": _("unknown checklist item kind")})
    if not code.strip() or not label.strip():
        raise ValidationError({"code": _("code and label are required")})
    item, _created = ChecklistItem.objects.update_or_create(
        product=product, code=code.strip(), defaults={"label": label, "kind": kind, "required": required,
                                                      "position": position})
    audit(acting, "lending.checklist_configured", item, after=snapshot(item))
    return item



APPLICANT_FACTS = ("age", "employment_years", "bureau_inquiries_6m", "bureau_overdue_24m", "credit_history_months",
                   "bureau_flags", "collateral_value")


def application_prescreen(*, actor: Acting, applicant: Customer, product: Product, amount, term_months: int,
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


def _stated_collateral(facts: dict | None) -> Decimal | None:
    """The collateral value stated for the pre-screen, kept on the case for its loan-to-value."""
    errors: dict[str, str] = {}
    value = read_money((facts or {}).get("collateral_value"), field="collateral_value", errors=errors)
    if errors:
        raise ValidationError(errors)
    return value or None


@transaction.atomic
def application_create(*, actor: Acting, applicant: Customer, product: Product, amount, term_months: int,
                       repayment_method: str, annual_rate, purpose: str, monthly_income,
                       monthly_debt_payments=Decimal("0"), fee_amount=Decimal("0"),
                       applicant_facts: dict | None = None, prescreen: PrescreenLog | None = None,
                       partner: Partner | None = None) -> Application:
    """An account manager (or their lead) opens a case for a customer in their scope (C1). The risk grade,
    score, scorecard version and policy-rules version come from the pre-screen engine only (D6): the
    engine runs now with `applicant_facts`, or `prescreen` names the engine's logged answer for this very
    applicant, product, amount and term. A hard-rule decline (blacklist, age, debt-to-income, excluded
    industry, bureau red flags, ...) rejects the case with its reasons under `prescreen`. No caller can
    hand in a grade: it would choose the approval route. `partner` names the listed channel partner that
    brought the case in (its joint-lending limits are checked when the loan is booked)."""
    acting = actor_of(actor)
    require(acting, Perm.APPLY_LOAN)
    if partner is not None and not partner.is_listed:
        raise ValidationError({"partner": _("%(name)s is not on the published list of partners") % {
            "name": partner.name}})
    staff = acting_staff(acting)
    if not scope_filter(acting, Customer.objects.filter(pk=applicant.pk), owner="manager").exists():
        raise ValidationError({"applicant": _("the applicant is not one of your customers")})
    clean = validated_terms(dict(amount=amount, term_months=term_months, annual_rate=annual_rate, purpose=purpose,
                                  monthly_income=monthly_income, monthly_debt_payments=monthly_debt_payments,
                                  fee_amount=fee_amount))
    stated_collateral = _stated_collateral(applicant_facts)
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
    application = Application(number=new_number("AP"), applicant=applicant, product=product,
                              repayment_method=repayment_method, created_by=staff, partner=partner,
                              stated_collateral_value=stated_collateral, **clean)
    check_offer(application)
    application.dti = debt_to_income(application)
    application.save()
    ChecklistEntry.objects.bulk_create(
        [ChecklistEntry(application=application, item=item) for item in product.checklist_items.all()])
    StatusChange.objects.create(application=application, to_status=application.status, actor=staff)
    audit(acting, "lending.application_created", application, after=application_snapshot(application))
    return application


@transaction.atomic
def application_update(*, actor: Acting, application: Application, **changes) -> Application:
    acting = actor_of(actor)
    require(acting, Perm.APPLY_LOAN)
    application = lock_application(application)
    check_owner(acting, application)
    if application.status not in (Application.Status.DRAFT, Application.Status.RETURNED):
        raise Conflict(_("only a draft or returned case can be changed"), field="status")
    unknown = set(changes) - EDITABLE_APPLICATION_FIELDS
    if unknown:
        raise ValidationError({field: _("this field cannot be changed") for field in sorted(unknown)})
    before = application_snapshot(application)
    old_rate = application.annual_rate
    for field, value in validated_terms(changes).items():
        setattr(application, field, value)
    check_offer(application)
    if application.annual_rate != old_rate:
        # A rate approval covers the rate that was approved, not one typed in afterwards.
        application.rate_approved_by = None
    if RESCREENED_FIELDS & set(changes):
        _rescreen(acting, application)
    application.dti = debt_to_income(application)
    application.save()
    audit(acting, "lending.application_updated", application, before=before, after=application_snapshot(application))
    return application


RESCREENED_FIELDS = {"amount", "term_months", "monthly_income", "monthly_debt_payments"}
RESCREEN_FACTS = ("employment_years", "bureau_inquiries_6m", "bureau_overdue_24m", "credit_history_months")


def _rescreen(acting: Actor, application: Application) -> None:
    """New terms are graded again by the engine, with the applicant facts the earlier pre-screen recorded."""
    inputs = application.prescreen.inputs if application.prescreen is not None else {}
    facts = {k: inputs[k] for k in RESCREEN_FACTS if inputs.get(k) is not None}
    body = application_prescreen(actor=acting, applicant=application.applicant, product=application.product,
                                 amount=application.amount, term_months=application.term_months,
                                 monthly_income=application.monthly_income,
                                 monthly_debt_payments=application.monthly_debt_payments, **facts)
    if body["declines"]:
        raise ValidationError({"prescreen": decline_texts(body)})
    log = PrescreenLog.objects.get(pk=body["prescreen_id"])
    application.risk_grade, application.score, application.prescreen = log.grade, log.score, log
    application.scorecard_version_id, application.policy_version_id = log.scorecard_version_id, log.policy_version_id



@transaction.atomic
def collateral_add(*, actor: Acting, application: Application, kind: str, description: str, valuation, valuer: str,
                   valued_on: date) -> Collateral:
    acting = actor_of(actor)
    application = editable_case(acting, application)
    errors: dict[str, str] = {}
    if kind not in Collateral.Kind.values:
        errors["kind"] = _("unknown collateral kind")
    value = read_money(valuation, field="valuation", errors=errors, required=True, positive=True)
    if not (valuer or "").strip():
        errors["valuer"] = _("name the valuer")
    if not isinstance(valued_on, date) or valued_on > timezone.localdate():
        errors["valued_on"] = _("the valuation date must be a date not in the future")
    if errors or value is None:
        raise ValidationError(errors)
    item = Collateral.objects.create(application=application, kind=kind, description=description[:200],
                                     valuation=value, valuer=valuer.strip(), valued_on=valued_on)
    audit(acting, "lending.collateral_added", item, after=snapshot(item))
    return item



@transaction.atomic
def checklist_mark(*, actor: Acting, application: Application, item_code: str, done: bool = True,
                   evidence: str = "") -> ChecklistEntry:
    acting = actor_of(actor)
    application = editable_case(acting, application)
    entry = ChecklistEntry.objects.select_related("item").filter(application=application,
                                                                 item__code=item_code).first()
    if entry is None:
        raise ValidationError({"item_code": _("no such checklist item for this product")})
    if done and not evidence.strip():
        raise ValidationError({"evidence": _("name the document or verification that completes this item")})
    entry.done, entry.evidence = done, evidence[:300]
    entry.done_by, entry.done_at = (staff_of(acting), timezone.now()) if done else (None, None)
    entry.save()
    audit(acting, "lending.checklist_updated", application,
           after={"item": item_code, "done": done, "evidence": entry.evidence})
    return entry


@transaction.atomic
def cross_check_record(*, actor: Acting, application: Application, kind: str, passed: bool, evidence: str,
                       stated: str = "", observed: str = "") -> CrossCheck:
    """A cross-validation (stated income vs tax or bank flows, identity vs bureau) with its evidence. Risk
    officers may record checks while the case is in review; the account manager before submitting."""
    acting = actor_of(actor)
    if not (acting.can(Perm.APPLY_LOAN) or acting.can(Perm.APPROVE_LOAN) or acting.is_system):
        require(acting, Perm.APPLY_LOAN)
    application = lock_application(application)
    if acting.can(Perm.APPLY_LOAN) and not acting.can(Perm.APPROVE_LOAN):
        check_owner(acting, application)
    errors = {}
    if kind not in CrossCheck.Kind.values:
        errors["kind"] = _("unknown cross-check")
    if not (evidence or "").strip():
        errors["evidence"] = _("record the evidence of the check")
    if errors:
        raise ValidationError(errors)
    check = CrossCheck.objects.create(application=application, kind=kind, passed=bool(passed), stated=stated[:100],
                                      observed=observed[:100], evidence=evidence[:300],
                                      checked_by=acting_staff(acting))
    audit(acting, "lending.cross_check_recorded", check, after=snapshot(check))
    return check


@transaction.atomic
def application_rate_approve(*, actor: Acting, application: Application) -> Application:
    """A rate below the submitter's authority tier is approved by someone holding the rate authority."""
    acting = actor_of(actor)
    require(acting, Perm.APPROVE_RATE)
    application = lock_application(application)
    if application.created_by_id == getattr(acting.staff, "pk", None):
        raise ValidationError({"actor": _("the rate approver may not be the person who offered the rate")})
    if application.status not in (Application.Status.DRAFT, Application.Status.RETURNED):
        raise Conflict(_("the rate is approved before the case is submitted"), field="status")
    application.rate_approved_by = acting_staff(acting)
    application.save(update_fields=["rate_approved_by", "updated_at"])
    audit(acting, "lending.rate_approved", application, after={"annual_rate": application.annual_rate})
    return application



@transaction.atomic
def application_withdraw(*, actor: Acting, application: Application, reason: str = "") -> Application:
    acting = actor_of(actor)
    require(acting, Perm.APPLY_LOAN)
    application = lock_application(application)
    check_owner(acting, application)
    if application.status not in (Application.Status.DRAFT, Application.Status.RETURNED,
                                  Application.Status.IN_REVIEW):
        raise Conflict(_("the case can no longer be withdrawn"), field="status")
    before = application_snapshot(application)
    application.current_level = None
    move_status(application, Application.Status.WITHDRAWN, acting, reason)
    application.save()
    audit(acting, "lending.application_withdrawn", application, before=before, after=application_snapshot(application))
    return application
