"""Funnel diagnostics (FEATURES B10, F4): conversion and loss per node against the slice's own baseline.
Pure: no ORM; the flows come from `lendpilot.insights.review.selectors.funnel_flows`.

The five diagnostic nodes and the sales funnel's moves that enter them (`lendpilot.sales.funnel.Node`):

    reach        触达  screening     -> first_contact
    meeting      面谈  first_contact -> proposal
    application  申请  proposal      -> qualification   (a submitted loan application is required)
    approval     审批  qualification -> signing         (the application was approved)
    disbursement 放款  signing       -> won             (the loan was disbursed)

For a period, a node's flows are the opportunities that LEFT its preceding sales node during the period:
`advanced` moved on into the node, `lost` were closed as lost there (steps back are neither). The node's
conversion is advanced / (advanced + lost) and its loss is lost / (advanced + lost). Counting exits in the
period, rather than a cohort of opportunities opened in it, keeps the latest period comparable with older
ones: a cohort still in flight would always look worse than the mature cohorts before it.

The rule (B10 "a stage losing more than 15% opens an improvement initiative"): the baseline is the pooled
loss of the same slice's previous N periods (sum of lost / sum of decided); a node is flagged when its loss
exceeds the baseline by MORE than the threshold, in percentage points: loss - baseline > 0.15. Exactly 15
points is not flagged. Rates are exact fractions, so "exactly" means exactly. A node with fewer than
`min_volume` decided opportunities in the period, or none in the baseline, is not judged.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

STAGES: tuple[tuple[str, str, str], ...] = (
    ("reach", "screening", "first_contact"),
    ("meeting", "first_contact", "proposal"),
    ("application", "proposal", "qualification"),
    ("approval", "qualification", "signing"),
    ("disbursement", "signing", "won"),
)
STAGE_CODES: tuple[str, ...] = tuple(code for code, _src, _dst in STAGES)
LOST = "lost"


@dataclass(frozen=True)
class Period:
    """A closed range of dates [start, end]."""

    start: date
    end: date

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError("the period ends before it starts")

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def is_calendar_month(self) -> bool:
        return self.start.day == 1 and (self.end + timedelta(days=1)).day == 1 and self.start.month == self.end.month

    def previous(self, n: int = 1) -> "Period":
        """The period `n` steps back: whole calendar months for a month, else the same number of days."""
        if self.is_calendar_month:
            month = self.start.year * 12 + self.start.month - 1 - n
            start = date(month // 12, month % 12 + 1, 1)
            following = date((month + 1) // 12, (month + 1) % 12 + 1, 1)
            return Period(start, following - timedelta(days=1))
        shift = timedelta(days=self.days * n)
        return Period(self.start - shift, self.end - shift)

    def key(self) -> str:
        return f"{self.start.isoformat()}:{self.end.isoformat()}"


# Biweeks are the two-week review cycles, Monday to Sunday, counted from Monday 1 January 2024.
BIWEEK_EPOCH = date(2024, 1, 1)


def biweek_containing(day: date) -> Period:
    offset = (day - BIWEEK_EPOCH).days // 14
    start = BIWEEK_EPOCH + timedelta(days=14 * offset)
    return Period(start, start + timedelta(days=13))


def last_complete_biweek(today: date) -> Period:
    """The latest biweek that ended before `today` (B9's default review period)."""
    return biweek_containing(today).previous(1)


@dataclass(frozen=True)
class Flow:
    advanced: int = 0
    lost: int = 0

    @property
    def decided(self) -> int:
        return self.advanced + self.lost

    @property
    def loss(self) -> Fraction | None:
        return Fraction(self.lost, self.decided) if self.decided else None

    @property
    def conversion(self) -> Fraction | None:
        return Fraction(self.advanced, self.decided) if self.decided else None


@dataclass
class NodeDiagnosis:
    stage: str
    entered: int
    flow: Flow
    baseline: Flow
    loss: Fraction | None
    baseline_loss: Fraction | None
    excess: Fraction | None  # loss - baseline_loss, in fraction points (0.15 = 15 percentage points)
    flagged: bool
    judged: bool
    action_item_id: int | None = None

    @property
    def conversion(self) -> Fraction | None:
        return self.flow.conversion


@dataclass
class FunnelDiagnosis:
    period: Period
    baseline_periods: list[Period]
    threshold: Fraction
    min_volume: int
    nodes: list[NodeDiagnosis]
    created: int  # opportunities opened in the period (the funnel's mouth)
    extra: dict[str, object] = field(default_factory=dict)

    @property
    def flagged(self) -> list[NodeDiagnosis]:
        return [n for n in self.nodes if n.flagged]

    @property
    def overall_conversion(self) -> Fraction | None:
        """Share of the period's decided screening exits that went all the way to disbursement in it
        (product of the node conversions; None when a node had no decisions)."""
        rate = Fraction(1)
        for node in self.nodes:
            if node.flow.conversion is None:
                return None
            rate *= node.flow.conversion
        return rate


def as_fraction(value: Fraction | Decimal | float | str) -> Fraction:
    """A threshold given as 0.15, "0.15", Decimal("0.15") or Fraction(3, 20), exactly (0.15 is 3/20, not
    the binary float)."""
    if isinstance(value, Fraction):
        return value
    if isinstance(value, float):
        return Fraction(Decimal(repr(value)))
    return Fraction(Decimal(str(value)))


def stage_flows(moves: dict[tuple[str, str], int]) -> dict[str, Flow]:
    """Per node, its Flow from {(from_node, to_node): opportunities} of one period."""
    return {code: Flow(advanced=moves.get((src, dst), 0), lost=moves.get((src, LOST), 0))
            for code, src, dst in STAGES}


def entered(moves: dict[tuple[str, str], int]) -> dict[str, int]:
    """Per node, opportunities that entered it in the period (from any node, including steps back)."""
    return {code: sum(n for (_src, to), n in moves.items() if to == dst) for code, _s, dst in STAGES}


def diagnose(*, period: Period, current: dict[tuple[str, str], int],
             baselines: list[tuple[Period, dict[tuple[str, str], int]]], threshold: Fraction | Decimal | float | str,
             min_volume: int,
             created: int = 0) -> FunnelDiagnosis:
    """Judge each node of `current` against the pooled `baselines` (see the module docstring)."""
    limit = as_fraction(threshold)
    if limit < 0 or limit >= 1:
        raise ValueError("the threshold is a fraction in [0, 1)")
    if min_volume < 0:
        raise ValueError("the minimum volume must not be negative")
    flows = stage_flows(current)
    into = entered(current)
    base_flows = [stage_flows(moves) for _p, moves in baselines]
    nodes = []
    for code in STAGE_CODES:
        flow = flows[code]
        pooled = Flow(advanced=sum(b[code].advanced for b in base_flows), lost=sum(b[code].lost for b in base_flows))
        loss, base_loss = flow.loss, pooled.loss
        judged = loss is not None and base_loss is not None and flow.decided >= min_volume
        excess = loss - base_loss if loss is not None and base_loss is not None else None
        nodes.append(NodeDiagnosis(stage=code, entered=into[code], flow=flow, baseline=pooled, loss=loss,
                                   baseline_loss=base_loss, excess=excess,
                                   flagged=excess is not None and judged and excess > limit, judged=judged))
    return FunnelDiagnosis(period=period, baseline_periods=[p for p, _m in baselines], threshold=limit,
                           min_volume=min_volume, nodes=nodes, created=created)


def percent(value: Fraction | None, places: int = 1) -> float | None:
    """A fraction as a percentage rounded for display and JSON (the rule itself uses the exact fraction)."""
    return None if value is None else round(float(value) * 100, places)
