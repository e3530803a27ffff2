"""Pages of approval queues and loans: the queue with SLA colours, the loan list and page, and the
repayment / early repayment / early settlement page with the settlement quote of a chosen date."""

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from lendpilot.core.errors import Conflict
from lendpilot.core.views import paginate
from lendpilot.lending import selectors
from lendpilot.lending.forms import RepaymentForm, add_service_errors
from lendpilot.lending.models import ApprovalLevel, Loan, Repayment
from lendpilot.lending.services import repayments, settlement
from lendpilot.lending.views.outcomes import done
from lendpilot.org.access import actor_of, require
from lendpilot.org.roles import Perm

SLA_CLASSES = {"green": "table-success", "amber": "table-warning", "red": "table-danger"}


@login_required
def queue(request, level: int):
    actor = actor_of(request.user)
    today = timezone.localdate()
    rows = selectors.approval_queue(actor, level=level, today=today)
    for row in rows:
        row.css = SLA_CLASSES[row.sla]
    return render(request, "lending/queue.html", {
        "rows": rows, "level": level, "level_label": dict(ApprovalLevel.choices).get(level, level),
        "levels": ApprovalLevel.choices, "today": today})


@login_required
def loan_list(request):
    actor = actor_of(request.user)
    page = paginate(request, selectors.loans_visible(actor))
    return render(request, "lending/loan_list.html", {"page_obj": page})


@login_required
def loan_detail(request, loan_id: int):
    actor = actor_of(request.user)
    loan = selectors.loan_get(actor, loan_id)
    return render(request, "lending/loan_detail.html", {
        "loan": loan, "instalments": loan.instalments.order_by("seq"),
        "repayments": loan.repayments.order_by("value_date", "id"), "today": timezone.localdate(),
        "can_post": actor.can(Perm.POST_REPAYMENT)})


def posted_text(repayment: Repayment, loan: Loan) -> str:
    """What a posted repayment did, in words: where the money went and what is left."""
    kind = {Repayment.Kind.SETTLEMENT: _("Early settlement %(ref)s of %(amount)s CNY posted to loan %(loan)s; the "
                                         "loan is settled."),
            Repayment.Kind.PREPAYMENT: _("Early repayment %(ref)s of %(amount)s CNY posted to loan %(loan)s; the "
                                         "schedule is recalculated.")}.get(
        repayment.kind, _("Repayment %(ref)s of %(amount)s CNY posted to loan %(loan)s."))
    return " ".join([kind % {"ref": repayment.external_ref, "amount": f"{repayment.amount:,.2f}", "loan": loan.number},
                     _("Principal %(principal)s, interest %(interest)s, penalty %(penalty)s, held as credit "
                       "%(credit)s; outstanding principal now %(outstanding)s CNY.") % {
                         "principal": f"{repayment.principal_part:,.2f}", "interest": f"{repayment.interest_part:,.2f}",
                         "penalty": f"{repayment.penalty_part:,.2f}", "credit": f"{repayment.unapplied:,.2f}",
                         "outstanding": f"{loan.outstanding_principal:,.2f}"}])


def _quote_date(request) -> tuple:
    on = timezone.localdate()
    raw = request.GET.get("value_date")
    if not raw:
        return on, None
    try:
        return forms.DateField().clean(raw), None
    except ValidationError:
        return on, _("Value date: not a date (YYYY-MM-DD)")


@login_required
def loan_repay(request, loan_id: int):
    """Posting a repayment, an early repayment or an early settlement, with the settlement quote of the
    chosen value date (principal, interest accrued to it, penalty, fee) shown before anything is posted."""
    actor = actor_of(request.user)
    loan = selectors.loan_get(actor, loan_id)
    on, date_error = _quote_date(request)
    if request.method == "POST":
        require(actor, Perm.POST_REPAYMENT)
        form = RepaymentForm(request.POST)
        if form.is_valid():
            clean = form.cleaned_data
            on = clean["value_date"]
            try:
                repayment = repayments.repayment_post(
                    actor=request.user, loan=loan, external_ref=clean["external_ref"], amount=clean["amount"],
                    value_date=on, kind=clean["kind"], prepayment_mode=clean["prepayment_mode"] or "reduce_payment",
                    source=Repayment.Source.MANUAL)
            except ValidationError as error:
                add_service_errors(form, error)
            except Conflict as error:
                form.add_error("external_ref", error.message)
            else:
                loan.refresh_from_db()
                done(request, posted_text(repayment, loan), next_url=reverse("lending:repayments_desk"),
                     next_label=_("Post the next repayment"))
                return redirect("lending:loan", loan.pk)
    else:
        form = RepaymentForm(initial={"value_date": on, "kind": request.GET.get("kind") or "regular"})
    quote = settlement.quote_settlement(loan, on) if loan.status == Loan.Status.ACTIVE and on >= loan.disbursed_on \
        else None
    return render(request, "lending/loan_repay.html", {
        "loan": loan, "form": form, "quote": quote, "quote_date": on, "date_error": date_error,
        "can_post": actor.can(Perm.POST_REPAYMENT)})
