"""Reads of the business calendar for its pages and API (the calendar is bank-wide, not scoped data;
reading it needs the calendar permission)."""

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, QuerySet

from lendpilot.core.business_calendar import year_calendar
from lendpilot.core.models import CalendarDay, CalendarYear
from lendpilot.org.access import Actor, require
from lendpilot.org.roles import Perm


@dataclass(frozen=True)
class YearSummary:
    year: int
    official: bool
    source_document: str
    holidays: int
    workdays: int


def calendar_years(actor: Actor, *, around: int) -> list[YearSummary]:
    """Every year with an official arrangement or entered days, plus `around` and the year after it."""
    require(actor, Perm.MANAGE_CALENDAR)
    official = {row.year: row for row in CalendarYear.objects.all()}
    counts: dict[int, dict[str, int]] = {}
    for row in (CalendarDay.objects.values("day__year", "kind").annotate(n=Count("id")).order_by()):
        counts.setdefault(row["day__year"], {})[row["kind"]] = row["n"]
    years = sorted(set(official) | set(counts) | {around, around + 1}, reverse=True)
    return [YearSummary(year=y, official=year_calendar(y).official,
                        source_document=official[y].source_document if y in official else "",
                        holidays=counts.get(y, {}).get(CalendarDay.Kind.HOLIDAY, 0),
                        workdays=counts.get(y, {}).get(CalendarDay.Kind.WORKDAY, 0)) for y in years]


def calendar_days(actor: Actor, *, year: int) -> QuerySet[CalendarDay]:
    require(actor, Perm.MANAGE_CALENDAR)
    return CalendarDay.objects.filter(day__gte=date(year, 1, 1), day__lte=date(year, 12, 31)).order_by("day")


def provisional_years_ahead(*, today: date) -> list[int]:
    """This year and next, where they still lack an official arrangement (the operations banner)."""
    return [y for y in (today.year, today.year + 1) if not year_calendar(y).official]
