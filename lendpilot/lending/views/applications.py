"""Pages of a case before and during approval (C1, C2): the list, the form with its live pre-screen and
gaps, the case page a reviewer decides on, and the account manager's steps (checklist, collateral,
submission)."""

from decimal import Decimal

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lendpilot.channels.models import Partner
from lendpilot.channels.selectors import published_list
from lendpilot.core.errors import Conflict
from lendpilot.core.views import paginate
from lendpilot.customers.selectors import customers_visible
from lendpilot.lending import selectors
from lendpilot.lending.case_file import case_file, conditions_text, status_note_text
from lendpilot.lending.case_gaps import review_gaps
from lendpilot.lending.forms import (
    ApplicationForm,
    CollateralForm,
    CrossCheckForm,
    DecisionForm,
    add_service_errors,
)
from lendpilot.lending.models import Application, ApprovalLevel, Decision
from lendpilot.lending.selectors import sla_colour
from lendpilot.lending.services import applications, approval, contracts
from lendpilot.lending.views.outcomes import done, form_refused, refused
from lendpilot.org.access import actor_of, require
from lendpilot.org.roles import Perm
from lendpilot.products.selectors import products_visible


@login_required
def application_list(request):
    actor = actor_of(request.user)
    status = request.GET.get("status") or None
    page = paginate(request, selectors.applications_visible(actor, status=status))
    return render(request, "lending/application_list.html", {
        "page_obj": page, "statuses": Application.Status.choices, "status": status,
        "levels": ApprovalLevel.choices})


def _form(actor, data=None) -> ApplicationForm:
    return ApplicationForm(data, customers=customers_visible(actor)[:500],
                           products=products_visible(actor, active_only=True), partners=published_list())


@login_required
def application_new(request):
    actor = actor_of(request.user)
    require(actor, Perm.APPLY_LOAN)
    form = _form(actor, request.POST or None)
    blocked = None
    if request.method == "POST" and form.is_valid():
        data, facts = form.split()
        applicant = customers_visible(actor).get(pk=data.pop("applicant"))
        product = products_visible(actor).get(pk=data.pop("product"))
        partner_id = data.pop("partner", None)
        partner = Partner.objects.filter(pk=partner_id).first() if partner_id else None  # the service checks the list
        try:
            application = applications.application_create(actor=request.user, applicant=applicant, product=product,
                                                          applicant_facts=facts, partner=partner, **data)
        except ValidationError as error:
            add_service_errors(form, error)
            blocked = {"declines": error.message_dict.get("prescreen", [])} if hasattr(error, "error_dict") \
                else None
        except Conflict as error:
            form.add_error(None, error.message)
        else:
            url = reverse("lending:application", args=[application.pk])
            done(request, _("Application %(number)s created as a draft for %(customer)s. Next: complete the "
                            "checklist and submit it for approval.") % {
                "number": application.number, "customer": applicant.name},
                 next_url=url + "#checklist", next_label=_("Open the checklist"))
            return redirect(url)
    return render(request, "lending/application_form.html", {"form": form, "blocked": blocked})


STATUS_LABELS = dict(Application.Status.choices)
PRESCREEN_NEEDS = ("applicant", "product", "amount", "term_months", "monthly_income")


def _prescreen_context(request, actor, form: ApplicationForm) -> dict:
    data = form.cleaned_data
    missing = [form.fields[name].label for name in PRESCREEN_NEEDS if data.get(name) in (None, "")]
    context: dict = {"missing": missing, "result": None, "errors": [], "gaps": []}
    if missing:
        return context
    product = products_visible(actor).get(pk=data["product"])
    facts = {name: data.get(name) for name in applications.APPLICANT_FACTS}
    try:
        result = applications.application_prescreen(
            actor=request.user, applicant=customers_visible(actor).get(pk=data["applicant"]), product=product,
            amount=data["amount"], term_months=data["term_months"], monthly_income=data["monthly_income"],
            monthly_debt_payments=data.get("monthly_debt_payments") or 0, **facts)
    except ValidationError as error:
        context["errors"] = [f"{form.fields[f].label if f in form.fields else f}: {' '.join(m)}"
                             for f, m in error.message_dict.items()]
        return context
    except Conflict as error:
        context["errors"] = [error.message]
        return context
    zh = (get_language() or "").lower().startswith("zh")
    result["decline_texts"] = applications.decline_texts(result)
    result["reason_texts"] = [r["text_zh" if zh else "text_en"] for r in result["reasons"]]
    result["priced_rate_fraction"] = Decimal(result["priced_rate"])
    result["pd_fraction"] = result["pd"]
    result["approval_fraction"] = result["approval_probability"]
    context["result"] = result
    if data.get("annual_rate") is not None:
        # The same gaps the reviewer will see, before the case is even created.
        collateral = data.get("collateral_value")
        context["gaps"] = review_gaps(
            amount=data["amount"], annual_rate=data["annual_rate"], approvable=Decimal(result["approvable_amount"]),
            priced_rate=Decimal(result["priced_rate"]), max_ltv=product.max_ltv,
            ltv=(data["amount"] / collateral).quantize(Decimal("0.0001")) if collateral else None)
    return context


