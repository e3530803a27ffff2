"""`python manage.py bench repayment_import`: post 100,000 repayments from one CSV file, read as a stream
(validated, allocated, idempotent), and compare with posting the same kind of rows one by one through
`repayment_post` (per-row ORM saves) on a sample. Targets (issue 15): at least 5,000 rows/s on PostgreSQL
and 2,000 rows/s on SQLite, with the import's memory peak at most 300 MB for 100,000 rows. Run it once
per database (``DATABASE_URL=postgres://... python manage.py bench repayment_import``); the figure says
which database it measured."""

import random
import resource
import tempfile
import time
from datetime import date
from decimal import Decimal

from django.db import connection
from django.test.utils import override_settings

from lendpilot.core.bench import BenchContext, Measurement, Stopwatch, benchmark
from lendpilot.core.reference import Industry, ProductCategory, RepaymentMethod
from lendpilot.customers.services import customer_create
from lendpilot.customers.synthetic import make_id_number
from lendpilot.lending.imports import repayments_import
from lendpilot.lending.models import Instalment, Loan, Repayment
from lendpilot.lending.schedule import build_schedule
from lendpilot.lending.services.repayments import repayment_post
from lendpilot.org.roles import Role
from lendpilot.org.services import branch_create, region_create, staff_create, team_create
from lendpilot.products.services import product_create

ROWS = {"small": 100_000, "medium": 100_000, "bank": 500_000}
PAYMENTS_PER_LOAN = 10
BASELINE_ROWS = 1_000
DISBURSED_ON = date(2024, 1, 15)
BENCH_PASSWORD = "bench-" + "Lendpilot-1"
TARGET_ROWS_PER_SECOND = {"postgresql": 5000, "sqlite": 2000}
MEMORY_TARGET_MB = 300  # a throw-away login in the throw-away bench database


def _book(loans: int, rng: random.Random):
    region = region_create(actor=None, code="BR", name_zh="基准", name_en="Bench")
    branch = branch_create(actor=None, code="BB", name_zh="基准分行", name_en="Bench branch", region=region,
                           city="上海")
    team = team_create(actor=None, code="BT", name="基准组", branch=branch, channel="direct")
    manager = staff_create(actor=None, username="bench_am", password=BENCH_PASSWORD, name="基准经理",
                           employee_no="B0001", role=Role.ACCOUNT_MANAGER, team=team)
    operations = staff_create(actor=None, username="bench_ops", password=BENCH_PASSWORD, name="基准运营",
                              employee_no="B0002", role=Role.OPERATIONS)
    customer = customer_create(actor=None, kind="person", name="基准客户", id_number=make_id_number(rng),
                               industry=Industry.TRADE, region=region, manager=manager)
    product = product_create(actor=None, code="BENCH", name_zh="基准产品", name_en="Bench product",
                             category=ProductCategory.CONSUMER, min_amount=Decimal("1000"),
                             max_amount=Decimal("1000000"), min_term_months=6, max_term_months=36,
                             min_annual_rate=Decimal("0.03"), max_annual_rate=Decimal("0.24"),
                             repayment_methods=[RepaymentMethod.EQUAL_INSTALMENT])
    principal, rate = Decimal("60000.00"), Decimal("0.0960")
    rows = build_schedule(principal=principal, annual_rate=rate, periods=12, method=RepaymentMethod.EQUAL_INSTALMENT,
                          start=DISBURSED_ON)
    Loan.objects.bulk_create([
        Loan(number=f"BL{n:08d}", borrower=customer, product=product, principal=principal, annual_rate=rate,
             term_months=12, repayment_method=RepaymentMethod.EQUAL_INSTALMENT, disbursed_on=DISBURSED_ON,
             outstanding_principal=principal) for n in range(loans)], batch_size=5000)
    ids = list(Loan.objects.filter(number__startswith="BL").order_by("pk").values_list("pk", "number"))
    Instalment.objects.bulk_create([
        Instalment(loan_id=pk, seq=r.seq, due_date=r.due_date, due_day=r.due_date.toordinal(),
                   principal_due=r.principal, interest_due=r.interest) for pk, _ in ids for r in rows],
        batch_size=10000)
    return operations.user, ids, rows


