"""Money applied to a loan's instalments in memory, in the loan's allocation order (X1)."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from lendpilot.lending.allocation import (
    OpenInstalment,
    accrue_penalty,
    allocate,
    parse_order,
)
from lendpilot.lending.models import (
    Instalment,
    Loan,
)


def open_instalments(instalments) -> list[OpenInstalment]:
    return [OpenInstalment(i.seq, i.due_date, i.principal_open, i.interest_open, i.penalty_open, i.penalty_through)
            for i in instalments]


@dataclass
class Applied:
    penalty: Decimal
    interest: Decimal
    principal: Decimal
    unapplied: Decimal
    fee: Decimal = Decimal("0.00")
    credit_used: Decimal = Decimal("0.00")


def order_of(loan: Loan) -> tuple[str, ...]:
    return parse_order(loan.allocation_order)


def accrue_to(loan: Loan, opened: list[Instalment], value_date: date) -> list[OpenInstalment]:
    """Penalty brought up to `value_date` on the Instalment objects in memory; their open amounts returned."""
    accrued = accrue_penalty(open_instalments(opened), value_date=value_date, annual_rate=loan.annual_rate,
                             multiplier=loan.penalty_multiplier)
    by_seq = {i.seq: i for i in opened}
    for acc in accrued:
        inst = by_seq[acc.seq]
        inst.penalty_accrued = inst.penalty_paid + acc.penalty
        inst.penalty_through = acc.penalty_through
    return accrued


def credit_split(amount: Decimal, credit: Decimal, left: Decimal) -> tuple[Decimal, Decimal]:
    """(unapplied of this cash, credit spent) when `amount` plus earlier `credit` was offered and `left` remains."""
    return max(Decimal("0.00"), left - credit), max(Decimal("0.00"), credit - left)


def apply_to_instalments(loan: Loan, instalments: list[Instalment], *, amount: Decimal, value_date: date,
                         order: tuple[str, ...] | None = None, use_credit: bool = True) -> Applied:
    """Accrue penalty to the value date and allocate `amount` (plus the loan's unapplied credit) over what is
    due, in the loan's allocation order, changing the Instalment objects and the loan in memory (the caller
    saves them). What is not due stays open: the rest becomes the loan's credit (`Loan.unapplied_credit`)."""
    opened = [i for i in instalments if not i.is_settled]
    # Only what is due takes part: instalments not yet due neither accrue penalty nor receive money.
    due = [i for i in opened if i.due_date <= value_date]
    accrued = accrue_to(loan, due, value_date)
    by_seq = {i.seq: i for i in due}
    credit = loan.unapplied_credit if use_credit else Decimal("0.00")
    offered = amount + credit
    if offered <= 0:
        return Applied(Decimal("0.00"), Decimal("0.00"), Decimal("0.00"), Decimal("0.00"))
    result = allocate(offered, accrued, value_date=value_date, order=order or order_of(loan))
    for seq, parts in result.applied.items():
        inst = by_seq[seq]
        inst.penalty_paid += parts["penalty"]
        inst.interest_paid += parts["interest"]
        inst.principal_paid += parts["principal"]
        inst.is_settled = inst.principal_paid == inst.principal_due and inst.interest_paid == inst.interest_due \
            and inst.penalty_paid == inst.penalty_accrued
    principal = result.total("principal")
    loan.outstanding_principal -= principal
    if use_credit:
        loan.unapplied_credit = result.unapplied
    else:
        loan.unapplied_credit += result.unapplied
    if loan.outstanding_principal == 0 and all(i.is_settled for i in opened):
        loan.status = Loan.Status.SETTLED
    unapplied, credit_used = credit_split(amount, credit, result.unapplied)
    return Applied(result.total("penalty"), result.total("interest"), principal, unapplied, credit_used=credit_used)
