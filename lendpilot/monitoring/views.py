"""Pages of monitoring: the alert queue ranked by severity, the alert page (evidence, intervention plan,
actions), the credit-line review list, the industry risk map, the portfolio charts and the EOD run log.
Thin: selectors to read, services to write."""


from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lendpilot.core.errors import Conflict
from lendpilot.core.reference import Industry
from lendpilot.core.views import flash_errors, paginate
from lendpilot.monitoring import analytics, eod_labels, selectors, services, thresholds
from lendpilot.monitoring.models import IndustryProposal as Proposal
from lendpilot.monitoring.models import Intervention, ProsperityIndex
from lendpilot.org.access import actor_of, require
from lendpilot.org.roles import DataScope, Perm


@login_required
def alert_queue(request):
    status = request.GET.get("status", "open")
    status = status if status in ("open", "closed") else "open"
    page = paginate(request, selectors.alerts_for(request.user, status=status))
    return render(request, "monitoring/alert_queue.html", {"page_obj": page, "status": status})


@login_required
def alert_detail(request, alert_id: int):
    alert = get_object_or_404(selectors.alerts_for(request.user, status=None), pk=alert_id)
    return render(request, "monitoring/alert_detail.html", {
        "alert": alert, "signals": alert.signals.order_by("business_date", "pk"),
        "steps": alert.interventions.select_related("owner").order_by("tier", "pk")})


@login_required
def intervention_board(request):
    """Open intervention steps of the alerts in the user's scope, by due date (overdue first)."""
    steps = Intervention.objects.filter(alert__in=selectors.alerts_for(request.user, status="open"),
                                        status__in=[Intervention.Status.OPEN, Intervention.Status.ESCALATED]) \
        .select_related("alert__loan__borrower", "owner").order_by("due_on", "-tier", "pk")
    if request.GET.get("mine") and actor_of(request.user).staff:
        steps = steps.filter(owner=actor_of(request.user).staff)
    return render(request, "monitoring/board.html", {"page_obj": paginate(request, steps),
                                                     "today": timezone.localdate()})


@login_required
@require_POST
def intervention_complete(request, step_id: int):
    step = get_object_or_404(Intervention.objects.filter(alert__in=selectors.alerts_for(request.user, status=None)),
                             pk=step_id)
    try:
        services.intervention_complete(actor=request.user, intervention=step, outcome=request.POST.get("outcome", ""))
        messages.success(request, _("Step recorded."))
    except (ValidationError, Conflict) as error:
        flash_errors(request, error)
    return redirect("monitoring:alert", step.alert_id)


@login_required
@require_POST
def alert_close(request, alert_id: int):
    alert = get_object_or_404(selectors.alerts_for(request.user, status=None), pk=alert_id)
    try:
        services.alert_close(actor=request.user, alert=alert, reason=request.POST.get("reason", ""))
        messages.success(request, _("Alert closed."))
    except (ValidationError, Conflict) as error:
        flash_errors(request, error)
    return redirect("monitoring:alert", alert.pk)


@login_required
def line_reviews(request):
    status = request.GET.get("status") or "pending"
    qs = selectors.line_reviews_for(request.user)
    if status != "all":
        qs = qs.filter(status=status)
    return render(request, "monitoring/line_reviews.html", {"page_obj": paginate(request, qs), "status": status})


@login_required
@require_POST
def line_review_decide(request, review_id: int):
    review = get_object_or_404(selectors.line_reviews_for(request.user), pk=review_id)
    try:
        services.line_review_decide(actor=request.user, review=review, approve=request.POST.get("approve") == "1")
        messages.success(request, _("Review decided."))
    except (ValidationError, Conflict) as error:
        flash_errors(request, error)
    return redirect("monitoring:line_reviews")


