import pytest

from lendpilot.demo.steps import seed_demo
from lendpilot.monitoring.models import AccountTransaction, EodRun, PortfolioSnapshot, ProsperityIndex


@pytest.mark.django_db
def test_demo_builds_daily_snapshots_feed_and_runs():
    ctx = seed_demo(scale="tiny", seed=5, show_progress=False)
    counts = next(t.counts for t in ctx.timings if t.step == "monitoring")
    runs = EodRun.objects.filter(status="completed")
    assert counts["eod_runs"] == runs.count() >= 10
    assert PortfolioSnapshot.objects.filter(dimension="all").count() == runs.count()
    assert AccountTransaction.objects.exists() and ProsperityIndex.objects.count() == 20 * 24
