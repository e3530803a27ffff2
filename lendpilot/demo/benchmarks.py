"""Benchmark of the demo bank load: customers per second through the bulk loader (COPY on
PostgreSQL, batched bulk_create on SQLite) against the per-row ways of writing the same rows,
measured in the same run on the same database.

    python manage.py bench seed_demo --scale small
"""

import random
from collections.abc import Iterator
from datetime import date

from django.db import connection

from lendpilot.core.bench import BenchContext, Measurement, Stopwatch, benchmark
from lendpilot.core.reference import Industry
from lendpilot.customers.models import Customer
from lendpilot.customers.pii import sealed_columns
from lendpilot.customers.services import customer_create
from lendpilot.customers.synthetic import make_bank_card, make_id_number, make_mobile
from lendpilot.demo.steps import seed_demo
from lendpilot.org.models import Staff
from lendpilot.org.roles import Role

BASELINE_ROWS = 500


def _fresh_id_numbers(rng: random.Random, count: int, born_in: tuple[int, int]) -> list[str]:
    """ID numbers born outside the demo bank's years (1960-2003), so none collides with a loaded one."""
    numbers: set[str] = set()
    while len(numbers) < count:
        numbers.add(make_id_number(rng, birth_from=date(born_in[0], 1, 1), birth_to=date(born_in[1], 12, 31)))
    return sorted(numbers)


def _managers() -> list[Staff]:
    return list(Staff.objects.filter(role=Role.ACCOUNT_MANAGER).order_by("employee_no")[:50])


def orm_rows_per_s(seed: int) -> float:
    """The naive loader: one `Customer.objects.create` (one INSERT, one commit) per row, identifiers
    sealed the same way."""
    rng = random.Random(f"{seed}:bench.orm")
    managers = _managers()
    numbers = _fresh_id_numbers(rng, BASELINE_ROWS, (2004, 2005))
    with Stopwatch() as sw:
        for i, number in enumerate(numbers):
            manager = managers[i % len(managers)]
            columns = {}
            columns.update(sealed_columns("id_number", number))
            columns.update(sealed_columns("phone", make_mobile(rng)))
            columns.update(sealed_columns("bank_account", make_bank_card(rng)))
            Customer.objects.create(kind=Customer.Kind.PERSON, name=f"基准客户{i}", industry=Industry.TRADE,
                                    region_id=manager.region_id, manager=manager, **columns)
    return len(numbers) / sw.seconds


def service_rows_per_s(seed: int) -> float:
    """The service path: `customer_create` per row (validation, duplicate check, audit record)."""
    rng = random.Random(f"{seed}:bench.service")
    managers = _managers()
    numbers = _fresh_id_numbers(rng, BASELINE_ROWS, (2006, 2007))
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
    orm_rate = orm_rows_per_s(bench.seed)
    service_rate = service_rows_per_s(bench.seed)
    common = {"scale": bench.scale, "seed": bench.seed, "database": connection.vendor}
    yield Measurement(
        "seed_demo", "customers_per_s", rate, "rows/s", baseline=orm_rate,
        notes={**common, "customers": customers, "seconds": round(customer_seconds, 2),
               "baseline_method": f"Customer.objects.create per row, {BASELINE_ROWS} rows"},
    )
    yield Measurement(
        "seed_demo", "customers_per_s_vs_service", rate, "rows/s", baseline=service_rate,
        notes={**common, "baseline_method": f"customers.services.customer_create per row, {BASELINE_ROWS} rows"},
    )
    steps = {timing.step: round(timing.seconds, 2) for timing in ctx.timings}
    yield Measurement("seed_demo", "seed_seconds", total.seconds, "s", notes={**common, "steps": steps})