@login_required
def industry_map(request):
    # Industry default rates and proposals are figures of the whole book.
    selectors.require_bank_wide(request.user)
    rates = services.industry_default_rates()
    months = sorted({m for s in rates.values() for m in s})[-18:]
    names = dict(Industry.choices)
    industries = sorted(rates)
    heat = [[i, j, round(rates[ind].get(m, 0) * 100, 3)] for j, ind in enumerate(industries)
            for i, m in enumerate(months)]
    index = {}
    for ind, month, value in ProsperityIndex.objects.filter(month__in=months).values_list("industry", "month",
                                                                                          "value"):
        index.setdefault(ind, {})[month.isoformat()] = value
    latest = Proposal.objects.order_by("-month").values_list("month", flat=True).first()
    proposals = (Proposal.objects.filter(month=latest).select_related("policy_version").order_by("industry")
                 if latest else [])
    chart = {"months": [m.strftime("%Y-%m") for m in months], "industries": [f"{i} {names.get(i, '')}"[:24]
                                                                             for i in industries], "heat": heat,
             "index": {i: [index.get(i, {}).get(m.isoformat()) for m in months] for i in industries}}
    return render(request, "monitoring/industry_map.html", {"chart": chart,
                                                            "proposals": proposals, "names": names})


@login_required
@require_POST
def industry_compute(request):
    try:
        services.industry_proposals_compute(actor=request.user, month=timezone.localdate())
        messages.success(request, _("Proposals computed."))
    except (ValidationError, Conflict) as error:
        flash_errors(request, error)
    return redirect("monitoring:industry_map")


@login_required
@require_POST
def industry_decide(request, proposal_id: int):
    proposal = get_object_or_404(Proposal, pk=proposal_id)
    try:
        services.industry_proposal_decide(actor=request.user, proposal=proposal,
                                          accept=request.POST.get("accept") == "1")
        messages.success(request, _("Proposal decided."))
    except (ValidationError, Conflict) as error:
        flash_errors(request, error)
    return redirect("monitoring:industry_map")


@login_required
@require_POST
def industry_decide_many(request):
    """The risk committee's decision on the ticked proposals: one policy version for all accepted ones."""
    ids = [int(v) for v in request.POST.getlist("ids") if v.isdigit()]
    proposals = list(Proposal.objects.filter(pk__in=ids))
    try:
        decided = services.industry_proposals_decide(actor=request.user, proposals=proposals,
                                                     accept=request.POST.get("accept") == "1")
        version = decided[0].policy_version
        messages.success(request, _("Proposals decided.") if version is None else
                         _("Proposals accepted: policy version %(n)s published.") % {"n": version.number})
    except (ValidationError, Conflict) as error:
        flash_errors(request, error)
    return redirect("monitoring:industry_map")


@login_required
def portfolio(request):
    """The portfolio charts, every figure computed over the loans in the reader's scope."""
    acting = actor_of(request.user)
    require(acting, Perm.VIEW_MONITORING)
    rules = services.active_ruleset().thresholds["ewma"]
    today = timezone.localdate()
    days, overdue = selectors.rate_series(request.user, until=today, metric="overdue_rate")
    _d, npl = selectors.rate_series(request.user, until=today, metric="npl_rate")
    band = thresholds.ewma_band(overdue, lam=rules["lam"], k=rules["k"], warmup=int(rules["warmup"]))

    def clean(values):
        return [None if v != v else round(float(v) * 100, 4) for v in values]  # NaN -> None

    month, matrix = selectors.roll_rates(request.user)
    chart = {"days": [d.isoformat() for d in days], "overdue": clean(overdue), "npl": clean(npl),
             "upper": clean(band.upper), "centre": clean(band.centre),
             "roll": {"month": month.isoformat() if month else None, "labels": analytics.BUCKET_LABELS,
                      "cells": [[j, i, round(v * 100, 2)] for i, row in enumerate(matrix) for j, v in enumerate(row)]},
             "vintages": selectors.vintages(request.user), "concentration": selectors.concentration(request.user)}
    bank_wide = acting.scope == DataScope.ALL
    return render(request, "monitoring/portfolio.html", {
        "chart": chart,
        "portfolio_alerts": selectors.portfolio_alerts(request.user)[:20] if bank_wide else []})


@login_required
def eod_runs(request):
    page = paginate(request, selectors.eod_runs(request.user))
    for run in page:
        run.stage_rows = [eod_labels.stage_row(stage) for stage in run.stages.all()]
    scheduled = [{**row, "job_label": eod_labels.JOB_LABELS.get(row["job"])}
                 for row in selectors.eod_scheduled(request.user)]
    return render(request, "monitoring/eod_runs.html", {"page_obj": page, "stage_total": len(services.STAGES),
                                                        "scheduled": scheduled})
