"""The pre-screen (C4, E1): score one applicant on the active scorecard of the product's family, apply the
active policy's hard rules, price and size the approvable amount, and log the answer with both versions.

`prescreen_run` reads as its four steps: `prescreen_parse` (every input checked, all errors at once),
`prescreen_score`, `prescreen_decide` and `prescreen_log_write`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from lendpilot.compliance.crypto import keyed_hash
from lendpilot.core.errors import Conflict
from lendpilot.core.field_values import read_decimal
from lendpilot.core.prepared import insert_prepared
from lendpilot.core.reference import Industry
from lendpilot.customers.identifiers import IdentifierError, birth_date_from_id, normalise_id_number
from lendpilot.customers.models import Customer
from lendpilot.customers.selectors import customer_get
from lendpilot.org.access import Actor, actor_of, require
from lendpilot.org.roles import Perm
from lendpilot.products.models import Product
from lendpilot.scoring import policy, selectors
from lendpilot.scoring.models import PolicyVersion, PrescreenLog
from lendpilot.scoring.scorecard import ScoreResult, ScoringInputError
from lendpilot.scoring.services.acting import Acting, acting_user
from lendpilot.scoring.services.blacklist import identifier_hash


@dataclass
class PrescreenOutcome:
    log: PrescreenLog
    body: dict[str, Any]


@dataclass(frozen=True)
class Applicant:
    """The pre-screen's input once checked: what the scorecard and the hard rules read."""

    product: Product
    customer: Customer | None
    # the active versions as read with the product (selectors.prescreen_context)
    scorecard_ref: tuple[int, int, object] | None
    policy_row: PolicyVersion | None
    requested: Decimal
    term_months: int
    income: Decimal
    debt: Decimal
    collateral: Decimal | None
    bureau_flags: list[str]
    hashes: dict[str, str]
    age: int | None
    industry: str | None
    region: str | None
    employment_years: Any
    bureau_inquiries_6m: int | None
    bureau_overdue_24m: int | None
    credit_history_months: int | None


@dataclass(frozen=True)
class Scored:
    version_id: int
    version_number: int
    dti: float
    features: dict[str, Any]
    result: ScoreResult


@dataclass(frozen=True)
class Decision:
    policy_row: PolicyVersion | None
    declines: list[policy.Decline]
    rate: Decimal
    premium_bps: int
    approvable: Decimal
    caps: dict[str, str]
    probability: float
    decision: str


def _age_on(birth: date, today: date) -> int:
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


def _read_terms(product: Product, errors: dict[str, str], *, amount: object, term_months: object,
                monthly_income: object, monthly_debt_payments: object,
                collateral_value: object) -> tuple[Decimal | None, Decimal | None, Decimal, Decimal | None]:
    """Requested amount and term against the product, income, debt payments and collateral value."""
    requested = read_decimal(amount, field="amount", errors=errors, required=True)
    if requested is not None and requested <= 0:
        errors["amount"] = _("must be positive")
    if isinstance(term_months, bool) or not isinstance(term_months, int):
        errors["term_months"] = _("a whole number of months")
    elif not product.min_term_months <= term_months <= product.max_term_months:
        errors["term_months"] = (_("the product allows %(low)s to %(high)s months")
                                 % {"low": product.min_term_months, "high": product.max_term_months})
    income = read_decimal(monthly_income, field="monthly_income", errors=errors, required=True)
    debt = read_decimal(monthly_debt_payments, field="monthly_debt_payments", errors=errors) or Decimal(0)
    if debt < 0:
        errors["monthly_debt_payments"] = _("must not be negative")
    collateral = read_decimal(collateral_value, field="collateral_value", errors=errors)
    if collateral is not None and collateral < 0:
        errors["collateral_value"] = _("must not be negative")
    return requested, income, debt, collateral


def _customer_identity(customer: Customer, today: date, age: int | None) -> tuple[int | None, str, str, dict[str, str]]:
    """Age, industry, region and identifier hashes of a known customer (the record wins over the form)."""
    if customer.birth_date is not None:
        age = _age_on(customer.birth_date, today)
    hashes = {"id_number": customer.id_number_hash, "phone": customer.phone_hash}
    if customer.credit_code:
        hashes["credit_code"] = keyed_hash(customer.credit_code)
    return age, customer.industry, customer.region.code, hashes


def _stated_identity(errors: dict[str, str], today: date, age: int | None, *, id_number: str | None,
                     phone: str | None, credit_code: str | None) -> tuple[int | None, dict[str, str]]:
    """Identifier hashes of an applicant who is not a customer yet, and the age from the ID number."""
    hashes: dict[str, str] = {}
    for kind, value in (("id_number", id_number), ("phone", phone), ("credit_code", credit_code)):
        if value:
            try:
                hashes[kind] = identifier_hash(kind, value)[0]
            except IdentifierError as exc:
                errors[kind] = str(exc)
    if age is None and id_number and "id_number" not in errors:
        age = _age_on(birth_date_from_id(normalise_id_number(id_number)), today)
    return age, hashes


