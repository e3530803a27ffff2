"""Pages of market: the market database (LPR, indicators, industries, competitors, import), competitor
response (benchmark, moves, elasticity, pricing proposals), the feedback loop, operations capacity and
pilots. Thin: selectors to read, services to write."""

from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lendpilot.core import business_calendar
from lendpilot.core.errors import Conflict
from lendpilot.core.reference import ProductCategory
from lendpilot.core.views import flash_errors
from lendpilot.market import capacity, forms, selectors, services
from lendpilot.market.models import FeedbackSource, Pilot
from lendpilot.market.pilots import design
from lendpilot.org.access import actor_of, require
from lendpilot.org.models import Branch, Region, Team
from lendpilot.org.roles import Perm
from lendpilot.sales.funnel import LossReason


def _day(value: str) -> date:
    return date.fromisoformat(value)


@login_required
def market_data(request):
    actor = actor_of(request.user)
    preview = None
    if request.method == "POST" and "lpr" in request.POST:
        try:
            services.lpr_record(actor=request.user, effective=_day(request.POST.get("effective", "")),
                                tenor=request.POST.get("tenor", ""),
                                rate=Decimal(request.POST.get("rate_pct", "")) / 100,
                                source=request.POST.get("source", ""))
            messages.success(request, _("Loan Prime Rate recorded."))
            return redirect("market:data")
        except (ValueError, InvalidOperation):
            messages.error(request, _("Enter the effective date and the rate in percent."))
        except ValidationError as error:
            flash_errors(request, error)
    elif request.method == "POST" and request.FILES.get("file"):
        upload = request.FILES["file"]
        kind, content = request.POST.get("kind", "lpr"), upload.read()
        try:
            if request.POST.get("confirm"):
                count = services.figures_import(actor=request.user, kind=kind, content=content, filename=upload.name)
                messages.success(request, _("%(count)s rows imported.") % {"count": count})
                return redirect("market:data")
            preview = services.figures_preview(kind=kind, content=content, filename=upload.name)
        except ValidationError as error:
            flash_errors(request, error)
        except ValueError:
            messages.error(request, _("Choose what the sheet holds."))
    return render(request, "market/data.html", {
        "lpr_now": selectors.lpr_current(request.user), "lpr_history": selectors.lpr_history(request.user)[:48],
        "indicators": selectors.indicators(request.user), "industries": selectors.industries(request.user),
        "competitors": selectors.competitors(request.user), "preview": preview,
        "can_manage": actor.can(Perm.MANAGE_MARKET)})


@login_required
def competition(request):
    actor = actor_of(request.user)
    return render(request, "market/competition.html", {
        "benchmark": sorted(selectors.benchmark(request.user).items()),
        "moves": selectors.competitor_moves(request.user), "elasticity": selectors.latest_elasticity(request.user),
        "proposals": selectors.pricing_proposals(request.user)[:50],
        "can_manage": actor.can(Perm.MANAGE_MARKET), "can_approve": actor.can(Perm.APPROVE_PRICING)})


@login_required
@require_POST
def competition_act(request):
    action = request.POST.get("action", "")
    try:
        if action == "estimate":
            services.elasticity_estimate(actor=request.user)
            messages.success(request, _("Price-elasticity index estimated."))
        elif action == "check":
            found = services.pricing_check(actor=request.user)
            messages.success(request, _("%(count)s adjustment proposals raised.") % {"count": len(found)})
        elif action in ("approve", "reject"):
            services.pricing_decide(actor=request.user, proposal_id=int(request.POST.get("proposal", "0")),
                                    approve=action == "approve")
            messages.success(request, _("Proposal decided."))
    except ValueError:
        messages.error(request, _("Choose a proposal."))
    except (ValidationError, Conflict) as error:
        flash_errors(request, error)
    return redirect("market:competition")


@login_required
def feedback(request):
    actor = actor_of(request.user)
    if request.method == "POST":
        try:
            if request.POST.get("action") == "request":
                services.change_request_save(
                    actor=request.user, product=request.POST.get("product", ""), title=request.POST.get("title", ""),
                    owner_id=int(request.POST.get("owner") or 0),
                    evidence_ids=[int(v) for v in request.POST.getlist("evidence")],
                    request_id=int(request.POST["request"]) if request.POST.get("request") else None,
                    status=request.POST.get("status", "open"))
                messages.success(request, _("Change request saved."))
            else:
                services.feedback_record(actor=request.user, source=request.POST.get("source", ""),
                                         product=request.POST.get("product", ""), reason=request.POST.get("reason", ""),
                                         text=request.POST.get("text", ""), day=timezone.localdate(),
                                         region=request.POST.get("region", ""))
                messages.success(request, _("Feedback recorded."))
            return redirect("market:feedback")
        except ValueError:
            messages.error(request, _("Choose an owner."))
        except ValidationError as error:
            flash_errors(request, error)
    summary = selectors.feedback_summary(request.user) if actor.can(Perm.VIEW_MARKET) else None
    sources, products = dict(FeedbackSource.choices), dict(ProductCategory.choices)
    reasons = dict(LossReason.choices)
    return render(request, "market/feedback.html", {
        "summary": summary, "can_manage": actor.can(Perm.MANAGE_MARKET), "products": ProductCategory.choices,
        "regions": Region.objects.all(),
        "by_reason": [r | {"source_label": sources.get(r["source"], r["source"]),
                           "product_label": products.get(r["product"], r["product"])}
                      for r in (summary["by_reason"] if summary else [])],
        "lost_reasons": [r | {"label": reasons.get(r["loss_reason"], r["loss_reason"])}
                         for r in (summary["lost_reasons"] if summary else [])],
        "owners": get_user_model().objects.filter(is_active=True, is_staff=False, staff__isnull=False)
        .select_related("staff").order_by("staff__name")[:200]})


