"""API shapes of incentives."""

from datetime import date
from decimal import Decimal
from typing import Any

from ninja import Field, Schema

from lendpilot.core.schemas import Id, IsoDate, Money, Text


class CommissionPlanIn(Schema):
    name: Text(100, min_length=1, strip=True)
    spec: Any = Field(..., description="the plan as data; see lendpilot.incentives.commission")


class CommissionPlanOut(Schema):
    id: int
    name: str
    version: int
    spec: Any
    is_active: bool


class RunIn(Schema):
    month: IsoDate
    reason: Text(300, strip=True) = ""


class RunOut(Schema):
    statements: int
    lines: int
    locked: int
    total: Decimal


class LineOut(Schema):
    id: int
    loan_id: int | None
    loan_number: str | None
    rule: str
    description: str = ""
    basis: Decimal
    rate: Decimal
    multiplier: Decimal
    amount: Decimal


class StatementOut(Schema):
    id: int
    staff_id: int
    staff_name: str
    month: date
    quota: Decimal
    disbursed: Decimal
    attainment: Decimal | None
    multiplier: Decimal
    total: Decimal
    status: str
    version: int = 1
    lines: list[LineOut] = []


class RecalculateIn(Schema):
    reason: Text(300, min_length=1, strip=True)


class MonthToDateOut(Schema):
    staff_id: int
    month: date
    as_of: date
    disbursed: Decimal
    quota: Decimal
    attainment: Decimal | None
    multiplier: Decimal
    total: Decimal
    loans: int


class DisputeIn(Schema):
    reason: Text(500, min_length=1, strip=True)
    line_id: Id | None = None


class ResolveIn(Schema):
    resolution: Text(500, min_length=1, strip=True)


class DisputeOut(Schema):
    id: int
    statement_id: int
    line_id: int | None
    reason: str
    status: str
    resolution: str


class HonourOut(Schema):
    month: date
    kind: str
    staff_id: int
    staff_name: str
    value: Decimal
    tie_break: str


class PoolIn(Schema):
    name: Text(100, min_length=1, strip=True)
    kind: Text(16, min_length=1)
    total: Money


class GrantIn(Schema):
    staff_id: Id
    amount: Money
    granted_on: IsoDate
    vesting_months: int = Field(48, ge=1, le=120)
    cliff_months: int = Field(12, ge=0, le=120)


class RetentionOut(Schema):
    staff_id: int
    name: str
    granted: Decimal
    vested: Decimal
    unvested: Decimal
    months_to_full: int
    recent_attainment: Decimal | None
    at_risk: bool
    reasons: list[str]


class ApproveMonthOut(Schema):
    approved: int
    held_by_dispute: int
    total: Decimal


class PeerRatingIn(Schema):
    ratee_id: Id
    month: IsoDate
    score: int = Field(..., ge=1, le=5)
    comment: Text(300, strip=True) = ""


class PeerRatingOut(Schema):
    id: int
    ratee_id: int
    ratee_name: str
    month: date
    score: int
    comment: str


class PeerSummaryOut(Schema):
    staff_id: int
    name: str
    ratings: int
    average: Decimal
    enough: bool
