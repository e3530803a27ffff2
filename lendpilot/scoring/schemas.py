"""Request and response shapes of the scoring API."""

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from ninja import Field, Schema


class PrescreenIn(Schema):
    """Either applicant fields, or a customer id (age, industry, region and identifiers then come from
    the customer record); product, amount and term always; income always (it sizes the loan)."""

    product_id: int | None = None
    product_code: str | None = None
    amount: Decimal = Field(..., description="requested amount, CNY")
    term_months: int
    customer_id: int | None = None
    age: int | None = None
    monthly_income: Decimal | None = Field(None, description="CNY per month")
    monthly_debt_payments: Decimal | None = Field(None, description="existing instalments, CNY per month")
    employment_years: float | None = None
    bureau_inquiries_6m: int | None = None
    bureau_overdue_24m: int | None = None
    credit_history_months: int | None = None
    bureau_flags: list[str] = Field(default_factory=list, description="e.g. fraud, court_enforcement, write_off")
    industry: str | None = Field(None, description="GB/T 4754 section code, e.g. C")
    region: str | None = Field(None, description="region code, e.g. EAST")
    collateral_value: Decimal | None = None
    id_number: str | None = None
    phone: str | None = None
    credit_code: str | None = None


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
    reason: str


class PolicyIn(Schema):
    rules: dict[str, Any]
    note: str = ""


class PolicyOut(Schema):
    number: int
    status: str
    rules: dict[str, Any]
    note: str
    published_at: datetime


class BlacklistIn(Schema):
    kind: str
    value: str
    reason: str = ""


class BlacklistRow(Schema):
    kind: str
    value: str
    reason: str = ""


class BlacklistImportIn(Schema):
    list_name: str
    file_name: str = ""
    rows: list[BlacklistRow]


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


class SnapshotOut(Schema):
    month: date
    population: int
    psi: float | None
    csi: dict[str, float]
    matured: int
    auc: float | None
    ks: float | None
    alerts: list[str]


class MonitoringIn(Schema):
    month: date
