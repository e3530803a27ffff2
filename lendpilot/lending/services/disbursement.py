"""Paying out a signed contract: the loan and its instalments; above a configured amount two officers."""

from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from lendpilot.channels.models import Terms
from lendpilot.channels.selectors import joint_limits
from lendpilot.channels.services import ensure_joint_loan_fits
from lendpilot.compliance.audit import snapshot
from lendpilot.compliance.screening.selectors import customer_ref, is_frozen
from lendpilot.core.errors import Conflict
from lendpilot.customers.models import Customer
from lendpilot.customers.services.lifecycle import customer_borrowed
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
    acting_staff,
    audit,
    lock_application,
    move_status,
    new_number,
)
from lendpilot.org.access import Actor, actor_of, require
from lendpilot.org.roles import Perm
from lendpilot.products.models import Product

DEFAULT_SECOND_PERSON_ABOVE = Decimal("1000000.00")


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


def _ensure_joint_limits(application: Application, amount: Decimal) -> None:
    """A loan a channel partner brought in is a joint loan: refuse the booking when the partner's funding share
    or a concentration limit (one partner against net tier-1 capital, all partners against total loans) breaks.
    The balances are the bank's own part of the active book (each partner funds its share of its loans)."""
    shares = dict(Terms.objects.values_list("partner_id", "joint_share"))
    default = joint_limits().min_partner_share
    partner_balance = all_partners = total = Decimal("0")
    rows = Loan.objects.filter(status=Loan.Status.ACTIVE).values("contract__application__partner_id").annotate(
        balance=Sum("outstanding_principal")).order_by()
    for row in rows:
        partner_id, balance = row["contract__application__partner_id"], row["balance"] or Decimal("0")
        ours = balance if partner_id is None else balance * (1 - shares.get(partner_id, default))
        total += ours
        all_partners += Decimal("0") if partner_id is None else ours
        partner_balance += ours if partner_id == application.partner_id else Decimal("0")
    ensure_joint_loan_fits(partner=application.partner, amount=amount, partner_balance=partner_balance,
                           all_partners_balance=all_partners, total_loans=total)


def second_person_above() -> Decimal:
    """The payout amount above which a second operations officer confirms (setting
    LENDPILOT_DISBURSEMENT_SECOND_PERSON_ABOVE, CNY)."""
    return Decimal(str(getattr(settings, "LENDPILOT_DISBURSEMENT_SECOND_PERSON_ABOVE", DEFAULT_SECOND_PERSON_ABOVE)))


def needs_second_person(contract: Contract) -> bool:
    return contract.principal > second_person_above()


@transaction.atomic
def disbursement_request(*, actor: Acting, contract: Contract) -> Contract:
    """The first of two operations officers asks for the payout of a signed contract above the threshold;
    a second one confirms it (`loan_disburse`)."""
    acting = actor_of(actor)
    require(acting, Perm.DISBURSE_LOAN)
    staff = acting_staff(acting)
    contract = Contract.objects.select_for_update().get(pk=contract.pk)
    if contract.status != Contract.Status.SIGNED:
        raise Conflict(_("only a signed, not yet disbursed contract can be paid out"), field="status")
    if contract.disbursement_requested_by is not None:
        raise Conflict(_("the payout was already requested by %(name)s") % {
            "name": contract.disbursement_requested_by.name}, field="status")
    contract.disbursement_requested_by, contract.disbursement_requested_at = staff, timezone.now()
    contract.save(update_fields=["disbursement_requested_by", "disbursement_requested_at"])
    audit(acting, "lending.disbursement_requested", contract,
          after={"contract": contract.number, "principal": contract.principal, "requested_by": staff.pk})
    return contract


def _check_second_person(acting: Actor, contract: Contract) -> None:
    if acting.is_system or not needs_second_person(contract):
        return
    if contract.disbursement_requested_by_id is None:
        raise ValidationError({"disbursement": _(
            "a payout above %(limit)s CNY is first requested by one operations officer and then confirmed by "
            "another") % {"limit": format(second_person_above(), ",.2f")}})
    if contract.disbursement_requested_by_id == getattr(acting.staff, "pk", None):
        raise ValidationError({"disbursement": _(
            "the officer who requested this payout may not also confirm it; a second officer confirms")})


@transaction.atomic
def loan_disburse(*, actor: Acting, contract: Contract, disbursed_on: date | None = None) -> Loan:
    """Operations pay out a signed contract: the loan and its instalments (dated from the disbursement).
    Above the configured amount the payout needs the request of a second officer first (maker-checker)."""
    acting = actor_of(actor)
    require(acting, Perm.DISBURSE_LOAN)
    disbursed_on = disbursed_on or timezone.localdate()
    current = Contract.objects.get(pk=contract.pk)
    if current.status != Contract.Status.SIGNED:
        raise Conflict(_("only a signed, not yet disbursed contract can be paid out"), field="status")
    _check_second_person(acting, current)
    if is_frozen(ref=customer_ref(current.application.applicant_id)):
        raise Conflict(_("the borrower is frozen by a confirmed sanctions hit; nothing is paid out"), field="status")
    # Conditional update: of two concurrent disbursements exactly one moves the contract on.
    moved = Contract.objects.filter(pk=contract.pk, status=Contract.Status.SIGNED).update(
        status=Contract.Status.DISBURSED)
    if not moved:
        raise Conflict(_("only a signed, not yet disbursed contract can be paid out"), field="status")
    contract.refresh_from_db()
    application = lock_application(contract.application)
    if application.partner_id is not None:
        _ensure_joint_limits(application, contract.principal)
    loan = create_loan(borrower=application.applicant, product=application.product, principal=contract.principal,
                       annual_rate=contract.annual_rate, term_months=contract.term_months,
                       method=contract.repayment_method, disbursed_on=disbursed_on, contract=contract)
    customer_borrowed(actor=acting, customer_id=loan.borrower_id, principal=loan.principal, disbursed_on=disbursed_on)
    move_status(application, Application.Status.DISBURSED, acting, loan.number)
    application.save()
    audit(acting, "lending.loan_disbursed", loan, after={**snapshot(loan, LOAN_FIELDS),
                                                         "requested_by": contract.disbursement_requested_by_id})
    return loan
