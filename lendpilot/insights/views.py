"""Pages of the command centre (FEATURES B9, F1): the director's (or the region's, the team's, the manager's)
12 core metrics with MoM/YoY and sparklines, the charts, the alert strip and the drill-down fragments.
Thin: every figure comes from `cockpit.cockpit_data` / `metrics.drilldown`, the same functions the API
answers with, so a tile always equals the API value for the same slice and period."""

from datetime import timedelta

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from lendpilot.core.numbers import amount_text, compact_amount_text, percent_text
from lendpilot.insights import metrics
from lendpilot.insights.catalogue import BY_CODE, CatalogueError, Period, month_period, parse_slice
from lendpilot.insights.cockpit import cockpit_data
from lendpilot.insights.selectors import CHANNELS, TIERS, insights_actor

# Why a ratio may pass 100 %, shown as the tile's tooltip when it does.
OVER_100_NOTES = {
    "target_attainment": _("More was disbursed than the period's target."),
    "collection_rate": _("Repayments received include arrears of earlier periods or early repayments, so they "
                         "exceed what fell due in the period."),
}


def display(unit: str, value, *, compact: bool = False) -> str:
    """A figure as the tile shows it: amounts in 万/亿 (K/M/B in English) when `compact`, else to the fen."""
    if value is None:
        return "—"
    if unit == "cny":
        if compact:
            return f"¥{compact_amount_text(value, language=get_language() or 'zh-hans')}"
        return f"¥{amount_text(value)}"
    if unit == "count":
        return f"{int(value):,}"
    if unit == "ratio":
        return percent_text(value)
    return f"{value:,.1f}"


def display_change(kind: str, unit: str, delta) -> str:
    if delta is None:
        return "—"
    if kind == "relative":
        return f"{delta * 100:+.1f}%"
    if unit == "ratio":
        return f"{delta * 100:+.2f} pp"
    return f"{delta:+.1f}"


def _tile(v, spark) -> dict:
    over_100 = v.unit == "ratio" and v.value is not None and v.value > 1
    return {"v": v, "metric": BY_CODE[v.code], "text": display(v.unit, v.value, compact=True),
            "exact": display(v.unit, v.value), "over_100_note": OVER_100_NOTES.get(v.code, "") if over_100 else "",
            "raw": "" if v.value is None else repr(v.value),
            "mom_text": display_change(v.change_kind, v.unit, v.mom),
            "yoy_text": display_change(v.change_kind, v.unit, v.yoy),
            "spark": [value for _m, value in spark]}


def _slice_from(request):
    dimension, key = request.GET.get("dimension", ""), request.GET.get("key", "")
    if not dimension and not key:
        return None
    try:
        return parse_slice(dimension, key, channels=CHANNELS, tiers=TIERS)
    except CatalogueError as exc:
        raise ValidationError(exc.errors) from exc


def link(period_code: str, dimension: str, key: str) -> str:
    return reverse("insights:cockpit") + "?" + urlencode({"period": period_code, "dimension": dimension, "key": key})


@login_required
def cockpit(request):
    acting = insights_actor(request.user)
    period = request.GET.get("period", "")
    try:
        data = cockpit_data(actor=acting, period=period or None, slice=_slice_from(request))
    except ValidationError as exc:
        return render(request, "insights/cockpit.html", {"errors": exc.message_dict, "period_text": period},
                      status=422)
    report = data["report"]
    tiles = [_tile(v, data["sparklines"][v.code]) for v in report.values]
    p = data["period"]
    chart = {"months": data["months"], "vs_target": data["disbursement_vs_target"], "funnel": data["funnel"],
             "npl": data["npl_band"], "comparison": data["comparison"],
             "sparklines": {t["v"].code: t["spark"] for t in tiles}}
    comparison_links = []
    if data["comparison"]:
        comparison_links = [{"key": k, "label": label, "href": link(p.code, data["comparison"]["dimension"], k)}
                            for k, label in zip(data["comparison"]["keys"], data["comparison"]["labels"], strict=True)]
    return render(request, "insights/cockpit.html", {
        **data, "tiles": tiles, "chart": chart, "period_text": p.code, "comparison_links": comparison_links,
        "parent_link": link(p.code, data["parent"].dimension, data["parent"].key) if data["parent"] else "",
        "previous_link": link(p.previous().code, data["slice"].dimension, data["slice"].key),
        "next_link": link(_next(p).code, data["slice"].dimension, data["slice"].key),
        "api_url": "/api/v1/insights/values?" + urlencode(
            {"period": p.code, "dimension": data["slice"].dimension, "key": data["slice"].key}),
    })


def _next(p):
    if p.kind == "month":
        return month_period(p.end + timedelta(days=1))
    return Period(p.kind, p.end + timedelta(days=1), p.end + timedelta(days=p.days))


@login_required
def drilldown(request):
    """The HTMX fragment: every segment of a dimension inside the slice, with its metrics and MoM."""
    acting = insights_actor(request.user)
    period = request.GET.get("period", "")
    dimension = request.GET.get("by", "")
    try:
        _a, period_, parent, _t = metrics.resolve(acting, period or None, _slice_from(request))
        rows = metrics.drilldown(actor=acting, period=period_, dimension=dimension, parent=parent)
    except ValidationError as exc:
        return render(request, "insights/_drilldown.html", {"errors": exc.message_dict}, status=422)
    table = [{"row": r, "link": link(period_.code, dimension, r.key),
              "cells": [{"v": v, "text": display(v.unit, v.value),
                         "mom_text": display_change(v.change_kind, v.unit, v.mom)} for v in r.values]}
             for r in rows]
    columns = [BY_CODE[v.code] for v in (rows[0].values if rows else [])]
    return render(request, "insights/_drilldown.html", {"table": table, "dimension": dimension, "metrics": columns})