def prescreen_parse(acting: Actor, *, today: date, amount: object, term_months: object, product_id: int | None,
                    product_code: str | None, customer_id: int | None, age: int | None, monthly_income: object,
                    monthly_debt_payments: object, employment_years: object, bureau_inquiries_6m: int | None,
                    bureau_overdue_24m: int | None, credit_history_months: int | None,
                    bureau_flags: list[str] | None, industry: str | None, region: str | None,
                    collateral_value: object, id_number: str | None, phone: str | None,
                    credit_code: str | None) -> Applicant:
    """Every input checked against the product and the reference lists; all errors in one ValidationError."""
    if product_id is None and not product_code:
        raise ValidationError({"product_id": _("name the product (product_id or product_code)")})
    context = selectors.prescreen_context(acting, product_id=product_id, code=product_code)
    product = context.product
    customer = customer_get(acting, customer_id) if customer_id is not None else None
    errors: dict[str, str] = {}
    requested, income, debt, collateral = _read_terms(
        product, errors, amount=amount, term_months=term_months, monthly_income=monthly_income,
        monthly_debt_payments=monthly_debt_payments, collateral_value=collateral_value)
    flags = list(bureau_flags or [])
    unknown_flags = [f for f in flags if f not in policy.BUREAU_FLAGS]
    if unknown_flags:
        errors["bureau_flags"] = (_("unknown flag(s) %(flags)s; known: %(known)s")
                                  % {"flags": ", ".join(unknown_flags), "known": ", ".join(policy.BUREAU_FLAGS)})
    if customer is not None:
        age, industry, region, hashes = _customer_identity(customer, today, age)
    else:
        age, hashes = _stated_identity(errors, today, age, id_number=id_number, phone=phone, credit_code=credit_code)
    if industry is not None and industry not in Industry.values:
        errors["industry"] = _("unknown industry %(code)r") % {"code": industry}
    if errors:
        raise ValidationError(errors)
    # the checks above refused every input these could still be None or not an int for
    assert requested is not None and income is not None and isinstance(term_months, int)
    return Applicant(product=product, customer=customer, scorecard_ref=context.scorecard_ref,
                     policy_row=context.policy, requested=requested, term_months=term_months,
                     income=income, debt=debt, collateral=collateral, bureau_flags=flags, hashes=hashes, age=age,
                     industry=industry, region=region, employment_years=employment_years,
                     bureau_inquiries_6m=bureau_inquiries_6m, bureau_overdue_24m=bureau_overdue_24m,
                     credit_history_months=credit_history_months)


def prescreen_score(applicant: Applicant) -> Scored:
    """The applicant on the active scorecard of the product's family (Conflict when there is none)."""
    product = applicant.product
    active = applicant.scorecard_ref
    if active is None:
        raise Conflict(_("no active scorecard for the %(family)s family") % {"family": product.get_category_display()},
                       field="product")
    version_id, version_number, trained_at = active
    card = selectors.compiled(version_id, trained_at)
    income, debt = applicant.income, applicant.debt
    dti = float(debt / income) if income > 0 else 0.0 if debt == 0 else 99.0
    features = {
        "age": applicant.age, "monthly_income": float(income), "debt_to_income": dti,
        "employment_years": None if applicant.employment_years is None else float(applicant.employment_years),
        "bureau_inquiries_6m": applicant.bureau_inquiries_6m, "bureau_overdue_24m": applicant.bureau_overdue_24m,
        "credit_history_months": applicant.credit_history_months, "industry": applicant.industry,
    }
    try:
        result = card.score(features)
    except ScoringInputError as exc:
        raise ValidationError(exc.errors) from exc
    return Scored(version_id=version_id, version_number=version_number, dti=dti, features=features, result=result)


def prescreen_decide(applicant: Applicant, scored: Scored) -> Decision:
    """The active policy's hard rules, the priced rate and the approvable amount: pass or decline."""
    product, customer = applicant.product, applicant.customer
    policy_row = applicant.policy_row
    rules = policy_row.rules if policy_row is not None else policy.validate_rules({})
    declines = policy.evaluate(
        rules, age=applicant.age if customer is None or customer.kind == Customer.Kind.PERSON else None,
        dti=scored.dti, industry=applicant.industry, region=applicant.region,
        bureau_overdue_24m=applicant.bureau_overdue_24m, bureau_inquiries_6m=applicant.bureau_inquiries_6m,
        bureau_flags=applicant.bureau_flags, blacklisted=selectors.blacklist_hits(applicant.hashes),
    )
    if product.collateral == product.Collateral.REQUIRED and not applicant.collateral:
        declines.append(policy.Decline("collateral", "该产品需提供抵押物", "The product requires collateral"))
    if not product.is_active:
        declines.append(policy.Decline("product", "产品已停售", "The product is not on sale"))
    # Priced at the product's base rate plus the industry's risk premium (capped at the product maximum).
    rate, premium_bps = policy.priced_rate(rules, base_rate=product.min_annual_rate, industry=applicant.industry,
                                           ceiling=product.max_annual_rate)
    approvable, caps = policy.approvable_amount(
        rules, grade=scored.result.grade, product_max=product.max_amount, product_min=product.min_amount,
        annual_rate=rate, term_months=applicant.term_months, monthly_income=applicant.income,
        monthly_debt=applicant.debt, collateral_value=applicant.collateral, max_ltv=product.max_ltv,
        region=applicant.region,
    )
    if declines:
        approvable = Decimal("0.00")
    probability = policy.approval_probability(rules, pd=scored.result.pd, declined=bool(declines),
                                              requested=applicant.requested, approvable=approvable)
    decision = PrescreenLog.Decision.DECLINE if declines or approvable <= 0 else PrescreenLog.Decision.PASS
    return Decision(policy_row=policy_row, declines=declines, rate=rate, premium_bps=premium_bps,
                    approvable=approvable, caps=caps, probability=probability, decision=decision)


