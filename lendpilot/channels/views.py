"""Channel pages: the ranking desk (admissions, reviews, delistings), a partner's file with its vintage
curves, the published list, and the partner's own tier view. As thin as the API."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from lendpilot.channels import selectors, services
from lendpilot.channels.admission import Criteria
from lendpilot.channels.forms import ApplicationForm
from lendpilot.channels.models import Application, Delisting
from lendpilot.channels.standings import partner_file, ranking
from lendpilot.channels.tiers import TIER_LABELS
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
    return render(request, "channels/desk.html", {
        "rows": ranking(request.user), "tier_labels": TIER_LABELS,
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