@login_required
@require_POST
def application_prescreen(request):
    """The live pre-screen panel of the application form (HTMX): the engine's answer for the fields
    filled in so far, the gaps against the entered amount and rate, or what is still missing or wrong."""
    actor = actor_of(request.user)
    require(actor, Perm.APPLY_LOAN)
    form = _form(actor, request.POST)
    form.is_valid()
    return render(request, "lending/application_prescreen.html", _prescreen_context(request, actor, form))


@login_required
def application_detail(request, application_id: int):
    actor = actor_of(request.user)
    application = selectors.application_get(actor, application_id)
    today = timezone.localdate()
    contract = getattr(application, "contract", None)
    reviewing = bool(application.current_level) and actor.can(Perm.APPROVE_LOAN)
    return render(request, "lending/application_detail.html", {
        **case_file(application),
        "application": application, "contract": contract,
        "decision_form": DecisionForm(initial={"expected_step": application.step}),
        "collateral_form": CollateralForm(initial={"valued_on": today}, prefix="collateral"),
        "cross_check_form": CrossCheckForm(prefix="check"),
        "can_cross_check": (application.status in (Application.Status.DRAFT, Application.Status.RETURNED)
                            and actor.can(Perm.APPLY_LOAN)) or reviewing,
        "loan": getattr(contract, "loan", None) if contract else None,
        "conditions_lines": conditions_text(application.conditions or {}),
        "history_rows": [(h, STATUS_LABELS.get(h.to_status, h.to_status), status_note_text(h.note))
                         for h in application.status_history.select_related("actor")],
        "decision_rows": [(d, conditions_text(d.conditions)) for d in
                          application.decisions.select_related("approver")],
        "sla": sla_colour(application.stage_due_on, today) if application.current_level else None,
        "approver_problem": approval.approver_problem(actor.staff, application, application.current_level)
        if reviewing else None,
        "waiting": selectors.waiting_for(application),
        "deciding": selectors.is_deciding_step(application) if application.current_level else False,
        "missing_disclosures": contracts.disclosure_gaps(contract) if contract else [],
        "editable": application.status in (Application.Status.DRAFT, Application.Status.RETURNED)
        and actor.can(Perm.APPLY_LOAN),
    })


def _case_url(application: Application, anchor: str = "") -> str:
    return reverse("lending:application", args=[application.pk]) + anchor


def _waiting_text(application: Application) -> str:
    waiting = selectors.waiting_for(application)
    if waiting is None:
        return ""
    return _("L%(level)s %(name)s (%(count)s officers)") % {
        "level": waiting.level, "name": ApprovalLevel(waiting.level).label, "count": waiting.count}


@login_required
@require_POST
def application_submit(request, application_id: int):
    application = selectors.application_get(actor_of(request.user), application_id)
    try:
        application = approval.application_submit(actor=request.user, application=application)
    except (ValidationError, Conflict) as error:
        refused(request, error)
        return redirect(_case_url(application))
    done(request, _("Application %(number)s submitted; waiting for %(waiting)s.") % {
        "number": application.number, "waiting": _waiting_text(application)},
         next_url=reverse("lending:applications"), next_label=_("Back to my applications"))
    return redirect(_case_url(application))


