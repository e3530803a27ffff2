"""Flow sums of the metric engine (FEATURES B9, F1): the raw sources of every additive daily figure
(disbursements, decisions, leads, opportunities, conversions, amounts due and collected) as one SQL union
(`flow_sql`, the same statement the snapshot build inserts from), and the sums over a period or per month
read from the built `MetricSnapshot` days plus the live tables for the days not built yet (normally today).
Today's live delta is cached for `LENDPILOT_INSIGHTS_LIVE_SECONDS` and recomputed when a new row arrives."""

import hashlib
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import (
    Case,
    CharField,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, TruncDate, TruncMonth
from django.utils import timezone

from lendpilot.insights.catalogue import (
    FLOW_SUMS,
    MONEY_SUMS,
    Period,
)
from lendpilot.insights.models import MetricSnapshot, MetricSnapshotDay
from lendpilot.lending.models import Application, Instalment, Loan, Repayment, StatusChange
from lendpilot.sales.models import Lead, Opportunity

ZERO = Decimal("0")


# ----------------------------------------------------------------------------------- flow sources

class DaysBetween(Func):
    """Whole days from `start` to `end` (both dates), an integer on SQLite and PostgreSQL alike."""

    output_field = IntegerField()

    def __init__(self, end, start):
        super().__init__(end, start)

    def as_sql(self, compiler, connection, **extra):  # noqa: ARG002
        end_sql, end_params = compiler.compile(self.source_expressions[0])
        start_sql, start_params = compiler.compile(self.source_expressions[1])
        if connection.vendor == "sqlite":
            return (f"CAST(julianday({end_sql}) - julianday({start_sql}) AS INTEGER)",
                    [*end_params, *start_params])
        return f"({end_sql} - {start_sql})", [*end_params, *start_params]


def _partner_of_application(path: str, direct: str):
    """The channel partner behind an application: the one it names, else the one whose login submitted the
    lead of its opportunity; "none" without."""
    via_lead = Opportunity.objects.filter(application_id=OuterRef(path),
                                          lead__created_by__channel_partner__isnull=False).order_by() \
        .values("lead__created_by__channel_partner")[:1]
    return Coalesce(F(direct), Subquery(via_lead))


def _channel_of_application(path: str):
    """The lead source behind an application (through the opportunity that carries it), "none" without."""
    source = Opportunity.objects.filter(application_id=OuterRef(path), lead__isnull=False).order_by() \
        .values("lead__source")[:1]
    return Subquery(source, output_field=CharField())


@dataclass(frozen=True)
class _Source:
    name: str
    model: type
    date_field: str
    is_datetime: bool
    sums: dict
    keys: dict  # dimension -> field path, or ("application", path) for the channel of an application, or
    # ("partner", application id path, application partner path) for the channel partner of an application
    where: tuple = ()

    def queryset(self, ranges: list[tuple[date, date]]):
        cond = Q()
        for start, end in ranges:
            if self.is_datetime:
                tz = timezone.get_current_timezone()
                cond |= Q(**{f"{self.date_field}__gte": datetime.combine(start, time.min, tz),
                             f"{self.date_field}__lt": datetime.combine(end + timedelta(days=1), time.min, tz)})
            else:
                cond |= Q(**{f"{self.date_field}__range": (start, end)})
        return self.model.objects.filter(cond, *self.where)

    def day(self):
        return TruncDate(self.date_field) if self.is_datetime else F(self.date_field)

    def key(self, dimension: str):
        if dimension == "all":
            return Value("all", output_field=CharField())
        path = self.keys[dimension]
        if isinstance(path, tuple):
            expr = _partner_of_application(path[1], path[2]) if path[0] == "partner" \
                else _channel_of_application(path[1])
        else:
            expr = F(path)
        return Coalesce(Cast(expr, output_field=CharField(max_length=40)), Value("none"),
                        output_field=CharField())


_APPROVED = Application.Status.APPROVED
_LEAD_KEYS = {"region": "region_id", "team": "owner__team_id", "manager": "owner_id", "product": "product_id",
              "channel": "source", "tier": "customer__tier", "partner": "created_by__channel_partner"}


def _loan_keys(prefix: str, application: str) -> dict:
    return {"region": f"{prefix}borrower__region_id", "team": f"{prefix}borrower__manager__team_id",
            "manager": f"{prefix}borrower__manager_id", "product": f"{prefix}product_id",
            "tier": f"{prefix}borrower__tier", "channel": ("application", application),
            "partner": ("partner", application, application.removesuffix("_id") + "__partner_id")}


SOURCES: tuple[_Source, ...] = (
    _Source("loans", Loan, "disbursed_on", False,
            {"disbursed_amount": F("principal"), "loans": Value(1)}, _loan_keys("", "contract__application_id")),
    _Source("decisions", StatusChange, "at", True,
            {"applications_decided": Value(1),
             "applications_approved": Case(When(to_status=_APPROVED, then=Value(1)), default=Value(0))},
            {"region": "application__applicant__region_id", "team": "application__applicant__manager__team_id",
             "manager": "application__applicant__manager_id", "product": "application__product_id",
             "tier": "application__applicant__tier", "channel": ("application", "application_id"),
             "partner": ("partner", "application_id", "application__partner_id")},
            (Q(to_status__in=[Application.Status.APPROVED, Application.Status.REJECTED]),)),
    _Source("leads", Lead, "received_at", True, {"leads": Value(1)}, _LEAD_KEYS),
    _Source("opportunities", Opportunity, "created_at", True, {"opportunities": Value(1)},
            {"region": "owner__team__region_id", "team": "owner__team_id", "manager": "owner_id",
             "product": "product_id", "channel": "lead__source", "tier": "customer__tier",
             "partner": "lead__created_by__channel_partner"}),
    _Source("conversions", Lead, "opportunity__application__contract__loan__disbursed_on", False,
            {"leads_converted": Value(1),
             "conversion_days_sum": DaysBetween(F("opportunity__application__contract__loan__disbursed_on"),
                                                TruncDate("received_at"))}, _LEAD_KEYS),
    _Source("instalments", Instalment, "due_date", False,
            {"due_amount": F("principal_due") + F("interest_due")},
            _loan_keys("loan__", "loan__contract__application_id")),
    _Source("repayments", Repayment, "value_date", False,
            {"collected_amount": F("principal_part") + F("interest_part")},
            _loan_keys("loan__", "loan__contract__application_id"), (Q(kind=Repayment.Kind.REGULAR),)),
)


def flow_sql(dimension: str, ranges: list[tuple[date, date]]) -> tuple[str, list]:
    """One SELECT (d, k, <every flow sum>) over the raw rows of every source in the date ranges: the union
    that the snapshot build groups and inserts and that the engine groups for the days not yet built."""
    branches, params = [], []
    for source in SOURCES:
        qs = (source.queryset(ranges).annotate(lp_d=source.day(), lp_k=source.key(dimension), **{
            f"lp_{c}": expr for c, expr in source.sums.items()}).order_by()
              .values("lp_d", "lp_k", *(f"lp_{c}" for c in source.sums)))
        sql, p = qs.query.sql_with_params()
        cols = ", ".join(f"s.lp_{c} AS {c}" if c in source.sums else f"0 AS {c}" for c in FLOW_SUMS)
        branches.append(f"SELECT s.lp_d AS d, s.lp_k AS k, {cols} FROM ({sql}) s")  # noqa: S608 (ORM-built SQL)
        params.extend(p)
    return " UNION ALL ".join(branches), params


def as_number(column: str, value) -> Decimal | int:
    if value is None:
        return ZERO if column in MONEY_SUMS else 0
    if column in MONEY_SUMS:
        return Decimal(str(value)).quantize(Decimal("0.01"))
    return int(value)


def _fingerprint() -> tuple:
    """The newest row id of every flow source: a new disbursement, decision, lead, opportunity, instalment or
    repayment changes it (one statement of index lookups)."""
    tables = [m._meta.db_table for m in (Loan, StatusChange, Lead, Opportunity, Instalment, Repayment)]
    qn = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(f"(SELECT MAX(id) FROM {qn(t)})" for t in tables))  # noqa: S608
        return tuple(cursor.fetchone())


