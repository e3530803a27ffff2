"""`python manage.py bench funnel_diagnosis`: the funnel of the whole bank for one biweek judged against its
three previous biweeks (B10, F4), computed by one grouped query over the node history, against the naive
baseline that loads the same transitions into Python and counts them per period.

The same bench also times the channel x product x tier conversion with Wilson intervals (F2) by one
GROUP BY, against loading every opportunity of the period and counting in Python.

`manage.py bench` discovers `benchmarks` modules only: `lendpilot/insights/benchmarks.py` registers this one
by importing it (`from lendpilot.insights.review import benchmarks  # noqa: F401`)."""

import random
import statistics
import time
from collections import Counter, defaultdict
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection
from django.utils import timezone

from lendpilot.core.bench import BenchContext, Measurement, benchmark
from lendpilot.customers.bench_world import bench_org
from lendpilot.insights.conversion import Segment, analyse
from lendpilot.insights.diagnostics import Period, biweek_containing, diagnose
from lendpilot.insights.review.selectors import Slice, conversion_analysis, day_start, funnel_diagnosis
from lendpilot.sales.models import Lead, Opportunity, Transition

OPPORTUNITIES = {"small": 20_000, "medium": 60_000, "bank": 200_000}
PATH = ["screening", "first_contact", "proposal", "qualification", "signing", "won"]
REPEATS = 7
BANK = Slice("bank", "", "bank")


def _history(ctx: BenchContext, period: Period) -> int:
    rng = random.Random(ctx.seed)
    managers = bench_org("FD", teams_per_region=10, managers_per_team=10).managers
    zone = ZoneInfo(settings.TIME_ZONE)
    first = period.previous(3).start
    span = (period.end - first).days + 1
    n = OPPORTUNITIES.get(ctx.scale, 20_000)
    opps, plans = [], []
    for i in range(n):
        created = datetime.combine(first + timedelta(days=rng.randrange(span)), datetime.min.time(), tzinfo=zone) \
            + timedelta(minutes=rng.randrange(600))
        steps = [created]
        stop = 0
        while stop < 5 and rng.random() < 0.7:
            stop += 1
            steps.append(steps[-1] + timedelta(hours=rng.randrange(2, 72)))
        lost = stop < 5 and rng.random() < 0.6
        opps.append(Opportunity(name=f"基准{i}", owner=rng.choice(managers), industry="F",
                                tier=rng.choice(["premium", "standard", "basic"]), created_at=created,
                                node_entered_at=steps[-1], node="lost" if lost else PATH[stop],
                                loss_reason="rate" if lost else ""))
        plans.append((steps, stop, lost))
    Opportunity.objects.bulk_create(opps, batch_size=5000)
    rows = []
    for opp, (steps, stop, lost) in zip(opps, plans, strict=True):
        rows.append(Transition(opportunity=opp, from_node="", to_node="screening", at=steps[0]))
        for k in range(1, stop + 1):
            rows.append(Transition(opportunity=opp, from_node=PATH[k - 1], to_node=PATH[k], at=steps[k]))
        if lost:
            rows.append(Transition(opportunity=opp, from_node=PATH[stop], to_node="lost",
                                   at=steps[-1] + timedelta(hours=5)))
    Transition.objects.bulk_create(rows, batch_size=10000)
    return len(rows)


def _naive_funnel(period: Period) -> object:
    """Load every transition of the four periods into Python and count the moves per period."""
    periods = [period.previous(k) for k in range(0, 4)]
    bounds = [(day_start(p.start), day_start(p.end + timedelta(days=1))) for p in periods]
    per_period = [defaultdict(set) for _p in periods]
    for opp_id, src, dst, at in Transition.objects.filter(at__gte=bounds[-1][0], at__lt=bounds[0][1]) \
            .values_list("opportunity_id", "from_node", "to_node", "at").iterator(chunk_size=5000):
        for i, (lo, hi) in enumerate(bounds):
            if lo <= at < hi:
                per_period[i][(src, dst)].add(opp_id)
    moves = [{k: len(v) for k, v in p.items()} for p in per_period]
    return diagnose(period=period, current=moves[0], baselines=list(zip(periods[1:], moves[1:], strict=True)),
                    threshold="0.15", min_volume=10)


def _median_ms(func) -> float:
    func()
    times = []
    for _r in range(REPEATS):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


@benchmark("funnel_diagnosis")
def funnel_diagnosis_bench(ctx: BenchContext):
    period = biweek_containing(timezone.localdate()).previous(1)
    transitions = _history(ctx, period)
    real = funnel_diagnosis(None, BANK, period, baseline_periods=3)
    naive = _naive_funnel(period)
    same = [(n.flow, n.baseline) for n in real.nodes] == [(n.flow, n.baseline) for n in naive.nodes]
    real_ms = _median_ms(lambda: funnel_diagnosis(None, BANK, period, baseline_periods=3))
    naive_ms = _median_ms(lambda: _naive_funnel(period))
    yield Measurement("funnel_diagnosis", "server_ms", real_ms, "ms", baseline=naive_ms,
                      notes={"transitions": transitions, "opportunities": OPPORTUNITIES.get(ctx.scale, 20_000),
                             "periods": 4, "same_figures": same, "database": connection.vendor})

    def naive_conversion():
        counts: Counter = Counter()
        won: Counter = Counter()
        qs = Opportunity.objects.filter(created_at__gte=day_start(period.start),
                                        created_at__lt=day_start(period.end + timedelta(days=1)))
        sources = dict(Lead.objects.values_list("pk", "source"))
        for lead_id, product_id, tier, node in qs.values_list("lead_id", "product_id", "tier", "node").iterator():
            key = (sources.get(lead_id, "direct"), str(product_id or ""), tier)
            counts[key] += 1
            won[key] += node == "won"
        return analyse([Segment(key=k, labels=k, opened=v, won=won[k]) for k, v in counts.items()],
                       dimensions=("channel", "product", "tier"), min_volume=30)

    real_c = conversion_analysis(None, BANK, period, min_volume=30)
    naive_c = naive_conversion()
    same_c = sorted((s.key, s.opened, s.won) for s in real_c.segments) == sorted(
        (s.key, s.opened, s.won) for s in naive_c.segments)
    real_ms = _median_ms(lambda: conversion_analysis(None, BANK, period, min_volume=30))
    naive_ms = _median_ms(naive_conversion)
    yield Measurement("funnel_diagnosis", "conversion_segments_ms", real_ms, "ms", baseline=naive_ms,
                      notes={"segments": len(real_c.segments), "same_figures": same_c, "database": connection.vendor})
