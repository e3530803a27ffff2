"""The metric catalogue of the command centre and the biweekly review (FEATURES B9, F1). Pure: no ORM.

Each metric is defined once here: its code, names, formula, unit, good direction and owner, and how its
value is derived from the additive daily sums that `lendpilot.insights.metrics` reads from the snapshot
tables (and today's live delta). The periods (month, biweek, custom range) with their previous period and
the same period last year, the slices (dimension + key) and the change arithmetic live here too.

Change arithmetic (MoM = against the previous period, YoY = against the same period last year):
- amounts, counts and days (`unit` cny / count / days): relative change, (current - earlier) / earlier,
  None when either value is missing or the earlier value is 0 (a change from nothing has no ratio);
- rates and scores (`unit` ratio / score): the difference current - earlier (for ratios, in fractions:
  0.012 is +1.2 percentage points), None when either value is missing.
"""

import calendar
import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

# The additive daily sums one snapshot row holds (and today's live delta computes the same way).
FLOW_SUMS = ("disbursed_amount", "loans", "applications_decided", "applications_approved", "leads",
             "opportunities", "leads_converted", "conversion_days_sum", "due_amount", "collected_amount")
MONEY_SUMS = ("disbursed_amount", "due_amount", "collected_amount")

DIMENSIONS = ("all", "region", "team", "manager", "product", "channel", "tier", "partner")
# Dimensions whose keys are database ids (region, team, staff member, product, channel partner).
ID_DIMENSIONS = ("region", "team", "manager", "product", "partner")
# Stock figures come from monitoring's daily portfolio snapshot, which is kept for these dimensions (its
# "tier" is the borrower's customer tier, as here).
STOCK_DIMENSIONS = ("all", "region", "team", "manager", "product", "tier")
# Targets are quotas of people: they add up to managers, teams, regions and the bank, not to products.
TARGET_DIMENSIONS = ("all", "region", "team", "manager")

UP, DOWN = "up", "down"
RELATIVE_UNITS = ("cny", "count", "days")


@dataclass(frozen=True)
class MetricDef:
    code: str
    number: int
    name_zh: str
    name_en: str
    formula: str
    unit: str  # cny, count, ratio, days, score
    good_direction: str  # up or down
    owner: str  # the function that answers for it
    source: str = "snapshot"  # snapshot (daily flows), stock (portfolio snapshot), target, service, none

    @property
    def name(self) -> str:
        from django.utils.translation import get_language

        return self.name_en if (get_language() or "").startswith("en") else self.name_zh

    @property
    def formula_text(self) -> str:
        """The formula in the reader's language (`formula` stays English: the API's definition)."""
        return _(self.formula)

    @property
    def change_kind(self) -> str:
        """"relative" for amounts, counts and days; "points" for rates and scores."""
        return "relative" if self.unit in RELATIVE_UNITS else "points"


CATALOGUE: list[MetricDef] = [
    MetricDef("disbursed_amount", 1, "放款金额", "Disbursed amount",
              gettext_noop("sum of principal of loans disbursed in the period"), "cny", UP, "sales"),
    MetricDef("loan_count", 2, "放款笔数", "Number of loans",
              gettext_noop("count of loans disbursed in the period"), "count", UP, "sales"),
    MetricDef("avg_ticket", 3, "笔均金额", "Average ticket",
              gettext_noop("disbursed amount / number of loans"), "cny", UP, "sales"),
    MetricDef("approval_rate", 4, "审批通过率", "Approval rate",
              gettext_noop("applications approved / applications approved or rejected in the period "
                           "(final decisions)"), "ratio", UP, "risk"),
    MetricDef("lead_conversion", 5, "线索放款转化率", "Lead-to-disbursement conversion",
              gettext_noop("leads whose loan was disbursed in the period / leads received in the period"),
              "ratio", UP, "sales"),
    MetricDef("conversion_cycle_days", 6, "转化周期（天）", "Conversion cycle (days)",
              gettext_noop("mean days from lead received to loan disbursed, over leads converted in the period"),
              "days", DOWN, "sales"),
    MetricDef("target_attainment", 7, "目标达成率", "Target attainment",
              gettext_noop("disbursed amount / base quota of the period (quotas pro rata by calendar days)"),
              "ratio", UP, "planning", source="target"),
    MetricDef("overdue_rate", 8, "逾期率（1天以上）", "Overdue rate (1+ days)",
              gettext_noop("outstanding principal of loans 1+ days past due / outstanding principal, at the "
                           "period's last portfolio snapshot"), "ratio", DOWN, "risk", source="stock"),
    MetricDef("npl_ratio", 9, "不良率", "NPL ratio",
              gettext_noop("outstanding principal classed substandard, doubtful or loss / outstanding principal, "
                           "at the period's last portfolio snapshot"), "ratio", DOWN, "risk", source="stock"),
    MetricDef("collection_rate", 10, "回款率", "Collection rate",
              gettext_noop("principal and interest received by regular repayments in the period / principal and "
                           "interest falling due in the period"), "ratio", UP, "operations"),
    MetricDef("nps", 11, "净推荐值", "NPS",
              gettext_noop("share of promoters minus share of detractors among the survey answers of the period, "
                           "in points"), "score", UP, "service", source="service"),
    MetricDef("complaint_rate", 12, "投诉率", "Complaint rate",
              gettext_noop("complaints received in the period / active customers (today)"), "ratio", DOWN,
              "service", source="service"),
]
BY_CODE: dict[str, MetricDef] = {m.code: m for m in CATALOGUE}
CODES: tuple[str, ...] = tuple(BY_CODE)