def live_rows(dimension: str, ranges: list[tuple[date, date]], *, key: str | None = None,
               by_month: bool = False) -> dict:
    """Flow sums grouped by key (or by month for one key) over the raw tables, in one SQL statement.

    The result is kept in the cache for `LENDPILOT_INSIGHTS_LIVE_SECONDS` (default 60; 0 turns it off): today's
    delta scans the day's rows of tables that have no index on their business date, so a busy page reuses it
    for a minute (and at once recomputes it when a new row arrives: the key holds the newest ids). Never
    inside a transaction, where the rows may be uncommitted or rolled back."""
    if not ranges:
        return {}
    seconds = int(getattr(settings, "LENDPILOT_INSIGHTS_LIVE_SECONDS", 60))
    if seconds <= 0 or connection.in_atomic_block:
        return live_rows_uncached(dimension, ranges, key=key, by_month=by_month)
    cache_key = "insights:live:" + hashlib.sha256(repr((
        connection.settings_dict.get("NAME"), dimension, ranges, key, by_month, _fingerprint())).encode()).hexdigest()
    found = cache.get(cache_key)
    if found is None:
        found = live_rows_uncached(dimension, ranges, key=key, by_month=by_month)
        cache.set(cache_key, found, seconds)
    return found


def live_rows_uncached(dimension: str, ranges: list[tuple[date, date]], *, key: str | None = None,
                        by_month: bool = False) -> dict:
    union, params = flow_sql(dimension, ranges)
    sums = ", ".join(f"SUM(u.{c})" for c in FLOW_SUMS)
    where = ""
    if key is not None:
        where, params = "WHERE u.k = %s", [*params, key]
    group = "u.d" if by_month else "u.k"
    sql = f"SELECT {group}, {sums} FROM ({union}) u {where} GROUP BY {group}"  # noqa: S608
    out: dict = defaultdict(lambda: dict.fromkeys(FLOW_SUMS, 0))
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for row in cursor.fetchall():
            group_key = row[0]
            if by_month:
                day = group_key if isinstance(group_key, date) else date.fromisoformat(str(group_key)[:10])
                group_key = day.replace(day=1)
            target = out[group_key]
            for column, value in zip(FLOW_SUMS, row[1:], strict=True):
                target[column] += as_number(column, value)
    return dict(out)


