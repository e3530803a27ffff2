"""Credit lines (C3): creation, freezing or reduction, and draws that never exceed the limit."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from lendpilot.compliance.audit import snapshot
from lendpilot.core.errors import Conflict
from lendpilot.core.field_values import read_money
from lendpilot.core.reference import RepaymentMethod
from lendpilot.customers.models import Customer
from lendpilot.customers.services.lifecycle import customer_borrowed
from lendpilot.lending.models import (
    CreditLine,
    Loan,
)
from lendpilot.lending.services.disbursement import create_loan
from lendpilot.lending.services.records import (
    LOAN_FIELDS,
    Acting,
    acting_staff,
    audit,
    new_number,
)
from lendpilot.lending.services.terms import (
    read_rate,
)
from lendpilot.org.access import actor_of, require
from lendpilot.org.roles import Perm
from lendpilot.products.models import Product
from lendpilot.products.services import offer_check


@transaction.atomic
def credit_line_create(*, actor: Acting, customer: Customer, product: Product, limit, annual_rate,
                       expires_on: date) -> CreditLine:
    acting = actor_of(actor)
    require(acting, Perm.MANAGE_CREDIT_LINES)
    errors: dict[str, str] = {}
    money = read_money(limit, field="limit", errors=errors, required=True, positive=True)
    rate = read_rate(annual_rate, "annual_rate", errors)
    if not isinstance(expires_on, date) or expires_on <= timezone.localdate():
        errors["expires_on"] = _("the expiry lies in the future")
    if rate is not None and not product.min_annual_rate <= rate <= product.max_annual_rate:
        errors["annual_rate"] = _("the rate is outside the product's range")
    if errors or money is None or rate is None:
        raise ValidationError(errors)
    line = CreditLine.objects.create(number=new_number("CL"), customer=customer, product=product, limit=money,
                                     annual_rate=rate, expires_on=expires_on, created_by=acting_staff(acting))
    audit(acting, "lending.credit_line_created", line, after=snapshot(line))
    return line


@transaction.atomic
def credit_line_set_status(*, actor: Acting, line: CreditLine, status: str, reason: str, limit=None) -> CreditLine:
    """Freeze (blocks new draws at once), reduce (a lower limit) or reactivate a line, with a reason."""
    acting = actor_of(actor)
    require(acting, Perm.MANAGE_CREDIT_LINES)
    if status not in CreditLine.Status.values:
        raise ValidationError({"status": _("status is active, reduced or frozen")})
    if not (reason or "").strip():
        raise ValidationError({"reason": _("give the reason for the change")})
    line = CreditLine.objects.select_for_update().get(pk=line.pk)
    before = snapshot(line)
    if limit is not None:
        errors: dict[str, str] = {}
        new_limit = read_money(limit, field="limit", errors=errors, required=True)
        if errors or new_limit is None:
            raise ValidationError(errors)
        if status == CreditLine.Status.REDUCED and new_limit >= line.limit:
            raise ValidationError({"limit": _("a reduction lowers the limit")})
        line.limit = new_limit
    elif status == CreditLine.Status.REDUCED:
        raise ValidationError({"limit": _("a reduction names the new limit")})
    line.status, line.status_reason = status, reason[:300]
    line.save()
    audit(acting, "lending.credit_line_status_changed", line, before=before, after=snapshot(line))
    return line


@transaction.atomic
def credit_line_draw(*, actor: Acting, line: CreditLine, amount, term_months: int, repayment_method: str,
                     drawn_on: date | None = None) -> Loan:
    """A draw creates a loan. One conditional UPDATE reserves the amount only while the line is active or
    reduced, unexpired and has room, so two concurrent draws can never exceed the limit together."""
    acting = actor_of(actor)
    require(acting, Perm.DRAW_CREDIT_LINE)
    drawn_on = drawn_on or timezone.localdate()
    errors: dict[str, str] = {}
    money = read_money(amount, field="amount", errors=errors, required=True, positive=True)
    if not isinstance(term_months, int) or isinstance(term_months, bool) or term_months < 1:
        errors["term_months"] = _("term is a whole number of months, at least 1")
    if repayment_method not in RepaymentMethod.values:
        errors["repayment_method"] = _("unknown repayment method")
    if errors or money is None:
        raise ValidationError(errors)
    reserved = CreditLine.objects.filter(
        pk=line.pk, status__in=[CreditLine.Status.ACTIVE, CreditLine.Status.REDUCED], expires_on__gte=drawn_on,
        utilised__lte=F("limit") - money,
    ).update(utilised=F("utilised") + money)
    if not reserved:
        line.refresh_from_db()
        if line.status == CreditLine.Status.FROZEN:
            raise Conflict(_("the credit line is frozen"), field="status")
        if line.expires_on < drawn_on:
            raise Conflict(_("the credit line has expired"), field="expires_on")
        raise Conflict(_("the draw exceeds the available amount of %(available)s CNY") % {
            "available": format(line.available, ",.2f")}, field="amount")
    line.refresh_from_db()
    offer_check(product=line.product, amount=money, term_months=term_months, repayment_method=repayment_method,
                annual_rate=line.annual_rate)
    loan = create_loan(borrower=line.customer, product=line.product, principal=money, annual_rate=line.annual_rate,
                        term_months=term_months, method=repayment_method, disbursed_on=drawn_on, credit_line=line)
    customer_borrowed(actor=acting, customer_id=loan.borrower_id, principal=loan.principal, disbursed_on=drawn_on)
    audit(acting, "lending.credit_line_drawn", loan, after={"line": line.number, "utilised": line.utilised,
                                                             "loan": snapshot(loan, LOAN_FIELDS)})
    return loan