NO_SOURCE_REASON = gettext_lazy("no data source yet: customer service records (surveys and complaints) are not "
                                "kept in LendPilot")


# ------------------------------------------------------------------------------------------ periods

@dataclass(frozen=True)
class Period:
    """A closed date range [start, end] of one kind: month, biweek (14 days from a Monday) or custom."""

    kind: str
    start: date
    end: date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def code(self) -> str:
        if self.kind == "month":
            return f"month:{self.start:%Y-%m}"
        if self.kind == "biweek":
            return f"biweek:{self.start.isoformat()}"
        return f"custom:{self.start.isoformat()}..{self.end.isoformat()}"

    @property
    def label(self) -> str:
        if self.kind == "month":
            return f"{self.start:%Y-%m}"
        return f"{self.start.isoformat()} – {self.end.isoformat()}"

    def previous(self) -> "Period":
        if self.kind == "month":
            return month_period(self.start - timedelta(days=1))
        if self.kind == "biweek":
            return Period("biweek", self.start - timedelta(days=14), self.end - timedelta(days=14))
        return Period("custom", self.start - timedelta(days=self.days), self.start - timedelta(days=1))

    def last_year(self) -> "Period":
        if self.kind == "month":
            return month_period(date(self.start.year - 1, self.start.month, 1))
        if self.kind == "biweek":
            # 52 weeks back keeps the weekdays aligned.
            return Period("biweek", self.start - timedelta(days=364), self.end - timedelta(days=364))
        return Period("custom", _year_back(self.start), _year_back(self.end))

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end


def _year_back(day: date) -> date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def month_period(day: date) -> Period:
    first = day.replace(day=1)
    return Period("month", first, first.replace(day=calendar.monthrange(first.year, first.month)[1]))


class CatalogueError(ValueError):
    """Bad input, naming the field: `errors` maps field -> reason (becomes a 422)."""

    def __init__(self, errors: dict[str, str]):
        super().__init__(errors)
        self.errors = errors


MAX_CUSTOM_DAYS = 732
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def parse_period(text: str | None, *, today: date) -> Period:
    """`month:2026-11` (or `2026-11`), `biweek:2026-11-16` (a Monday), `custom:2026-11-01..2026-11-20`;
    empty means the current month. Rejects anything else, naming the field `period`."""
    text = (text or "").strip()
    if not text:
        return month_period(today)
    kind, _sep, rest = text.partition(":")
    if not rest:
        kind, rest = "month", text
    try:
        if kind == "month":
            match = _MONTH.match(rest)
            if not match:
                raise ValueError
            return month_period(date(int(match[1]), int(match[2]), 1))
        if kind == "biweek":
            start = date.fromisoformat(rest)
            if start.weekday() != 0:
                raise CatalogueError({"period": _("a biweek starts on a Monday")})
            return Period("biweek", start, start + timedelta(days=13))
        if kind == "custom":
            first, sep, last = rest.partition("..")
            if not sep:
                raise ValueError
            start, end = date.fromisoformat(first), date.fromisoformat(last)
            if end < start:
                raise CatalogueError({"period": _("the period ends before it starts")})
            if (end - start).days >= MAX_CUSTOM_DAYS:
                raise CatalogueError({"period": _("a custom period is at most two years long")})
            return Period("custom", start, end)
    except (ValueError, TypeError) as exc:
        if isinstance(exc, CatalogueError):
            raise
        raise CatalogueError({"period": _("not a period: use month:YYYY-MM, biweek:YYYY-MM-DD (a Monday) or "
                                          "custom:YYYY-MM-DD..YYYY-MM-DD")}) from exc
    raise CatalogueError({"period": _("unknown period kind %(kind)s: month, biweek or custom") % {"kind": kind}})


