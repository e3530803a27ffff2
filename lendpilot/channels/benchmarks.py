"""`python manage.py bench channel_kpis`: KPIs and M1+/M2+/M3+ vintage cells for every partner over 24 monthly
cohorts, on 50,000 (small), 200,000 (medium) or 1,000,000 (bank) loans observed at each month on book (a
triangle: ~12.5 loan-months a loan, 12.5 million rows at bank scale).

On PostgreSQL the loans and their monthly observations are tables (the shape of the EOD's monthly loan
snapshots) and the measured path is set-based in the database (`channels.kpi_sql`): three grouped statements
write every partner's month facts and vintage cells into the channels tables, and one more ranks the partners
on their latest M1+/M3+. The baseline is the per-partner Python way: fetch one partner's rows, sum them with
`vintage.cells`, write its cells; at bank scale it runs on a tenth of the partners and is scaled up (noted).
Elsewhere (SQLite) the measured path sums numpy columns (`vintage.cell_table`) against the same loop."""

import io
import random
from datetime import date
from decimal import Decimal

import numpy as np
from django.db import connection

from lendpilot.channels import kpi_sql
from lendpilot.channels.models import MonthFact, Partner, VintageCell
from lendpilot.channels.vintage import LoanMonth, cell_table, cells
from lendpilot.core.bench import BenchContext, Measurement, Stopwatch, benchmark

LOANS = {"small": 50_000, "medium": 200_000, "bank": 1_000_000}
PARTNERS = 40
MONTHS = 24
FIRST = date(2024, 1, 1)


