"""Pages of the review cycle: the biweekly review, funnel diagnostics, conversion analysis and the action
item board and detail (FEATURES B9, B10, B11, F2, F4). Thin: selectors to read, services to write; the
figures come from the same functions as the API, so the page and the API always agree."""

import json
from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lendpilot.core.errors import Conflict
from lendpilot.core.field_values import read_date
from lendpilot.core.models import ActionItem, ActionItemMember
from lendpilot.core.views import error_lines, flash_errors
from lendpilot.insights.diagnostics import percent
from lendpilot.insights.review import actions, selectors
from lendpilot.insights.review.report import (
    conversion_payload,
    funnel_payload,
    metric_texts,
    report_rows,
    review_period,
    stage_labels,
)
from lendpilot.org.access import actor_of, scope_filter
from lendpilot.org.models import Region, Staff, Team
from lendpilot.org.roles import Perm
from lendpilot.products.models import Product
from lendpilot.sales.models import Lead, Tier


def _date(request, name: str) -> date | None:
    raw = (request.GET.get(name) or "").strip()
    return read_date(raw, field=name) if raw else None


def _slice_params(request) -> tuple[str | None, str | None]:
    combined = (request.GET.get("slice") or "").strip()
    if combined:
        dimension, _sep, key = combined.partition(":")
        return dimension, key
    return request.GET.get("dimension"), request.GET.get("key")


def slice_options(user) -> list[tuple[str, str]]:
    """The slices the user may pick, as ("dimension:key", label): the bank or the user's part of it, the
    regions, teams and managers in scope, then products, channels and tiers."""
    acting = actor_of(user)
    options = [("bank", _("Whole bank") if acting.scope == "all" else _("Everything I see"))]
    if acting.scope == "all":
        options += [(f"region:{r.pk}", f"{_('Region')} · {r.name}") for r in Region.objects.all()]
        options += [(f"team:{t.pk}", f"{_('Team')} · {t.name}") for t in Team.objects.all()]
    elif acting.scope == "region" and acting.staff:
        options += [(f"region:{acting.staff.region_id}", f"{_('Region')} · {acting.staff.region.name}")]
        options += [(f"team:{t.pk}", f"{_('Team')} · {t.name}")
                    for t in Team.objects.filter(region_id=acting.staff.region_id)]
    elif acting.scope == "team" and acting.staff and acting.staff.team_id:
        options += [(f"team:{acting.staff.team_id}", f"{_('Team')} · {acting.staff.team.name}")]
    managers = scope_filter(acting, Staff.objects.filter(role="account_manager", is_active=True), owner="")
    options += [(f"manager:{s.pk}", f"{_('Account manager')} · {s.name}") for s in managers.order_by("name")[:2000]]
    options += [(f"product:{p.pk}", f"{_('Product')} · {p}") for p in Product.objects.all()[:100]]
    options += [(f"channel:{v}", f"{_('Channel')} · {label}") for v, label in Lead.Source.choices]
    options += [(f"tier:{v}", f"{_('Tier')} · {label}") for v, label in Tier.choices]
    return options


def slice_groups(options: list[tuple[str, str]]) -> list[tuple[str, list[tuple[str, str]]]]:
    """The slice options grouped under their dimension (region, team, manager, ...) for the picker."""
    names = {"bank": _("Whole bank"), "region": _("Region"), "team": _("Team"), "manager": _("Account manager"),
             "product": _("Product"), "channel": _("Channel"), "tier": _("Tier")}
    groups: dict[str, list[tuple[str, str]]] = {}
    for value, label in options:
        groups.setdefault(value.partition(":")[0], []).append((value, label))
    return [(str(names.get(dimension, dimension)), items) for dimension, items in groups.items()]


def _picker(user, selected: str) -> dict:
    return {"slice_groups": slice_groups(slice_options(user)), "slice_value": selected,
            "slice_no_match": json.dumps(_("No scope matches this search"))}


def _context(request) -> dict:
    """Slice and period of the request (422-like problems come back as ValidationError)."""
    dimension, key = _slice_params(request)
    the_slice = selectors.resolve_slice(request.user, dimension, key)
    period = review_period(_date(request, "start"), _date(request, "end"), today=timezone.localdate())
    query = {"dimension": the_slice.dimension, "key": the_slice.key, "start": period.start.isoformat(),
             "end": period.end.isoformat()}
    return {"slice": the_slice, "period": period, "query": urlencode(query),
            **_picker(request.user, the_slice.ref() if the_slice.key else "bank")}


