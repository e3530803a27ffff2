"""Early settlement (提前结清) and early repayment (提前还款): the quote and the recalculated schedule."""

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from lendpilot.core.business_calendar import next_business_day
from lendpilot.core.months import add_months
from lendpilot.lending.allocation import (
    AllocationError,
    SettlementQuote,
    accrue_penalty,
    prepay,
    settlement_quote,
)
from lendpilot.lending.models import (
    Instalment,
    Loan,
)
from lendpilot.lending.services.instalments import (
    Applied,
    accrue_to,
    apply_to_instalments,
    credit_split,
    open_instalments,
)


def interest_period_start(loan: Loan, value_date: date) -> date:
    """Where interest of the running period starts: the last due date on or before `value_date` (or the
    disbursement). A due date rolled past a holiday still ends its period on the contractual date (the roll
    does not change interest), so the accrual starts there; an early repayment's own date is its own start."""
    last_due = loan.instalments.filter(due_date__lte=value_date).order_by("-due_date").values_list(
        "due_date", flat=True).first()
    if last_due is None:
        return loan.disbursed_on
    for k in range(1, loan.term_months + 1):
        contractual = add_months(loan.disbursed_on, k)
        if contractual > last_due:
            break
        if contractual < last_due and next_business_day(contractual) == last_due:
            return contractual
    return last_due


def quote_settlement(loan: Loan, value_date: date, instalments: list[Instalment] | None = None) -> SettlementQuote:
    """The early-settlement figure of `loan` on `value_date` (penalty accrued to that date; nothing saved)."""
    opened = [i for i in (instalments if instalments is not None
                          else loan.instalments.filter(is_settled=False).order_by("seq")) if not i.is_settled]
    accrued = accrue_penalty(open_instalments(opened), value_date=value_date, annual_rate=loan.annual_rate,
                             multiplier=loan.penalty_multiplier)
    ahead = sum((i.interest_paid for i in opened if i.due_date > value_date), Decimal("0.00"))
    return settlement_quote(accrued, value_date=value_date, period_start=interest_period_start(loan, value_date),
                            annual_rate=loan.annual_rate, fee_rate=loan.settlement_fee_rate,
                            interest_paid_ahead=ahead)


def settle_in_full(loan: Loan, instalments: list[Instalment], *, amount: Decimal, value_date: date) -> Applied:
    """Early settlement (提前结清): the quote on the value date is paid in full (with the loan's credit);
    the coming instalments are replaced by one closing instalment on the value date."""
    opened = [i for i in instalments if not i.is_settled]
    accrue_to(loan, opened, value_date)
    quote = quote_settlement(loan, value_date, opened)
    credit = loan.unapplied_credit
    if amount + credit < quote.total:
        raise ValidationError({"amount": _("settlement on %(date)s needs %(total)s CNY") % {
            "date": value_date.isoformat(), "total": format(quote.total - credit, ",.2f")}})
    due = [i for i in opened if i.due_date <= value_date]
    future = [i for i in opened if i.due_date > value_date]
    for inst in due:
        inst.penalty_paid, inst.interest_paid, inst.principal_paid = (inst.penalty_accrued, inst.interest_due,
                                                                      inst.principal_due)
        inst.is_settled = True
    Instalment.objects.bulk_update(due, ["principal_paid", "interest_paid", "penalty_paid", "penalty_accrued",
                                         "penalty_through", "is_settled"])
    if future:
        paid_ahead = sum((i.interest_paid for i in future), Decimal("0.00"))
        principal = sum((i.principal_due for i in future), Decimal("0.00"))
        Instalment.objects.filter(pk__in=[i.pk for i in future]).delete()
        Instalment.objects.create(loan=loan, seq=future[0].seq, due_date=value_date, due_day=value_date.toordinal(),
                                  principal_due=principal, interest_due=paid_ahead + quote.interest,
                                  principal_paid=principal, interest_paid=paid_ahead + quote.interest,
                                  is_settled=True)
    loan.outstanding_principal -= quote.due_principal + quote.principal
    loan.status = Loan.Status.SETTLED
    left = amount + credit - quote.total
    loan.unapplied_credit = left
    unapplied, credit_used = credit_split(amount, credit, left)
    return Applied(quote.due_penalty, quote.due_interest + quote.interest, quote.due_principal + quote.principal,
                   unapplied, fee=quote.fee, credit_used=credit_used)



def repay_early(loan: Loan, instalments: list[Instalment], *, amount: Decimal, value_date: date, mode: str) -> Applied:
    due = [i for i in instalments if i.due_date <= value_date]
    future = [i for i in instalments if i.due_date > value_date]
    if any(i.principal_paid or i.interest_paid for i in future):
        raise ValidationError({"prepayment": _("instalments were paid in advance; post this as a regular repayment")})
    if not future:
        raise ValidationError({"prepayment": _("no instalment remains to be recalculated")})
    due_total = Decimal("0.00")
    applied = Applied(Decimal("0.00"), Decimal("0.00"), Decimal("0.00"), Decimal("0.00"))
    if due:
        owed = sum((i.principal_open + i.interest_open + i.penalty_open for i in due), Decimal("0.00"))
        # Penalty accrues to the value date first, so pay what is due including it.
        credit = loan.unapplied_credit
        applied = apply_to_instalments(loan, due, amount=amount, value_date=value_date, use_credit=False)
        loan.unapplied_credit = credit
        due_total = applied.penalty + applied.interest + applied.principal
        Instalment.objects.bulk_update(due, ["principal_paid", "interest_paid", "penalty_paid", "penalty_accrued",
                                             "penalty_through", "is_settled"])
        if not all(i.is_settled for i in due):
            raise ValidationError({"amount": _("the amount does not cover what is already due (%(owed)s CNY)") % {
                "owed": format(owed, ",.2f")}})
        applied.unapplied = Decimal("0.00")
    rest = amount - due_total
    if rest <= 0:
        return applied
    period_start = interest_period_start(loan, value_date)
    outstanding = sum((i.principal_due for i in future), Decimal("0.00"))
    current_payment = future[0].principal_due + future[0].interest_due
    try:
        result = prepay(amount=rest, outstanding_principal=outstanding, annual_rate=loan.annual_rate,
                        method=loan.repayment_method, period_start=period_start, value_date=value_date,
                        remaining_due_dates=[i.due_date for i in future], current_payment=current_payment, mode=mode)
    except AllocationError as exc:
        raise ValidationError({"amount": str(exc)}) from exc
    first_seq = future[0].seq
    Instalment.objects.filter(pk__in=[i.pk for i in future]).delete()
    Instalment.objects.create(loan=loan, seq=first_seq, due_date=value_date, due_day=value_date.toordinal(),
                              principal_due=result.principal_paid, interest_due=result.interest_paid,
                              principal_paid=result.principal_paid, interest_paid=result.interest_paid,
                              is_settled=True)
    if result.settled:
        # The accrued interest and the whole principal are settled in the closing instalment on the value date.
        loan.status = Loan.Status.SETTLED
        loan.unapplied_credit += result.unapplied
    else:
        Instalment.objects.bulk_create([
            Instalment(loan=loan, seq=first_seq + r.seq, due_date=r.due_date, due_day=r.due_date.toordinal(),
                       principal_due=r.principal, interest_due=r.interest) for r in result.new_rows])
    loan.outstanding_principal -= result.principal_paid
    return Applied(applied.penalty, applied.interest + result.interest_paid, applied.principal + result.principal_paid,
                   result.unapplied)
