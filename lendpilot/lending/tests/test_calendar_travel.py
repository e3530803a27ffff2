"""Lending past the packaged holiday data (2027 and 2031 have no official arrangement yet): a case is
submitted with a decision deadline, a schedule rolls its due dates, nothing raises, and the deadlines
move when the official 2027 arrangement is imported."""

from datetime import date
from decimal import Decimal

import pytest
import time_machine

from lendpilot.core.business_calendar import is_provisional
from lendpilot.lending import services
from lendpilot.lending.deadlines import recompute_due_date_rolls, recompute_stage_deadlines
from lendpilot.lending.schedule import build_schedule
from lendpilot.lending.tests.conftest import draft
from lendpilot.org.calendar import csv_format
from lendpilot.org.calendar.services import calendar_year_import

# 2027-03-01 is a Monday; the official arrangement below (made up for the test) closes 2 and 3 March.
MARCH_CLOSURE = "date,kind,name\n2027-03-02,holiday,测试停业\n2027-03-03,holiday,测试停业\n2027-03-06,workday,调休\n"


@pytest.mark.parametrize(("today", "due"), [(date(2027, 3, 1), date(2027, 3, 3)),
                                           (date(2031, 6, 15), date(2031, 6, 17))])
@pytest.mark.django_db
def test_a_case_submitted_in_a_provisional_year_gets_a_deadline(lending_world, today, due):
    with time_machine.travel(f"{today.isoformat()} 10:00 +0800", tick=False):
        app = services.application_submit(actor=lending_world.user("am_wang"), application=draft(lending_world),
                                          today=today)
    assert app.stage_due_on == due  # two business days for the first level
    assert is_provisional(app.stage_due_on)


@pytest.mark.django_db
def test_a_schedule_rolls_provisional_holidays_forward():
    # 2031-10-01..03 are fixed-date holidays even before the arrangement is published; the 1st is a Wednesday.
    rows = build_schedule(principal=Decimal("120000"), annual_rate=Decimal("0.06"), periods=12,
                          method="equal_instalment", start=date(2030, 10, 1), roll_business_days=True)
    assert rows[11].due_date == date(2031, 10, 6)  # Oct 1-3 off, then the weekend
    assert rows[0].due_date == date(2030, 11, 1)


@pytest.mark.django_db
def test_the_official_arrangement_moves_the_open_deadlines(lending_world):
    with time_machine.travel("2027-03-01 10:00 +0800", tick=False):
        app = services.application_submit(actor=lending_world.user("am_wang"), application=draft(lending_world),
                                          today=date(2027, 3, 1))
    assert app.stage_due_on == date(2027, 3, 3)
    rows, errors = csv_format.parse_arrangement(MARCH_CLOSURE, year=2027)
    assert errors == []
    calendar_year_import(actor=lending_world.user("operations"), year=2027, rows=rows, source_document="测试通知")
    assert recompute_stage_deadlines(year=2027) == 1
    app.refresh_from_db()
    assert app.stage_due_on == date(2027, 3, 5)  # 2 and 3 March closed: the 4th and 5th count
    assert not is_provisional(app.stage_due_on)
    assert recompute_stage_deadlines(year=2027) == 0  # idempotent


@pytest.mark.django_db
def test_the_official_arrangement_rolls_open_instalments_again(lending_world):
    loan = services._create_loan(borrower=lending_world.customers["am_wang_person"],
                                 product=lending_world.products["credit"], principal=Decimal("120000"),
                                 annual_rate=Decimal("0.06"), term_months=12, method="equal_instalment",
                                 disbursed_on=date(2027, 1, 3))
    second = loan.instalments.get(seq=2)
    assert second.due_date == date(2027, 3, 3)  # a Wednesday, provisionally a business day
    interest = second.interest_due
    rows, _errors = csv_format.parse_arrangement(MARCH_CLOSURE, year=2027)
    calendar_year_import(actor=lending_world.user("operations"), year=2027, rows=rows, source_document="测试通知")
    assert recompute_due_date_rolls(year=2027, today=date(2027, 1, 10)) == 1
    second.refresh_from_db()
    assert (second.due_date, second.due_day) == (date(2027, 3, 4), date(2027, 3, 4).toordinal())
    assert second.interest_due == interest
    assert recompute_due_date_rolls(year=2027, today=date(2027, 1, 10)) == 0