def _page(request, template: str, build) -> object:
    actor = actor_of(request.user)
    if not actor.can(Perm.VIEW_REVIEW):
        raise PermissionDenied
    try:
        ctx = _context(request)
        ctx.update(build(ctx))
    except ValidationError as exc:
        return render(request, template, {"errors": error_lines(exc), **_picker(request.user, "bank")}, status=400)
    return render(request, template, ctx)


def _funnel_chart(diagnosis) -> str:
    labels = stage_labels()
    return {
        "stages": [str(labels[n.stage]) for n in diagnosis.nodes],
        "entered": [n.entered for n in diagnosis.nodes],
        "loss": [percent(n.loss) for n in diagnosis.nodes],
        "baseline": [percent(n.baseline_loss) for n in diagnosis.nodes],
        "flagged": [n.flagged for n in diagnosis.nodes],
        "labels": {"entered": _("Entered"), "loss": _("Loss %"), "baseline": _("Baseline loss %")},
    }


@login_required
def funnel_page(request):
    def build(ctx):
        diagnosis = selectors.funnel_diagnosis(request.user, ctx["slice"], ctx["period"])
        return {"funnel": funnel_payload(diagnosis, ctx["slice"]), "chart": _funnel_chart(diagnosis),
                "can_open": actor_of(request.user).can(Perm.MANAGE_ACTION_ITEMS)}

    return _page(request, "insights/diagnostics.html", build)


@login_required
@require_POST
def funnel_diagnose(request):
    target = reverse("insights:funnel")
    try:
        dimension, key = request.POST.get("dimension"), request.POST.get("key")
        the_slice = selectors.resolve_slice(request.user, dimension, key)
        start = date.fromisoformat(request.POST["start"]) if request.POST.get("start") else None
        end = date.fromisoformat(request.POST["end"]) if request.POST.get("end") else None
        period = review_period(start, end, today=timezone.localdate())
        result = actions.action_items_from_funnel(actor=request.user, the_slice=the_slice, period=period)
        target += "?" + urlencode({"dimension": the_slice.dimension, "key": the_slice.key,
                                   "start": period.start.isoformat(), "end": period.end.isoformat()})
        if result.flagged:
            messages.success(request, _("%(n)s flagged node(s) hold an improvement action item")
                             % {"n": len(result.flagged)})
        else:
            messages.info(request, _("No node is flagged: nothing to open"))
    except ValueError:
        messages.error(request, _("not a date (YYYY-MM-DD)"))
    except ValidationError as exc:
        flash_errors(request, exc)
    return redirect(target)


@login_required
def conversion_page(request):
    def build(ctx):
        by = ",".join(request.GET.getlist("by")) or None
        analysis = selectors.conversion_analysis(request.user, ctx["slice"], ctx["period"], by=by)
        labels = {"channel": _("Channel"), "product": _("Product"), "tier": _("Customer tier")}
        by_options = [(code, labels.get(code, code), code in analysis.dimensions)
                      for code in selectors.CONVERSION_DIMENSIONS]
        chart = {
            "labels": [" / ".join(s.labels) for s in analysis.best + analysis.worst],
            "rate": [round((s.rate or 0) * 100, 1) for s in analysis.best + analysis.worst],
            "low": [round((s.low or 0) * 100, 1) for s in analysis.best + analysis.worst],
            "high": [round((s.high or 0) * 100, 1) for s in analysis.best + analysis.worst],
            "name": _("Conversion %"),
        }
        return {"analysis": analysis, "conversion": conversion_payload(analysis, ctx["slice"], ctx["period"]),
                "chart": chart, "by": ",".join(analysis.dimensions), "by_options": by_options, "show_by": True}

    return _page(request, "insights/conversion.html", build)


@login_required
def review_page(request):
    def build(ctx):
        report = selectors.review_report(request.user, ctx["slice"], ctx["period"])
        return {"report": report, "metrics": [metric_texts(m) for m in report["metrics"]],
                "funnel": funnel_payload(report["funnel"], ctx["slice"]),
                "conversion": conversion_payload(report["conversion"], ctx["slice"], ctx["period"]),
                "sheets": report_rows(report), "chart": _funnel_chart(report["funnel"])}

    return _page(request, "insights/review.html", build)


# --- action items -------------------------------------------------------------------------------------------