# ------------------------------------------------------------------------------------------- slices

@dataclass(frozen=True)
class Slice:
    dimension: str = "all"
    key: str = "all"

    @property
    def code(self) -> str:
        return f"{self.dimension}:{self.key}"


ALL = Slice()


def parse_slice(dimension: str | None, key: str | None, *, channels: tuple[str, ...] = (),
                tiers: tuple[str, ...] = ()) -> Slice:
    """A slice from request parameters; rejects an unknown dimension (field `dimension`) or a malformed key
    (field `key`). Whether the key exists and is in the user's scope is the selectors' question."""
    dimension = (dimension or "all").strip()
    if dimension not in DIMENSIONS:
        raise CatalogueError({"dimension": _("unknown dimension %(dimension)s: one of %(known)s") % {
            "dimension": dimension, "known": ", ".join(DIMENSIONS)}})
    if dimension == "all":
        return ALL
    key = (key or "").strip()
    if not key:
        raise CatalogueError({"key": _("a %(dimension)s slice needs a key") % {"dimension": dimension}})
    if dimension in ID_DIMENSIONS and not (key.isdigit() and len(key) < 10):
        raise CatalogueError({"key": _("a %(dimension)s key is a number") % {"dimension": dimension}})
    if dimension == "channel" and channels and key not in channels:
        raise CatalogueError({"key": _("unknown channel %(key)s") % {"key": key}})
    if dimension == "tier" and tiers and key not in tiers:
        raise CatalogueError({"key": _("unknown tier %(key)s") % {"key": key}})
    return Slice(dimension, key)


def parse_codes(text: str | list[str] | None) -> list[str]:
    """Metric codes from a comma-separated text (or a list); empty means all. Rejects unknown codes
    (field `metric`)."""
    if not text:
        return list(CODES)
    codes = [c.strip() for c in (text.split(",") if isinstance(text, str) else text) if c.strip()]
    unknown = [c for c in codes if c not in BY_CODE]
    if unknown:
        raise CatalogueError({"metric": _("unknown metric %(codes)s") % {"codes": ", ".join(unknown)}})
    return codes


# ------------------------------------------------------------------------------------- arithmetic

@dataclass
class Figures:
    """What a metric's value is derived from for one slice and period: the flow sums, the stock figures at
    the period's last portfolio snapshot (None when there is none) and the target (None when none is set)."""

    sums: dict[str, Decimal] = field(default_factory=dict)
    stock: dict[str, Decimal] | None = None
    stock_date: date | None = None
    target: Decimal | None = None
    has_data: bool = False
    # Survey and complaint sums of the service package (survey_answers, promoters, detractors, complaints,
    # active_customers); None when they were not read.
    service: dict[str, Decimal] | None = None

    def decimals(self) -> dict[str, Decimal]:
        cached = self.__dict__.get("_decimals")
        if cached is None:
            cached = self.__dict__["_decimals"] = {k: Decimal(self.sums.get(k) or 0) for k in FLOW_SUMS}
        return cached


_PLACES = {"0.01": 2, "0.000001": 6}


def _q(value: Decimal, places: str) -> float:
    # Displayed figures (not money that is booked): float rounding is enough and keeps a 2,000-row
    # drill-down cheap; page and API share this one function, so they always agree.
    return round(float(value), _PLACES[places])


# Ratios of two flow sums: code -> (numerator, denominator, rounding, why there is no value when the
# denominator is zero).
_RATIOS: dict[str, tuple[str, str, str, Promise]] = {
    "avg_ticket": ("disbursed_amount", "loans", "0.01", gettext_lazy("no loans were disbursed")),
    "approval_rate": ("applications_approved", "applications_decided", "0.000001",
                      gettext_lazy("no application was approved or rejected")),
    "lead_conversion": ("leads_converted", "leads", "0.000001", gettext_lazy("no leads were received")),
    "conversion_cycle_days": ("conversion_days_sum", "leads_converted", "0.01",
                              gettext_lazy("no lead was converted to a disbursed loan")),
    "collection_rate": ("collected_amount", "due_amount", "0.000001", gettext_lazy("nothing fell due")),
}


