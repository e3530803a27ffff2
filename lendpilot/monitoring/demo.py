"""Demo bank step: monitoring. An industry prosperity index (a PMI-like series per industry, two years),
an account transaction feed for a sample of borrowers over the last 90 days with some anomalies (large
outflows, gambling-like merchant categories, inflows that stop), a few court judgements and score drops;
then the real end-of-day batch for the last weeks (alerts, signals, interventions and their SLA
escalations), a year of daily portfolio snapshots and month-end buckets rebuilt from the repayment
history (`services.history_rebuild`: the book as it stood each day, with the late payers that have paid
since), and the EOD of the demo day on top of that history (its EWMA band sees the whole year); finally
the industry proposals of the current month.
"""

import random
from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from lendpilot.core.business_calendar import is_business_day
from lendpilot.core.months import shift_month
from lendpilot.core.reference import Industry
from lendpilot.core.seeding import SeedContext
from lendpilot.customers.models import Customer
from lendpilot.lending.models import Loan
from lendpilot.monitoring import industry, services
from lendpilot.monitoring.models import Alert, EodRun, PortfolioSnapshot, ProsperityIndex

# Real EOD runs for the last weeks build the alert histories; the year of snapshots is rebuilt in a few
# set-based statements. `python manage.py run_eod` extends the history day by day.
EOD_DAYS = {"tiny": 21, "small": 35, "medium": 21, "bank": 10}
DEFAULT_EOD_DAYS = 35
HISTORY_DAYS = 365
FEED_DAYS = 90


def _factor(rng, low: float, high: float) -> Decimal:
    return Decimal(str(round(rng.uniform(low, high), 2)))


def _seed_prosperity(rng: random.Random, end: date) -> int:
    """Prosperity index: 24 months per industry, cycles out of phase so that industries differ."""
    first = shift_month(end.replace(day=1), -23)
    rows = []
    for n, code in enumerate(Industry.values):
        series = industry.synthetic_pmi(24, rng, phase=n * 0.7, cycle=1.2 + (n % 4) * 0.5)
        rows += [ProsperityIndex(industry=code, month=shift_month(first, i), value=v, source="demo")
                 for i, v in enumerate(series)]
    ProsperityIndex.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def _borrower_feed(rng: random.Random, cid: int, end: date) -> list[tuple]:
    """A borrower's weekly income and everyday spending; a few stop earning, spend big or gamble."""
    feed: list[tuple] = []
    start = end - timedelta(days=FEED_DAYS)
    kind = rng.random()
    income = rng.choice([8000, 15000, 30000, 80000])
    for d in range(FEED_DAYS):
        day = start + timedelta(days=d)
        stopped = kind < 0.05 and day > end - timedelta(days=30)
        if day.weekday() == 0 and not stopped:
            feed.append((f"DM{cid}-{d}-I", cid, day, "in", Decimal(income) * _factor(rng, 0.9, 1.1)))
        if rng.random() < 0.4:
            feed.append((f"DM{cid}-{d}-O", cid, day, "out", Decimal(income // 10) * _factor(rng, 0.3, 1.5),
                         "5411"))
    if 0.05 <= kind < 0.10:
        feed.append((f"DM{cid}-BIG", cid, end - timedelta(days=rng.randint(1, 20)), "out", Decimal(income * 12)))
    if 0.10 <= kind < 0.13:
        feed.append((f"DM{cid}-GMB", cid, end - timedelta(days=rng.randint(1, 20)), "out", Decimal("8800.00"),
                     "7995"))
    return feed


def _seed_feed(rng: random.Random, end: date) -> tuple[list[int], int]:
    """The transaction feed of a sample of borrowers with active loans: (the sample, transactions imported)."""
    borrowers = list(Customer.objects.filter(loans__status=Loan.Status.ACTIVE).distinct().order_by("pk")
                     .values_list("pk", flat=True))
    sample = rng.sample(borrowers, min(len(borrowers), max(10, len(borrowers) // 5)))
    feed = [txn for cid in sample for txn in _borrower_feed(rng, cid, end)]
    payload = [{"txn_id": t[0], "customer_id": t[1], "booked_on": t[2].isoformat(), "direction": t[3],
                "amount": str(t[4].quantize(Decimal("0.01"))), "merchant_category": t[5] if len(t) > 5 else ""}
               for t in feed]
    if not payload:
        return sample, 0
    return sample, services.transactions_import(actor=None, rows=payload, batch="demo", today=end)["imported"]


def _seed_events_and_rescores(ctx: SeedContext, rng: random.Random, sample: list[int], end: date) -> None:
    """A few external events and score drops."""
    for n, cid in enumerate(sample[:max(1, len(sample) // 30)]):
        services.external_event_record(actor=None, customer=Customer.objects.get(pk=cid), kind="court_judgement",
                                       occurred_on=end - timedelta(days=rng.randint(1, 15)),
                                       reference=f"DEMO-J-{ctx.seed}-{n}", detail="民事判决：合同纠纷")
    for cid in sample[-max(1, len(sample) // 20):]:
        customer = Customer.objects.get(pk=cid)
        services.customer_rescore(actor=None, customer=customer, scored_on=end - timedelta(days=60), score=690)
        services.customer_rescore(actor=None, customer=customer, scored_on=end - timedelta(days=rng.randint(1, 20)),
                                  score=rng.choice([560, 610, 640]))


def _seed_eod_runs(ctx: SeedContext, end: date, counts: dict[str, int]) -> None:
    """The end-of-day batch for each business day of the last weeks, the year rebuilt, then the demo day."""
    days = EOD_DAYS.get(ctx.scale.name, DEFAULT_EOD_DAYS)
    last = EodRun.objects.filter(status="completed").order_by("-business_date").values_list(
        "business_date", flat=True).first()
    run_days = [end - timedelta(days=n) for n in range(days, -1, -1)]
    run_days = [d for d in run_days if is_business_day(d) and (last is None or d > last)]
    with ctx.progress(total=len(run_days), desc="monitoring: end-of-day runs", unit="days") as bar:
        for day in run_days[:-1]:
            services.eod_run(actor=None, business_date=day, trigger="demo")
            bar.update(1)
        if run_days:
            history_end = run_days[-1] - timedelta(days=1)
            rebuilt = services.history_rebuild(actor=None, start=end - timedelta(days=HISTORY_DAYS),
                                               end=history_end)
            counts["history_days"] = rebuilt["days"]
            services.eod_run(actor=None, business_date=run_days[-1], trigger="demo")
            bar.update(1)
    counts["eod_runs"] = len(run_days)


def seed(ctx: SeedContext) -> dict[str, int]:
    rng = ctx.sub_rng("monitoring")
    end = min(ctx.today, timezone.localdate())
    counts: dict[str, int] = {"index_points": _seed_prosperity(rng, end)}
    sample, imported = _seed_feed(rng, end)
    if imported:
        counts["transactions"] = imported
    _seed_events_and_rescores(ctx, rng, sample, end)
    _seed_eod_runs(ctx, end, counts)
    counts["snapshot_rows"] = PortfolioSnapshot.objects.count()
    counts["open_alerts"] = Alert.objects.filter(status="open").count()
    counts["proposals"] = len(services.industry_proposals_compute(actor=None, month=end))
    return counts