def _csv(ids, rows, rng: random.Random, prefix: str) -> str:
    lines = ["external_ref,loan_number,amount,value_date"]
    for pk, number in ids:
        for k in range(PAYMENTS_PER_LOAN):
            row = rows[k]
            amount = row.payment
            late = 0
            draw = rng.random()
            if draw < 0.05:
                amount = (amount * Decimal("0.5")).quantize(Decimal("0.01"))  # partial
            elif draw < 0.10:
                late = rng.randint(1, 25)  # late: penalty interest accrues
            value_date = date.fromordinal(row.due_date.toordinal() + late)
            lines.append(f"{prefix}{pk}-{k},{number},{amount},{value_date.isoformat()}")
    return "\n".join(lines) + "\n"


@benchmark("repayment_import")
def repayment_import(ctx: BenchContext):
    rng = random.Random(ctx.seed)
    total = ROWS[ctx.scale]
    loans = total // PAYMENTS_PER_LOAN
    baseline_loans = BASELINE_ROWS // PAYMENTS_PER_LOAN
    user, ids, rows = _book(loans + baseline_loans, rng)
    main_ids, baseline_ids = ids[:loans], ids[loans:]
    text = _csv(main_ids, rows, rng, "CB")

    with tempfile.TemporaryFile("w+", encoding="utf-8", newline="") as file:
        file.write(text)
        del text
        rss_before = _rss_mb()
        file.seek(0)
        # As in production: with DEBUG on (make's default) Django would keep and format every statement.
        cpu_before = time.process_time()
        with override_settings(DEBUG=False), Stopwatch() as first:
            result = repayments_import(actor=user, text=file)
        # On a shared machine the wall clock measures the neighbours too; SQLite's work is in this process.
        cpu_seconds = time.process_time() - cpu_before
        rss_after = _rss_mb()
        assert result.posted == total, result.as_dict()
        file.seek(0)
        with Stopwatch() as again:
            repeat = repayments_import(actor=user, text=file)
    assert repeat.posted == 0 and repeat.already_posted == total

    # Baseline: the same kind of rows posted one by one (one transaction, row lock and ORM saves each).
    sample = _csv(baseline_ids, rows, rng, "SB").splitlines()[1:]
    loans_by_number = {loan.number: loan for loan in Loan.objects.filter(pk__in=[pk for pk, _ in baseline_ids])}
    with Stopwatch() as base:
        for line in sample:
            ref, number, amount, value_date = line.split(",")
            repayment_post(actor=user, loan=loans_by_number[number], external_ref=ref, amount=amount,
                           value_date=value_date)
    assert Repayment.objects.count() == total + len(sample)
    rate = total / first.seconds
    baseline_rate = len(sample) / base.seconds
    target = TARGET_ROWS_PER_SECOND.get(connection.vendor, 2000)
    yield Measurement(
        bench="repayment_import", metric="rows_per_second", value=rate, unit="rows/s", baseline=baseline_rate,
        notes={"rows": total, "seconds": round(first.seconds, 2), "reimport_seconds": round(again.seconds, 2),
               "reimport_posted": repeat.posted, "baseline_rows": len(sample),
               "baseline_seconds": round(base.seconds, 2), "database": connection.vendor,
               "target_rows_per_second": target, "within_target": rate >= target,
               "peak_rss_before_import_mb": round(rss_before, 1), "peak_rss_mb": round(rss_after, 1),
               "import_rss_growth_mb": round(rss_after - rss_before, 1), "memory_target_mb": MEMORY_TARGET_MB,
               "within_memory_target": rss_after - rss_before <= MEMORY_TARGET_MB,
               "cpu_seconds": round(cpu_seconds, 2), "rows_per_cpu_second": round(total / cpu_seconds)},
    )


def _rss_mb() -> float:
    """The process's peak resident memory so far (Linux reports kilobytes): the whole process, book
    included, is held to the budget."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
