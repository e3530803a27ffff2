"""Pages of lending: application form, approval queues with SLA colours, the case page with its decision
history and actions, loan pages with schedule and repayments. Thin: selectors to read, services to write."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lendpilot.core.errors import Conflict
from lendpilot.core.views import paginate
from lendpilot.customers.selectors import customers_visible
from lendpilot.lending import selectors
from lendpilot.lending.forms import ApplicationForm, DecisionForm, RepaymentForm, add_service_errors
from lendpilot.lending.models import Application, ApprovalLevel, Loan, Repayment
from lendpilot.lending.selectors import sla_colour
from lendpilot.lending.services import applications, approval, contracts, disbursement, repayments, settlement, terms
from lendpilot.org.access import actor_of, require
from lendpilot.org.roles import Perm
from lendpilot.products.selectors import products_visible

SLA_CLASSES = {"green": "table-success", "amber": "table-warning", "red": "table-danger"}


@login_required
def application_list(request):
    actor = actor_of(request.user)
    status = request.GET.get("status") or None
    page = paginate(request, selectors.applications_visible(actor, status=status))
    return render(request, "lending/application_list.html", {
        "page_obj": page, "statuses": Application.Status.choices, "status": status,
        "levels": ApprovalLevel.choices})


@login_required
def application_new(request):
    actor = actor_of(request.user)
    require(actor, Perm.APPLY_LOAN)
    form = ApplicationForm(request.POST or None, customers=customers_visible(actor)[:500],
                           products=products_visible(actor, active_only=True))
    prescreen = None
    if request.method == "POST" and form.is_valid():
        data, facts = form.split()
        applicant = customers_visible(actor).get(pk=data.pop("applicant"))
        product = products_visible(actor).get(pk=data.pop("product"))
        try:
            application = applications.application_create(actor=request.user, applicant=applicant, product=product,
                                                       applicant_facts=facts, **data)
        except ValidationError as error:
            add_service_errors(form, error)
            prescreen = {"declines": error.message_dict.get("prescreen", [])} if hasattr(error, "error_dict") \
                else None
        except Conflict as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Application %(number)s created.") % {"number": application.number})
            return redirect("lending:application", application.pk)
    return render(request, "lending/application_form.html", {"form": form, "blocked": prescreen})


PRESCREEN_NEEDS = ("applicant", "product", "amount", "term_months", "monthly_income")


@login_required
@require_POST
def application_prescreen(request):
    """The live pre-screen panel of the application form (HTMX): the engine's answer for the fields
    filled in so far, or what is still missing or wrong."""
    actor = actor_of(request.user)
    require(actor, Perm.APPLY_LOAN)
    form = ApplicationForm(request.POST, customers=customers_visible(actor)[:500],
                           products=products_visible(actor, active_only=True))
    form.is_valid()
    data = form.cleaned_data
    missing = [form.fields[name].label for name in PRESCREEN_NEEDS if data.get(name) in (None, "")]
    context = {"missing": missing, "result": None, "errors": []}
    if not missing:
        facts = {name: data.get(name) for name in applications.APPLICANT_FACTS}
        try:
            context["result"] = applications.application_prescreen(
                actor=request.user, applicant=customers_visible(actor).get(pk=data["applicant"]),
                product=products_visible(actor).get(pk=data["product"]), amount=data["amount"],
                term_months=data["term_months"], monthly_income=data["monthly_income"],
                monthly_debt_payments=data.get("monthly_debt_payments") or 0, **facts)
        except ValidationError as error:
            context["errors"] = [f"{form.fields[f].label if f in form.fields else f}: {' '.join(m)}"
                                 for f, m in error.message_dict.items()]
        except Conflict as error:
            context["errors"] = [error.message]
        if context["result"]:
            zh = (get_language() or "").lower().startswith("zh")
            result = context["result"]
            result["decline_texts"] = applications.decline_texts(result)
            result["reason_texts"] = [r["text_zh" if zh else "text_en"] for r in result["reasons"]]
            result["priced_rate_pct"] = float(result["priced_rate"]) * 100
            result["pd_pct"] = result["pd"] * 100
            result["approval_pct"] = result["approval_probability"] * 100
    return render(request, "lending/application_prescreen.html", context)


@login_required
def application_detail(request, application_id: int):
    actor = actor_of(request.user)
    application = selectors.application_get(actor, application_id)
    today = timezone.localdate()
    decision_form = DecisionForm(initial={"expected_step": application.step})
    contract = getattr(application, "contract", None)
    return render(request, "lending/application_detail.html", {
        "application": application, "decision_form": decision_form, "contract": contract,
        "loan": getattr(contract, "loan", None) if contract else None,
        "checklist": application.checklist.select_related("item"), "collateral": application.collateral.all(),
        "cross_checks": application.cross_checks.select_related("checked_by"),
        "decisions": application.decisions.select_related("approver"),
        "history": application.status_history.select_related("actor"), "ltv": terms.loan_to_value(application),
        "sla": sla_colour(application.stage_due_on, today) if application.current_level else None,
        "approver_problem": approval.approver_problem(actor.staff, application, application.current_level)
        if application.current_level and actor.can(Perm.APPROVE_LOAN) else None,
        "waiting": selectors.waiting_for(application),
        "deciding": selectors.is_deciding_step(application) if application.current_level else False,
        "missing_disclosures": contracts.disclosure_gaps(contract) if contract else [],
    })


def _act(request, application_id: int, action) -> object:
    actor = actor_of(request.user)
    application = selectors.application_get(actor, application_id)
    try:
        action(application)
    except ValidationError as error:
        for field, errors in (error.message_dict.items() if hasattr(error, "error_dict")
                              else [("", error.messages)]):
            messages.error(request, f"{field}: {' '.join(errors)}" if field else " ".join(errors))
    except Conflict as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Done."))
    return redirect("lending:application", application_id)


@login_required
@require_POST
def application_submit(request, application_id: int):
    return _act(request, application_id,
                lambda app: approval.application_submit(actor=request.user, application=app))


@login_required
@require_POST
def checklist_mark(request, application_id: int, code: str):
    evidence = request.POST.get("evidence", "")
    return _act(request, application_id, lambda app: applications.checklist_mark(
        actor=request.user, application=app, item_code=code, evidence=evidence))


@login_required
@require_POST
def application_decide(request, application_id: int):
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Check the decision form: %(errors)s") % {"errors": form.errors.as_text()})
        return redirect("lending:application", application_id)
    data = form.cleaned_data
    return _act(request, application_id, lambda app: approval.application_decide(
        actor=request.user, application=app, outcome=data["outcome"], reason=data["reason"],
        conditions=form.conditions(), expected_step=data["expected_step"]))


@login_required
@require_POST
def contract_generate(request, application_id: int):
    return _act(request, application_id,
                lambda app: contracts.contract_generate(actor=request.user, application=app))


@login_required
@require_POST
def contract_sign(request, application_id: int):
    return _act(request, application_id,
                lambda app: contracts.contract_sign(actor=request.user, contract=app.contract))


@login_required
@require_POST
def loan_disburse(request, application_id: int):
    return _act(request, application_id,
                lambda app: disbursement.loan_disburse(actor=request.user, contract=app.contract))


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
    loan = selectors.loan_get(actor_of(request.user), loan_id)
    return render(request, "lending/loan_detail.html", {
        "loan": loan, "instalments": loan.instalments.order_by("seq"),
        "repayments": loan.repayments.order_by("value_date", "id"), "today": timezone.localdate()})


@login_required
def loan_repay(request, loan_id: int):
    """Posting a repayment, an early repayment or an early settlement, with the settlement quote of the
    chosen value date (principal, interest accrued to it, penalty, fee) shown before anything is posted."""
    actor = actor_of(request.user)
    loan = selectors.loan_get(actor, loan_id)
    on = timezone.localdate()
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
                messages.success(request, _("Repayment %(ref)s posted.") % {"ref": repayment.external_ref})
                return redirect("lending:loan", loan.pk)
    else:
        try:
            on = forms.DateField().clean(request.GET.get("value_date")) if request.GET.get("value_date") else on
        except ValidationError:
            messages.error(request, _("value_date: not a date (YYYY-MM-DD)"))
        form = RepaymentForm(initial={"value_date": on, "kind": request.GET.get("kind") or "regular"})
    quote = settlement.quote_settlement(loan, on) if loan.status == Loan.Status.ACTIVE and on >= loan.disbursed_on \
        else None
    return render(request, "lending/loan_repay.html", {
        "loan": loan, "form": form, "quote": quote, "quote_date": on,
        "can_post": actor.can(Perm.POST_REPAYMENT)})
