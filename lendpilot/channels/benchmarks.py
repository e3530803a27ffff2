"""`python manage.py bench channel_kpis`: M1+/M2+/M3+ vintage cells for every partner over 24 monthly
cohorts, on 50,000 (small), 200,000 (medium) or 1,000,000 (bank) loans observed at each month on book.
The measured path sums columns with numpy (`vintage.cell_table`); the baseline is the per-partner loop over
row objects (`vintage.cells`), which at bank scale runs on a tenth of the partners and is scaled up (noted)."""

import random
from datetime import date
from decimal import Decimal

import numpy as np

from lendpilot.channels.vintage import LoanMonth, cell_table, cells
from lendpilot.core.bench import BenchContext, Measurement, Stopwatch, benchmark

LOANS = {"small": 50_000, "medium": 200_000, "bank": 1_000_000}
PARTNERS = 40
MONTHS = 24


def _columns(n: int, seed: int) -> dict[str, np.ndarray]:
    """Each loan seen at every month on book it has reached by month 24 (a triangle, ~12.5 rows a loan)."""
    rng = np.random.default_rng(seed)
    partner = rng.integers(0, PARTNERS, n)
    cohort = rng.integers(0, MONTHS, n)
    amount = rng.uniform(50_000, 500_000, n).round(2)
    reach = MONTHS - cohort
    rows = np.repeat(np.arange(n), reach)
    mob = np.arange(len(rows)) - np.repeat(np.cumsum(reach) - reach, reach)
    bad = rng.random(n) < 0.04
    dpd = np.where(bad[rows], np.minimum(mob * 30, 180), 0)
    outstanding = amount[rows] * (1 - mob / 36)
    return {"partner": partner[rows], "cohort": cohort[rows], "mob": mob, "outstanding": outstanding, "dpd": dpd}


def _per_partner(cols: dict[str, np.ndarray], partners: range) -> int:
    count = 0
    for p in partners:
        mask = cols["partner"] == p
        rows = [LoanMonth(date(2024 + int(c) // 12, int(c) % 12 + 1, 1), int(m), Decimal(str(round(float(o), 2))),
                          int(d))
                for c, m, o, d in zip(cols["cohort"][mask], cols["mob"][mask], cols["outstanding"][mask],
                                      cols["dpd"][mask], strict=True)]
        count += len(cells(rows, {}))
    return count


@benchmark("channel_kpis")
def bench_channel_kpis(context: BenchContext):
    n = LOANS[context.scale]
    cols = _columns(n, random.Random(context.seed).randrange(1 << 30))
    with Stopwatch() as sw:
        table = cell_table(cols["partner"], cols["cohort"], cols["mob"], cols["outstanding"], cols["dpd"])
    share = 10 if context.scale == "bank" else 1
    with Stopwatch() as base:
        _per_partner(cols, range(PARTNERS // share))
    yield Measurement("channel_kpis", "vintage_cells_seconds", sw.seconds, "s", baseline=base.seconds * share,
                      notes={"loans": n, "loan_months": int(len(cols["mob"])), "cells": int(len(table["mob"])),
                             "baseline_partners_measured": PARTNERS // share, "target_seconds": 60})
