"""The metric engine of the command centre and the biweekly review (FEATURES B9, F1).

Public interface (everything else here is private):

    from lendpilot.insights.catalogue import CATALOGUE, BY_CODE, MetricDef, Period, Slice, parse_period
    from lendpilot.insights.metrics import metric_values, metric_report, drilldown, sparkline

    period = parse_period("month:2026-11", today=today)   # or "biweek:2026-11-16", "custom:A..B"; Period(...)
    values = metric_values(actor=user, period=period, slice=Slice("region", "3"), codes=None, today=None)
    # -> list[MetricValue(code, value, previous, last_year, mom, yoy, available, reason, ...)] in catalogue
    #    order; value None (available False) comes with the reason, never a silent zero.
    report = metric_report(...)                 # the same plus has_data / empty_reason / funnel sums
    rows = drilldown(actor=user, period=period, dimension="team", parent=Slice("region", "3"), codes=[...])
    series = sparkline(actor=user, slice=..., until=period, months=12)   # {code: [(month, value), ...]}

`period` may be a Period or its text code, `slice` a Slice or "dimension:key". Scope: the actor needs
VIEW_INSIGHTS and must hold the slice (`selectors.check_slice`: 404 for an unknown key and, alike, for a
region, team or manager outside the scope; 403 for a dimension the role may not see); bad text raises
ValidationError naming the field (period, dimension, key, metric) -> 422.

How figures are found (speed by design): flows (disbursements, decisions, leads, opportunities,
conversions, amounts due and collected) are additive daily sums kept in `MetricSnapshot` by
`services.metric_snapshots_build`; the engine sums snapshot rows in SQL and adds the live tables only for
the days of the period that are not built yet (normally just today). The live part and the build run the
very same SQL (`flows.flow_sql`), so a built day and a live day give the same figures. Stock metrics (overdue,
NPL) read monitoring's `PortfolioSnapshot` at the last snapshot date in the period; targets are the base
quotas of planning, pro rata by calendar days. Nothing aggregates raw rows in Python. Today's live delta is
kept in the cache for `LENDPILOT_INSIGHTS_LIVE_SECONDS` (default 60 s; never inside a transaction) and is
recomputed at once when a new disbursement, decision, lead, opportunity or repayment row arrives.
"""

from collections import defaultdict
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import (
    CharField,
    F,
    Max,
    Sum,
    Value,
)
from django.db.models.functions import Cast, TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from lendpilot.core.months import shift_month
from lendpilot.insights.catalogue import (
    BY_CODE,
    CATALOGUE,
    DIMENSIONS,
    FLOW_SUMS,
    STOCK_DIMENSIONS,
    TARGET_DIMENSIONS,
    CatalogueError,
    Figures,
    Period,
    Slice,
    change,
    derive,
    direction,
    month_period,
    parse_codes,
    parse_period,
    parse_slice,
    prorate,
)
from lendpilot.insights.flows import ZERO, flow_sums, monthly_flow_sums
from lendpilot.insights.selectors import CHANNELS, TIERS, check_slice, children_keys, insights_actor, slice_label
from lendpilot.monitoring.models import PortfolioSnapshot
from lendpilot.planning.models import Quota
from lendpilot.service.selectors import active_customers, service_sums

# ------------------------------------------------------------------------------ stock and targets

def _stock_date(start: date, end: date) -> date | None:
    return PortfolioSnapshot.objects.filter(dimension="all", business_date__range=(start, end)).aggregate(
        d=Max("business_date"))["d"]


def _stock(dimension: str, period: Period, today: date, *, key: str | None = None,
           keys: list[str] | None = None) -> tuple[date | None, dict]:
    """Balances at the period's last portfolio snapshot, per key: (date, {key: {balance, overdue, npl}})."""
    if dimension not in STOCK_DIMENSIONS:
        return None, {}
    day = _stock_date(period.start, min(period.end, today))
    if day is None:
        return None, {}
    qs = PortfolioSnapshot.objects.filter(business_date=day, dimension=dimension)
    if key is not None:
        qs = qs.filter(key=key)
    if keys is not None:
        qs = qs.filter(key__in=keys)
    return day, {r["key"]: r for r in qs.values("key", "balance", "overdue_balance", "npl_balance")}