def _float(request, name: str, default: float) -> float:
    try:
        return float(request.GET.get(name, default))
    except ValueError:
        return default


@login_required
def operations_capacity(request):
    today = timezone.localdate()
    stages = selectors.lead_times(request.user, since=today - timedelta(days=180))
    handle = _float(request, "handle_minutes", 3)
    try:
        staffing = capacity.required_staff(
            cases=_float(request, "cases", 100), interval_minutes=_float(request, "interval", 30),
            handle_minutes=handle,
            answer_seconds=_float(request, "answer_seconds", 20), target_service_level=_float(request, "sl", 80) / 100,
            max_occupancy=_float(request, "occupancy", 85) / 100, shrinkage=_float(request, "shrinkage", 30) / 100)
    except ValueError:
        staffing = None
        messages.error(request, _("Interval and handling time must be positive and shrinkage below 100%."))
    roster = int(_float(request, "roster", 12))
    raw_months = request.GET.get("monthly_cases", "").replace("，", ",").split(",")
    monthly = [int(v) for v in raw_months if v.strip().isdigit()]
    months = []
    for i, cases in enumerate(monthly[:12]):
        first = date(today.year, i + 1, 1)
        last = date(today.year + (i == 11), (i + 1) % 12 + 1, 1)
        days = business_calendar.business_days_between(first, last)
        months.append(capacity.month_capacity(month=first, cases=cases, business_days=days, roster=roster,
                                              handle_minutes=_float(request, "case_minutes", 20)))
    products = dict(ProductCategory.choices)
    stages = [{"stage_label": _("Disbursement") if s.stage == "disbursement" else
               _("Approval level %(level)s") % {"level": s.stage[1:]},
               "product_label": products.get(s.product, s.product), "count": s.count, "p50_hours": s.p50_hours,
               "p90_hours": s.p90_hours, "slowest": s.slowest} for s in stages]
    return render(request, "market/capacity.html", {"stages": stages, "staffing": staffing, "months": months,
                                                    "params": request.GET})


@login_required
def pilot_list(request):
    return render(request, "market/pilots.html", {"pilots": selectors.pilots(request.user),
                                                  "can_plan": actor_of(request.user).can(Perm.MANAGE_MARKET)})


@login_required
def pilot_detail(request, pilot_id: int):
    actor = actor_of(request.user)
    pilot = selectors.pilots(request.user).filter(pk=pilot_id).first()
    if pilot is None:
        raise Http404
    if request.method == "POST":
        try:
            if request.POST.get("action") == "start":
                services.pilot_start(actor=request.user, pilot_id=pilot.pk)
                messages.success(request, _("Pilot started."))
            else:
                services.pilot_decide(actor=request.user, pilot_id=pilot.pk,
                                      decision=request.POST.get("decision", ""))
                messages.success(request, _("Pilot decision recorded."))
            return redirect("market:pilot", pilot.pk)
        except (ValidationError, Conflict) as error:
            flash_errors(request, error)
    report = selectors.pilot_report(request.user, pilot)
    # A stratum is a region's code: the page names the region.
    regions = {r.code: r.name for r in Region.objects.all()}
    for cluster in report["clusters"]:
        cluster.stratum_label = regions.get(cluster.stratum, cluster.stratum)
    return render(request, "market/pilot_detail.html", {
        "pilot": pilot, "report": report,
        "can_decide": actor.can(Perm.APPROVE_PRICING) and isinstance(pilot, Pilot),
        "can_start": actor.can(Perm.MANAGE_MARKET)})


def _save_indicator(user, data: dict) -> None:
    services.indicator_record(actor=user, code=data["code"], name=data["name"], region=data["region"],
                              as_of=data["as_of"], value=data["value"], unit=data["unit"], source=data["source"],
                              max_age_days=data["max_age_days"])


def _save_competitor(user, data: dict) -> None:
    services.competitor_save(actor=user, name=data["name"], kind=data["kind"], profile=data["profile"],
                             report=data["report"], source=data["source"], as_of=data["as_of"])


def _save_move(user, data: dict) -> None:
    services.competitor_move_record(
        actor=user, competitor=data["competitor"], kind=data["kind"], product=data["product"], region=data["region"],
        effective=data["effective"], apr=data["apr_pct"] / 100, approval_days=data["approval_days"],
        documents=data["documents"], source=data["source"])


