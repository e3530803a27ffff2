"""Repayment allocation, penalty interest and early repayment (FEATURES X1; issue 5 item 5). Pure.

Allocation of a received amount, on the open instalments of one loan (oldest first):

1. What is due (due date on or before the value date) is paid component by component in the
   configured order, default penalty -> interest -> principal: all overdue penalty first (oldest
   instalment first), then all due interest, then all due principal. `mode="instalment"` instead
   clears the oldest instalment completely (in the same component order) before the next.
2. What remains pays the coming instalments in advance, in order, interest then principal, without
   changing the schedule (a regular feed payment that arrives early).
3. Anything beyond the whole outstanding balance is `unapplied` (an overpayment to refund).

An early repayment with schedule recalculation (提前还款) is a separate act (`prepay`): the interest
accrued since the last due date (actual/360) is paid first, the rest reduces principal, and the
remaining periods are rebuilt either with a lower payment on the same dates (`reduce_payment`) or
with the same payment over fewer periods (`shorten_term`).

Penalty interest (罚息) accrues on overdue principal at the contract rate times a multiplier
(default 1.5, i.e. 50% above the contract rate), actual/360, from the due date (or the last
accrual) to the value date. Compound interest on overdue interest is not charged.
"""

import math
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal

from lendpilot.core.reference import RepaymentMethod
from lendpilot.lending.schedule import (
    ZERO,
    Row,
    ScheduleError,
    broken_period_interest,
    build_schedule,
    equal_instalment_payment,
    fen,
    monthly_rate,
)

COMPONENTS = ("penalty", "interest", "principal")
DEFAULT_ORDER = COMPONENTS
DEFAULT_PENALTY_MULTIPLIER = Decimal("1.5")


class AllocationError(ValueError):
    pass


@dataclass(frozen=True)
class OpenInstalment:
    """What is still owed on one instalment."""

    seq: int
    due_date: date
    principal: Decimal
    interest: Decimal
    penalty: Decimal = ZERO
    penalty_through: date | None = None  # penalty accrued up to this date (exclusive of later days)

    @property
    def total(self) -> Decimal:
        return self.principal + self.interest + self.penalty


@dataclass
class Allocation:
    applied: dict[int, dict[str, Decimal]] = field(default_factory=dict)
    unapplied: Decimal = ZERO

    def add(self, seq: int, component: str, amount: Decimal) -> None:
        row = self.applied.setdefault(seq, {c: ZERO for c in COMPONENTS})
        row[component] += amount

    def total(self, component: str) -> Decimal:
        return sum((row[component] for row in self.applied.values()), ZERO)


def check_order(order: tuple[str, ...]) -> tuple[str, ...]:
    if sorted(order) != sorted(COMPONENTS):
        raise AllocationError(f"allocation order must name each of {', '.join(COMPONENTS)} once")
    return tuple(order)


def accrue_penalty(instalments: list[OpenInstalment], *, value_date: date, annual_rate: Decimal,
                   multiplier: Decimal = DEFAULT_PENALTY_MULTIPLIER) -> list[OpenInstalment]:
    """Each overdue instalment with its penalty brought up to `value_date` (idempotent for one date)."""
    rate = Decimal(annual_rate) * Decimal(multiplier)
    result = []
    for inst in instalments:
        start = max(inst.due_date, inst.penalty_through or inst.due_date)
        days = (value_date - start).days
        if inst.principal > 0 and days > 0:
            inst = replace(inst, penalty=inst.penalty + broken_period_interest(inst.principal, rate, days),
                           penalty_through=value_date)
        result.append(inst)
    return result


def allocate(amount: Decimal, instalments: list[OpenInstalment], *, value_date: date,
             order: tuple[str, ...] = DEFAULT_ORDER, mode: str = "component") -> Allocation:
    """Split `amount` over the open instalments (see the module text for the rules)."""
    amount = Decimal(amount)
    if amount <= 0 or amount != fen(amount):
        raise AllocationError("amount must be positive and in fen")
    order = check_order(order)
    if mode not in {"component", "instalment"}:
        raise AllocationError("mode is 'component' or 'instalment'")
    ordered = sorted(instalments, key=lambda i: (i.due_date, i.seq))
    owed = {i.seq: {"penalty": i.penalty, "interest": i.interest, "principal": i.principal} for i in ordered}
    result = Allocation()
    left = amount

    def take(seq: int, component: str) -> None:
        nonlocal left
        part = min(left, owed[seq][component])
        if part > 0:
            owed[seq][component] -= part
            left -= part
            result.add(seq, component, part)

    due = [i for i in ordered if i.due_date <= value_date]
    if mode == "component":
        for component in order:
            for inst in due:
                take(inst.seq, component)
    else:
        for inst in due:
            for component in order:
                take(inst.seq, component)
    for inst in ordered:
        if inst.due_date > value_date:
            for component in ("penalty", "interest", "principal"):
                take(inst.seq, component)
    result.unapplied = left
    return result