_QUOTA_KEY = {"all": Value("all", output_field=CharField()), "region": "staff__team__region_id",
              "team": "staff__team_id", "manager": "staff_id"}


def _targets(dimension: str, period: Period, *, key: str | None = None, by_month: bool = False,
             keys: list[str] | None = None) -> dict:
    """Base quotas per key (pro rata for the period), or per month for one key when `by_month`."""
    if dimension not in TARGET_DIMENSIONS:
        return {}
    path = _QUOTA_KEY[dimension]
    expr = path if not isinstance(path, str) else Cast(F(path), output_field=CharField(max_length=40))
    qs = Quota.objects.filter(month__range=(period.start.replace(day=1), period.end)).annotate(lp_k=expr)
    if key is not None:
        qs = qs.filter(lp_k=key)
    if keys is not None:
        qs = qs.filter(lp_k__in=keys)
    per_key: dict = defaultdict(dict)
    for row in qs.values("lp_k", "month").annotate(s=Sum("base")).order_by():
        per_key[row["lp_k"]][row["month"]] = Decimal(row["s"] or 0)
    if by_month:
        return dict(per_key.get(key, {}))
    return {k: prorate(months, period) for k, months in per_key.items()}


def targets_by_month(sl: Slice, span: Period) -> dict[date, Decimal]:
    """The slice's base quotas per month over `span` (for the disbursement-against-target chart)."""
    return _targets(sl.dimension, span, key=sl.key, by_month=True)


# ---------------------------------------------------------------------------------------- results

@dataclass
class MetricValue:
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
    reason: str = ""
    mom_direction: str = "flat"
    yoy_direction: str = "flat"

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass
class MetricReport:
    period: Period
    slice: Slice
    label: str
    as_of: date
    values: list[MetricValue]
    has_data: bool
    empty_reason: str = ""
    sums: dict = field(default_factory=dict)
    stock_date: date | None = None
    target: Decimal | None = None

    def value_of(self, code: str) -> MetricValue:
        return next(v for v in self.values if v.code == code)


def _figures(dimension: str, period: Period, today: date, *, key: str | None = None,
             keys: list[str] | None = None, use_snapshots: bool = True) -> dict[str, Figures]:
    """Figures per key; `keys` narrows the snapshot, stock and target reads to those segments."""
    flows = flow_sums(dimension, period, today, key=key, keys=keys, use_snapshots=use_snapshots)
    stock_day, stock = _stock(dimension, period, today, key=key, keys=keys)
    targets = _targets(dimension, period, key=key, keys=keys)
    end = min(period.end, today)
    service = service_sums(dimension, period.start, end, key=key, keys=keys) if end >= period.start else {}
    keys = set(flows) | set(stock) | set(targets) | set(service)
    out = {}
    for k in keys:
        sums = flows.get(k, {})
        st = stock.get(k)
        out[k] = Figures(sums=sums, stock=st if st is not None else ({"balance": ZERO} if stock_day else None),
                         stock_date=stock_day, target=targets.get(k), service=service.get(k),
                         has_data=any(sums.get(c) for c in FLOW_SUMS) or bool(st and st["balance"]))
    return out


def _empty_figures(dimension: str, period: Period, today: date) -> Figures:
    stock_day = _stock_date(period.start, min(period.end, today)) if dimension in STOCK_DIMENSIONS else None
    return Figures(sums={}, stock={"balance": ZERO} if stock_day else None, stock_date=stock_day)


def _value(code: str, cur: Figures, prev: Figures | None, last: Figures | None, dimension: str,
           empty_reason: str, names: dict | None = None) -> MetricValue:
    metric = BY_CODE[code]
    if empty_reason and metric.source != "none":
        value, reason = None, empty_reason
    else:
        value, reason = derive(code, cur, dimension=dimension)
    previous = derive(code, prev, dimension=dimension)[0] if prev is not None and prev.has_data else None
    last_year = derive(code, last, dimension=dimension)[0] if last is not None and last.has_data else None
    mom, yoy = change(code, value, previous), change(code, value, last_year)
    return MetricValue(code=code, number=metric.number, name=names[code] if names else metric.name, unit=metric.unit,
                       good_direction=metric.good_direction, change_kind=metric.change_kind, value=value,
                       previous=previous, last_year=last_year, mom=mom, yoy=yoy, available=value is not None,
                       reason=reason, mom_direction=direction(code, mom), yoy_direction=direction(code, yoy))