@login_required
def action_board(request):
    actor = actor_of(request.user)
    if not actor.can(Perm.VIEW_REVIEW):
        raise PermissionDenied
    source = request.GET.get("source") if request.GET.get("source") in ActionItem.SourceKind.values else None
    overdue = request.GET.get("overdue") == "1"
    items = selectors.action_items_for(request.user, source_kind=source, overdue_only=overdue)
    columns = [(value, label, list(items.filter(status=value)[:100])) for value, label in ActionItem.Status.choices]
    return render(request, "insights/action_board.html", {
        "columns": columns, "source": source, "overdue": overdue, "now": timezone.now(),
        "can_create": actor.can(Perm.WORK_ACTION_ITEMS), "staff": actions.staff_choices(),
        "functions": ActionItemMember.Function.choices, "sources": ActionItem.SourceKind.choices,
    })


@login_required
@require_POST
def action_create(request):
    try:
        members = actions.parse_members(
            f"{uid}:{fn}" for uid, fn in zip(request.POST.getlist("member_user"),
                                             request.POST.getlist("member_function"), strict=False) if uid)
        owner = request.POST.get("owner_id") or None
        if owner is not None and not owner.isdigit():
            raise ValidationError({"owner_id": _("no active staff member with that user id")})
        item = actions.action_item_create(actor=request.user, title=request.POST.get("title", ""),
                                          description=request.POST.get("description", ""),
                                          owner_id=int(owner) if owner else None, members=members)
    except ValidationError as exc:
        flash_errors(request, exc)
        return redirect("insights:actions")
    messages.success(request, _("Action item opened"))
    return redirect("insights:action_detail", item_id=item.pk)


@login_required
def action_detail(request, item_id: int):
    item = (selectors.action_items_visible(request.user)
            .select_related("owner__staff", "escalated_to__staff", "created_by__staff").filter(pk=item_id).first())
    if item is None:
        raise Http404
    statuses = dict(ActionItem.Status.choices)
    history = [{"row": h, "from": statuses.get(h.from_status, h.from_status) if h.from_status else "",
                "to": statuses.get(h.to_status, h.to_status),
                "by": (h.actor.staff.name if h.actor and hasattr(h.actor, "staff") else
                       _("System") if h.actor is None else h.actor_label)}
               for h in item.status_history.select_related("actor__staff")]
    return render(request, "insights/action_detail.html", {
        "item": item, "members": item.members.select_related("user__staff"), "source": source_text(item),
        "history": history, "now": timezone.now(),
        "overdue": item.is_live and item.due_at < timezone.now(),
    })


def source_text(item: ActionItem) -> str:
    """What opened an item, in words: the complaint by its reference, the alert by its number, the funnel
    stage with its slice and period ("" for an item opened by hand)."""
    kind, _sep, rest = item.source_ref.partition(":")
    if kind == "complaint" and rest.isdigit():
        from lendpilot.service.models import Complaint

        reference = Complaint.objects.filter(pk=int(rest)).values_list("reference", flat=True).first()
        return _("Complaint %(reference)s") % {"reference": reference or rest}
    if kind == "alert" and rest.isdigit():
        return _("Early-warning alert %(number)s") % {"number": rest}
    if kind == "funnel":
        parts = rest.split(":")
        stage = next((p for p in parts if p in stage_labels()), "")
        period = " – ".join(p for p in parts if len(p) == 10 and p[4:5] == "-")
        if stage:
            return _("Funnel stage %(stage)s, %(period)s") % {"stage": stage_labels()[stage], "period": period}
    return item.source_ref


@login_required
@require_POST
def action_move(request, item_id: int, move: str):
    service = {"start": actions.action_item_start, "close": actions.action_item_close,
               "cancel": actions.action_item_cancel}.get(move)
    if service is None:
        raise Http404
    kwargs = {}
    if move == "close":
        kwargs["outcome"] = request.POST.get("outcome", "")
    if move == "cancel":
        kwargs["reason"] = request.POST.get("reason", "")
    try:
        service(actor=request.user, item_id=item_id, **kwargs)
    except (ValidationError, Conflict) as exc:
        flash_errors(request, exc)
    return redirect("insights:action_detail", item_id=item_id)


@login_required
@require_POST
def action_from_alert(request):
    raw = (request.POST.get("alert_id") or "").strip()
    try:
        if not raw.isdigit():
            raise ValidationError({"alert_id": _("give the number of an early-warning alert")})
        item = actions.action_item_from_alert(actor=request.user, alert_id=int(raw))
    except ValidationError as exc:
        flash_errors(request, exc)
        return redirect("insights:actions")
    return redirect("insights:action_detail", item_id=item.pk)
