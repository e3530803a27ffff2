"""Benchmark of the demo bank load: customers per second through the bulk loader (COPY on
PostgreSQL, batched bulk_create on SQLite) against what a competent developer writes first --
`Customer.objects.bulk_create` in batches, in one transaction, identifiers sealed the same way --
and against the service path one row at a time, measured in the same run on the same database.

    python manage.py bench seed_demo --scale small
"""

import random
from collections.abc import Iterator
from datetime import date

from django.db import connection, transaction

from lendpilot.core.bench import BenchContext, Measurement, Stopwatch, benchmark
from lendpilot.core.reference import Industry
from lendpilot.customers.bench_world import fresh_id_numbers
from lendpilot.customers.models import Customer
from lendpilot.customers.pii import sealed_columns
from lendpilot.customers.services import customer_create
from lendpilot.customers.synthetic import make_bank_card, make_mobile
from lendpilot.demo.steps import seed_demo
from lendpilot.org.models import Staff
from lendpilot.org.roles import Role

BASELINE_ROWS = 500
BULK_ROWS = 5_000


def _managers() -> list[Staff]:
    return list(Staff.objects.filter(role=Role.ACCOUNT_MANAGER).order_by("employee_no")[:50])


def bulk_create_rows_per_s(seed: int) -> float:
    """The first loader one writes: the rows built in Python (identifiers sealed as the service does) and
    written with `bulk_create` in batches of 1,000, in one transaction."""
    rng = random.Random(f"{seed}:bench.bulk_create")
    managers = _managers()
    numbers = fresh_id_numbers(rng, BULK_ROWS, birth_from=date(2004, 1, 1), birth_to=date(2005, 12, 31))
    with Stopwatch() as sw, transaction.atomic():
        rows = []
        for i, number in enumerate(numbers):
            manager = managers[i % len(managers)]
            columns = {}
            columns.update(sealed_columns("id_number", number))
            columns.update(sealed_columns("phone", make_mobile(rng)))
            columns.update(sealed_columns("bank_account", make_bank_card(rng)))
            rows.append(Customer(kind=Customer.Kind.PERSON, name=f"基准客户{i}", industry=Industry.TRADE,
                                 region_id=manager.region_id, manager=manager, **columns))
        Customer.objects.bulk_create(rows, batch_size=1000)
    return len(numbers) / sw.seconds


def service_rows_per_s(seed: int) -> float:
    """The service path: `customer_create` per row (validation, duplicate check, audit record)."""
    rng = random.Random(f"{seed}:bench.service")
    managers = _managers()
    numbers = fresh_id_numbers(rng, BASELINE_ROWS, birth_from=date(2006, 1, 1), birth_to=date(2007, 12, 31))
    with Stopwatch() as sw:
        for i, number in enumerate(numbers):
            manager = managers[i % len(managers)]
            customer_create(actor=None, kind=Customer.Kind.PERSON, name=f"服务基准客户{i}", id_number=number,
                            phone=make_mobile(rng), bank_account=make_bank_card(rng), industry=Industry.TRADE,
                            region=manager.region, manager=manager)
    return len(numbers) / sw.seconds


@benchmark("seed_demo")
def seed_demo_benchmark(bench: BenchContext) -> Iterator[Measurement]:
    with Stopwatch() as total:
        ctx = seed_demo(scale=bench.scale, seed=bench.seed, show_progress=False)
    customers = ctx.info["customers.count"]
    customer_seconds = ctx.seconds_of("customers")
    rate = customers / customer_seconds
    bulk_rate = bulk_create_rows_per_s(bench.seed)
    service_rate = service_rows_per_s(bench.seed)
    common = {"scale": bench.scale, "seed": bench.seed, "database": connection.vendor}
    yield Measurement(
        "seed_demo", "customers_per_s", rate, "rows/s", baseline=bulk_rate,
        notes={**common, "customers": customers, "seconds": round(customer_seconds, 2),
               "baseline_method": f"Customer.objects.bulk_create, batches of 1,000, one transaction, {BULK_ROWS} rows"},
    )
    yield Measurement(
        "seed_demo", "customers_per_s_vs_service", rate, "rows/s", baseline=service_rate,
        notes={**common, "baseline_method": f"customers.services.customer_create per row, {BASELINE_ROWS} rows"},
    )
    steps = {timing.step: round(timing.seconds, 2) for timing in ctx.timings}
    yield Measurement("seed_demo", "seed_seconds", total.seconds, "s", notes={**common, "steps": steps})