def _as_validation(exc: CatalogueError) -> ValidationError:
    return ValidationError(exc.errors)


def resolve(actor, period, slice_, *, today: date | None = None):
    """(acting, period, slice, today) from the arguments of the public functions; scope-checked."""
    acting = insights_actor(actor)
    today = today or timezone.localdate()
    try:
        if not isinstance(period, Period):
            period = parse_period(period, today=today)
        if isinstance(slice_, str):
            dimension, _sep, key = slice_.partition(":")
            slice_ = parse_slice(dimension, key or None, channels=CHANNELS, tiers=TIERS)
        elif slice_ is None:
            from lendpilot.insights.selectors import default_slice

            slice_ = default_slice(acting)
    except CatalogueError as exc:
        raise _as_validation(exc) from exc
    return acting, period, check_slice(acting, slice_), today


def metric_report(*, actor, period, slice=None, codes=None, today: date | None = None,  # noqa: A002
                  use_snapshots: bool = True) -> MetricReport:
    """The catalogue's metrics for one slice and period with the previous period and last year (see the
    module docstring). `use_snapshots=False` computes everything from the raw tables (the bench baseline
    and the tests' cross-check)."""
    acting, period, sl, today = resolve(actor, period, slice, today=today)
    try:
        codes = parse_codes(codes)
    except CatalogueError as exc:
        raise _as_validation(exc) from exc
    key = sl.key
    found = {}
    for name, p in (("cur", period), ("prev", period.previous()), ("last", period.last_year())):
        found[name] = _figures(sl.dimension, p, today, key=key, use_snapshots=use_snapshots).get(key) \
            or _empty_figures(sl.dimension, p, today)
    cur = found["cur"]
    label = slice_label(sl)
    empty_reason = ""
    if period.start > today or not cur.has_data:
        empty_reason = "empty"
    if empty_reason:
        empty_reason = (_("no data for %(slice)s in %(period)s: the period has not started") if period.start > today
                        else _("no data for %(slice)s in %(period)s")) % {"slice": label, "period": period.label}
    values = [_value(c, cur, found["prev"], found["last"], sl.dimension, empty_reason) for c in codes]
    return MetricReport(period=period, slice=sl, label=label, as_of=min(period.end, today), values=values,
                        has_data=not empty_reason, empty_reason=empty_reason,
                        sums={c: cur.sums.get(c, 0) for c in FLOW_SUMS}, stock_date=cur.stock_date,
                        target=cur.target)


def metric_values(*, actor, period, slice=None, codes=None, today: date | None = None,  # noqa: A002
                  use_snapshots: bool = True) -> list[MetricValue]:
    """The metrics of one slice and period, in catalogue order (see `metric_report`)."""
    return metric_report(actor=actor, period=period, slice=slice, codes=codes, today=today,
                         use_snapshots=use_snapshots).values


@dataclass
class DrillRow:
    key: str
    label: str
    has_data: bool
    values: list[MetricValue]

    def value_of(self, code: str) -> MetricValue:
        return next(v for v in self.values if v.code == code)


def drilldown(*, actor, period, dimension: str, parent=None, codes=None, today: date | None = None,
              use_snapshots: bool = True) -> list[DrillRow]:
    """Every segment of `dimension` inside `parent` (default: the user's own slice) with its metrics and
    MoM, from one grouped query per source (not one per segment). Rejects a dimension that cannot be
    drilled into from the parent (422, field `dimension`)."""
    acting, period, parent_sl, today = resolve(actor, period, parent, today=today)
    try:
        codes = parse_codes(codes)
        if dimension not in DIMENSIONS:
            raise CatalogueError({"dimension": _("unknown dimension %(dimension)s") % {"dimension": dimension}})
        keys = children_keys(acting, parent_sl, dimension)
    except CatalogueError as exc:
        raise _as_validation(exc) from exc
    except ValueError as exc:
        raise ValidationError({"dimension": str(exc)}) from exc
    # Inside a region or team only its segments are read; the bank's lists are read whole.
    wanted = [k for k, _label in keys] if parent_sl.dimension != "all" and len(keys) <= 500 else None
    cur = _figures(dimension, period, today, keys=wanted, use_snapshots=use_snapshots)
    prev = _figures(dimension, period.previous(), today, keys=wanted, use_snapshots=use_snapshots)
    blank = _empty_figures(dimension, period, today)
    names = {c: BY_CODE[c].name for c in codes}
    rows = []
    for key, label in keys:
        fig = cur.get(key) or blank
        empty = ""
        if not fig.has_data:
            empty = _("no data for %(slice)s in %(period)s") % {"slice": label, "period": period.label}
        rows.append(DrillRow(key=key, label=label, has_data=fig.has_data,
                             values=[_value(c, fig, prev.get(key), None, dimension, empty, names) for c in codes]))
    return rows


