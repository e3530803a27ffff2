"""Lead times in calendar and business hours, stage percentiles, and Erlang C staffing against the roster."""

from datetime import date, datetime

# naive local times: business hours are counted on the wall clock of the bank
import pytest

from lendpilot.market.capacity import (
    business_hours,
    calendar_hours,
    month_capacity,
    months_over_capacity,
    required_staff,
    stage_percentiles,
)


def weekdays(day: date) -> bool:
    return day.weekday() < 5


def test_friday_four_pm_to_monday_ten_am_is_66_calendar_and_3_business_hours():
    start, end = datetime(2026, 3, 6, 16), datetime(2026, 3, 9, 10)  # noqa: DTZ001
    assert calendar_hours(start, end) == 66
    assert business_hours(start, end, is_business_day=weekdays) == 3


def test_a_holiday_counts_no_business_hours():
    start, end = datetime(2026, 3, 6, 16), datetime(2026, 3, 10, 10)  # noqa: DTZ001
    holiday = date(2026, 3, 9)
    assert business_hours(start, end, is_business_day=lambda d: weekdays(d) and d != holiday) == 3
    assert business_hours(end, start, is_business_day=weekdays) == 0


def test_percentiles_per_stage_and_product_flag_the_slowest():
    rows = stage_percentiles({("L1", "SME"): [1, 2, 3, 4, 10], ("L2", "SME"): [5, 6, 7, 8, 9],
                              ("disbursement", "SME"): [1, 1, 1, 1, 1]})
    by = {r.stage: r for r in rows}
    assert by["L1"].p50_hours == 3 and by["L1"].p90_hours == pytest.approx(7.6)
    assert by["L2"].slowest and not by["L1"].slowest and not by["disbursement"].slowest


def test_erlang_c_100_cases_per_half_hour_needs_14_on_duty_and_20_on_the_roster():
    s = required_staff(cases=100, interval_minutes=30, handle_minutes=3, answer_seconds=20,
                       target_service_level=0.8, max_occupancy=0.85, shrinkage=0.3)
    assert s.traffic == 10
    assert (s.raw, s.staffed) == (14, 20)
    assert s.service_level >= 0.8 and s.occupancy <= 0.85


def test_a_month_needing_more_than_the_roster_is_marked():
    quiet = month_capacity(month=date(2026, 1, 1), cases=2_000, business_days=21, roster=15, handle_minutes=20)
    busy = month_capacity(month=date(2026, 3, 1), cases=12_000, business_days=21, roster=15, handle_minutes=20)
    assert not quiet.over_capacity and busy.over_capacity
    assert months_over_capacity([quiet, busy]) == [date(2026, 3, 1)]


def test_bad_staffing_input_is_refused():
    with pytest.raises(ValueError, match="shrinkage"):
        required_staff(cases=10, interval_minutes=30, handle_minutes=3, answer_seconds=20,
                       target_service_level=0.8, max_occupancy=0.85, shrinkage=1.0)
