"""Changes to the bank's business calendar: one function per action, each in one transaction with
one audit record. After a change this process forgets its cached years; other processes re-read the
table within a minute (see lendpilot.core.business_calendar)."""

import logging
import time
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from lendpilot.compliance.audit import record_event
from lendpilot.core import calendar_seed
from lendpilot.core.business_calendar import forget_cached_years
from lendpilot.core.models import CalendarDay, CalendarYear
from lendpilot.org.access import Actor, actor_of, require
from lendpilot.org.calendar.csv_format import ArrangementRow
from lendpilot.org.roles import Perm

logger = logging.getLogger(__name__)
FIRST_YEAR, LAST_YEAR = 1990, 2100


def _check_year(year: int, field: str = "year") -> None:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValidationError({field: _("Year must be between %(first)d and %(last)d.")
                               % {"first": FIRST_YEAR, "last": LAST_YEAR}})


def _touch_year(year: int) -> None:
    """An official year's change time moves, so other processes notice the edit."""
    for row in CalendarYear.objects.filter(year=year):
        row.save(update_fields=["updated_at"])


def calendar_day_set(*, actor: Actor | object, day: date, kind: str, name: str = "",
                     source_document: str = "") -> CalendarDay:
    """Mark `day` a holiday or an adjusted working day (creating or changing its row)."""
    acting = actor_of(actor)
    require(acting, Perm.MANAGE_CALENDAR)
    _check_year(day.year, "day")
    if kind not in CalendarDay.Kind.values:
        raise ValidationError({"kind": _("Choose holiday or adjusted working day.")})
    with transaction.atomic():
        existing = CalendarDay.objects.select_for_update().filter(day=day).first()
        before = {"kind": existing.kind, "name": existing.name} if existing else None
        row, _created = CalendarDay.objects.update_or_create(
            day=day,
            defaults={"kind": kind, "name": name.strip()[:60], "source_document": source_document.strip()[:200]})
        _touch_year(day.year)
        record_event(actor=acting.user, event_code="org.calendar_day_set", object_type="core.calendarday",
                     object_id=day.isoformat(), before=before, after={"kind": kind, "name": row.name})
        transaction.on_commit(forget_cached_years)
    forget_cached_years()
    return row


def calendar_day_remove(*, actor: Actor | object, day: date) -> None:
    """Give `day` back to the ordinary week (a weekday works, a weekend rests)."""
    acting = actor_of(actor)
    require(acting, Perm.MANAGE_CALENDAR)
    with transaction.atomic():
        existing = CalendarDay.objects.select_for_update().filter(day=day).first()
        if existing is None:
            raise ValidationError({"day": _("%(day)s has no entry in the calendar.") % {"day": day}})
        before = {"kind": existing.kind, "name": existing.name}
        existing.delete()
        _touch_year(day.year)
        record_event(actor=acting.user, event_code="org.calendar_day_removed", object_type="core.calendarday",
                     object_id=day.isoformat(), before=before)
        transaction.on_commit(forget_cached_years)
    forget_cached_years()


def calendar_year_import(*, actor: Actor | object, year: int, rows: list[ArrangementRow],
                         source_document: str, published_on: date | None = None) -> CalendarYear:
    """Replace `year`'s days with the official arrangement in `rows`; the year is no longer provisional.
    Open SLAs and rolled due dates computed under the old answer are moved by the command
    `recompute_business_dates --year` (their owners live on higher floors)."""
    acting = actor_of(actor)
    require(acting, Perm.MANAGE_CALENDAR)
    _check_year(year)
    if not source_document.strip():
        raise ValidationError({"source_document": _("Name the State Council document of the arrangement.")})
    if not rows:
        raise ValidationError({"file": _("The arrangement has no days.")})
    if any(row.day.year != year for row in rows):
        raise ValidationError({"file": _("Every day must lie in %(year)d.") % {"year": year}})
    started = time.perf_counter()
    with transaction.atomic():
        before_days = CalendarDay.objects.filter(day__year=year).count()
        was_official = CalendarYear.objects.filter(year=year).exists()
        CalendarDay.objects.filter(day__year=year).delete()
        CalendarDay.objects.bulk_create([
            CalendarDay(day=row.day, kind=row.kind, name=row.name, source_document=source_document.strip()[:200])
            for row in rows])
        calendar_year, _created = CalendarYear.objects.update_or_create(
            year=year, defaults={"source_document": source_document.strip()[:200], "published_on": published_on})
        record_event(actor=acting.user, event_code="org.calendar_year_imported", obj=calendar_year,
                     before={"official": was_official, "days": before_days},
                     after={"official": True, "days": len(rows), "source_document": calendar_year.source_document})
        transaction.on_commit(forget_cached_years)
    forget_cached_years()
    logger.info("business calendar %s imported", year, extra={
        "job": "calendar_year_import", "year": year, "rows": len(rows), "replaced_rows": before_days,
        "source_document": calendar_year.source_document, "duration_ms": round((time.perf_counter() - started) * 1000)})
    return calendar_year


def calendar_seed_packaged(*, actor: Actor | object | None = None) -> int:
    """Put the arrangements packaged with chinesecalendar back into an emptied table (a demo reset flushes
    every table, the migration's seed included); years and days already present are left as they are.
    Returns how many days were added."""
    acting = actor_of(actor)
    require(acting, Perm.MANAGE_CALENDAR)
    with transaction.atomic():
        years = [CalendarYear(year=y, source_document=calendar_seed.source_document_for(y))
                 for y in sorted(calendar_seed.packaged_years())]
        CalendarYear.objects.bulk_create(years, ignore_conflicts=True)
        before = CalendarDay.objects.count()
        CalendarDay.objects.bulk_create(
            [CalendarDay(day=d.day, kind=d.kind, name=d.name,
                         source_document=calendar_seed.source_document_for(d.day.year))
             for d in calendar_seed.packaged_days()], ignore_conflicts=True)
        added = CalendarDay.objects.count() - before
        # Deadlines were always computed with the packaged arrangements: nothing for the recompute to move.
        CalendarYear.objects.filter(recomputed_at__isnull=True).update(recomputed_at=F("updated_at"))
        record_event(actor=acting.user, event_code="org.calendar_seeded", object_type="core.calendaryear",
                     after={"days_added": added})
        transaction.on_commit(forget_cached_years)
    return added