# -------------------------------------------------------------------------------------- coverage

def unbuilt_ranges(start: date, end: date, today: date) -> list[tuple[date, date]]:
    """The days of [start, min(end, today)] without built snapshot rows, as contiguous ranges."""
    end = min(end, today)
    if end < start:
        return []
    built = set(MetricSnapshotDay.objects.filter(business_date__range=(start, end))
                .values_list("business_date", flat=True))
    ranges, run_start = [], None
    day = start
    while day <= end:
        if day not in built and run_start is None:
            run_start = day
        if day in built and run_start is not None:
            ranges.append((run_start, day - timedelta(days=1)))
            run_start = None
        day += timedelta(days=1)
    if run_start is not None:
        ranges.append((run_start, end))
    return ranges


def add_sums(target: dict, sums: dict) -> None:
    for column in FLOW_SUMS:
        target[column] = target.get(column, 0) + (sums.get(column) or 0)


def snapshot_sums(dimension: str, start: date, end: date, *, key: str | None = None,
                   keys: list[str] | None = None) -> dict:
    qs = MetricSnapshot.objects.filter(dimension=dimension, business_date__range=(start, end))
    if key is not None:
        qs = qs.filter(key=key)
    if keys is not None:
        qs = qs.filter(key__in=keys)
    rows = qs.values("key").annotate(**{f"s_{c}": Sum(c) for c in FLOW_SUMS}).order_by()
    return {r["key"]: {c: as_number(c, r[f"s_{c}"]) for c in FLOW_SUMS} for r in rows}


def flow_sums(dimension: str, period: Period, today: date, *, key: str | None = None,
               keys: list[str] | None = None, use_snapshots: bool = True) -> dict[str, dict]:
    """Sums per key over the period: built days from the snapshot, the other days (to today) live."""
    end = min(period.end, today)
    if end < period.start:
        return {}
    if not use_snapshots:
        return live_rows_uncached(dimension, [(period.start, end)], key=key)
    out = snapshot_sums(dimension, period.start, end, key=key, keys=keys)
    for k, sums in live_rows(dimension, unbuilt_ranges(period.start, end, today), key=key).items():
        add_sums(out.setdefault(k, dict.fromkeys(FLOW_SUMS, 0)), sums)
    return out


def monthly_flow_sums(dimension: str, key: str, first: date, end: date, today: date, *,
                      use_snapshots: bool = True) -> dict[date, dict]:
    """Flow sums of one key per month from `first` to `end`: built days from the snapshot, the rest live."""
    flows: dict[date, dict] = defaultdict(lambda: dict.fromkeys(FLOW_SUMS, 0))
    if end < first:
        return flows
    if not use_snapshots:
        for m, sums in live_rows_uncached(dimension, [(first, end)], key=key, by_month=True).items():
            add_sums(flows[m], sums)
        return flows
    rows = (MetricSnapshot.objects.filter(dimension=dimension, key=key, business_date__range=(first, end))
            .annotate(m=TruncMonth("business_date")).values("m")
            .annotate(**{f"s_{c}": Sum(c) for c in FLOW_SUMS}).order_by())
    for r in rows:
        m = r["m"].date() if isinstance(r["m"], datetime) else r["m"]
        add_sums(flows[m], {c: as_number(c, r[f"s_{c}"]) for c in FLOW_SUMS})
    for m, sums in live_rows(dimension, unbuilt_ranges(first, end, today), key=key, by_month=True).items():
        add_sums(flows[m], sums)
    return flows
