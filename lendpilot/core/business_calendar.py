"""Mainland China business-day calendar (FEATURES X4), backed by the chinese-calendar package.

Weekends are off unless the State Council moves a working day onto them (调休); statutory
holidays are off. Dates outside the package's published range raise `CalendarRangeError`
rather than silently guessing.
"""

from datetime import date, timedelta

import chinese_calendar


class CalendarRangeError(ValueError):
    """The date lies outside the years for which the official holiday schedule is known."""


def is_business_day(day: date) -> bool:
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError as exc:
        raise CalendarRangeError(f"no official holiday schedule for {day.year}") from exc


def add_business_days(start: date, days: int) -> date:
    """The date `days` business days after `start` (before it when negative); `start` itself not counted."""
    step = 1 if days >= 0 else -1
    remaining = abs(days)
    current = start
    while remaining:
        current += timedelta(days=step)
        if is_business_day(current):
            remaining -= 1
    return current


def business_days_between(start: date, end: date) -> int:
    """Business days in (start, end]; negative when end is before start."""
    if end < start:
        return -business_days_between(end, start)
    return sum(1 for n in range(1, (end - start).days + 1) if is_business_day(start + timedelta(days=n)))


def next_business_day(day: date) -> date:
    """`day` itself if it is a business day, else the next one (due dates that fall on a holiday roll forward)."""
    while not is_business_day(day):
        day += timedelta(days=1)
    return day
