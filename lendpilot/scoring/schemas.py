"""Request and response shapes of the scoring API."""

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any

from ninja import Field, Schema

from lendpilot.core.schemas import NO_NUL, Id, Money

Code = Annotated[str, Field(max_length=40, pattern=NO_NUL)]
Text = Annotated[str, Field(max_length=200, pattern=NO_NUL)]
Count = Annotated[int, Field(ge=0, le=10_000)]


class PrescreenIn(Schema):
    """Either applicant fields, or a customer id (age, industry, region and identifiers then come from
    the customer record); product, amount and term always; income always (it sizes the loan). Missing
    or ill-typed fields -> 422 naming them; an unknown product or customer -> 404; a value outside
    every bin of the scorecard (e.g. a negative income) -> 422 naming the field."""

    product_id: Id | None = None
    product_code: Code | None = None
    amount: Money = Field(..., description="requested amount, CNY")
    term_months: int = Field(..., ge=1, le=600)
    customer_id: Id | None = None
    age: int | None = Field(None, ge=0, le=150)
    monthly_income: Money | None = Field(None, description="CNY per month")
    monthly_debt_payments: Money | None = Field(None, description="existing instalments, CNY per month")
    employment_years: float | None = Field(None, ge=-100, le=100, allow_inf_nan=False)
    bureau_inquiries_6m: Count | None = None
    bureau_overdue_24m: Count | None = None
    credit_history_months: Count | None = None
    bureau_flags: list[Code] = Field(default_factory=list, max_length=20,
                                     description="e.g. fraud, court_enforcement, write_off")
    industry: Code | None = Field(None, description="GB/T 4754 section code, e.g. C")
    region: Code | None = Field(None, description="region code, e.g. EAST")
    collateral_value: Money | None = None
    id_number: Code | None = None
    phone: Code | None = None
    credit_code: Code | None = None


class VersionRef(Schema):
    id: int
    family: str
    number: int


class Reason(Schema):
    code: str
    shortfall: float
    bin: str
    text_zh: str
    text_en: str


class Decline(Schema):
    code: str
    text_zh: str
    text_en: str


class PrescreenOut(Schema):
    prescreen_id: int
    scorecard_version: VersionRef
    policy_version: int | None
    score: int
    pd: float
    grade: str
    decision: str
    declines: list[Decline]
    requested_amount: Decimal
    approvable_amount: Decimal
    amount_caps: dict[str, Decimal]
    priced_rate: Decimal = Field(description="product base rate plus the industry risk premium, as a fraction")
    industry_premium_bps: int
    approval_probability: float
    reasons: list[Reason]


class ScorecardVersionOut(Schema):
    id: int
    family: str
    number: int
    name: str
    status: str
    source: str
    trained_by: str | None
    trained_at: datetime
    activated_by: str | None
    activated_at: datetime | None
    cv_auc: float | None
    metrics: dict[str, Any]
    training_summary: dict[str, Any]

    @staticmethod
    def resolve_trained_by(obj):
        return obj.trained_by.get_username() if obj.trained_by_id else None

    @staticmethod
    def resolve_activated_by(obj):
        return obj.activated_by.get_username() if obj.activated_by_id else None


class RejectIn(Schema):
    reason: Text


class PolicyIn(Schema):
    rules: dict[str, Any]
    note: Text = ""


class IndustryChangeIn(Schema):
    industry: Code = Field(..., description="GB/T 4754 section code, e.g. E")
    admission: Code = Field("keep", description="tighten (exclude), keep, or loosen (re-admit)")
    premium_bps: int | None = Field(None, ge=0, le=3000, description="risk premium over the product rate; 0 removes")


class IndustryChangesIn(Schema):
    changes: list[IndustryChangeIn] = Field(..., min_length=1, max_length=100)
    source: Text = ""


class PolicyOut(Schema):
    number: int
    status: str
    rules: dict[str, Any]
    note: str
    published_at: datetime


class BlacklistIn(Schema):
    kind: Code
    value: Code
    reason: Text = ""


class BlacklistRow(Schema):
    kind: Code
    value: Code
    reason: Text = ""


class BlacklistImportIn(Schema):
    list_name: Text
    file_name: Text = ""
    rows: list[BlacklistRow] = Field(..., max_length=100_000)


class BlacklistImportOut(Schema):
    id: int
    source: str
    rows: int


class BlacklistEntryOut(Schema):
    id: int
    kind: str
    masked: str
    source: str
    list_name: str


class ScoreSnapshotOut(Schema):
    month: date
    population: int
    psi: float | None
    csi: dict[str, float]
    matured: int
    auc: float | None
    ks: float | None
    alerts: list[str]


class MonitoringIn(Schema):
    month: date = Field(..., description="any day of the month; the month is computed")
