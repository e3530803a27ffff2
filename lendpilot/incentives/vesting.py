"""Vesting of long-term incentive grants (A9): monthly after a cliff. Pure."""

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_DOWN, Decimal


def months_between(start: date, end: date) -> int:
    """Whole months from `start` to `end` (0 when end is before start)."""
    months = (end.year - start.year) * 12 + end.month - start.month - (1 if end.day < start.day else 0)
    return max(0, months)


@dataclass(frozen=True)
class Vesting:
    vested: Decimal
    unvested: Decimal
    fully_vested_on_month: int  # months from grant until fully vested
    months_elapsed: int


def vesting(*, amount: Decimal, granted_on: date, vesting_months: int, cliff_months: int, as_of: date) -> Vesting:
    elapsed = months_between(granted_on, as_of)
    if elapsed < cliff_months:
        vested = Decimal("0.00")
    else:
        vested = (Decimal(amount) * min(elapsed, vesting_months) / vesting_months).quantize(
            Decimal("0.01"), rounding=ROUND_DOWN)
    return Vesting(vested=vested, unvested=Decimal(amount) - vested, fully_vested_on_month=vesting_months,
                   months_elapsed=elapsed)
