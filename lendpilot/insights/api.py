"""REST endpoints of the command centre: the metric catalogue, metric values and drill-downs (B9, F1).

Thin: parse, call the engine (`lendpilot.insights.metrics`), return a schema. Unknown metric, dimension, key
format or period -> 422 naming the field; a slice outside the user's scope -> 403; an unknown key -> 404; a
period without data -> 200 with `has_data: false` and `empty_reason`, values null (never a silent zero)."""

from datetime import date

from django.core.exceptions import ValidationError
from ninja import Query, Router, Schema

from lendpilot.core.schemas import with_errors
from lendpilot.insights import metrics
from lendpilot.insights.catalogue import CatalogueError, parse_slice
from lendpilot.insights.cockpit import cockpit_data
from lendpilot.insights.selectors import CHANNELS, TIERS, insights_actor, slice_label

router = Router()


class MetricOut(Schema):
    code: str
    number: int
    name: str
    name_zh: str
    name_en: str
    formula: str
    unit: str
    good_direction: str
    owner: str
    source: str
    change_kind: str


class ValueOut(Schema):
    code: str
    number: int
    name: str
    unit: str
    good_direction: str
    change_kind: str
    value: float | None
    previous: float | None
    last_year: float | None
    mom: float | None
    yoy: float | None
    available: bool
    reason: str


class SliceOut(Schema):
    dimension: str
    key: str
    label: str


class PeriodOut(Schema):
    code: str
    kind: str
    start: date
    end: date
    label: str


class ValuesOut(Schema):
    period: PeriodOut
    slice: SliceOut
    as_of: date
    has_data: bool
    empty_reason: str
    values: list[ValueOut]


class DrillRowOut(Schema):
    key: str
    label: str
    has_data: bool
    values: list[ValueOut]


class DrilldownOut(Schema):
    period: PeriodOut
    parent: SliceOut
    dimension: str
    rows: list[DrillRowOut]


def _period(p) -> dict:
    return {"code": p.code, "kind": p.kind, "start": p.start, "end": p.end, "label": p.label}


def _slice(dimension: str | None, key: str | None):
    if not dimension and not key:
        return None
    try:
        return parse_slice(dimension, key, channels=CHANNELS, tiers=TIERS)
    except CatalogueError as exc:
        raise ValidationError(exc.errors) from exc


@router.get("/metrics", response=with_errors({200: list[MetricOut]}))
def metric_catalogue(request):
    """The catalogue: every metric's code, names, formula, unit, good direction and owner."""
    insights_actor(request.user)
    return metrics.catalogue()


@router.get("/values", response=with_errors({200: ValuesOut}))
def metric_values(request, period: str = Query("", max_length=40), dimension: str = Query("", max_length=20),
                  key: str = Query("", max_length=40), metric: str = Query("", max_length=400)):
    """The metrics of one slice (default: the user's own) for a period (default: this month), with the
    previous period, the same period last year, MoM and YoY."""
    acting = insights_actor(request.user)
    report = metrics.metric_report(actor=acting, period=period or None, slice=_slice(dimension, key),
                                   codes=metric or None)
    return {"period": _period(report.period),
            "slice": {"dimension": report.slice.dimension, "key": report.slice.key, "label": report.label},
            "as_of": report.as_of, "has_data": report.has_data, "empty_reason": report.empty_reason,
            "values": [v.as_dict() for v in report.values]}


@router.get("/drilldown", response=with_errors({200: DrilldownOut}))
def metric_drilldown(request, dimension: str = Query(..., max_length=20), metric: str = Query("", max_length=400),
                     period: str = Query("", max_length=40), parent_dimension: str = Query("", max_length=20),
                     parent_key: str = Query("", max_length=40)):
    """The metrics (all, or those named in `metric`, comma-separated) of every segment of `dimension` inside
    the parent slice (default: the user's own)."""
    acting = insights_actor(request.user)
    _acting, period_, parent, _today = metrics.resolve(acting, period or None,
                                                       _slice(parent_dimension, parent_key))
    rows = metrics.drilldown(actor=acting, period=period_, dimension=dimension, parent=parent, codes=metric or None)
    return {"period": _period(period_), "dimension": dimension,
            "parent": {"dimension": parent.dimension, "key": parent.key, "label": slice_label(parent)},
            "rows": [{"key": r.key, "label": r.label, "has_data": r.has_data, "values": [v.as_dict() for v in r.values]}
                     for r in rows]}


class CockpitOut(Schema):
    values: ValuesOut
    sparklines: dict[str, list[float | None]]
    months: list[str]
    funnel: list[dict]
    disbursement_vs_target: dict
    npl_band: dict
    comparison: dict | None


@router.get("/cockpit", response=with_errors({200: CockpitOut}))
def cockpit(request, period: str = Query("", max_length=40), dimension: str = Query("", max_length=20),
            key: str = Query("", max_length=40)):
    """Everything the command centre page shows for a slice and period, as data."""
    acting = insights_actor(request.user)
    data = cockpit_data(actor=acting, period=period or None, slice=_slice(dimension, key))
    report = data["report"]
    return {"values": {"period": _period(report.period),
                       "slice": {"dimension": report.slice.dimension, "key": report.slice.key, "label": report.label},
                       "as_of": report.as_of, "has_data": report.has_data, "empty_reason": report.empty_reason,
                       "values": [v.as_dict() for v in report.values]},
            "sparklines": {c: [v for _m, v in series] for c, series in data["sparklines"].items()},
            "months": data["months"], "funnel": data["funnel"],
            "disbursement_vs_target": data["disbursement_vs_target"], "npl_band": data["npl_band"],
            "comparison": data["comparison"]}
