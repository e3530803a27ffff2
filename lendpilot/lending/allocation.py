"""Repayment allocation, penalty interest, early repayment and settlement (FEATURES X1; issues 5 and 15). Pure.

Allocation of a received amount, on the open instalments of one loan (oldest first):

1. What is due (due date on or before the value date) is paid component by component in the
   loan's order (from its product, copied to the contract), default penalty -> interest -> principal:
   all overdue penalty first (oldest instalment first), then all due interest, then all due principal.
   `mode="instalment"` instead clears the oldest instalment completely (in the same order) first.
2. Anything beyond what is due is `unapplied`: the lender holds it as the borrower's credit, which
   pays instalments as they fall due. It never pays the scheduled interest of instalments not yet
   due: a borrower who wants to repay early says so (`prepay`, 提前还款) or settles (`settlement_quote`,
   提前结清), and then pays only the interest accrued to the value date.

An early repayment with schedule recalculation (提前还款) is a separate act (`prepay`): the interest
accrued since the last due date (actual/360) is paid first, the rest reduces principal, and the
remaining periods are rebuilt either with a lower payment on the same dates (`reduce_payment`) or
with the same payment over fewer periods (`shorten_term`).

Early settlement (提前结清) on a date pays what is due (penalty accrued to the date included), the
principal not yet due, the interest accrued on it since the last due date (actual/360) and the
product's settlement fee (a fraction of the principal repaid early): `settlement_quote`.

Penalty interest (罚息) accrues on overdue principal at the contract rate times the product's multiplier
(default 1.5, i.e. 50% above the contract rate), actual/360, from the due date (or the last accrual)
to the value date. Compound interest on overdue interest is not charged. `reverse_penalty` takes back
the accrual after a date, for a repayment whose value date lies before penalty already accrued.
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
    result.unapplied = left
    return result


def reverse_penalty(instalments: list[OpenInstalment], *, value_date: date, annual_rate: Decimal,
                    multiplier: Decimal = DEFAULT_PENALTY_MULTIPLIER) -> list[OpenInstalment]:
    """Each instalment with the penalty accrued after `value_date` taken back (never below zero open), so
    that a repayment with that value date meets the instalments as they stood on it. The amount taken back
    is the accrual over those days on today's open principal, the same formula that accrued it."""
    rate = Decimal(annual_rate) * Decimal(multiplier)
    result = []
    for inst in instalments:
        if inst.penalty_through is None or inst.penalty_through <= value_date:
            result.append(inst)
            continue
        # As a difference of the accruals from the due date, so that taking back the days after the value date
        # leaves exactly the penalty one accrual to the value date gives (no second rounding of the fen).
        since_due = broken_period_interest(inst.principal, rate, (inst.penalty_through - inst.due_date).days)
        kept = broken_period_interest(inst.principal, rate, (value_date - inst.due_date).days)
        back = min(inst.penalty, since_due - kept)
        through = value_date if inst.due_date < value_date else None
        result.append(replace(inst, penalty=inst.penalty - back, penalty_through=through))
    return result


@dataclass(frozen=True)
class SettlementQuote:
    """What settles a loan on `value_date` (提前结清). `due_*` is what is already due (penalty accrued to the
    date); `principal` the principal not yet due, `interest` the interest accrued on it since the last due
    date, `fee` the settlement fee on that principal."""

    value_date: date
    due_penalty: Decimal
    due_interest: Decimal
    due_principal: Decimal
    principal: Decimal
    interest: Decimal
    fee: Decimal

    @property
    def total(self) -> Decimal:
        return (self.due_penalty + self.due_interest + self.due_principal + self.principal + self.interest
                + self.fee)

    def as_dict(self) -> dict[str, str]:
        return {"value_date": self.value_date.isoformat(), "due_penalty": str(self.due_penalty),
                "due_interest": str(self.due_interest), "due_principal": str(self.due_principal),
                "principal": str(self.principal), "interest": str(self.interest), "fee": str(self.fee),
                "total": str(self.total)}


def settlement_quote(instalments: list[OpenInstalment], *, value_date: date, period_start: date,
                     annual_rate: Decimal, fee_rate: Decimal = ZERO,
                     interest_paid_ahead: Decimal = ZERO) -> SettlementQuote:
    """The settlement figure on `value_date`. `instalments` are the open ones with penalty already accrued
    to the value date; `period_start` is the last due date on or before it (the disbursement date before
    the first); `interest_paid_ahead` is interest of the coming instalment already paid (it counts
    against the accrual)."""
    due = [i for i in instalments if i.due_date <= value_date]
    future = [i for i in instalments if i.due_date > value_date]
    principal = sum((i.principal for i in future), ZERO)
    accrued = broken_period_interest(principal, annual_rate, (value_date - period_start).days)
    return SettlementQuote(
        value_date=value_date,
        due_penalty=sum((i.penalty for i in due), ZERO),
        due_interest=sum((i.interest for i in due), ZERO),
        due_principal=sum((i.principal for i in due), ZERO),
        principal=principal,
        interest=max(ZERO, accrued - Decimal(interest_paid_ahead)),
        fee=fen(principal * Decimal(fee_rate)) if principal > 0 else ZERO,
    )


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


def parse_order(text: str) -> tuple[str, ...]:
    """An allocation order as stored on a product, contract or loan ("penalty,interest,principal")."""
    return check_order(tuple(part.strip() for part in (text or "").split(",") if part.strip()))
