"""Referral rewards (FEATURES D9). Pure: no ORM.

A referral earns its reward when the referred customer's loan has been disbursed and has stayed current
(never past due) for ``current_months`` whole months: a loan disbursed 2026-01-31 with 3 months qualifies
on 2026-04-30 (month ends are clamped). The reward is tiered by the referred loan's principal (the highest
tier whose floor the principal reaches). Rewards of one referrer are capped per calendar year: the last one
is cut to what is left under the cap, and none is paid beyond it.
"""

import calendar
from datetime import date
from decimal import Decimal


def add_months_clamped(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    year, month = index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def qualifies_on(disbursed_on: date, *, current_months: int) -> date:
    """The first day on which a loan that stayed current earns the referral reward."""
    if current_months < 0:
        raise ValueError("current_months must not be negative")
    return add_months_clamped(disbursed_on, current_months)


def qualifies(*, disbursed_on: date | None, today: date, current_months: int, ever_past_due: bool) -> bool:
    """Whether the referral earns its reward today: disbursed, long enough ago, never past due."""
    if disbursed_on is None or ever_past_due:
        return False
    return today >= qualifies_on(disbursed_on, current_months=current_months)


def capped_reward(reward: Decimal, *, paid_this_year: Decimal, yearly_cap: Decimal) -> Decimal:
    """The reward after the referrer's yearly cap (never negative)."""
    room = max(Decimal(0), yearly_cap - paid_this_year)
    return min(reward, room).quantize(Decimal("0.01"))


def tiered_reward(principal: Decimal, tiers: list[tuple[Decimal, Decimal]]) -> Decimal:
    """The reward of the highest tier whose principal floor the referred loan reaches; 0 below every tier.
    `tiers`: (principal floor, reward) pairs in any order."""
    reward = Decimal(0)
    for floor, amount in sorted(tiers):
        if principal >= floor:
            reward = amount
    return reward.quantize(Decimal("0.01"))


def repeat_rate(borrowers: int, repeat_borrowers: int) -> Decimal | None:
    """Share of borrowers with more than one loan (None without borrowers)."""
    if borrowers <= 0:
        return None
    return (Decimal(repeat_borrowers) / Decimal(borrowers)).quantize(Decimal("0.0001"))
