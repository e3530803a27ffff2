"""Pages of planning: plans (enter the annual target, see the split, edit a cell, approve), quotas with the
re-set diff, and the attainment dashboard. Thin: selectors to read, services to write."""

from datetime import date
from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lendpilot.core.errors import Conflict
from lendpilot.core.reference import ProductCategory
from lendpilot.core.views import flash_errors, month_of
from lendpilot.org.access import actor_of
from lendpilot.org.models import Region, Team
from lendpilot.org.roles import Perm
from lendpilot.planning import selectors, services


@login_required
def plan_list(request):
    actor = actor_of(request.user)
    if request.method == "POST":
        try:
            start = date.fromisoformat(request.POST.get("period_start", ""))
            total = Decimal(request.POST.get("total_amount", ""))
            drivers = {k: request.POST.get(f"driver_{k}", "0") or "0" for k in ("last_year", "capacity", "heat")}
            customers = int(request.POST.get("new_customers", "") or 0)
            npl_ceiling = Decimal(request.POST.get("npl_ceiling_pct", "") or "2") / 100
            plan = services.target_plan_create(actor=request.user, code=request.POST.get("code", "").strip(),
                                               name=request.POST.get("name", "").strip(), period_start=start,
                                               total_amount=total, drivers=drivers, new_customers=customers,
                                               npl_ceiling=npl_ceiling)
            services.target_plan_split(actor=request.user, plan=plan)
            return redirect("planning:plan", plan.pk)
        except (ValueError, InvalidOperation):
            messages.error(request, _("Enter a start date, a total amount, a number of customers and an NPL "
                                      "ceiling in percent."))
        except ValidationError as exc:
            flash_errors(request, exc)
    return render(request, "planning/plan_list.html", {
        "plans": selectors.plans_visible(actor)[:100], "can_manage": actor.can(Perm.APPROVE_TARGETS),
        "today": timezone.localdate()})


METRIC_FIELDS = {"amount": "amount", "customers": "new_customers", "npl": "npl_amount"}


def _metric(request) -> str:
    metric = request.GET.get("metric") or request.POST.get("metric") or "amount"
    return metric if metric in METRIC_FIELDS else "amount"


@login_required
def plan_detail(request, plan_id: int):
    actor = actor_of(request.user)
    plan = selectors.plan_get(actor, plan_id)
    metric = _metric(request)
    column = METRIC_FIELDS[metric]
    matrix = selectors.plan_matrix(plan, actor)
    # The table shows the chosen target: each month's value and the cell's annual total.
    products, channels = dict(ProductCategory.choices), dict(Team.Channel.choices)
    regions = {r.code: r.name for r in Region.objects.all()}
    # The table shows the chosen target: each month's value and the cell's annual total, its product line,
    # region and team type by their names (the codes stay in the API).
    table = [{**cell, "shown_total": cell[column if metric != "amount" else "total"],
              "product_label": products.get(cell["product"], cell["product"]),
              "region_label": regions.get(cell["region"], cell["region"]),
              "team_type_label": channels.get(cell["team_type"], cell["team_type"]),
              "shown": [{"id": m["id"], "month": m["month"], "value": m[column], "edited": m["edited"]}
                        for m in cell["months"]]} for cell in matrix["cells"]]
    chart = [{"name": str(products.get(k, k)), "value": str(v)} for k, v in sorted(matrix["totals"]["product"].items())]
    people: dict[int, dict] = {}
    for r in selectors.manager_targets(actor, plan):
        p = people.setdefault(r["manager_id"], {"name": r["manager__name"], "amount": Decimal(0), "new_customers": 0,
                                                "npl_amount": Decimal(0)})
        p["amount"] += r["amount"]
        p["new_customers"] += r["new_customers"]
        p["npl_amount"] += r["npl_amount"]
    return render(request, "planning/plan_detail.html", {
        "plan": plan, "matrix": matrix, "table": table, "metric": metric, "metrics": list(METRIC_FIELDS),
        "chart": chart, "people": list(people.values())[:500], "can_manage": actor.can(Perm.MANAGE_TARGETS),
        "can_approve": actor.can(Perm.APPROVE_TARGETS)})


@login_required
@require_POST
def plan_action(request, plan_id: int, action: str):
    actor = actor_of(request.user)
    plan = selectors.plan_get(actor, plan_id)
    try:
        if action == "split":
            services.target_plan_split(actor=request.user, plan=plan)
            messages.success(request, _("The target was split."))
        elif action == "approve":
            services.target_plan_approve(actor=request.user, plan=plan)
            messages.success(request, _("The plan was approved and quotas were set."))
        elif action == "edit":
            cell = selectors.cell_get(actor, plan, int(request.POST.get("cell", "0") or 0))
            services.target_cell_edit(actor=request.user, cell=cell, value=Decimal(request.POST.get("amount", "")),
                                      metric=_metric(request), across=request.POST.get("across", "months"))
            messages.success(request, _("The cell was changed and its siblings re-balanced."))
    except (ValidationError, Conflict) as exc:
        flash_errors(request, exc)
    except (ValueError, InvalidOperation):
        messages.error(request, _("Enter an amount."))
    return redirect(f"{reverse('planning:plan', args=[plan.pk])}?metric={_metric(request)}")


@login_required
def quotas(request):
    actor = actor_of(request.user)
    month = month_of(request)
    resets = selectors.resets_visible(actor)
    latest = resets.filter(month=month).first()
    return render(request, "planning/quotas.html", {
        "month": month, "quotas": selectors.quotas_visible(actor, month=month)[:1000], "reset": latest,
        "lines": selectors.reset_lines(actor, latest)[:1000] if latest else [],
        "can_manage": actor.can(Perm.APPROVE_TARGETS), "can_approve": actor.can(Perm.APPROVE_TARGETS)})


@login_required
@require_POST
def reset_action(request):
    actor = actor_of(request.user)
    month = month_of(request)
    try:
        if request.POST.get("action") == "propose":
            services.quota_reset_propose(actor=request.user, month=month)
        else:
            reset_obj = selectors.reset_get(actor, int(request.POST.get("reset", "0") or 0))
            services.quota_reset_decide(actor=request.user, reset_obj=reset_obj,
                                        approve=request.POST.get("action") == "approve")
    except (ValidationError, Conflict) as exc:
        flash_errors(request, exc)
    return redirect(f"{reverse('planning:quotas')}?month={month:%Y-%m}")


@login_required
def attainment(request):
    actor = actor_of(request.user)
    month = month_of(request)
    group = request.GET.get("group") if request.GET.get("group") in selectors.GROUPS else "person"
    rows = selectors.attainment(actor, month=month, group=group)
    chart = [{"label": r.label, "target": str(r.target), "disbursed": str(r.disbursed), "forecast": str(r.forecast)}
             for r in rows[:50]]
    labels = {"person": _("By person"), "team": _("By team"), "region": _("By region"),
              "product": _("By product line")}
    return render(request, "planning/attainment.html", {"month": month, "group": group, "rows": rows,
                                                        "groups": [(g, labels.get(g, g)) for g in selectors.GROUPS],
                                                        "chart": chart})
