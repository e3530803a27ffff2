"""The end-of-day batch past the packaged holiday data: on 2027-03-01 and 2031-06-15 (years without an
official arrangement) it runs, rolls due dates and counts business days without an exception."""

from datetime import date

import pytest
import time_machine

from lendpilot.core.business_calendar import is_provisional
from lendpilot.monitoring import services
from lendpilot.monitoring.models import EodRun
from lendpilot.monitoring.tests.conftest import make_loan


@pytest.mark.parametrize("day", [date(2027, 3, 1), date(2031, 6, 15)])
@pytest.mark.django_db
def test_the_eod_runs_in_a_provisional_year(world, day):
    assert is_provisional(day)
    make_loan(world, disbursed_on=date(day.year - 1, 12, 1))
    with time_machine.travel(f"{day.isoformat()} 23:00 +0800", tick=False):
        run = services.eod_run(actor=None, business_date=day)
    assert run.status == EodRun.Status.COMPLETED