@login_required
@require_POST
def checklist_mark(request, application_id: int, code: str):
    application = selectors.application_get(actor_of(request.user), application_id)
    try:
        entry = applications.checklist_mark(actor=request.user, application=application, item_code=code,
                                            evidence=request.POST.get("evidence", ""))
    except (ValidationError, Conflict) as error:
        refused(request, error)
        return redirect(_case_url(application, "#checklist"))
    still_open = application.checklist.filter(item__required=True, done=False).count()
    if still_open:
        done(request, _("Checklist item %(item)s of %(number)s completed; %(open)s required item(s) still open.") % {
            "item": entry.item.label, "number": application.number, "open": still_open},
             next_url=_case_url(application, "#checklist"), next_label=_("Next item"))
    else:
        done(request, _("Checklist item %(item)s of %(number)s completed; the checklist is complete. Next: submit "
                        "the case for approval.") % {"item": entry.item.label, "number": application.number},
             next_url=_case_url(application, "#application-submit"), next_label=_("Submit"))
    return redirect(_case_url(application, "#checklist"))


@login_required
@require_POST
def collateral_add(request, application_id: int):
    application = selectors.application_get(actor_of(request.user), application_id)
    form = CollateralForm(request.POST, prefix="collateral")
    if not form.is_valid():
        form_refused(request, form)
        return redirect(_case_url(application, "#collateral"))
    try:
        item = applications.collateral_add(actor=request.user, application=application, **form.cleaned_data)
    except (ValidationError, Conflict) as error:
        refused(request, error)
        return redirect(_case_url(application, "#collateral"))
    done(request, _("Collateral %(item)s valued at %(value)s CNY registered on %(number)s; the loan-to-value "
                    "now counts it.") % {"item": item.description or item.get_kind_display(),
                                         "value": f"{item.valuation:,.2f}", "number": application.number},
         next_url=_case_url(application, "#collateral"), next_label=_("See the loan-to-value"))
    return redirect(_case_url(application, "#collateral"))


@login_required
@require_POST
def cross_check_add(request, application_id: int):
    application = selectors.application_get(actor_of(request.user), application_id)
    form = CrossCheckForm(request.POST, prefix="check")
    if not form.is_valid():
        form_refused(request, form)
        return redirect(_case_url(application, "#case-cross-checks"))
    data = form.cleaned_data
    try:
        check = applications.cross_check_record(
            actor=request.user, application=application, kind=data["kind"], passed=data["outcome"] == "pass",
            evidence=data["evidence"], stated=data["stated"], observed=data["observed"])
    except (ValidationError, Conflict) as error:
        refused(request, error)
        return redirect(_case_url(application, "#case-cross-checks"))
    result = _("passed") if check.passed else _("failed")
    done(request, _("Cross-check %(check)s on %(number)s recorded: %(result)s.") % {
        "check": check.get_kind_display(), "number": application.number, "result": result},
         next_url=_case_url(application, "#decision-form" if application.current_level else "#application-submit"),
         next_label=_("Decide") if application.current_level else _("Submit"))
    return redirect(_case_url(application, "#case-cross-checks"))


def _decided_text(application: Application, decision: Decision) -> tuple[str, str, str]:
    """The message after a decision, and where the decider goes next (their queue, or the case)."""
    queue = reverse("lending:queue", args=[decision.level])
    names = {"number": application.number, "level": decision.level}
    if application.status == Application.Status.APPROVED:
        return (_("Application %(number)s approved at L%(level)s; operations issue the contract next.") % names,
                queue, _("Next case in my queue"))
    if application.status == Application.Status.REJECTED:
        return (_("Application %(number)s rejected at L%(level)s; the account manager sees the reason on the "
                  "case.") % names, queue, _("Next case in my queue"))
    if application.status == Application.Status.RETURNED:
        return (_("Application %(number)s returned to the account manager for information.") % names, queue,
                _("Next case in my queue"))
    return (_("Recommendation on %(number)s recorded at L%(level)s; the case now waits for %(waiting)s.") % {
        **names, "waiting": _waiting_text(application)}, queue, _("Next case in my queue"))


@login_required
@require_POST
def application_decide(request, application_id: int):
    application = selectors.application_get(actor_of(request.user), application_id)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        form_refused(request, form)
        return redirect(_case_url(application))
    data = form.cleaned_data
    try:
        decision = approval.application_decide(
            actor=request.user, application=application, outcome=data["outcome"], reason=data["reason"],
            conditions=form.conditions(), expected_step=data["expected_step"])
    except (ValidationError, Conflict) as error:
        refused(request, error)
        return redirect(_case_url(application))
    application.refresh_from_db()
    text, url, label = _decided_text(application, decision)
    done(request, text, next_url=url, next_label=label)
    return redirect(_case_url(application))
