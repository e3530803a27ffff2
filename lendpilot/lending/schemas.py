"""Request and response shapes of the lending API (pydantic through django-ninja)."""

from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from ninja import Field, Schema
from pydantic import ConfigDict

from lendpilot.core.schemas import AnnualRate, Money

Outcome = Literal["approve", "approve_with_conditions", "return", "reject"]


class ApplicantFactsIn(Schema):
    """What the pre-screen needs beyond the customer record (D6)."""

    age: int | None = Field(None, ge=0, le=150)
    employment_years: float | None = Field(None, ge=0, le=80, allow_inf_nan=False)
    bureau_inquiries_6m: int | None = Field(None, ge=0, le=10_000)
    bureau_overdue_24m: int | None = Field(None, ge=0, le=10_000)
    credit_history_months: int | None = Field(None, ge=0, le=10_000)
    bureau_flags: list[str] = Field(default_factory=list, max_length=20)
    collateral_value: Decimal | None = Field(None, ge=0, max_digits=16, decimal_places=2, allow_inf_nan=False)


class ApplicationIn(Schema):
    """A new case. The pre-screen engine grades it (grade, score, scorecard and policy versions); a hard-rule
    decline is a 422 on `prescreen`. Fields the engine or the matrix decide (`risk_grade`, `score`, `route`,
    ...) are refused with a 422 naming them."""

    model_config = ConfigDict(extra="forbid")

    applicant_id: int = Field(..., ge=1, le=2**62)
    product_id: int = Field(..., ge=1, le=2**62)
    amount: Money = Field(..., gt=0)
    term_months: int = Field(..., ge=1, le=600)
    repayment_method: str = Field(..., max_length=32)
    annual_rate: AnnualRate = Field(..., ge=0, le=Decimal("0.36"))
    purpose: str = Field(..., max_length=200)
    monthly_income: Money = Field(..., ge=0)
    monthly_debt_payments: Money = Field(Decimal("0"), ge=0)
    fee_amount: Money = Field(Decimal("0"), ge=0)
    applicant_facts: ApplicantFactsIn | None = None
    # the listed channel partner funding a share of the loan (joint lending); its limits apply at payout
    partner_id: int | None = Field(None, ge=1, le=2**62)


class ApplicationPatch(Schema):
    """Changed terms of a draft or returned case; new amounts, term or income are graded again by the engine."""

    model_config = ConfigDict(extra="forbid")

    amount: Money | None = Field(None, gt=0)
    term_months: int | None = Field(None, ge=1, le=600)
    repayment_method: str | None = Field(None, max_length=32)
    annual_rate: AnnualRate | None = Field(None, ge=0, le=Decimal("0.36"))
    purpose: str | None = Field(None, max_length=200)
    monthly_income: Money | None = Field(None, ge=0)
    monthly_debt_payments: Money | None = Field(None, ge=0)
    fee_amount: Money | None = Field(None, ge=0)


class ChecklistOut(Schema):
    code: str
    label: str
    required: bool
    done: bool
    evidence: str


class CollateralIn(Schema):
    kind: str
    description: str = Field(..., max_length=200)
    valuation: Money = Field(..., gt=0)
    valuer: str = Field(..., max_length=100)
    valued_on: date


class CollateralOut(Schema):
    id: int
    kind: str
    description: str
    valuation: Decimal
    valuer: str
    valued_on: date


class ChecklistMarkIn(Schema):
    done: bool = True
    evidence: str = Field("", max_length=300)


class CrossCheckIn(Schema):
    kind: str
    passed: bool
    evidence: str = Field(..., max_length=300)
    stated: str = Field("", max_length=100)
    observed: str = Field("", max_length=100)


class DecisionIn(Schema):
    outcome: Outcome
    reason: str = Field("", max_length=2000)
    conditions: dict | None = None
    expected_step: int = Field(..., ge=0, le=10, description="the step the approver saw (the case's `step`); if "
                               "the case has moved on (another approver was faster) the answer is a 409")


class DecisionOut(Schema):
    id: int
    level: int
    outcome: str
    approver: str
    reason: str
    conditions: dict
    override: bool
    within_sla: bool
    decided_at: datetime


class StatusChangeOut(Schema):
    from_status: str
    to_status: str
    note: str
    at: datetime


class ApplicationOut(Schema):
    id: int
    number: str
    applicant_id: int
    applicant: str
    product_id: int
    amount: Decimal
    term_months: int
    repayment_method: str
    annual_rate: Decimal
    fee_amount: Decimal
    purpose: str
    risk_grade: str
    monthly_income: Decimal
    monthly_debt_payments: Decimal
    dti: Decimal | None
    status: str
    submission_round: int
    route: list[int]
    step: int
    current_level: int | None
    stage_due_on: date | None
    escalated: bool
    decline_recommended: bool
    conditions: dict
    ltv: Decimal | None = None
    checklist: list[ChecklistOut] = []
    collateral: list[CollateralOut] = []
    decisions: list[DecisionOut] = []
    history: list[StatusChangeOut] = []


