"""The operations desks. Money out: approved cases to contract, contracts to sign, payouts to make. Money in
(X1): one repayment posted by loan number, or a repayment file (CSV or Excel) previewed row by row with its
errors and then posted all or nothing."""

import hashlib

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lendpilot.core.errors import Conflict
from lendpilot.core.table_files import TableFileError
from lendpilot.lending import selectors
from lendpilot.lending.forms import RepaymentFileForm, RepaymentPostForm, add_service_errors
from lendpilot.lending.imports import RepaymentImportError, repayments_import
from lendpilot.lending.models import Repayment
from lendpilot.lending.repayment_file import file_text, repayments_preview
from lendpilot.lending.services import repayments
from lendpilot.lending.services.disbursement import second_person_above
from lendpilot.lending.views.loans import posted_text
from lendpilot.lending.views.outcomes import done, refused
from lendpilot.org.access import actor_of, require
from lendpilot.org.roles import Perm

SESSION_KEY = "lending.repayment_file"


def _desk(request, *, form=None, file_form=None, preview=None, token="", status=200):
    actor = actor_of(request.user)
    recent = Repayment.objects.filter(loan__in=selectors.loans_visible(actor)).select_related("loan") \
        .order_by("-id")[:15]
    return render(request, "lending/repayments_desk.html", {
        "form": form or RepaymentPostForm(), "file_form": file_form or RepaymentFileForm(), "preview": preview,
        "token": token, "recent": recent}, status=status)


@login_required
def operations_work(request):
    """The operations desk for money out: approved cases to contract, contracts to sign, payouts to make."""
    actor = actor_of(request.user)
    require(actor, Perm.DISBURSE_LOAN)
    work = selectors.operations_work(actor)
    return render(request, "lending/operations_work.html", {
        "work": work, "to_contract": work.to_contract[:50], "to_sign": work.to_sign[:50],
        "to_pay_out": work.to_pay_out[:50], "threshold": second_person_above()})


@login_required
def repayments_desk(request):
    require(actor_of(request.user), Perm.POST_REPAYMENT)
    return _desk(request)


@login_required
@require_POST
def repayment_post(request):
    actor = actor_of(request.user)
    require(actor, Perm.POST_REPAYMENT)
    form = RepaymentPostForm(request.POST)
    if not form.is_valid():
        return _desk(request, form=form, status=400)
    clean = form.cleaned_data
    loan = selectors.loans_visible(actor).filter(number=clean["loan_number"].strip()).first()
    if loan is None:
        form.add_error("loan_number", _("no loan with this number"))
        return _desk(request, form=form, status=400)
    try:
        repayment = repayments.repayment_post(
            actor=request.user, loan=loan, external_ref=clean["external_ref"], amount=clean["amount"],
            value_date=clean["value_date"], kind=clean["kind"],
            prepayment_mode=clean["prepayment_mode"] or "reduce_payment", source=Repayment.Source.MANUAL)
    except ValidationError as error:
        add_service_errors(form, error)
        return _desk(request, form=form, status=400)
    except Conflict as error:
        form.add_error("external_ref", error.message)
        return _desk(request, form=form, status=400)
    loan.refresh_from_db()
    done(request, posted_text(repayment, loan), next_url=reverse("lending:loan", args=[loan.pk]),
         next_label=_("Open loan %(loan)s") % {"loan": loan.number})
    return redirect("lending:repayments_desk")


@login_required
@require_POST
def repayments_upload(request):
    """Step 1: the file read and every row checked; the preview shows what will be posted."""
    require(actor_of(request.user), Perm.POST_REPAYMENT)
    file_form = RepaymentFileForm(request.POST, request.FILES)
    if not file_form.is_valid():
        return _desk(request, file_form=file_form, status=400)
    upload = file_form.cleaned_data["file"]
    try:
        text = file_text(upload.read(), upload.name)
    except TableFileError as error:
        file_form.add_error("file", str(error))
        return _desk(request, file_form=file_form, status=400)
    preview = repayments_preview(actor=request.user, text=text)
    token = hashlib.sha256(text.encode()).hexdigest()[:16]
    request.session[SESSION_KEY] = {"token": token, "text": text, "name": upload.name}
    return _desk(request, preview=preview, token=token)


@login_required
@require_POST
def repayments_import_confirm(request):
    """Step 2: the previewed file posted, all rows or none."""
    require(actor_of(request.user), Perm.POST_REPAYMENT)
    held = request.session.get(SESSION_KEY) or {}
    if not held or held.get("token") != request.POST.get("token"):
        refused(request, Conflict(_("the previewed file is no longer held; upload it again")))
        return redirect("lending:repayments_desk")
    try:
        result = repayments_import(actor=request.user, text=held["text"], source=Repayment.Source.CSV)
    except RepaymentImportError as error:
        for row_error in error.errors[:50]:
            refused(request, ValidationError(_("row %(row)s, %(field)s: %(message)s") % {
                "row": row_error.row, "field": row_error.field, "message": row_error.message}))
        return redirect("lending:repayments_desk")
    del request.session[SESSION_KEY]
    done(request, _("Repayment file %(name)s posted as batch %(batch)s: %(posted)s repayments, %(amount)s CNY; "
                    "%(skipped)s row(s) were already posted.") % {
        "name": held.get("name", ""), "batch": result.batch, "posted": result.posted,
        "amount": f"{result.amount:,.2f}", "skipped": result.already_posted},
         next_url=reverse("lending:loans"), next_label=_("See the loans"))
    return redirect("lending:repayments_desk")
