from datetime import timedelta

import pytest

from lendpilot.core.business_calendar import is_business_day
from lendpilot.demo.steps import seed_demo
from lendpilot.monitoring.models import (
    AccountTransaction,
    EodRun,
    LoanMonthBucket,
    PortfolioSnapshot,
    ProsperityIndex,
)


@pytest.mark.django_db
def test_demo_builds_a_year_of_daily_snapshots_feed_and_runs():
    ctx = seed_demo(scale="tiny", seed=5, show_progress=False)
    counts = next(t.counts for t in ctx.timings if t.step == "monitoring")
    runs = EodRun.objects.filter(status="completed")
    assert counts["eod_runs"] == runs.count() >= 10
    assert set(runs.values_list("trigger", flat=True)) == {"demo"}
    last = runs.order_by("-business_date").first().business_date
    days = set(PortfolioSnapshot.objects.filter(dimension="all").values_list("business_date", flat=True))
    first = min(days)
    assert max(days) == last and (last - first).days >= 360
    span = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    assert days == {d for d in span if is_business_day(d)}  # every business day of a year, once
    assert counts["history_days"] == len(days) - 1
    assert LoanMonthBucket.objects.values("month").distinct().count() >= 11  # month ends for roll rates
    assert set(PortfolioSnapshot.objects.filter(dimension="tier").values_list("key", flat=True)) <= {
        "strategic", "growth", "micro"}
    assert AccountTransaction.objects.exists() and ProsperityIndex.objects.count() == 20 * 24
