"""`python manage.py bench eod`: one end-of-day run over a generated book (small: 20,000 loans, medium:
200,000, bank: 1,000,000 loans with 10 instalments each) against (a) the ORM loop a competent developer
writes first -- loans in chunks with their borrower (`select_related`) and open instalments
(`prefetch_related`), computed in Python, written back with `bulk_update` -- measured on a sample of up to
20,000 loans (rolled back) and scaled to the book, and (b) the floor: a single hand-written UPDATE that only
recomputes days past due. Target at bank scale on PostgreSQL: under 300 s
and under 1 GiB peak memory."""

import random
import resource
from datetime import date
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Prefetch

from lendpilot.core.bench import BenchContext, Measurement, Stopwatch, benchmark
from lendpilot.core.bulk_load import analyze, insert_rows
from lendpilot.core.reference import Industry, ProductCategory, RepaymentMethod
from lendpilot.customers.bench_world import bench_customers, bench_org
from lendpilot.lending.allocation import accrue_penalty
from lendpilot.lending.classification import classify, days_past_due
from lendpilot.lending.models import Instalment, Loan
from lendpilot.lending.schedule import build_schedule
from lendpilot.lending.services import open_instalments
from lendpilot.monitoring.services.eod import eod_run
from lendpilot.products.services import product_create

LOANS = {"small": 20_000, "medium": 200_000, "bank": 1_000_000}
SAMPLE = 20_000
CHUNK = 2_000
PERIODS = 10
DISBURSED_ON = date(2024, 6, 14)
BUSINESS_DATE = date(2025, 1, 20)  # seven instalments due


def _book(n: int, rng: random.Random, seed: int) -> int:
    org = bench_org("EOD", managers_per_team=5)
    industries = (Industry.TRADE, Industry.MANUFACTURING, Industry.CONSTRUCTION, Industry.REAL_ESTATE)
    customers = [c.pk for c in bench_customers(org, 50, seed=seed, industries=industries)]
    product = product_create(actor=None, code="EOD-BENCH", name_zh="基准产品", name_en="Bench product",
                             category=ProductCategory.CONSUMER, min_amount=Decimal("1000"),
                             max_amount=Decimal("1000000"), min_term_months=6, max_term_months=36,
                             min_annual_rate=Decimal("0.03"), max_annual_rate=Decimal("0.24"),
                             repayment_methods=[RepaymentMethod.EQUAL_INSTALMENT])
    principal, rate = Decimal("50000.00"), Decimal("0.0960")
    rows = build_schedule(principal=principal, annual_rate=rate, periods=PERIODS,
                          method=RepaymentMethod.EQUAL_INSTALMENT, start=DISBURSED_ON)
    insert_rows(Loan, ["number", "borrower_id", "product_id", "principal", "annual_rate", "penalty_multiplier",
                       "term_months", "repayment_method", "disbursed_on", "outstanding_principal", "status",
                       "days_past_due", "risk_class", "manual_reason", "created_at"],
                ((f"BE{i:08d}", customers[i % len(customers)], product.pk, principal, rate, Decimal("1.5"), PERIODS,
                  RepaymentMethod.EQUAL_INSTALMENT, DISBURSED_ON, principal, "active", 0, 1, "",
                  "2024-06-14T00:00:00Z")
                 for i in range(n)), batch_size=20_000)
    first = Loan.objects.filter(number="BE00000000").values_list("pk", flat=True).get()
    # 88% pay everything due, 7% stop after 4-6 instalments, 5% stop after 1-3.
    paid_through = [PERIODS if (d := rng.random()) < 0.88 else (rng.randint(4, 6) if d < 0.95 else rng.randint(1, 3))
                    for _ in range(n)]
    due_cut = sum(1 for r in rows if r.due_date < BUSINESS_DATE)

    def instalments():
        for i in range(n):
            settled_upto = min(paid_through[i], due_cut)
            for r in rows:
                paid = r.seq <= settled_upto
                yield (first + i, r.seq, r.due_date, r.due_date.toordinal(), r.principal, r.interest,
                       r.principal if paid else Decimal("0.00"), r.interest if paid else Decimal("0.00"),
                       Decimal("0.00"), Decimal("0.00"), paid)

    insert_rows(Instalment, ["loan_id", "seq", "due_date", "due_day", "principal_due", "interest_due",
                             "principal_paid", "interest_paid", "penalty_accrued", "penalty_paid", "is_settled"],
                instalments(), batch_size=50_000)
    analyze(Loan)
    analyze(Instalment)
    return first


