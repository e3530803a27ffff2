"""Recruiting figures (FEATURES A2) on plain data: yield and cost per hire per source, time in stage from a
transition log, and the team-structure bands of the balance report."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")


@dataclass(frozen=True)
class SourceYield:
    source: str
    applicants: int
    hires: int
    cost: Decimal
    hire_rate: Decimal | None
    cost_per_hire: Decimal | None


def source_yield(source: str, *, applicants: int, hires: int, cost: Decimal) -> SourceYield:
    """100 applicants, 5 hires and CNY 10,000 give a 5% hire rate and CNY 2,000 per hire; no hire, no cost
    per hire (not a division by zero, not zero)."""
    rate = (Decimal(hires) / Decimal(applicants)).quantize(Decimal("0.0001"), ROUND_HALF_UP) if applicants else None
    per_hire = (cost / hires).quantize(CENT, ROUND_HALF_UP) if hires else None
    return SourceYield(source, applicants, hires, cost, rate, per_hire)


def time_in_stage(moves: Sequence[tuple[str, datetime]], now: datetime) -> dict[str, float]:
    """Days spent in each stage, from (stage entered, when) moves in time order; the last stage runs to now.
    A stage entered twice adds up."""
    days: dict[str, float] = {}
    ordered = sorted(moves, key=lambda m: m[1])
    for (stage, start), end in zip(ordered, [m[1] for m in ordered[1:]] + [now], strict=True):
        days[stage] = days.get(stage, 0.0) + max((end - start).total_seconds(), 0.0) / 86400
    return days


def age_band(birth_year: int | None, today: date) -> str:
    if not birth_year:
        return "unknown"
    age = today.year - birth_year
    for upper, label in ((25, "under_25"), (30, "25_29"), (35, "30_34"), (40, "35_39"), (50, "40_49")):
        if age < upper:
            return label
    return "50_plus"


def tenure_band(hired_on: date | None, today: date) -> str:
    if hired_on is None:
        return "unknown"
    years = (today - hired_on).days / 365.25
    for upper, label in ((1, "under_1"), (3, "1_3"), (5, "3_5")):
        if years < upper:
            return label
    return "5_plus"


def shares(values: Iterable[str]) -> dict[str, Decimal]:
    """Each value's share of the whole, to four places."""
    counts: dict[str, int] = {}
    for v in values:
        counts[v] = counts.get(v, 0) + 1
    total = sum(counts.values())
    return {k: (Decimal(n) / total).quantize(Decimal("0.0001"), ROUND_HALF_UP) for k, n in sorted(counts.items())}
