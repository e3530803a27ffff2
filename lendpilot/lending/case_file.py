"""What a reviewer reads before deciding a case (C1, C2), gathered in one place: the pre-screen as the
engine answered it (score, PD, grade, reasons, approvable amount, priced rate), the proposed terms with
their first payment and APR, the loan-to-value, and the gaps between them (`case_gaps.review_gaps`).

Reads only. The case itself comes through `selectors.application_get`, which scopes it to the actor.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from lendpilot.lending import authority
from lendpilot.lending.case_gaps import Gap, review_gaps
from lendpilot.lending.models import Application, ApprovalLevel, Decision
from lendpilot.lending.schedule import annualised_rate, build_schedule, totals
from lendpilot.scoring import policy
from lendpilot.scoring.models import PrescreenLog


@dataclass(frozen=True)
class PrescreenSummary:
    score: float
    pd: float
    grade: str
    passed: bool
    reasons: list[str]
    declines: list[str]
    approvable_amount: Decimal | None
    approval_probability: float | None
    priced_rate: Decimal
    premium_bps: int
    at: datetime
    scorecard: str
    policy_number: int | None


@dataclass(frozen=True)
class LoanToValue:
    ratio: Decimal
    collateral: Decimal
    registered: bool  # False: the value the account manager stated, no valued collateral registered yet


@dataclass(frozen=True)
class ProposedTerms:
    first_payment: Decimal
    total_interest: Decimal
    total_repayment: Decimal
    apr: Decimal


def _texts(items: list[dict]) -> list[str]:
    key = "text_zh" if (get_language() or "").lower().startswith("zh") else "text_en"
    return [str(item.get(key) or item.get("code") or "") for item in items]


def priced_rate_of(log: PrescreenLog, application: Application) -> tuple[Decimal, int]:
    """The rate the engine priced for this applicant: the product's base rate plus the industry premium of
    the policy rules the pre-screen ran under, capped at the product's maximum (as `prescreen_run`)."""
    rules = log.policy_version.rules if log.policy_version is not None else policy.validate_rules({})
    product = application.product
    return policy.priced_rate(rules, base_rate=product.min_annual_rate, industry=application.applicant.industry,
                              ceiling=product.max_annual_rate)


def prescreen_summary(application: Application) -> PrescreenSummary | None:
    log = application.prescreen
    if log is None:
        return None
    rate, bps = priced_rate_of(log, application)
    return PrescreenSummary(
        score=log.score, pd=log.pd, grade=log.grade, passed=log.decision == PrescreenLog.Decision.PASS,
        reasons=_texts(log.reasons), declines=_texts(log.declines), approvable_amount=log.approvable_amount,
        approval_probability=log.approval_probability, priced_rate=rate, premium_bps=bps, at=log.created_at,
        scorecard=log.scorecard_version.label,
        policy_number=log.policy_version.number if log.policy_version is not None else None)


# How `services.approval` notes a decision in the status history: "<level>: <outcome>" and the reason, if any.
_LEVELS = "|".join(authority.LEVEL_NAMES.values())
_OUTCOMES = "|".join(sorted(Decision.Outcome.values, key=len, reverse=True))
DECISION_NOTE = re.compile(rf"(?P<level>{_LEVELS}): (?P<outcome>{_OUTCOMES})(?: (?P<reason>.*))?", re.DOTALL)


def status_note_text(note: str) -> str:
    """A status-history note as the reader reads it: a decision's level and outcome by their labels (the
    reason as written); any other note as written."""
    match = DECISION_NOTE.fullmatch(note or "")
    if match is None:
        return note
    level = {name: number for number, name in authority.LEVEL_NAMES.items()}[match["level"]]
    text = _("%(level)s: %(outcome)s") % {"level": ApprovalLevel(level).label,
                                          "outcome": Decision.Outcome(match["outcome"]).label}
    return f"{text} {match['reason']}" if match["reason"] else text


def loan_to_value_of(application: Application) -> LoanToValue | None:
    """Amount / collateral: the registered valuations, else the value stated for the pre-screen."""
    registered = sum((c.valuation for c in application.collateral.all()), Decimal("0"))
    if registered:
        return LoanToValue((application.amount / registered).quantize(Decimal("0.0001")), registered, True)
    stated = application.stated_collateral_value
    if stated:
        return LoanToValue((application.amount / stated).quantize(Decimal("0.0001")), stated, False)
    return None


def proposed_terms(application: Application) -> ProposedTerms:
    """The case's terms as the borrower would pay them, on a schedule starting today."""
    rows = build_schedule(principal=application.amount, annual_rate=application.annual_rate,
                          periods=application.term_months, method=application.repayment_method,
                          start=timezone.localdate())
    sums = totals(rows)
    apr = annualised_rate(principal=application.amount, rows=rows, periods=application.term_months,
                          fees=application.fee_amount)
    return ProposedTerms(first_payment=rows[0].payment, total_interest=sums["interest"],
                         total_repayment=sums["payment"] + application.fee_amount, apr=apr)


def case_gaps(application: Application, summary: PrescreenSummary | None, ltv: LoanToValue | None) -> list[Gap]:
    return review_gaps(amount=application.amount, annual_rate=application.annual_rate,
                       approvable=summary.approvable_amount if summary else None,
                       priced_rate=summary.priced_rate if summary else None,
                       ltv=ltv.ratio if ltv else None, max_ltv=application.product.max_ltv)


def case_file(application: Application) -> dict:
    """The reviewer's view of `application` for the case page."""
    summary = prescreen_summary(application)
    ltv = loan_to_value_of(application)
    return {
        "prescreen": summary, "ltv": ltv, "proposed": proposed_terms(application),
        "gaps": case_gaps(application, summary, ltv),
        "checklist": application.checklist.select_related("item", "done_by"),
        "collateral": application.collateral.all(),
        "cross_checks": application.cross_checks.select_related("checked_by"),
        "decisions": application.decisions.select_related("approver"),
        "history": application.status_history.select_related("actor"),
        "conditions": application.conditions or {},
    }


def conditions_text(conditions: dict) -> list[str]:
    """Approval conditions in words (the decision keeps them as amount, annual_rate, extra_collateral)."""
    lines = []
    if conditions.get("amount"):
        lines.append(_("Amount lowered to %(amount)s CNY") % {"amount": f"{Decimal(conditions['amount']):,.2f}"})
    if conditions.get("annual_rate"):
        lines.append(_("Annual rate raised to %(rate)s") % {
            "rate": f"{(Decimal(conditions['annual_rate']) * 100).quantize(Decimal('0.01'))}%"})
    if conditions.get("extra_collateral"):
        lines.append(_("Extra collateral: %(what)s") % {"what": conditions["extra_collateral"]})
    return lines
