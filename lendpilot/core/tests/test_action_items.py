"""The action item rules of core: status moves and the business-hours SLA clock (B11)."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from lendpilot.core.action_items import is_overdue, move_problem, sla_due

SH = ZoneInfo("Asia/Shanghai")


def at(y, m, d, h=0, minute=0):
    return datetime(y, m, d, h, minute, tzinfo=SH)


def test_48_hours_from_a_friday_afternoon_skip_the_weekend():
    # Fri 27 Nov 2026 15:00: 9 h on Friday, Monday's 24 h, 15 h on Tuesday.
    assert sla_due(at(2026, 11, 27, 15), 48, tz=SH) == at(2026, 12, 1, 15)


def test_48_hours_within_the_week():
    assert sla_due(at(2026, 11, 24, 9, 30), 48, tz=SH) == at(2026, 11, 26, 9, 30)


def test_an_item_created_on_a_saturday_starts_its_clock_on_monday():
    assert sla_due(at(2026, 11, 28, 11), 48, tz=SH) == at(2026, 12, 2, 0)


def test_the_national_day_holiday_stops_the_clock():
    # Wed 30 Sep 2026 10:00: 14 h, then 1-7 October off, Thursday 8th 24 h, Friday 9th 10 h.
    assert sla_due(at(2026, 9, 30, 10), 48, tz=SH) == at(2026, 10, 9, 10)


def test_a_working_saturday_counts():
    # Saturday 10 October 2026 is a working day moved by the State Council (调休).
    assert sla_due(at(2026, 10, 9, 10), 48, tz=SH) == at(2026, 10, 12, 10)


def test_past_the_official_calendar_the_provisional_year_counts_weekdays_but_not_new_year():
    # 2027 is not yet published: Thu 31 Dec 2026 12:00 -> 12 h, Fri 1 Jan 2027 is New Year (a fixed-date
    # holiday even in a provisional year), then the weekend, 24 h on Monday and 12 h on Tuesday.
    assert sla_due(at(2026, 12, 31, 12), 48, tz=SH) == at(2027, 1, 5, 12)


def test_start_given_in_utc_is_read_in_the_business_time_zone():
    start = datetime(2026, 11, 27, 7, 0, tzinfo=ZoneInfo("UTC"))  # Friday 15:00 in Shanghai
    assert sla_due(start, 48, tz="Asia/Shanghai") == at(2026, 12, 1, 15)


def test_a_custom_calendar_is_used():
    def every_day(day: date) -> bool:
        return True

    assert sla_due(at(2026, 11, 28, 11), 48, tz=SH, calendar=every_day) == at(2026, 11, 30, 11)


def test_naive_start_and_negative_hours_are_refused():
    with pytest.raises(ValueError):
        sla_due(datetime(2026, 11, 27, 15), 48, tz=SH)  # noqa: DTZ001 - a naive start is what is refused
    with pytest.raises(ValueError):
        sla_due(at(2026, 11, 27, 15), -1, tz=SH)


@pytest.mark.parametrize(("src", "dst", "note", "field"), [
    ("open", "in_progress", "", None),
    ("open", "done", "fixed the form", None),
    ("in_progress", "done", "", "outcome"),
    ("in_progress", "done", "   ", "outcome"),
    ("in_progress", "cancelled", "", "reason"),
    ("in_progress", "cancelled", "duplicate", None),
    ("done", "in_progress", "", "status"),
    ("cancelled", "open", "", "status"),
    ("in_progress", "open", "", "status"),
    ("open", "open", "", "status"),
    ("open", "archived", "", "status"),
])
def test_status_moves(src, dst, note, field):
    problem = move_problem(src, dst, note=note)
    assert (problem[0] if problem else None) == field


def test_overdue_is_strictly_after_the_due_moment_and_only_while_live():
    due = at(2026, 12, 1, 15)
    assert not is_overdue(status="open", due_at=due, now=due)
    assert is_overdue(status="in_progress", due_at=due, now=at(2026, 12, 1, 15, 1))
    assert not is_overdue(status="done", due_at=due, now=at(2026, 12, 9))
