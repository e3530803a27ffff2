from datetime import date

from lendpilot.core.months import add_months, month_span, month_start, shift_month


def test_shift_month_names_a_month_by_its_first_day_across_years():
    assert shift_month(date(2026, 12, 6), 1) == date(2027, 1, 1)
    assert shift_month(date(2026, 1, 31), -1) == date(2025, 12, 1)
    assert shift_month(date(2026, 3, 15), 0) == date(2026, 3, 1)


def test_add_months_keeps_the_contract_day_and_clamps_short_months():
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2028, 1, 31), 1) == date(2028, 2, 29)
    assert add_months(date(2026, 11, 30), 3) == date(2027, 2, 28)


def test_month_span_lists_consecutive_month_starts():
    assert month_span(date(2026, 11, 20), 3) == [date(2026, 11, 1), date(2026, 12, 1), date(2027, 1, 1)]
    assert month_start(date(2026, 2, 14)) == date(2026, 2, 1)
