"""Mainland China business-day calendar (FEATURES X4), owned by the bank.

Weekends are off unless the State Council moves a working day onto them (调休); statutory
holidays are off. The arrangement of each year lives in the bank's table (`core.CalendarYear`,
`core.CalendarDay`), seeded from the chinesecalendar package and edited or imported by operations,
because the State Council publishes a year's arrangement only weeks before it starts.

A year the bank has no official arrangement for is *provisional*: weekends plus the fixed-date
holidays (New Year 1-1, Labour Day 5-1, National Day 10-1..10-3). Nothing here raises for a date
outside the published range; `is_provisional` tells callers which answers may still move.

Answers come from a per-process cache of whole years, checked against the table at most once a
minute (the EOD asks for millions of days and must not query per row); the calendar's services
call `forget_cached_years()` after a change so the writing process sees it at once.
"""

import logging
import threading
import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from lendpilot.core import calendar_seed

logger = logging.getLogger(__name__)

FIXED_DATE_HOLIDAYS = frozenset({(1, 1), (5, 1), (10, 1), (10, 2), (10, 3)})
RECHECK_SECONDS = 60.0


@dataclass(frozen=True)
class YearCalendar:
    """One year's arrangement: the days off and the adjusted working days that differ from the week."""

    year: int
    official: bool
    holidays: frozenset[date]
    workdays: frozenset[date]

    def is_business_day(self, day: date) -> bool:
        if day in self.workdays:
            return True
        if day in self.holidays:
            return False
        if not self.official and (day.month, day.day) in FIXED_DATE_HOLIDAYS:
            return False
        return day.weekday() < 5


_lock = threading.Lock()
_years: dict[int, YearCalendar] = {}
# (official years, newest change of a year, adjusted days): a change to any means the table changed
_generation: tuple[int, datetime | None, int] | None = None
_checked_at = 0.0


def forget_cached_years() -> None:
    """Drop this process's cached years (after the table changed, or between tests)."""
    global _generation, _checked_at
    with _lock:
        _years.clear()
        _generation = None
        _checked_at = 0.0


def _table_generation() -> tuple[int, datetime | None, int]:
    from django.db.models import Count, Max

    from lendpilot.core.models import CalendarDay, CalendarYear

    years = CalendarYear.objects.aggregate(n=Count("id"), last=Max("updated_at"))
    return years["n"], years["last"], CalendarDay.objects.count()


def _year_from_table(year: int) -> YearCalendar:
    from lendpilot.core.models import CalendarDay, CalendarYear

    official = CalendarYear.objects.filter(year=year).exists()
    rows = list(CalendarDay.objects.filter(day__year=year).values_list("day", "kind"))
    holidays = {d for d, kind in rows if kind == calendar_seed.HOLIDAY}
    workdays = {d for d, kind in rows if kind == calendar_seed.WORKDAY}
    if not official and year in calendar_seed.packaged_years():
        # A table without the seeded year (emptied, or not yet migrated): the packaged arrangement,
        # with any days the bank entered on top.
        packaged_holidays, packaged_workdays = calendar_seed.packaged_year(year)
        holidays = (set(packaged_holidays) - workdays) | holidays
        workdays = (set(packaged_workdays) - holidays) | workdays
        official = True
    return YearCalendar(year, official, frozenset(holidays), frozenset(workdays))


def _year_from_package(year: int) -> YearCalendar:
    if year in calendar_seed.packaged_years():
        holidays, workdays = calendar_seed.packaged_year(year)
        return YearCalendar(year, True, holidays, workdays)
    return YearCalendar(year, False, frozenset(), frozenset())


def year_calendar(year: int) -> YearCalendar:
    """The arrangement of `year`: the bank's table, or the packaged one when the table cannot be read."""
    global _generation, _checked_at
    now = time.monotonic()
    try:
        if now - _checked_at > RECHECK_SECONDS:
            generation = _table_generation()
            with _lock:
                if generation != _generation:
                    _years.clear()
                    _generation = generation
                _checked_at = now
        cached = _years.get(year)
        if cached is None:
            cached = _year_from_table(year)
            with _lock:
                _years[year] = cached
        return cached
    except Exception:  # noqa: BLE001 - no database here (a pure computation, a test without one): fall back
        logger.debug("business calendar table unavailable; using the packaged arrangement", exc_info=True)
        return _year_from_package(year)


def is_business_day(day: date) -> bool:
    return year_calendar(day.year).is_business_day(day)


def is_provisional(day: date) -> bool:
    """Whether `day` lies in a year without an official arrangement (its answers may still change)."""
    return not year_calendar(day.year).official


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
