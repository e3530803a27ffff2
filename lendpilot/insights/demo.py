"""Demo bank step: insights. Backfills a year of daily metric snapshots (up to yesterday; today stays live)
from the demo's leads, decisions, loans, instalments and repayments, in one set-based build (one INSERT ...
SELECT per dimension for the whole year), so that the command centre opens with MoM, YoY and sparklines."""

from datetime import timedelta

from django.utils import timezone

from lendpilot.core.seeding import SeedContext
from lendpilot.insights.services import metric_snapshots_build

HISTORY_DAYS = 400  # a year and the previous month, so that year-on-year has a base


def seed(ctx: SeedContext) -> dict[str, int]:
    end = min(ctx.today, timezone.localdate()) - timedelta(days=1)
    summary = metric_snapshots_build(actor=None, business_date=end - timedelta(days=HISTORY_DAYS - 1), date_to=end)
    return {"metric_snapshot_days": summary["days"], "metric_snapshot_rows": summary["rows"]}
