from datetime import date

from lendpilot.core.business_calendar import (
    add_business_days,
    business_days_between,
    is_business_day,
    is_provisional,
    next_business_day,
)


def test_national_day_golden_week_is_off_and_the_make_up_saturday_is_on():
    assert not is_business_day(date(2025, 10, 1))
    assert not is_business_day(date(2025, 10, 8))
    assert is_business_day(date(2025, 9, 28))  # Sunday worked in exchange (调休)
    assert is_business_day(date(2025, 10, 11))  # Saturday worked in exchange


def test_two_business_days_after_the_eve_of_national_day_skip_the_holiday():
    assert add_business_days(date(2025, 9, 30), 2) == date(2025, 10, 10)
    assert add_business_days(date(2025, 10, 10), -2) == date(2025, 9, 30)


def test_business_days_between_counts_the_end_not_the_start():
    assert business_days_between(date(2025, 9, 29), date(2025, 10, 9)) == 2  # 30 Sep and 9 Oct
    assert business_days_between(date(2025, 10, 9), date(2025, 9, 29)) == -2


def test_due_date_on_a_holiday_rolls_forward():
    assert next_business_day(date(2025, 10, 3)) == date(2025, 10, 9)


def test_a_year_without_an_official_arrangement_is_provisional_weekends_and_fixed_holidays():
    assert is_provisional(date(2099, 1, 5))
    assert is_business_day(date(2099, 1, 5))  # a Monday
    assert not is_business_day(date(2099, 1, 1))  # New Year, a Thursday
    assert not is_business_day(date(2099, 10, 2))  # National Day, a Friday
    assert not is_business_day(date(2099, 1, 3))  # a Saturday
    assert not is_provisional(date(2025, 10, 1))
