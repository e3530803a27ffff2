"""Pages from an approved case to money out (C3): the contract generated and downloaded as a PDF, the
signature recorded, and the payout confirmed on a page showing amount, masked account and payee; above
the configured amount one officer requests the payout and a second one confirms it."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lendpilot.core.errors import Conflict
from lendpilot.lending import selectors
from lendpilot.lending.contract_pdf import contract_pdf
from lendpilot.lending.forms import DisbursementForm
from lendpilot.lending.models import Application, Contract
from lendpilot.lending.services import contracts, disbursement
from lendpilot.lending.views.outcomes import done, form_refused, refused
from lendpilot.org.access import actor_of, require
from lendpilot.org.roles import Perm


def _case_url(application: Application) -> str:
    return reverse("lending:application", args=[application.pk])


def _contract_of(request, application_id: int) -> tuple[Application, Contract | None]:
    application = selectors.application_get(actor_of(request.user), application_id)
    return application, getattr(application, "contract", None)


@login_required
@require_POST
def contract_generate(request, application_id: int):
    application = selectors.application_get(actor_of(request.user), application_id)
    try:
        contract = contracts.contract_generate(actor=request.user, application=application)
    except (ValidationError, Conflict) as error:
        refused(request, error)
        return redirect(_case_url(application))
    done(request, _("Contract %(contract)s generated for %(number)s (APR %(apr)s). Next: print the PDF for the "
                    "borrower's signature, then record the signature.") % {
        "contract": contract.number, "number": application.number,
        "apr": f"{contract.apr * 100:.2f}%"},
         next_url=reverse("lending:contract_pdf", args=[application.pk]), next_label=_("Open the contract PDF"))
    return redirect(_case_url(application))


@login_required
def contract_document(request, application_id: int):
    """The contract PDF of a case, for anyone who may see the case."""
    application, contract = _contract_of(request, application_id)
    if contract is None:
        refused(request, Conflict(_("no contract has been generated for this case yet")))
        return redirect(_case_url(application))
    response = HttpResponse(contract_pdf(contract), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{contract.number}.pdf"'
    return response


@login_required
@require_POST
def contract_sign(request, application_id: int):
    application, contract = _contract_of(request, application_id)
    if contract is None:
        refused(request, Conflict(_("no contract has been generated for this case yet")))
        return redirect(_case_url(application))
    try:
        contract = contracts.contract_sign(actor=request.user, contract=contract)
    except (ValidationError, Conflict) as error:
        refused(request, error)
        return redirect(_case_url(application))
    done(request, _("Signature on contract %(contract)s recorded. Next: pay out %(amount)s CNY.") % {
        "contract": contract.number, "amount": f"{contract.principal:,.2f}"},
         next_url=reverse("lending:disburse", args=[application.pk]), next_label=_("Disbursement"))
    return redirect(_case_url(application))


def _payout_context(request, application: Application, contract: Contract, form: DisbursementForm) -> dict:
    applicant = application.applicant
    staff = actor_of(request.user).staff
    two_people = disbursement.needs_second_person(contract)
    requested = contract.disbursement_requested_by_id is not None
    return {"application": application, "contract": contract, "form": form, "payee": applicant.name,
            "account": applicant.bank_account_masked, "two_people": two_people,
            "threshold": disbursement.second_person_above(), "requested": requested,
            "requested_by_me": requested and staff is not None and contract.disbursement_requested_by_id == staff.pk,
            "can_disburse": actor_of(request.user).can(Perm.DISBURSE_LOAN)}


def _payout(request, application: Application, contract: Contract):
    """Request (first of two officers) or pay out, and say what happened and what comes next."""
    if disbursement.needs_second_person(contract) and contract.disbursement_requested_by_id is None:
        contract = disbursement.disbursement_request(actor=request.user, contract=contract)
        done(request, _("Payout of %(amount)s CNY for contract %(contract)s requested; a second operations officer "
                        "confirms it on the disbursement page.") % {
            "amount": f"{contract.principal:,.2f}", "contract": contract.number},
             next_url=reverse("lending:disburse", args=[application.pk]), next_label=_("Disbursement page"))
        return redirect(_case_url(application))
    loan = disbursement.loan_disburse(actor=request.user, contract=contract)
    first = loan.instalments.order_by("seq").first()
    done(request, _("Loan %(loan)s disbursed: %(amount)s CNY to %(payee)s (%(account)s). The first instalment is "
                    "due on %(due)s.") % {
        "loan": loan.number, "amount": f"{loan.principal:,.2f}", "payee": application.applicant.name,
        "account": application.applicant.bank_account_masked or _("no account on file"),
        "due": first.due_date.isoformat() if first else "—"},
         next_url=reverse("lending:loan", args=[loan.pk]), next_label=_("Open the loan and its schedule"))
    return redirect("lending:loan", loan.pk)


@login_required
def loan_disburse(request, application_id: int):
    """The payout confirmation: the amount, the borrower's masked account and the payee, and whether a second
    officer must confirm; the payout happens only on the confirmed POST."""
    application, contract = _contract_of(request, application_id)
    if contract is None:
        refused(request, Conflict(_("no contract has been generated for this case yet")))
        return redirect(_case_url(application))
    form = DisbursementForm(request.POST or None)
    if request.method == "POST":
        require(actor_of(request.user), Perm.DISBURSE_LOAN)
        if not form.is_valid():
            form_refused(request, form)
            return render(request, "lending/disbursement.html", _payout_context(request, application, contract, form))
        try:
            return _payout(request, application, contract)
        except (ValidationError, Conflict) as error:
            refused(request, error)
            return redirect("lending:disburse", application.pk)
    return render(request, "lending/disbursement.html", _payout_context(request, application, contract, form))