def sparkline(*, actor, slice=None, until=None, months: int = 12, codes=None,  # noqa: A002
              today: date | None = None, use_snapshots: bool = True) -> dict[str, list[tuple[str, float | None]]]:
    """Monthly values of each metric over the `months` months ending with `until`'s month (period or text,
    default this month): {code: [("2026-01", value or None), ...]}. A handful of grouped queries."""
    acting, period, sl, today = resolve(actor, until, slice, today=today)
    try:
        codes = parse_codes(codes)
    except CatalogueError as exc:
        raise _as_validation(exc) from exc
    return _monthly(sl, period, today, months, codes, use_snapshots=use_snapshots)


def _monthly_stock(sl: Slice, first: date, end: date) -> tuple[dict[date, date], dict[date, dict]]:
    """The last portfolio snapshot day of each month from `first` to `end`, and the slice's balances on those
    days: ({month: day}, {day: row})."""
    stock_days: dict[date, date] = {}
    stock_rows: dict[date, dict] = {}
    if sl.dimension not in STOCK_DIMENSIONS or end < first:
        return stock_days, stock_rows
    for r in (PortfolioSnapshot.objects.filter(dimension="all", business_date__range=(first, end))
              .annotate(m=TruncMonth("business_date")).values("m").annotate(d=Max("business_date")).order_by()):
        m = r["m"].date() if isinstance(r["m"], datetime) else r["m"]
        stock_days[m] = r["d"]
    for r in PortfolioSnapshot.objects.filter(dimension=sl.dimension, key=sl.key,
                                              business_date__in=list(stock_days.values())).values(
            "business_date", "balance", "overdue_balance", "npl_balance"):
        stock_rows[r["business_date"]] = r
    return stock_days, stock_rows


def _monthly(sl: Slice, period: Period, today: date, months: int, codes: list[str], *,
             use_snapshots: bool = True) -> dict:
    last_month = period.end.replace(day=1)
    first = shift_month(last_month, -(months - 1))
    span = Period("custom", first, month_period(last_month).end)
    end = min(span.end, today)
    flows = monthly_flow_sums(sl.dimension, sl.key, first, end, today, use_snapshots=use_snapshots)
    stock_days, stock_rows = _monthly_stock(sl, first, end)
    targets = _targets(sl.dimension, span, key=sl.key, by_month=True)
    key = None if sl.dimension == "all" else sl.key
    service = service_sums(sl.dimension, first, end, key=key, by_month=True).get(sl.key, {}) if end >= first else {}
    base = active_customers(sl.dimension, key=key).get(sl.key)
    out: dict[str, list] = {c: [] for c in codes}
    month = first
    while month <= last_month:
        sums = flows.get(month, {})
        day = stock_days.get(month)
        stock = (stock_rows.get(day) or {"balance": ZERO}) if day else None
        month_service = {**service.get(month, {}), "active_customers": base or 0}
        fig = Figures(sums=sums, stock=stock, stock_date=day, target=targets.get(month), service=month_service,
                      has_data=any(sums.get(c) for c in FLOW_SUMS) or bool(stock and stock["balance"]))
        for code in codes:
            value = derive(code, fig, dimension=sl.dimension)[0] if fig.has_data and month <= today else None
            out[code].append((f"{month:%Y-%m}", value))
        month = shift_month(month, 1)
    return out


def catalogue() -> list[dict]:
    """The catalogue as plain data (for the API and the review report)."""
    return [{"code": m.code, "number": m.number, "name": m.name, "name_zh": m.name_zh, "name_en": m.name_en,
             "formula": m.formula, "unit": m.unit, "good_direction": m.good_direction, "owner": m.owner,
             "source": m.source, "change_kind": m.change_kind} for m in CATALOGUE]
