"""Seeds the bank's holiday table from the arrangements packaged in chinesecalendar (2004 onwards).
Later years are entered or imported by operations; until then they are provisional."""

from django.db import migrations
from django.db.models import F


def seed(apps, schema_editor):
    from lendpilot.core.calendar_seed import packaged_days, packaged_years, source_document_for

    CalendarYear = apps.get_model("core", "CalendarYear")
    CalendarDay = apps.get_model("core", "CalendarDay")
    CalendarYear.objects.bulk_create(
        [CalendarYear(year=year, source_document=source_document_for(year)) for year in packaged_years()],
        ignore_conflicts=True,
    )
    # Deadlines were always computed with these arrangements: nothing for the nightly recompute to move.
    CalendarYear.objects.update(recomputed_at=F("updated_at"))
    CalendarDay.objects.bulk_create(
        [CalendarDay(day=d.day, kind=d.kind, name=d.name, source_document=source_document_for(d.day.year))
         for d in packaged_days()],
        ignore_conflicts=True,
    )


def unseed(apps, schema_editor):
    apps.get_model("core", "CalendarDay").objects.all().delete()
    apps.get_model("core", "CalendarYear").objects.all().delete()


class Migration(migrations.Migration):

    dependencies = [("core", "0003_business_calendar")]

    operations = [migrations.RunPython(seed, unseed)]