def derive(code: str, fig: Figures, *, dimension: str = "all") -> tuple[float | None, str]:
    """(value, reason): the metric's value from its figures, or None and why not (never a silent zero)."""
    metric = BY_CODE[code]
    s = fig.decimals()
    if metric.source == "none":
        return None, str(NO_SOURCE_REASON)
    if code == "disbursed_amount":
        return _q(s["disbursed_amount"], "0.01"), ""
    if code == "loan_count":
        return float(s["loans"]), ""
    if code in _RATIOS:
        numerator, denominator, places, reason = _RATIOS[code]
        if not s[denominator]:
            return None, str(reason)
        return _q(s[numerator] / s[denominator], places), ""
    if code == "target_attainment":
        return _attainment(s, fig, dimension)
    if code in ("overdue_rate", "npl_ratio"):
        return _stock_ratio(code, fig, dimension)
    if metric.source == "service":
        return _service_figure(code, fig, dimension)
    raise KeyError(code)


def _service_figure(code: str, fig: Figures, dimension: str) -> tuple[float | None, str]:
    """NPS in points from the period's survey answers; the complaint rate over today's active customers."""
    sums = fig.service or {}
    if code == "nps":
        if dimension in ("channel", "partner"):
            return None, _("surveys are not kept per sales channel")
        answers = Decimal(sums.get("survey_answers") or 0)
        if not answers:
            return None, _("no survey was answered in the period")
        spread = Decimal(sums.get("promoters") or 0) - Decimal(sums.get("detractors") or 0)
        return _q(100 * spread / answers, "0.01"), ""
    if dimension in ("channel", "product", "partner"):
        return None, _("complaints are not kept per %(dimension)s") % {"dimension": dimension}
    base = Decimal(sums.get("active_customers") or 0)
    if not base:
        return None, _("no active customers")
    return _q(Decimal(sums.get("complaints") or 0) / base, "0.000001"), ""


def _attainment(s: dict[str, Decimal], fig: Figures, dimension: str) -> tuple[float | None, str]:
    if dimension not in TARGET_DIMENSIONS:
        return None, _("targets are set per person, team and region, not per %(dimension)s") % {
            "dimension": dimension}
    if not fig.target:
        return None, _("no target is set for the period")
    return _q(s["disbursed_amount"] / fig.target, "0.000001"), ""


def _stock_ratio(code: str, fig: Figures, dimension: str) -> tuple[float | None, str]:
    if dimension not in STOCK_DIMENSIONS:
        return None, _("the portfolio snapshot is not kept per %(dimension)s") % {"dimension": dimension}
    if fig.stock is None:
        return None, _("no portfolio snapshot in the period (the end-of-day batch has not run)")
    if not fig.stock.get("balance"):
        return None, _("no outstanding balance")
    part = fig.stock["overdue_balance" if code == "overdue_rate" else "npl_balance"]
    return _q(Decimal(part) / Decimal(fig.stock["balance"]), "0.000001"), ""


def change(code: str, current: float | None, earlier: float | None) -> float | None:
    """MoM / YoY of one metric (see the module docstring): relative for amounts, counts and days, the
    difference for rates and scores."""
    if current is None or earlier is None:
        return None
    if BY_CODE[code].change_kind == "relative":
        if earlier == 0:
            return None
        return round((current - earlier) / earlier, 6)
    return round(current - earlier, 6)


def direction(code: str, delta: float | None) -> str:
    """"good", "bad" or "flat" for an arrow's colour."""
    if delta is None or delta == 0:
        return "flat"
    up = delta > 0
    return "good" if up == (BY_CODE[code].good_direction == UP) else "bad"


def prorate(month_amounts: dict[date, Decimal], period: Period) -> Decimal:
    """A period's target from monthly targets: each month's amount times the share of its calendar days that
    lie in the period."""
    total = Decimal(0)
    for month, amount in month_amounts.items():
        mp = month_period(month)
        lo, hi = max(mp.start, period.start), min(mp.end, period.end)
        if hi < lo:
            continue
        total += Decimal(amount) * Decimal((hi - lo).days + 1) / Decimal(mp.days)
    return total.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
