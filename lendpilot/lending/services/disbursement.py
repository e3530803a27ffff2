"""Paying out a signed contract: the loan and its instalments."""

from datetime import date
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lendpilot.compliance.audit import snapshot
from lendpilot.core.errors import Conflict
from lendpilot.customers.models import Customer
from lendpilot.lending.models import (
    Application,
    Contract,
    CreditLine,
    Instalment,
    Loan,
)
from lendpilot.lending.schedule import build_schedule
from lendpilot.lending.services.records import (
    LOAN_FIELDS,
    Acting,
    audit,
    lock_application,
    move_status,
    new_number,
)
from lendpilot.org.access import actor_of, require
from lendpilot.org.roles import Perm
from lendpilot.products.models import Product


def create_loan(*, borrower: Customer, product: Product, principal: Decimal, annual_rate: Decimal,
                 term_months: int, method: str, disbursed_on: date, contract: Contract | None = None,
                 credit_line: CreditLine | None = None, number: str | None = None) -> Loan:
    # The contract's copy of the product terms wins: a product changed after signing never reaches the loan.
    terms = contract or product
    rows = build_schedule(principal=principal, annual_rate=annual_rate, periods=term_months, method=method,
                          start=disbursed_on, roll_business_days=terms.roll_business_days)
    loan = Loan.objects.create(
        number=number or new_number("LN"), contract=contract, credit_line=credit_line, borrower=borrower,
        product=product, principal=principal, annual_rate=annual_rate, term_months=term_months,
        repayment_method=method, disbursed_on=disbursed_on, outstanding_principal=principal,
        penalty_multiplier=terms.penalty_multiplier, allocation_order=terms.allocation_order,
        settlement_fee_rate=terms.settlement_fee_rate)
    Instalment.objects.bulk_create([
        Instalment(loan=loan, seq=r.seq, due_date=r.due_date, due_day=r.due_date.toordinal(),
                   principal_due=r.principal, interest_due=r.interest) for r in rows])
    return loan


@transaction.atomic
def loan_disburse(*, actor: Acting, contract: Contract, disbursed_on: date | None = None) -> Loan:
    """Operations pay out a signed contract: the loan and its instalments (dated from the disbursement)."""
    acting = actor_of(actor)
    require(acting, Perm.DISBURSE_LOAN)
    disbursed_on = disbursed_on or timezone.localdate()
    # Conditional update: of two concurrent disbursements exactly one moves the contract on.
    moved = Contract.objects.filter(pk=contract.pk, status=Contract.Status.SIGNED).update(
        status=Contract.Status.DISBURSED)
    if not moved:
        raise Conflict(_("only a signed, not yet disbursed contract can be paid out"), field="status")
    contract.refresh_from_db()
    application = lock_application(contract.application)
    loan = create_loan(borrower=application.applicant, product=application.product, principal=contract.principal,
                        annual_rate=contract.annual_rate, term_months=contract.term_months,
                        method=contract.repayment_method, disbursed_on=disbursed_on, contract=contract)
    move_status(application, Application.Status.DISBURSED, acting, loan.number)
    application.save()
    audit(acting, "lending.loan_disbursed", loan, after=snapshot(loan, LOAN_FIELDS))
    return loan
