"""Repayment schedules and the annualised rate (FEATURES X1). Pure: plain Decimals and dates, no ORM.

Conventions (stated once, used everywhere in lending):

* Periods are calendar months counted from the disbursement date. Due date k is the disbursement
  date plus k months, clamped to the last day of a shorter month and anchored to the original day
  (31 Jan -> 28/29 Feb -> 31 Mar), so a clamp never drifts.
* Regular periods use the monthly rate ``annual / 12`` whatever the number of days in the month
  (the 30/360 basis of Chinese bank loan contracts: 月利率 = 年利率 / 12).
* Broken periods (early repayment between two due dates, penalty interest on overdue amounts) use
  the daily rate ``annual / 360`` on actual days elapsed (actual/360: 日利率 = 年利率 / 360).
* Every money figure is a Decimal rounded half-up to the fen. Interest of each period is rounded
  on its own; the principal column sums exactly to the loan amount because the last instalment
  takes whatever principal is left (it absorbs all rounding).
* Due dates are contractual calendar dates. With ``roll_business_days=True`` a due date that falls
  on a weekend or holiday moves to the next mainland business day; the interest of the period is
  not changed by the roll (the period is still one month for interest purposes).

Methods:

* 等额本息 equal instalment: payment = P r / (1 - (1 + r)^-n), rounded to the fen; interest =
  balance x r; principal = payment - interest; the last period pays the remaining balance.
  The unrounded payment is the same figure as ``numpy_financial.pmt(r, n, -P)``; the tests compare
  the two after rounding to the fen.
* 等额本金 equal principal: principal P / n rounded to the fen each period (last one absorbs the
  difference), interest on the declining balance.
* 先息后本 interest first: interest every month, all principal with the last instalment.
* 到期一次还本付息 bullet: one instalment at maturity, principal plus simple interest P x r x n.
"""

import math
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, localcontext

from lendpilot.core.business_calendar import next_business_day
from lendpilot.core.months import add_months
from lendpilot.core.reference import RepaymentMethod

FEN = Decimal("0.01")
ZERO = Decimal("0.00")
MONTHS_PER_YEAR = Decimal(12)
DAYS_PER_YEAR = Decimal(360)


class ScheduleError(ValueError):
    """Terms from which no schedule can be built (non-positive amount or term, negative rate)."""


def fen(value: Decimal) -> Decimal:
    return value.quantize(FEN, rounding=ROUND_HALF_UP)


def monthly_rate(annual_rate: Decimal) -> Decimal:
    return Decimal(annual_rate) / MONTHS_PER_YEAR


def daily_rate(annual_rate: Decimal) -> Decimal:
    return Decimal(annual_rate) / DAYS_PER_YEAR


def broken_period_interest(principal: Decimal, annual_rate: Decimal, days: int) -> Decimal:
    """Interest for `days` actual days on `principal` at the actual/360 daily rate, to the fen."""
    if days <= 0 or principal <= 0:
        return ZERO
    return fen(Decimal(principal) * daily_rate(annual_rate) * days)


@dataclass(frozen=True)
class Row:
    seq: int
    due_date: date
    principal: Decimal
    interest: Decimal
    balance_after: Decimal

    @property
    def payment(self) -> Decimal:
        return self.principal + self.interest


def equal_instalment_payment(principal: Decimal, annual_rate: Decimal, periods: int) -> Decimal:
    """The level monthly payment of 等额本息, rounded half-up to the fen (exact Decimal arithmetic, 40 digits)."""
    principal = Decimal(principal)
    with localcontext() as ctx:
        ctx.prec = 40
        r = monthly_rate(annual_rate)
        if r == 0:
            return fen(principal / periods)
        payment = principal * r / (1 - (1 + r) ** -periods)
    return fen(payment)


def _check(principal: Decimal, annual_rate: Decimal, periods: int) -> None:
    if principal <= 0 or principal != fen(principal):
        raise ScheduleError("principal must be a positive amount in fen")
    if not isinstance(periods, int) or periods < 1:
        raise ScheduleError("term must be at least one month")
    if annual_rate < 0:
        raise ScheduleError("rate must not be negative")