def _save_industry(user, data: dict) -> None:
    services.industry_save(actor=user, name=data["name"], region=data["region"], growth=data["growth_pct"] / 100,
                           financing_need=data["financing_need"], source=data["source"], as_of=data["as_of"])


# kind -> (form, save, the page to go to once saved, service field names that differ from the form's, so that
# their errors land on the field the user typed into).
ENTRY_KINDS = {
    "indicator": (forms.IndicatorForm, _save_indicator, "market:data", {}),
    "competitor": (forms.CompetitorForm, _save_competitor, "market:data", {}),
    "move": (forms.CompetitorMoveForm, _save_move, "market:competition", {"apr": "apr_pct"}),
    "industry": (forms.IndustryForm, _save_industry, "market:data", {"growth": "growth_pct"}),
}


def _entry_titles() -> dict[str, tuple[str, str]]:
    return {"indicator": (_("Record a macro or regional indicator"), _("Indicator recorded.")),
            "competitor": (_("Save a competitor profile"), _("Competitor profile saved.")),
            "move": (_("Record a competitor move"), _("Competitor move recorded.")),
            "industry": (_("Record a high-potential industry"), _("Industry recorded."))}


def _renamed(error: ValidationError, names: dict[str, str]) -> ValidationError:
    if not hasattr(error, "error_dict") or not names:
        return error
    return ValidationError({names.get(field, field): messages for field, messages in error.message_dict.items()})


@login_required
def figure_entry(request, kind: str):
    """One page per kind of market figure, each with its source and date; errors sit on their fields."""
    if kind not in ENTRY_KINDS:
        raise Http404
    require(actor_of(request.user), Perm.MANAGE_MARKET)
    form_class, save, next_page, names = ENTRY_KINDS[kind]
    title, saved = _entry_titles()[kind]
    initial = {"as_of": timezone.localdate(), "effective": timezone.localdate()}
    form = form_class(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            save(request.user, form.cleaned_data)
        except ValidationError as error:
            form.add_service_errors(_renamed(error, names))
        else:
            messages.success(request, saved)
            return redirect(next_page)
    return render(request, "market/entry.html", {"form": form, "title": title, "kind": kind,
                                                 "back": next_page})


def _plan_args(data: dict) -> dict:
    return {"name": data["name"], "change": data["change"], "metric": data["metric"],
            "baseline_rate": data["baseline_pct"] / 100, "target_rate": data["target_pct"] / 100, "icc": data["icc"],
            "starts": data["starts"], "ends": data["ends"], "pre_starts": data["pre_starts"], "seed": data["seed"],
            "cases_per_cluster": data["cases_per_cluster"], "clusters": _strata(data["clusters"])}


def _strata(chosen: list[str]) -> dict[str, str]:
    """`team:T-EA` / `branch:SH01` -> the team or branch code with its region as the stratum."""
    teams = {t.code: t.region.code for t in Team.objects.select_related("region")}
    branches = {b.code: b.region.code for b in Branch.objects.select_related("region")}
    strata = {}
    for value in chosen:
        kind, _sep, code = value.partition(":")
        found = (teams if kind == "team" else branches).get(code)
        if found is not None:
            strata[code] = found
    return strata


def _plan_preview(data: dict) -> design.PowerPlan | None:
    clusters = len(data["clusters"])
    try:
        return design.power_plan(p_control=float(data["baseline_pct"]) / 100,
                                 p_treatment=float(data["target_pct"]) / 100,
                                 cluster_size=data["cases_per_cluster"], icc=float(data["icc"]),
                                 clusters_per_arm=max(1, clusters // 2))
    except ValueError:
        return None


PLAN_FIELDS = {"baseline_rate": "baseline_pct", "target_rate": "target_pct"}


@login_required
def pilot_new(request):
    """Plan a pilot: the change, the teams or branches (randomised within their region), the pre-period, and the
    power with the cluster design effect shown before anything is saved ("preview") and again before the start."""
    require(actor_of(request.user), Perm.MANAGE_MARKET)
    today = timezone.localdate()
    form = forms.PilotPlanForm(request.POST or None, initial={
        "pre_starts": today - timedelta(days=56), "starts": today + timedelta(days=7),
        "ends": today + timedelta(days=63), "cases_per_cluster": 400})
    preview = None
    if request.method == "POST" and form.is_valid():
        if request.POST.get("preview"):
            preview = _plan_preview(form.cleaned_data)
            if preview is None:
                form.add_error("target_pct", _("two different rates between 0% and 100%"))
        else:
            try:
                pilot = services.pilot_plan(actor=request.user, **_plan_args(form.cleaned_data))
            except ValidationError as error:
                form.add_service_errors(_renamed(error, PLAN_FIELDS))
            else:
                messages.success(request, _("Pilot planned: check the power, then start it."))
                return redirect("market:pilot", pilot.pk)
    return render(request, "market/pilot_new.html", {"form": form, "preview": preview})