def prescreen_log_write(acting: Actor, applicant: Applicant, scored: Scored, decision: Decision, *,
                        today: date) -> PrescreenLog:
    """One log row with the inputs, both versions and the answer, as one prepared statement. Outside a
    caller's transaction its commit does not wait for the WAL flush (~20 ms on a VM disk): a crash can
    lose at most the last fraction of a second of pre-screen log rows, never money or a decision of
    record, and PostgreSQL still keeps the database consistent. Inside a caller's transaction (a loan
    application being created) the caller's durability applies."""
    result = scored.result
    log = PrescreenLog(
        month=today.replace(day=1), actor=acting_user(acting), customer=applicant.customer,
        product=applicant.product,
        amount=applicant.requested, term_months=applicant.term_months, scorecard_version_id=scored.version_id,
        policy_version=decision.policy_row, score=round(result.score, 4), pd=round(result.pd, 6),
        grade=result.grade, decision=decision.decision, declines=[d.to_json() for d in decision.declines],
        reasons=[r.to_json() for r in result.reasons], approvable_amount=decision.approvable,
        approval_probability=decision.probability, bins=result.bins,
        inputs={k: v for k, v in scored.features.items() if v is not None},
    )
    insert_prepared(log, wait_for_flush=False)
    return log


def _answer(log: PrescreenLog, applicant: Applicant, scored: Scored, decision: Decision) -> dict[str, Any]:
    result = scored.result
    return {
        "prescreen_id": log.pk,
        "scorecard_version": {"id": scored.version_id, "family": applicant.product.category,
                              "number": scored.version_number},
        "policy_version": decision.policy_row.number if decision.policy_row else None,
        "score": int(round(result.score)),
        "pd": round(result.pd, 4),
        "grade": result.grade,
        "decision": decision.decision,
        "declines": [d.to_json() for d in decision.declines],
        "requested_amount": str(applicant.requested.quantize(Decimal("0.01"))),
        "approvable_amount": str(decision.approvable),
        "amount_caps": decision.caps,
        "priced_rate": str(decision.rate),
        "industry_premium_bps": decision.premium_bps,
        "approval_probability": decision.probability,
        "reasons": [r.to_json() for r in result.reasons],
    }


def prescreen_run(*, actor: Acting, amount: object, term_months: int, product_id: int | None = None,
                  product_code: str | None = None, customer_id: int | None = None, age: int | None = None,
                  monthly_income: object = None, monthly_debt_payments: object = None,
                  employment_years: object = None, bureau_inquiries_6m: int | None = None,
                  bureau_overdue_24m: int | None = None, credit_history_months: int | None = None,
                  bureau_flags: list[str] | None = None, industry: str | None = None, region: str | None = None,
                  collateral_value: object = None, id_number: str | None = None, phone: str | None = None,
                  credit_code: str | None = None, today: date | None = None) -> PrescreenOutcome:
    """Score an applicant against the active scorecard of the product's family and the active policy;
    return the decision and log it with both versions (one INSERT, its own transaction).

    No per-call audit chain event: the chain is one locked sequence, and a pre-screen is an inquiry that
    runs many times a second. The log row itself records who, when, inputs, versions and result;
    `prescreen_log_seal` puts each day's log into the audit chain as one digest."""
    acting = actor_of(actor)
    require(acting, Perm.PRESCREEN)
    today = today or timezone.localdate()
    applicant = prescreen_parse(
        acting, today=today, amount=amount, term_months=term_months, product_id=product_id,
        product_code=product_code, customer_id=customer_id, age=age, monthly_income=monthly_income,
        monthly_debt_payments=monthly_debt_payments, employment_years=employment_years,
        bureau_inquiries_6m=bureau_inquiries_6m, bureau_overdue_24m=bureau_overdue_24m,
        credit_history_months=credit_history_months, bureau_flags=bureau_flags, industry=industry, region=region,
        collateral_value=collateral_value, id_number=id_number, phone=phone, credit_code=credit_code)
    scored = prescreen_score(applicant)
    decision = prescreen_decide(applicant, scored)
    log = prescreen_log_write(acting, applicant, scored, decision, today=today)
    return PrescreenOutcome(log=log, body=_answer(log, applicant, scored, decision))