def build_schedule(*, principal: Decimal, annual_rate: Decimal, periods: int, method: str, start: date,
                   due_dates: list[date] | None = None, roll_business_days: bool = False) -> list[Row]:
    """The full schedule. `due_dates` overrides the monthly dates (used when a schedule is rebuilt after
    an early repayment on the remaining contractual dates); its length then sets the number of periods."""
    principal = Decimal(principal)
    annual_rate = Decimal(annual_rate)
    if due_dates is not None:
        periods = len(due_dates)
    _check(principal, annual_rate, periods)
    principal = fen(principal)
    if due_dates is None:
        due_dates = [add_months(start, k) for k in range(1, periods + 1)]
    if roll_business_days:
        due_dates = [next_business_day(d) for d in due_dates]
    r = monthly_rate(annual_rate)

    if method == RepaymentMethod.BULLET:
        # One instalment at maturity: all principal and simple interest for all periods.
        return [Row(1, due_dates[-1], principal, fen(principal * r * periods), ZERO)]

    rows: list[Row] = []
    balance = principal
    payment = equal_instalment_payment(principal, annual_rate, periods) if method == RepaymentMethod.EQUAL_INSTALMENT \
        else None
    level_principal = fen(principal / periods)
    for k in range(1, periods + 1):
        interest = fen(balance * r)
        last = k == periods
        if method == RepaymentMethod.EQUAL_INSTALMENT:
            part = balance if last else min(balance, max(ZERO, payment - interest))
        elif method == RepaymentMethod.EQUAL_PRINCIPAL:
            part = balance if last else min(balance, level_principal)
        elif method == RepaymentMethod.INTEREST_FIRST:
            part = balance if last else ZERO
        else:
            raise ScheduleError(f"unknown repayment method {method!r}")
        balance -= part
        rows.append(Row(k, due_dates[k - 1], part, interest, balance))
    return rows


def totals(rows: list[Row]) -> dict[str, Decimal]:
    principal = sum((r.principal for r in rows), ZERO)
    interest = sum((r.interest for r in rows), ZERO)
    return {"principal": principal, "interest": interest, "payment": principal + interest}


def _npv(rate: Decimal, flows: list[tuple[int, Decimal]]) -> Decimal:
    return sum((amount / (1 + rate) ** t for t, amount in flows), Decimal(0))


def irr_monthly(flows: list[tuple[int, Decimal]]) -> Decimal:
    """The rate per period at which the flows (period offset, amount; the loan received is negative) have a
    net present value of zero. Bisection in Decimal, so the result does not depend on floats. The upper
    bound allows a single long period (a bullet over years) whose rate per period is above 100%."""
    with localcontext() as ctx:
        ctx.prec = 34
        low, high = Decimal("-0.99"), Decimal("20")
        for _ in range(300):
            mid = (low + high) / 2
            if _npv(mid, flows) > 0:
                low = mid
            else:
                high = mid
            if high - low < Decimal("1e-15"):
                break
        return (low + high) / 2


def annualised_rate(*, principal: Decimal, rows: list[Row], periods: int, fees: Decimal = ZERO) -> Decimal:
    """The annualised rate (年化利率) for disclosure, by the IRR method the PBoC 2021 announcement on APR
    disclosure asks for: the rate per period i at which the net amount received (principal - upfront fees)
    equals the present value of the instalments, times the number of such periods in a year. The period is
    that of the actual cash flows: one month for monthly instalments; for a bullet the whole term, because
    a single flow after n months compounds once, not n times (a 6% 12-month bullet is 6%, not 5.84%).
    A fraction with six decimals (0.123456 = 12.3456%). Instalment k is paid k months after disbursement;
    a bullet pays after `periods` months."""
    received = Decimal(principal) - Decimal(fees)
    if received <= 0:
        raise ScheduleError("fees must be smaller than the principal")
    single = len(rows) == 1
    offsets = [periods if single else row.seq for row in rows]
    step = math.gcd(*offsets)
    flows = [(0, -received)] + [(offset // step, row.payment) for offset, row in zip(offsets, rows, strict=True)]
    per_period = irr_monthly(flows)
    per_year = MONTHS_PER_YEAR / step
    return (per_period * per_year).quantize(Decimal("0.000001"), rounding=ROUND_HALF_UP)
