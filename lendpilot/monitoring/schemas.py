"""API shapes of monitoring."""

from datetime import date
from decimal import Decimal

from ninja import Field, Schema

from lendpilot.core.schemas import Id, IsoDate, Text


class InterventionOut(Schema):
    id: int
    tier: int
    kind: str
    owner_id: int | None
    status: str
    created_on: date
    due_on: date
    outcome: str


class SignalOut(Schema):
    id: int
    code: str
    severity: int
    business_date: date
    value: float | None
    evidence: dict


class AlertOut(Schema):
    id: int
    loan_id: int
    loan_number: str = Field(..., alias="loan.number")
    borrower: str = Field(..., alias="loan.borrower.name")
    status: str
    severity: int
    tier: int
    owner_id: int | None
    opened_on: date
    last_signal_on: date
    closed_on: date | None
    close_reason: str


class AlertDetailOut(AlertOut):
    signals: list[SignalOut]
    interventions: list[InterventionOut]

    @staticmethod
    def resolve_signals(obj):
        return list(obj.signals.all())

    @staticmethod
    def resolve_interventions(obj):
        return list(obj.interventions.all())


class StageOut(Schema):
    stage: str
    completed: bool
    seconds: float
    counts: dict


class EodRunOut(Schema):
    id: int
    business_date: date
    status: str
    trigger: str
    task_id: str
    attempts: int
    seconds: float
    counts: dict
    error: str
    stages: list[StageOut]
    attempt_log: list[dict]


class EodRunIn(Schema):
    business_date: IsoDate
    rerun: bool = False


class SnapshotOut(Schema):
    business_date: date
    dimension: str
    key: str
    loans: int
    balance: Decimal
    overdue_loans: int
    overdue_balance: Decimal
    npl_loans: int
    npl_balance: Decimal

    # A scoped reader's "all" is summed inside its scope and arrives as a dict (selectors.snapshots).
    @staticmethod
    def resolve_dimension(obj) -> str:
        return obj["scope_dimension"] if isinstance(obj, dict) else obj.dimension

    @staticmethod
    def resolve_key(obj) -> str:
        return obj["scope_key"] if isinstance(obj, dict) else obj.key


class OutcomeIn(Schema):
    outcome: Text(300, min_length=1)


class CloseIn(Schema):
    reason: Text(300, min_length=1)


class DecideIn(Schema):
    approve: bool


class FeedRowIn(Schema):
    txn_id: Text(64)
    customer_id: Id
    booked_on: Text(10)
    direction: Text(3)
    amount: Text(24)
    merchant_category: Text(8) = ""
    counterparty: Text(100) = ""


class FeedIn(Schema):
    rows: list[FeedRowIn] = Field(..., min_length=1, max_length=100_000)
    batch: Text(40) = ""


class FeedOut(Schema):
    imported: int
    rejected: int


class ReviewOut(Schema):
    id: int
    line_id: int
    business_date: date
    action: str
    current_limit: Decimal
    proposed_limit: Decimal
    reasons: list
    status: str


class RulesIn(Schema):
    thresholds: dict
    note: Text(200) = ""


class RulesOut(Schema):
    version: int
    thresholds: dict
    is_active: bool
    note: str


class ExternalEventIn(Schema):
    customer_id: Id
    kind: Text(24)
    occurred_on: IsoDate
    reference: Text(64, min_length=1)
    detail: Text(300) = ""


class ExternalEventOut(Schema):
    id: int
    customer_id: int
    kind: str
    occurred_on: date
    reference: str


class ProposalOut(Schema):
    id: int
    month: date
    industry: str
    default_rate: float
    correlation: float | None
    lead_months: int
    index_trend: float
    admission: str
    premium_bps: int
    status: str
    policy_version_id: int | None


class AcceptIn(Schema):
    accept: bool


class ProposalsDecideIn(Schema):
    ids: list[Id] = Field(..., min_length=1, max_length=50)
    accept: bool


class PortfolioAlertOut(Schema):
    business_date: date
    segment: str
    metric: str
    value: float
    centre: float
    upper: float
