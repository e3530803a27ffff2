"""Open SLAs move when a provisional year gets its official arrangement: the nightly job and the
command `recompute_business_dates` re-derive them, once."""

from datetime import date, datetime
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command

from lendpilot.compliance.models import AuditEvent
from lendpilot.core.models import CalendarYear
from lendpilot.insights.calendar_changes import years_changed_since_recompute
from lendpilot.insights.review import actions
from lendpilot.org.calendar import csv_format
from lendpilot.org.calendar.services import calendar_year_import

SH = ZoneInfo("Asia/Shanghai")
ARRANGEMENT = "date,kind,name\n2027-01-01,holiday,元旦\n2027-01-04,holiday,测试停业\n2027-01-05,holiday,测试停业\n"


@pytest.mark.django_db
def test_an_action_item_sla_in_2027_moves_with_the_official_arrangement(world):
    # Thu 31 Dec 2026 12:00 + 48 business hours, provisionally: 12 h, New Year and the weekend off,
    # Monday 24 h, Tuesday 12 h.
    item = actions.action_item_create(actor=world.user("director"), title="逾期回访", sla_hours=48,
                                      now=datetime(2026, 12, 31, 12, tzinfo=SH))
    assert item.due_at == datetime(2027, 1, 5, 12, tzinfo=SH)
    rows, _errors = csv_format.parse_arrangement(ARRANGEMENT, year=2027)
    calendar_year_import(actor=world.user("operations"), year=2027, rows=rows, source_document="测试通知")
    assert years_changed_since_recompute(today=date(2026, 12, 31)) == [2027]

    out = StringIO()
    call_command("recompute_business_dates", "--year", "2027", stdout=out)
    assert "1 action items" in out.getvalue()
    item.refresh_from_db()
    assert item.due_at == datetime(2027, 1, 7, 12, tzinfo=SH)  # 4 and 5 January closed
    assert AuditEvent.objects.latest("seq").event_code == "insights.business_dates_recomputed"
    assert CalendarYear.objects.get(year=2027).recomputed_at is not None
    assert years_changed_since_recompute(today=date(2026, 12, 31)) == []

    call_command("recompute_business_dates", "--year", "2027", stdout=StringIO())
    item.refresh_from_db()
    assert item.due_at == datetime(2027, 1, 7, 12, tzinfo=SH)
