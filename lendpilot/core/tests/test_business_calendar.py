from datetime import date, timedelta

import pytest

from lendpilot.core.business_calendar import (
    add_business_days,
    business_days_between,
    forget_cached_years,
    is_business_day,
    is_provisional,
    next_business_day,
)
from lendpilot.core.models import CalendarDay, CalendarYear


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


@pytest.mark.django_db
def test_every_date_from_2000_to_2100_answers_on_a_migrated_database():
    day, end = date(2000, 1, 1), date(2100, 12, 31)
    while day <= end:
        is_business_day(day)
        assert next_business_day(day) >= day
        assert add_business_days(day, 1) > day
        day += timedelta(days=1)


@pytest.mark.django_db
def test_the_seeded_table_says_what_the_packaged_arrangement_says():
    assert CalendarYear.objects.filter(year=2025).exists()
    assert CalendarDay.objects.get(day=date(2025, 10, 11)).kind == CalendarDay.Kind.WORKDAY
    assert CalendarDay.objects.get(day=date(2025, 10, 1)).name == "国庆节"
    assert not CalendarYear.objects.filter(year=2027).exists()


@pytest.mark.django_db
def test_a_day_entered_in_the_table_changes_the_answer():
    assert is_business_day(date(2025, 6, 3))
    CalendarDay.objects.create(day=date(2025, 6, 3), kind=CalendarDay.Kind.HOLIDAY, name="台风停工")
    forget_cached_years()
    assert not is_business_day(date(2025, 6, 3))
    assert next_business_day(date(2025, 6, 3)) == date(2025, 6, 4)


@pytest.mark.django_db
def test_an_emptied_table_falls_back_to_the_packaged_arrangement():
    CalendarDay.objects.all().delete()
    CalendarYear.objects.all().delete()
    forget_cached_years()
    assert not is_business_day(date(2025, 10, 1))
    assert is_business_day(date(2025, 10, 11))
    assert not is_provisional(date(2025, 10, 1))
    assert is_provisional(date(2027, 10, 1))
