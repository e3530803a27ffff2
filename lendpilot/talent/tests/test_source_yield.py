from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from lendpilot.talent.recruiting import age_band, shares, source_yield, tenure_band, time_in_stage


def test_hundred_applicants_five_hires_ten_thousand_cny():
    y = source_yield("headhunter", applicants=100, hires=5, cost=Decimal("10000"))
    assert y.hire_rate == Decimal("0.05")
    assert y.cost_per_hire == Decimal("2000.00")


def test_no_hire_has_no_cost_per_hire_and_no_applicant_no_rate():
    assert source_yield("campus", applicants=40, hires=0, cost=Decimal("500")).cost_per_hire is None
    assert source_yield("online", applicants=0, hires=0, cost=Decimal(0)).hire_rate is None


def test_time_in_stage_comes_from_the_transition_log():
    t0 = datetime(2026, 1, 1, tzinfo=UTC)
    moves = [("applied", t0), ("screening", t0 + timedelta(days=2)), ("interview", t0 + timedelta(days=5))]
    days = time_in_stage(moves, t0 + timedelta(days=6))
    assert days == {"applied": 2.0, "screening": 3.0, "interview": 1.0}


def test_balance_bands_and_shares():
    today = date(2026, 6, 1)
    assert age_band(1990, today) == "35_39"
    assert age_band(None, today) == "unknown"
    assert tenure_band(date(2025, 1, 1), today) == "1_3"
    assert shares(["f", "m", "m", "f"]) == {"f": Decimal("0.5"), "m": Decimal("0.5")}