@dataclass(frozen=True)
class Prepayment:
    interest_paid: Decimal
    principal_paid: Decimal
    unapplied: Decimal
    new_rows: list[Row]
    settled: bool


def prepay(*, amount: Decimal, outstanding_principal: Decimal, annual_rate: Decimal, method: str,
           period_start: date, value_date: date, remaining_due_dates: list[date],
           current_payment: Decimal | None = None, mode: str = "reduce_payment") -> Prepayment:
    """Early repayment between `period_start` (the last due date, or the disbursement date) and the next
    due date. Everything due before `value_date` must have been paid first (the caller allocates that)."""
    amount = Decimal(amount)
    if amount <= 0 or amount != fen(amount):
        raise AllocationError("amount must be positive and in fen")
    if value_date < period_start:
        raise AllocationError("value date lies before the current period")
    if not remaining_due_dates or remaining_due_dates[0] < value_date:
        raise AllocationError("instalments due before the value date must be paid first")
    if mode not in {"reduce_payment", "shorten_term"}:
        raise AllocationError("mode is 'reduce_payment' or 'shorten_term'")
    accrued = broken_period_interest(outstanding_principal, annual_rate, (value_date - period_start).days)
    if amount <= accrued:
        raise AllocationError("an early repayment must exceed the interest accrued to the value date")
    if amount >= outstanding_principal + accrued:
        return Prepayment(accrued, outstanding_principal, amount - outstanding_principal - accrued, [], True)
    principal_paid = amount - accrued
    new_principal = outstanding_principal - principal_paid
    dates = list(remaining_due_dates)
    if mode == "shorten_term":
        dates = dates[: _shorter_term(new_principal, annual_rate, method, len(dates), current_payment,
                                      outstanding_principal)]
    rows = build_schedule(principal=new_principal, annual_rate=annual_rate, periods=len(dates), method=method,
                          start=value_date, due_dates=dates)
    if method == RepaymentMethod.BULLET:
        rows = [replace(rows[0], interest=broken_period_interest(new_principal, annual_rate,
                                                                 (dates[-1] - value_date).days))]
    else:
        # The first rebuilt period runs from the value date (interest already settled to it) to the next due
        # date: its interest is actual/360 on the new balance; for equal instalment the payment stays level.
        first = rows[0]
        interest = broken_period_interest(new_principal, annual_rate, (first.due_date - value_date).days)
        if method == RepaymentMethod.EQUAL_INSTALMENT and len(rows) > 1:
            payment = first.principal + first.interest
            principal = min(new_principal, max(ZERO, payment - interest))
            rows = _rebalance(rows, first_principal=principal, first_interest=interest, new_principal=new_principal,
                              annual_rate=annual_rate, payment=payment)
        else:
            rows[0] = replace(first, interest=interest)
    return Prepayment(accrued, principal_paid, ZERO, rows, False)


def _rebalance(rows: list[Row], *, first_principal: Decimal, first_interest: Decimal, new_principal: Decimal,
               annual_rate: Decimal, payment: Decimal) -> list[Row]:
    r = monthly_rate(annual_rate)
    balance = new_principal - first_principal
    out = [replace(rows[0], principal=first_principal, interest=first_interest, balance_after=balance)]
    for k, row in enumerate(rows[1:], start=2):
        interest = fen(balance * r)
        part = balance if k == len(rows) else min(balance, max(ZERO, payment - interest))
        balance -= part
        out.append(replace(row, principal=part, interest=interest, balance_after=balance))
    return out


def _shorter_term(new_principal: Decimal, annual_rate: Decimal, method: str, periods_left: int,
                  current_payment: Decimal | None, old_principal: Decimal) -> int:
    if method == RepaymentMethod.EQUAL_INSTALMENT:
        if current_payment is None:
            raise ScheduleError("shortening the term needs the current payment")
        for n in range(1, periods_left + 1):
            if equal_instalment_payment(new_principal, annual_rate, n) <= current_payment:
                return n
        return periods_left
    if method == RepaymentMethod.EQUAL_PRINCIPAL:
        level = fen(old_principal / periods_left)
        return max(1, min(periods_left, math.ceil(new_principal / level)))
    return periods_left
