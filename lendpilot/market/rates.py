"""Loan Prime Rate quotes and the freshness of market figures, on plain values.

Loans in China are quoted as "LPR + n basis points"; the LPR is published at 9:00 on the 20th of each
month and takes effect that day, so the rate in force on a day is the latest publication on or before it.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

BASIS_POINT = Decimal("0.0001")
TENORS = ("1Y", "5Y")


@dataclass(frozen=True)
class LprFixing:
    effective: date
    tenor: str  # "1Y" or "5Y" (five years and above)
    rate: Decimal  # a fraction: 0.0300 is 3.00%


def lpr_on(fixings: Sequence[LprFixing], *, tenor: str, day: date) -> LprFixing | None:
    """The fixing in force on `day` for `tenor`: the latest effective on or before it."""
    in_force = [f for f in fixings if f.tenor == tenor and f.effective <= day]
    return max(in_force, key=lambda f: f.effective) if in_force else None


def quoted_rate(lpr: Decimal, spread_bp: int) -> Decimal:
    """LPR + spread as a fraction rounded to the hundredth of a percent (0.0300 + 150bp = 0.0450)."""
    return (lpr + BASIS_POINT * spread_bp).quantize(BASIS_POINT, rounding=ROUND_HALF_UP)


def percent_label(rate: Decimal) -> str:
    """0.045 -> '4.50%'."""
    return f"{(rate * 100).quantize(Decimal('0.01'), rounding=ROUND_HALF_UP)}%"


def is_stale(as_of: date, *, today: date, max_age_days: int) -> bool:
    """A figure older than its publication rhythm allows is flagged, never silently used."""
    return (today - as_of).days > max_age_days
