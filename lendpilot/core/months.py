"""Calendar-month arithmetic shared by plans, snapshots, portraits and schedules (pure, no ORM).

Two kinds of month step exist in lending and they differ on purpose: a reporting month is named by its
first day (`shift_month`), while an instalment keeps its contractual day and is clamped to the end of a
short month (`add_months`: 31 January plus one month is 28 or 29 February).
"""

from __future__ import annotations

import calendar
from datetime import date


def month_start(day: date) -> date:
    """The first day of `day`'s month."""
    return day.replace(day=1)


def shift_month(day: date, months: int) -> date:
    """The first day of the month `months` after (negative: before) `day`'s month."""
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def add_months(start: date, months: int) -> date:
    """`start` plus `months` calendar months on the same day, clamped to the month's last day."""
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def month_span(start: date, count: int) -> list[date]:
    """`count` consecutive month starts beginning with `start`'s month."""
    first = month_start(start)
    return [shift_month(first, n) for n in range(count)]