def _naive(loan_ids: list[int], day: date) -> None:
    """The way a competent developer writes it first: loans in chunks with their borrower and open
    instalments fetched in two queries, everything computed in Python, written back with `bulk_update`."""
    totals: dict[tuple[int, str], list] = {}
    open_first = Prefetch("instalments", queryset=Instalment.objects.filter(is_settled=False).order_by("seq"),
                          to_attr="unsettled")
    for start in range(0, len(loan_ids), CHUNK):
        chunk = list(Loan.objects.filter(pk__in=loan_ids[start:start + CHUNK]).select_related("borrower")
                     .prefetch_related(open_first))
        changed_instalments: list[Instalment] = []
        for loan in chunk:
            overdue = [i for i in loan.unsettled if i.due_date < day]
            loan.days_past_due = days_past_due(day, overdue[0].due_date if overdue else None)
            loan.risk_class = classify(loan.days_past_due, loan.manual_class)
            for inst, acc in zip(overdue, accrue_penalty(open_instalments(overdue), value_date=day,
                                                         annual_rate=loan.annual_rate,
                                                         multiplier=loan.penalty_multiplier), strict=True):
                inst.penalty_accrued = inst.penalty_paid + acc.penalty
                inst.penalty_through = acc.penalty_through
                changed_instalments.append(inst)
            key = (loan.product_id, loan.borrower.industry)
            t = totals.setdefault(key, [0, Decimal(0), 0])
            t[0] += 1
            t[1] += loan.outstanding_principal
            t[2] += loan.days_past_due > 0
        Loan.objects.bulk_update(chunk, ["days_past_due", "risk_class"], batch_size=500)
        Instalment.objects.bulk_update(changed_instalments, ["penalty_accrued", "penalty_through"], batch_size=500)


def _floor(day: date) -> float:
    loans, insts = Loan._meta.db_table, Instalment._meta.db_table
    sql = (f"UPDATE {loans} SET days_past_due = COALESCE(%s - (SELECT MIN(i.due_day) FROM {insts} i "  # noqa: S608
           f"WHERE i.loan_id = {loans}.id AND i.is_settled = %s AND i.due_day < %s), 0) WHERE status = %s")
    with Stopwatch() as sw, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, [day.toordinal(), False, day.toordinal(), "active"])
    return sw.seconds


@benchmark("eod")
def eod(ctx: BenchContext):
    rng = random.Random(ctx.seed)
    n = LOANS[ctx.scale]
    with Stopwatch() as build:
        _book(n, rng, ctx.seed)
    floor_seconds = _floor(BUSINESS_DATE)
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with Stopwatch() as run_sw:
        run = eod_run(actor=None, business_date=BUSINESS_DATE)
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    assert run.status == "completed"
    sample_n = min(SAMPLE, n)
    sample = list(Loan.objects.order_by("pk").values_list("pk", flat=True)[:sample_n])
    with Stopwatch() as naive_sw, transaction.atomic():
        _naive(sample, BUSINESS_DATE)
        transaction.set_rollback(True)
    naive_scaled = naive_sw.seconds * n / sample_n
    stages = {s.stage: round(s.seconds, 2) for s in run.stages.all()}
    common = {"loans": n, "instalments": n * PERIODS, "database": connection.vendor,
              "book_seconds": round(build.seconds, 1), "stages": stages,
              "peak_rss_mib": round(max(rss_before, rss_after) / 1024, 1),
              "open_alerts": run.counts.get("signals", {}).get("alerts_opened")}
    yield Measurement(bench="eod", metric="eod_seconds_vs_naive", value=run_sw.seconds, unit="s",
                      baseline=naive_scaled, notes={**common, "naive_sample": sample_n,
                                                    "naive_is": "select_related + prefetch + bulk_update, chunks of "
                                                                f"{CHUNK} loans",
                                                    "naive_sample_seconds": round(naive_sw.seconds, 2),
                                                    "target_seconds": 300, "within_target": run_sw.seconds < 300})
    yield Measurement(bench="eod", metric="eod_seconds_vs_dpd_floor", value=run_sw.seconds, unit="s",
                      baseline=floor_seconds, notes={**common, "floor": "one UPDATE recomputing days past due"})


