"""REST endpoints of the business calendar (the pages' twin): the years with their status, one year's
moved days, and the import of an official arrangement."""

from datetime import date
from typing import Annotated, Literal

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Path, Router, Schema, Status

from lendpilot.core.schemas import IsoDate, with_errors
from lendpilot.org.access import actor_of
from lendpilot.org.calendar import selectors, services
from lendpilot.org.calendar.csv_format import ArrangementRow

router = Router()
YearPath = Annotated[int, Path(..., ge=services.FIRST_YEAR, le=services.LAST_YEAR, description="calendar year")]


class CalendarYearOut(Schema):
    year: int
    official: bool
    source_document: str
    holidays: int
    workdays: int


class CalendarDayOut(Schema):
    day: date
    kind: Literal["holiday", "workday"]
    name: str
    source_document: str


class ArrangementDayIn(Schema):
    day: IsoDate
    kind: Literal["holiday", "workday"]
    name: str = Field("", max_length=60)


class ArrangementIn(Schema):
    source_document: str = Field(..., min_length=1, max_length=200)
    published_on: IsoDate | None = None
    days: list[ArrangementDayIn] = Field(..., min_length=1, max_length=400)


@router.get("/calendar/years", response=with_errors({200: list[CalendarYearOut]}),
            summary="Years of the business calendar, official or provisional")
def calendar_year_list(request):
    return selectors.calendar_years(actor_of(request.auth), around=timezone.localdate().year)


@router.get("/calendar/years/{year}/days", response=with_errors({200: list[CalendarDayOut]}),
            summary="Holidays and adjusted working days of one year")
def calendar_day_list(request, year: YearPath):
    return list(selectors.calendar_days(actor_of(request.auth), year=year))


@router.put("/calendar/years/{year}/arrangement", response=with_errors({200: CalendarYearOut}),
            summary="Put the official holiday arrangement of a year in force (replaces its days)")
def calendar_arrangement_put(request, year: YearPath, payload: ArrangementIn):
    actor = actor_of(request.auth)
    seen: set[date] = set()
    for index, row in enumerate(payload.days):
        if row.day.year != year:
            raise ValidationError({f"days.{index}.day": _("%(day)s is not in %(year)d.") % {"day": row.day,
                                                                                           "year": year}})
        if row.day in seen:
            raise ValidationError({f"days.{index}.day": _("%(day)s is listed twice.") % {"day": row.day}})
        seen.add(row.day)
    services.calendar_year_import(actor=actor, year=year, source_document=payload.source_document,
                                  published_on=payload.published_on,
                                  rows=[ArrangementRow(r.day, r.kind, r.name) for r in payload.days])
    summary = next(y for y in selectors.calendar_years(actor, around=year) if y.year == year)
    return Status(200, summary)
