"""API shapes of planning."""

from datetime import date
from decimal import Decimal
from typing import Literal

from ninja import Field, Schema

from lendpilot.core.schemas import Factor, Id, IsoDate, Money, Text


class PlanIn(Schema):
    code: Text(40, min_length=1, strip=True)
    name: Text(100, min_length=1, strip=True)
    period_start: IsoDate
    total_amount: Money
    new_customers: int = Field(0, ge=0, le=10**9)
    npl_ceiling: Decimal = Field(Decimal("0.02"), ge=0, le=1, max_digits=5, decimal_places=4)
    drivers: dict[Text(40), Factor] | None = Field(None, max_length=20)
    month_weights: list[Factor] | None = Field(None, max_length=12)
    sprint_ratio: Decimal = Field(Decimal("0.2"), ge=0, le=1, max_digits=5, decimal_places=4)


class PlanOut(Schema):
    id: int
    code: str
    version: int
    name: str
    period_start: date
    period_end: date
    total_amount: Decimal
    new_customers: int
    npl_ceiling: Decimal
    drivers: dict
    status: str


class CellDriversIn(Schema):
    product: Text(32, min_length=1)
    region: Text(16, min_length=1)
    team_type: Literal["direct", "channel"]
    last_year: Money = Decimal(0)
    capacity: Money = Decimal(0)
    heat: Decimal = Field(Decimal(1), gt=0, le=100, max_digits=6, decimal_places=3)
    risk: Decimal = Field(Decimal(1), ge=0, le=100, max_digits=6, decimal_places=3,
                          description="NPL risk driver against the book (1 = average), clamped to 0.5-2")


class SplitIn(Schema):
    cells: list[CellDriversIn] | None = Field(None, max_length=5000)


class SplitOut(Schema):
    cells: int
    people_rows: int
    over_capacity: list[list[str]]


class CellMonthOut(Schema):
    id: int
    month: date
    amount: Decimal
    new_customers: int
    npl_amount: Decimal
    edited: bool


class CellOut(Schema):
    product: str
    region: str
    team_type: str
    total: Decimal
    new_customers: int
    npl_amount: Decimal
    npl_ratio: Decimal | None
    risk: Decimal
    exceeds_capacity: bool
    capacity: Decimal
    last_year: Decimal
    months: list[CellMonthOut]


class MetricTotalsOut(Schema):
    amount: Decimal
    customers: int
    npl: Decimal
    npl_ratio: Decimal | None


class MatrixOut(Schema):
    plan: PlanOut
    total: Decimal
    totals: MetricTotalsOut
    cells: list[CellOut]


class CellEditIn(Schema):
    """Exactly one of the three: the new disbursed amount, new-customers count or NPL amount ceiling."""

    amount: Money | None = None
    new_customers: int | None = Field(None, ge=0, le=10**9)
    npl_amount: Money | None = None
    across: Literal["months", "cells"] = "months"


class PersonTargetOut(Schema):
    manager_id: int
    manager_name: str
    month: date
    amount: Decimal
    new_customers: int
    npl_amount: Decimal


class QuotaOut(Schema):
    id: int
    staff_id: int
    staff_name: str
    month: date
    base: Decimal
    sprint: Decimal
    new_customers: int
    npl_amount: Decimal
    source: str


class QuotaIn(Schema):
    staff_id: Id
    month: IsoDate
    base: Money
    sprint: Money = Decimal(0)


class HeatIn(Schema):
    region_id: Id
    product: Text(32, min_length=1)
    heat: Decimal = Field(..., gt=0, le=100, max_digits=6, decimal_places=3)
    capacity: Money = Decimal(0)


class ResetIn(Schema):
    month: IsoDate
    rules: dict[Text(40), Factor] | None = Field(None, max_length=20)


class ResetLineOut(Schema):
    staff_id: int
    staff_name: str
    old_base: Decimal
    new_base: Decimal
    delta: Decimal
    old_sprint: Decimal
    new_sprint: Decimal
    attainment: Decimal | None
    heat: Decimal
    reasons: list[dict]


class ResetOut(Schema):
    id: int
    month: date
    status: str
    lines: list[ResetLineOut]


class QuotaResetDecisionIn(Schema):
    approve: bool


class MilestoneOut(Schema):
    share: Decimal
    amount: Decimal
    reached: bool


class AttainmentOut(Schema):
    """Read from the selector's `AttainmentRow` as it is (its computed shares and flags included)."""

    key: str
    label: str
    target: Decimal
    disbursed: Decimal
    attainment: Decimal | None
    forecast: Decimal
    forecast_attainment: Decimal | None
    expected_to_date: Decimal
    at_risk: bool
    milestones: list[MilestoneOut]

    @staticmethod
    def resolve_key(obj) -> str:
        return str(obj.key)
