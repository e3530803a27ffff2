"""The EOD writes one structured log line per stage and one per run (job, business date, counts, duration)."""

import logging
from datetime import date, timedelta

from lendpilot.monitoring import services
from lendpilot.monitoring.services import STAGES
from lendpilot.monitoring.tests.conftest import make_loan

FIRST_DUE = date(2025, 2, 10)


def test_the_eod_logs_each_stage_and_the_run_with_their_figures(world, caplog):
    make_loan(world)
    day = FIRST_DUE + timedelta(days=5)
    with caplog.at_level(logging.INFO, logger="lendpilot.monitoring.eod"):
        services.eod_run(actor=None, business_date=day)
    records = [r for r in caplog.records if r.name == "lendpilot.monitoring.eod"]
    stages = [r for r in records if getattr(r, "stage", None)]
    assert [r.stage for r in stages] == list(STAGES)
    assert all(r.job == "eod" and r.business_date == day.isoformat() and r.duration >= 0 for r in stages)
    assert stages[0].counts == {"loans": 1}
    (run,) = [r for r in records if getattr(r, "status", None) == "completed"]
    assert run.job == "eod" and set(run.counts) == set(STAGES) and run.duration >= 0 and run.attempt == 1


def test_a_completed_date_run_again_logs_nothing(world, caplog):
    make_loan(world)
    day = FIRST_DUE + timedelta(days=5)
    services.eod_run(actor=None, business_date=day)
    with caplog.at_level(logging.INFO, logger="lendpilot.monitoring.eod"):
        services.eod_run(actor=None, business_date=day)
    assert not [r for r in caplog.records if r.name == "lendpilot.monitoring.eod"]
