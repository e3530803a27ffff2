"""The command centre's data for one slice and period (FEATURES B9, F1), assembled from the metric engine:
the 12 tiles with MoM/YoY and 12-month sparklines, disbursement against target by month, the funnel, the NPL
ratio in its EWMA band, the comparison of the slice's segments and the alert strip. One function for the page,
the API and the bench, so that what the page shows is what the API answers."""

from datetime import date, timedelta

from django.utils.translation import gettext as _

from lendpilot.insights import metrics
from lendpilot.insights.catalogue import STOCK_DIMENSIONS, TARGET_DIMENSIONS, Period, month_period
from lendpilot.insights.selectors import CHILDREN, alert_strip, parent_of, slice_label
from lendpilot.monitoring.models import PortfolioSnapshot, RuleSet
from lendpilot.monitoring.rules import DEFAULT_RULES
from lendpilot.monitoring.thresholds import ewma_band

COMPARE_CODES = ["disbursed_amount", "target_attainment", "npl_ratio"]
BAND_DAYS = 180


def _npl_band(dimension: str, key: str, until: date) -> dict:
    """The daily NPL ratio of the slice over the last half year with monitoring's EWMA band."""
    if dimension not in STOCK_DIMENSIONS:
        return {"days": [], "npl": [], "upper": [], "centre": []}
    rows = list(PortfolioSnapshot.objects.filter(dimension=dimension, key=key,
                                                 business_date__range=(until - timedelta(days=BAND_DAYS), until))
                .order_by("business_date").values_list("business_date", "balance", "npl_balance"))
    days = [r[0].isoformat() for r in rows]
    series = [float(r[2] / r[1]) if r[1] else 0.0 for r in rows]
    active = RuleSet.objects.filter(is_active=True).values_list("thresholds", flat=True).first() or DEFAULT_RULES
    ew = {**DEFAULT_RULES["ewma"], **(active.get("ewma") or {})}
    band = ewma_band(series, lam=float(ew["lam"]), k=float(ew["k"]), warmup=int(ew["warmup"]))

    def clean(values):
        return [None if v != v else round(float(v), 6) for v in values]  # NaN (warm-up) -> no point

    return {"days": days, "npl": [round(v, 6) for v in series], "upper": clean(band.upper),
            "centre": clean(band.centre)}


def cockpit_data(*, actor, period=None, slice=None, today: date | None = None,  # noqa: A002
                 use_snapshots: bool = True) -> dict:
    """Everything the command centre shows for `slice` (default: the user's own) and `period` (default: this
    month). Raises like the engine: 403/404 for a slice out of scope or unknown, ValidationError for bad
    text. `use_snapshots=False` computes the same from the raw tables (the bench baseline)."""
    acting, period, sl, today = metrics.resolve(actor, period, slice, today=today)
    report = metrics.metric_report(actor=acting, period=period, slice=sl, today=today, use_snapshots=use_snapshots)
    spark = metrics.sparkline(actor=acting, slice=sl, until=period, today=today, use_snapshots=use_snapshots)
    months = [label for label, _v in spark["disbursed_amount"]]
    first = date.fromisoformat(months[0] + "-01")
    span = Period("custom", first, month_period(period.end).end)
    targets = metrics.targets_by_month(sl, span) if sl.dimension in TARGET_DIMENSIONS else {}
    target_series = [float(targets[m]) if (m := date.fromisoformat(label + "-01")) in targets else None
                     for label in months]
    s = report.sums
    funnel = [{"stage": "leads", "label": _("Leads received"), "value": int(s.get("leads", 0))},
              {"stage": "opportunities", "label": _("Opportunities opened"), "value": int(s.get("opportunities", 0))},
              {"stage": "decided", "label": _("Applications decided"), "value": int(s.get("applications_decided", 0))},
              {"stage": "approved", "label": _("Applications approved"),
               "value": int(s.get("applications_approved", 0))},
              {"stage": "loans", "label": _("Loans disbursed"), "value": int(s.get("loans", 0))}]
    children = CHILDREN.get(sl.dimension, ())
    comparison = None
    if children:
        rows = metrics.drilldown(actor=acting, period=period, dimension=children[0], parent=sl, codes=COMPARE_CODES,
                                 today=today, use_snapshots=use_snapshots)
        comparison = {"dimension": children[0], "labels": [r.label for r in rows], "keys": [r.key for r in rows],
                      "series": {c: [r.value_of(c).value for r in rows] for c in COMPARE_CODES}}
    parent = parent_of(acting, sl)
    return {
        "period": period, "slice": sl, "label": slice_label(sl), "report": report, "today": today,
        "sparklines": spark, "months": months,
        "disbursement_vs_target": {"months": months, "disbursed": [v for _m, v in spark["disbursed_amount"]],
                                   "target": target_series},
        "funnel": funnel, "npl_band": _npl_band(sl.dimension, sl.key, report.as_of),
        "comparison": comparison, "drill_dimensions": list(children), "parent": parent,
        "parent_label": slice_label(parent) if parent else "",
        "alerts": alert_strip(acting, today=today),
    }
