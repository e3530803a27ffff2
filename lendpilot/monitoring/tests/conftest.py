"""Helpers for monitoring tests: loans with crafted repayment histories."""

from datetime import date
from decimal import Decimal

from lendpilot.lending import services as lending
from lendpilot.lending.models import CreditLine, Loan

DISBURSED = date(2025, 1, 10)


def make_loan(world, *, customer="am_wang_person", principal="120000", disbursed_on=DISBURSED,
              line: CreditLine | None = None) -> Loan:
    return lending._create_loan(borrower=world.customers[customer], product=world.products["credit"],
                                principal=Decimal(principal), annual_rate=Decimal("0.1200"), term_months=12,
                                method="equal_instalment", disbursed_on=disbursed_on, credit_line=line)


def make_line(world, *, customer="am_wang_person", limit="500000", drawn="100000") -> tuple[CreditLine, Loan]:
    line = lending.credit_line_create(actor=world.user("risk_l1"), customer=world.customers[customer],
                                      product=world.products["credit"], limit=Decimal(limit),
                                      annual_rate=Decimal("0.1200"), expires_on=date(2030, 1, 1))
    loan = lending.credit_line_draw(actor=None, line=line, amount=Decimal(drawn), term_months=12,
                                    repayment_method="equal_instalment", drawn_on=DISBURSED)
    line.refresh_from_db()
    return line, loan


def pay_first(loan: Loan, n: int) -> None:
    """Settle the first n instalments as if paid on time."""
    for inst in loan.instalments.order_by("seq")[:n]:
        inst.principal_paid, inst.interest_paid, inst.is_settled = inst.principal_due, inst.interest_due, True
        inst.save()
        loan.outstanding_principal -= inst.principal_due
    loan.save()
