"""Channel pages: the ranking desk (admissions, reviews, delistings), a partner's file with its vintage
curves, the published list, and the partner's own tier view. As thin as the API."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from lendpilot.channels import selectors, services
from lendpilot.channels.admission import Criteria
from lendpilot.channels.forms import ApplicationForm, CourseForm, PartnerStaffForm, ResultForm, StaffForm, ToolkitForm
from lendpilot.channels.models import Application, Delisting
from lendpilot.channels.standings import partner_file, ranking
from lendpilot.channels.tiers import TIER_LABELS
from lendpilot.core.forms import BootstrapForm
from lendpilot.core.months import month_start, shift_month
from lendpilot.org.access import actor_of, require
from lendpilot.org.roles import Perm


def _chart(curves) -> dict:
    return {"series": [{"name": cohort.strftime("%Y-%m"), "points": [[mob, float(ratio) * 100] for mob, ratio in pts]}
                       for cohort, pts in curves.items()]}


def _desk_action(request: HttpRequest) -> None:
    """Carry out the one decision the desk form posts; a refusal is shown, nothing changes."""
    action, target = request.POST.get("action", ""), int(request.POST.get("target") or 0)
    note = request.POST.get("note", "")
    if action in ("approve", "reject"):
        services.application_decide(actor=request.user, application_id=target, approve=action == "approve",
                                    note=note)
    elif action in ("delist", "retain"):
        services.delisting_decide(actor=request.user, delisting_id=target, delist=action == "delist", note=note)
    elif action == "appeal":
        services.delisting_appeal(actor=request.user, delisting_id=target, text=note)
    elif action == "retier":
        services.partners_retier(actor=request.user, month=timezone.localdate())
    elif action == "review":
        services.quarterly_review_run(actor=request.user, quarter=timezone.localdate())


@login_required
def desk(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request.user)
    require(actor, Perm.VIEW_CHANNELS)
    if request.method == "POST":
        try:
            _desk_action(request)
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("Done."))
        return redirect("channels:desk")
    rows = ranking(request.user)
    months = [shift_month(month_start(timezone.localdate()), -k) for k in range(11, -1, -1)]
    tiers = selectors.tier_distribution(request.user, months)
    chart = {"partners": [r.partner.name for r in rows[:20]],
             "m3": [round(float(r.m3) * 100, 2) for r in rows[:20]],
             "conversion": [round(float(r.conversion) * 100, 2) for r in rows[:20]],
             "months": [m.strftime("%Y-%m") for m in months],
             "tiers": [{"name": str(TIER_LABELS.get(t, t)), "counts": tiers[t]} for t in TIER_LABELS if t in tiers]}
    return render(request, "channels/desk.html", {
        "rows": rows, "tier_labels": TIER_LABELS, "chart": chart,
        "applications": Application.objects.filter(status=Application.Status.SUBMITTED).select_related("partner"),
        "delistings": Delisting.objects.filter(status=Delisting.Status.PROPOSED).select_related("partner"),
        "can_manage": actor.can(Perm.MANAGE_CHANNELS), "can_approve": actor.can(Perm.APPROVE_CHANNELS)})


@login_required
def apply(request: HttpRequest) -> HttpResponse:
    require(actor_of(request.user), Perm.MANAGE_CHANNELS)
    form = ApplicationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        criteria = Criteria(data["licence_held"], data["registered_capital"], data["regulatory_penalties"],
                            data["complaints_per_10k"], data["data_security_grade"])
        try:
            services.partner_apply(actor=request.user, name=data["name"], credit_code=data["credit_code"],
                                   kind=data["kind"], criteria=criteria,
                                   documents=[(kind, f"DD-{kind}") for kind in data["documents"]])
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("Application filed; it awaits head office."))
            return redirect("channels:desk")
    return render(request, "channels/apply.html", {"form": form})


@login_required
def partner(request: HttpRequest, partner_id: int) -> HttpResponse:
    f = partner_file(selectors.partner_for(request.user, partner_id))
    return render(request, "channels/partner.html", {"f": f, "tier_labels": TIER_LABELS, "chart": _chart(f.curves),
                                                     "reviews": f.partner.reviews.all()[:8]})


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    f = partner_file(selectors.own_partner(request.user))
    return render(request, "channels/partner.html", {"f": f, "tier_labels": TIER_LABELS, "chart": _chart(f.curves),
                                                     "own": True})


@login_required
def published(request: HttpRequest) -> HttpResponse:
    return render(request, "channels/published.html", {"partners": selectors.published_list()})


def _manager_forms(data=None) -> dict[str, BootstrapForm]:
    return {"course": CourseForm(data, prefix="course"), "staff": PartnerStaffForm(data, prefix="staff"),
            "result": ResultForm(data, prefix="result"), "toolkit": ToolkitForm(data, prefix="toolkit")}


def _manager_post(request: HttpRequest, forms: dict[str, BootstrapForm]) -> bool:
    """Carry out what the enablement page posted; True when done (a refusal lands on its form or as a
    message)."""
    which, target = request.POST.get("form", ""), int(request.POST.get("target") or 0)
    simple = {"submit": services.toolkit_submit, "publish": services.toolkit_publish,
              "withdraw": services.toolkit_withdraw}
    try:
        if which in simple:
            simple[which](actor=request.user, toolkit_id=target)
            return True
        if which == "leave":
            services.partner_staff_leave(actor=request.user, staff_id=target)
            return True
        form = forms.get(which)
        if form is None or not form.is_valid():
            return False
        data = form.cleaned_data
        try:
            if which == "course":
                services.course_save(actor=request.user, code=data["code"], title=data["title"], kind=data["kind"],
                                     pass_score=data["pass_score"])
            elif which == "staff":
                services.partner_staff_add(actor=request.user, partner_id=data["partner"].pk, name=data["name"],
                                           employee_ref=data["employee_ref"])
            elif which == "result":
                services.course_result_record(actor=request.user, staff_id=data["staff"].pk,
                                              course_id=data["course"].pk, score=data["score"])
            else:
                services.toolkit_create(actor=request.user, title=data["title"], text=data["text"])
        except ValidationError as exc:
            form.add_service_errors(exc)
            return False
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return False
    return True


@login_required
def enablement(request: HttpRequest) -> HttpResponse:
    """The channel manager's enablement page: courses and results, rosters, toolkits and the download log."""
    actor = actor_of(request.user)
    require(actor, Perm.VIEW_CHANNELS)
    forms = _manager_forms(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        require(actor, Perm.MANAGE_CHANNELS)
        if _manager_post(request, forms):
            messages.success(request, _("Done."))
            return redirect("channels:enablement")
    return render(request, "channels/enablement.html", {
        "forms": forms, "lines": selectors.enablement_overview(request.user), "courses": selectors.courses(),
        "toolkits": selectors.toolkits_for(request.user).annotate(n_downloads=Count("downloads")),
        "downloads": selectors.downloads_for(request.user)[:50], "can_manage": actor.can(Perm.MANAGE_CHANNELS)})


@login_required
def mine_enablement(request: HttpRequest) -> HttpResponse:
    """The partner's own enablement page: its roster with course results, the published toolkits, its
    downloads; and why it may not submit yet, if so."""
    partner = selectors.own_partner(request.user)
    form = StaffForm(request.POST if request.method == "POST" and request.POST.get("form") == "staff" else None)
    if request.method == "POST":
        try:
            if request.POST.get("form") == "leave":
                services.partner_staff_leave(actor=request.user, staff_id=int(request.POST.get("target") or 0))
            elif form.is_valid():
                services.partner_staff_add(actor=request.user, partner_id=partner.pk, name=form.cleaned_data["name"],
                                           employee_ref=form.cleaned_data["employee_ref"])
            else:
                raise ValidationError(_("check the form"))
        except ValidationError as exc:
            if form.is_bound:
                form.add_service_errors(exc)
            else:
                for message in exc.messages:
                    messages.error(request, message)
        else:
            messages.success(request, _("Done."))
            return redirect("channels:mine_enablement")
    return render(request, "channels/mine_enablement.html", {
        "partner": partner, "roster": selectors.roster(partner), "form": form,
        "refusal": selectors.submission_refusal(partner.login), "toolkits": selectors.toolkits_for(request.user),
        "downloads": selectors.downloads_for(request.user)[:50]})


@login_required
def toolkit_download(request: HttpRequest, toolkit_id: int) -> HttpResponse:
    """A partner login downloads a published toolkit (POST: the download is logged)."""
    if request.method != "POST":
        return redirect("channels:mine_enablement")
    try:
        download = services.toolkit_download(actor=request.user, toolkit_id=toolkit_id)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect("channels:mine_enablement")
    response = HttpResponse(download.toolkit.text, content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="toolkit-{download.toolkit.pk}.txt"'
    return response