def _cohort(index: int) -> date:
    return date(FIRST.year + index // 12, index % 12 + 1, 1)


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
        rows = [LoanMonth(_cohort(int(c)), int(m), Decimal(str(round(float(o), 2))), int(d))
                for c, m, o, d in zip(cols["cohort"][mask], cols["mob"][mask], cols["outstanding"][mask],
                                      cols["dpd"][mask], strict=True)]
        count += len(cells(rows, {}))
    return count


def _load_tables(n: int, seed: int) -> list[int]:
    """The bench book in PostgreSQL: 40 partners, `n` loans (COPY), and every loan's monthly observation
    (generated in the database from the loan: amortising principal, 4% of loans sliding 30 days a month)."""
    partners = Partner.objects.bulk_create([
        Partner(name=f"基准伙伴{i:02d}", credit_code=f"BENCH{i:013d}", kind=Partner.Kind.PLATFORM,
                status=Partner.Status.ACTIVE, listed_on=FIRST) for i in range(PARTNERS)])
    ids = [p.pk for p in partners]
    rng = np.random.default_rng(seed)
    partner = np.asarray(ids)[rng.integers(0, PARTNERS, n)]
    cohort = rng.integers(0, MONTHS, n)
    amount = rng.uniform(50_000, 500_000, n).round(2)
    bad = rng.random(n) < 0.04
    leads = rng.integers(3, 8, n)
    with connection.cursor() as cur:
        cur.execute("CREATE UNLOGGED TABLE channels_bench_loan (id bigint, partner_id bigint, cohort date, "
                    "principal numeric(16,2), bad boolean, leads integer)")
        buffer = io.StringIO()
        months = [_cohort(i).isoformat() for i in range(MONTHS)]
        for i in range(n):
            buffer.write(f"{i}\t{partner[i]}\t{months[cohort[i]]}\t{amount[i]:.2f}\t{'t' if bad[i] else 'f'}\t"
                         f"{leads[i]}\n")
        with cur.copy("COPY channels_bench_loan FROM STDIN") as copy:  # type: ignore[attr-defined]
            copy.write(buffer.getvalue())
        last = _cohort(MONTHS - 1).isoformat()
        cur.execute("CREATE UNLOGGED TABLE channels_bench_loan_month AS "
                    "SELECT l.partner_id, l.cohort, g.mob::smallint AS mob, "
                    "round(l.principal * (1 - g.mob / 36.0), 2)::numeric(16,2) AS outstanding, "
                    "CASE WHEN l.bad THEN least(g.mob * 30, 180) ELSE 0 END AS dpd "
                    "FROM channels_bench_loan l, generate_series(0, ((date_part('year', age(%s::date, l.cohort)) * 12 "
                    "+ date_part('month', age(%s::date, l.cohort))))::int) AS g(mob)", [last, last])
        cur.execute("ANALYZE channels_bench_loan")
        cur.execute("ANALYZE channels_bench_loan_month")
    return ids


def _per_partner_db(ids: list[int]) -> int:
    """The baseline: one partner at a time, its rows fetched and summed in Python, its cells written."""
    written = 0
    with connection.cursor() as cur:
        for pid in ids:
            cur.execute("SELECT cohort, sum(principal) FROM channels_bench_loan WHERE partner_id = %s GROUP BY cohort",
                        [pid])
            disbursed = dict(cur.fetchall())
            cur.execute("SELECT cohort, mob, outstanding, dpd FROM channels_bench_loan_month WHERE partner_id = %s",
                        [pid])
            found = cells([LoanMonth(c, m, o, d) for c, m, o, d in cur.fetchall()], disbursed)
            VintageCell.objects.filter(partner_id=pid).delete()
            VintageCell.objects.bulk_create([VintageCell(partner_id=pid, cohort=c.cohort, mob=c.mob,
                                                         disbursed=c.disbursed, m1=c.m1, m2=c.m2, m3=c.m3)
                                             for c in found], batch_size=2000)
            written += len(found)
    return written


def _bench_postgres(context: BenchContext, n: int):
    seed = random.Random(context.seed).randrange(1 << 30)
    with Stopwatch() as setup:
        ids = _load_tables(n, seed)
    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM channels_bench_loan_month")
        loan_months = cur.fetchone()[0]
    with Stopwatch() as sw:
        written = kpi_sql.rebuild_all()
        ranking = kpi_sql.latest_ratios()
    facts, cell_count = MonthFact.objects.count(), VintageCell.objects.count()
    share = 10 if context.scale == "bank" else 1
    with Stopwatch() as base:
        _per_partner_db(ids[:PARTNERS // share])
    with connection.cursor() as cur:
        cur.execute("DROP TABLE channels_bench_loan_month")
        cur.execute("DROP TABLE channels_bench_loan")
    yield Measurement("channel_kpis", "kpis_and_vintages_seconds", sw.seconds, "s", baseline=base.seconds * share,
                      notes={"database": "postgresql", "loans": n, "loan_months": int(loan_months),
                             "partners": PARTNERS, "months": MONTHS, "month_facts": facts, "cells": cell_count,
                             "rows_written": written, "ranked": len(ranking),
                             "baseline_partners_measured": PARTNERS // share,
                             "setup_seconds": round(setup.seconds, 1), "target_seconds": 60})


@benchmark("channel_kpis")
def bench_channel_kpis(context: BenchContext):
    n = LOANS[context.scale]
    if connection.vendor == "postgresql":
        yield from _bench_postgres(context, n)
        return
    cols = _columns(n, random.Random(context.seed).randrange(1 << 30))
    with Stopwatch() as sw:
        table = cell_table(cols["partner"], cols["cohort"], cols["mob"], cols["outstanding"], cols["dpd"])
    share = 10 if context.scale == "bank" else 1
    with Stopwatch() as base:
        _per_partner(cols, range(PARTNERS // share))
    yield Measurement("channel_kpis", "vintage_cells_seconds", sw.seconds, "s", baseline=base.seconds * share,
                      notes={"database": connection.vendor, "loans": n, "loan_months": int(len(cols["mob"])),
                             "cells": int(len(table["mob"])), "baseline_partners_measured": PARTNERS // share,
                             "target_seconds": 60})