class QueueRowOut(Schema):
    id: int
    number: str
    applicant: str
    amount: Decimal
    risk_grade: str
    stage_due_on: date | None
    sla: str
    escalated: bool
    step: int
    deciding: bool = Field(..., description="this step decides the case; earlier steps are reviews")
    officers_able: int = Field(..., description="how many people may act on this step (four eyes applied)")
    waiting_for: str = Field(..., description='e.g. "waiting for: L2, 3 officer(s)"')
    you_can_act: bool


class ContractIn(Schema):
    start: date | None = None


class ContractOut(Schema):
    id: int
    number: str
    application_id: int
    principal: Decimal
    annual_rate: Decimal
    apr: Decimal
    term_months: int
    repayment_method: str
    status: str
    disclosures: dict
    missing_disclosures: list[str]


class DisburseIn(Schema):
    disbursed_on: date | None = None


class InstalmentOut(Schema):
    seq: int
    due_date: date
    principal_due: Decimal
    interest_due: Decimal
    principal_paid: Decimal
    interest_paid: Decimal
    penalty_accrued: Decimal
    penalty_paid: Decimal
    is_settled: bool


class RepaymentOut(Schema):
    id: int
    loan_id: int
    external_ref: str
    amount: Decimal
    value_date: date
    kind: str
    penalty_part: Decimal
    interest_part: Decimal
    principal_part: Decimal
    unapplied: Decimal
    fee_part: Decimal
    credit_used: Decimal
    revaluation: dict


class LoanOut(Schema):
    id: int
    number: str
    borrower_id: int
    borrower: str
    product_id: int
    principal: Decimal
    annual_rate: Decimal
    term_months: int
    repayment_method: str
    disbursed_on: date
    outstanding_principal: Decimal
    status: str
    days_past_due: int
    risk_class: int
    manual_class: int | None
    credit_line_id: int | None
    unapplied_credit: Decimal


class LoanDetailOut(LoanOut):
    schedule: list[InstalmentOut]
    repayments: list[RepaymentOut]


class RepaymentIn(Schema):
    loan_number: str = Field(..., max_length=24)
    external_ref: str = Field(..., max_length=64)
    amount: Money = Field(..., gt=0)
    value_date: date
    prepayment: bool = False
    prepayment_mode: Literal["reduce_payment", "shorten_term"] = "reduce_payment"
    kind: Literal["regular", "prepayment", "settlement"] | None = Field(
        None, description="regular: pays what is due, the rest is held as credit; prepayment (提前还款): the rest "
                          "repays principal early and the schedule is recalculated (prepayment_mode); settlement "
                          "(提前结清): settles the loan at the quote of the value date")


class ImportOut(Schema):
    batch: str
    rows: int
    posted: int
    already_posted: int
    amount: Decimal
    allocated: dict


class CreditLineIn(Schema):
    customer_id: int = Field(..., ge=1, le=2**62)
    product_id: int = Field(..., ge=1, le=2**62)
    limit: Money = Field(..., gt=0)
    annual_rate: AnnualRate = Field(..., ge=0, le=Decimal("0.36"))
    expires_on: date


class CreditLineOut(Schema):
    id: int
    number: str
    customer_id: int
    product_id: int
    limit: Decimal
    utilised: Decimal
    available: Decimal
    annual_rate: Decimal
    expires_on: date
    status: str
    status_reason: str


class CreditLineStatusIn(Schema):
    status: Literal["active", "reduced", "frozen"]
    reason: str = Field(..., max_length=300)
    limit: Money | None = Field(None, ge=0)


class DrawIn(Schema):
    amount: Money = Field(..., gt=0)
    term_months: int = Field(..., ge=1, le=600)
    repayment_method: str
    drawn_on: date | None = None


class ClassChangeIn(Schema):
    to_class: int = Field(..., ge=1, le=5)
    reason: str = Field(..., max_length=300)


class ErrorRow(Schema):
    loc: list
    msg: str
    type: str = "value_error"


class ImportErrorOut(Schema):
    detail: list[ErrorRow]


class SettlementQuoteOut(Schema):
    loan_number: str
    value_date: date
    due_penalty: Decimal
    due_interest: Decimal
    due_principal: Decimal
    principal: Decimal
    interest: Decimal
    fee: Decimal
    total: Decimal
    unapplied_credit: Decimal
