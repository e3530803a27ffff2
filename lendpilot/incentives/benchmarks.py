"""`python manage.py bench commission_run`: the month's commission statements for 2,000 account managers
(one line per loan, clawbacks, bonuses) with set-based aggregation: one grouped query for the disbursed
amounts, one for quotas, one pass over the month's loans to write the lines, bulk inserts. Target at `bank`
scale on PostgreSQL: under 60 s.

The baseline is the naive way on a sample of 100 managers, extrapolated to all: per manager, a query for the
quota, a query for the loans, and every statement and line saved one by one.
"""

import random
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from lendpilot.core.bench import BenchContext, Measurement, Stopwatch, benchmark
from lendpilot.core.bulk_load import insert_rows
from lendpilot.customers.models import Customer
from lendpilot.customers.synthetic import make_credit_code
from lendpilot.incentives import commission
from lendpilot.incentives.commission import DEFAULT_PLAN
from lendpilot.incentives.models import CommissionLine, CommissionPlan, CommissionStatement, StatementVersion
from lendpilot.incentives.services import commission_plan_publish, commission_run
from lendpilot.lending.models import Loan
from lendpilot.org.models import Staff
from lendpilot.planning.benchmarks import PRODUCTS, bulk_org
from lendpilot.planning.models import Quota
from lendpilot.products.models import Product

MONTH = date(2026, 3, 1)
LOANS = {"small": 20_000, "medium": 50_000, "bank": 100_000}
MANAGERS, TEAMS, SAMPLE = 2_000, 200, 100


def _book(ctx: BenchContext) -> int:
    rng = random.Random(ctx.seed)
    staff_ids = bulk_org(MANAGERS, TEAMS)
    regions = dict(Staff.objects.filter(pk__in=staff_ids).values_list("pk", "region_id"))
    products = Product.objects.bulk_create([
        Product(code=f"BP{n}", name_zh=p, name_en=p, category=p, min_amount=Decimal(1000),
                max_amount=Decimal(10**7), min_term_months=6, max_term_months=60, min_annual_rate=Decimal("0.03"),
                max_annual_rate=Decimal("0.2"), repayment_methods=["equal_instalment"])
        for n, p in enumerate(PRODUCTS)])
    if products[0].pk is None:
        products = list(Product.objects.filter(code__startswith="BP").order_by("code"))
    Customer.objects.bulk_create([Customer(kind=Customer.Kind.ENTERPRISE, name=f"基准企业{s}", industry="C",
                                           credit_code=make_credit_code(rng),
                                           region_id=regions[s], manager_id=s) for s in staff_ids], batch_size=2000)
    customers = dict(Customer.objects.values_list("manager_id", "pk"))
    Quota.objects.bulk_create([Quota(staff_id=s, month=MONTH, base=Decimal(rng.randint(10, 60)) * 100_000,
                                     source="manual") for s in staff_ids], batch_size=2000)
    now = timezone.now()
    n = LOANS[ctx.scale]
    npl = n // 100

    def loans():
        for i in range(n + npl):
            s = rng.choice(staff_ids)
            amount = Decimal(rng.randint(5, 500)) * 10_000
            on = MONTH + timedelta(days=rng.randint(0, 30)) if i < n else MONTH - timedelta(days=rng.randint(30, 150))
            yield (f"CB{i:08d}", customers[s], rng.choice(products).pk, amount, Decimal("0.08"), Decimal("1.5"), 12,
                   "equal_instalment", on, amount, "active", 0, 3 if i >= n else 1, "", now)
    insert_rows(Loan, ["number", "borrower_id", "product_id", "principal", "annual_rate", "penalty_multiplier",
                       "term_months", "repayment_method", "disbursed_on", "outstanding_principal", "status",
                       "days_past_due", "risk_class", "manual_reason", "created_at"], loans(), batch_size=20_000)
    return n


def _naive(plan_row: CommissionPlan, staff_ids: list[int]) -> None:
    plan = commission.parse_plan(plan_row.spec)
    end = date(2026, 3, 31)
    for staff_id in staff_ids:
        quota = Quota.objects.filter(staff_id=staff_id, month=MONTH).first()
        sales = [commission.LoanSale(loan.pk, loan.product.category, loan.principal) for loan in
                 Loan.objects.filter(borrower__manager_id=staff_id, disbursed_on__range=(MONTH, end))
                 .select_related("product")]
        st = commission.compute_statement(plan, quota=quota.base if quota else Decimal(0), sales=sales)
        row = CommissionStatement.objects.create(staff_id=staff_id, month=date(2025, 1, 1), plan=plan_row,
                                                 quota=st.quota, disbursed=st.disbursed, attainment=st.attainment,
                                                 multiplier=st.multiplier, total=st.total)
        version = StatementVersion.objects.create(statement=row, number=1, plan=plan_row, quota=st.quota,
                                                  disbursed=st.disbursed, attainment=st.attainment,
                                                  multiplier=st.multiplier, total=st.total)
        for line in st.lines:
            CommissionLine.objects.create(statement=row, version=version, loan_id=line.loan_id, rule=line.rule,
                                          basis=line.basis, rate=line.rate, multiplier=line.multiplier,
                                          amount=line.amount)


@benchmark("commission_run")
def commission_run_bench(ctx: BenchContext):
    loans = _book(ctx)
    plan_row = commission_plan_publish(actor=None, name="bench", spec=DEFAULT_PLAN)
    with Stopwatch() as sw:
        result = commission_run(actor=None, month=MONTH)
    with Stopwatch() as again:
        commission_run(actor=None, month=MONTH)  # idempotent re-run: the same facts add no version
    sample = list(Staff.objects.filter(employee_no__startswith="BM").order_by("pk").values_list("pk", flat=True))
    with Stopwatch() as base, transaction.atomic():
        _naive(plan_row, sample[:SAMPLE])
    baseline = base.seconds * MANAGERS / SAMPLE
    yield Measurement("commission_run", "run_seconds", sw.seconds, "s", baseline=baseline,
                      notes={"managers": result["statements"], "lines": result["lines"], "loans_in_month": loans,
                             "rerun_seconds": round(again.seconds, 3), "baseline_extrapolated_from": SAMPLE,
                             "target_s": 60.0})
