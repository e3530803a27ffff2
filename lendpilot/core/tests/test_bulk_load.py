"""The bulk loader behind the demo and the benchmarks."""

from datetime import date

import pytest

from lendpilot.core.bulk_load import insert_rows
from lendpilot.core.models import CalendarDay


@pytest.mark.django_db
def test_a_column_the_loader_does_not_name_takes_the_models_default():
    written = insert_rows(CalendarDay, ["day", "kind"], [(date(2099, 1, 1), CalendarDay.Kind.HOLIDAY)], batch_size=10)
    assert written == 1
    row = CalendarDay.objects.get(day=date(2099, 1, 1))
    assert (row.kind, row.name, row.source_document) == (CalendarDay.Kind.HOLIDAY, "", "")
