"""`python manage.py bench assignment`: 10,000 leads to 2,000 managers with capacities, solved by the
min-cost flow (target under 5 s), cross-checked against SciPy's HiGHS solving the same problem as a
linear program (objective within 0.1%), with the round-robin baseline's expected conversions beside it.

`python manage.py bench kanban`: the server time to render the pipeline page of an account manager
with 500 open opportunities (target under 300 ms), median of repeated renders after a warm-up."""

import random
import statistics
import time
from datetime import timedelta

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from lendpilot.core.bench import BenchContext, Measurement, Stopwatch, benchmark
from lendpilot.core.reference import Industry, ProductCategory
from lendpilot.org.roles import Role
from lendpilot.org.services import branch_create, region_create, staff_create, team_create
from lendpilot.sales import assignment
from lendpilot.sales.funnel import OPEN_NODES
from lendpilot.sales.models import Opportunity, Transition

LEADS = {"small": 10_000, "medium": 10_000, "bank": 20_000}
MANAGERS = {"small": 2_000, "medium": 2_000, "bank": 4_000}
OPEN_OPPORTUNITIES = 500
RENDERS = 15
BENCH_PASSWORD = "bench-" + "Lendpilot-1"


def synthetic_batch(n_leads: int, n_managers: int, rng: random.Random):
    industries = [c for c in Industry.values if c not in ("S", "T")]
    categories = list(ProductCategory.values)
    weights = [rng.random() ** 2 for _ in industries]
    leads = [assignment.LeadFeatures(rng.choices(industries, weights)[0], rng.choice(categories), rng.random() < 0.3)
             for _ in range(n_leads)]
    managers = [assignment.ManagerFeatures(
        industry_levels={i: rng.randint(1, 5) for i in rng.sample(industries, rng.randint(1, 4))},
        product_levels={c: rng.randint(1, 5) for c in rng.sample(categories, rng.randint(1, 3))},
        conversion_rate=round(rng.betavariate(2, 6), 4), workload=rng.randint(0, 60), capacity=rng.randint(2, 8))
        for _ in range(n_managers)]
    return leads, managers


@benchmark("assignment")
def assignment_bench(ctx: BenchContext):
    rng = random.Random(ctx.seed)
    n_leads, n_managers = LEADS.get(ctx.scale, 10_000), MANAGERS.get(ctx.scale, 2_000)
    leads, managers = synthetic_batch(n_leads, n_managers, rng)
    with Stopwatch() as solve:
        best = assignment.optimal(leads, managers)
    scores, supply, capacity = assignment.grouped_problem(leads, managers)
    with Stopwatch() as ref_watch:
        reference = assignment.reference_objective(scores, supply, capacity)
    with Stopwatch() as rr_watch:
        baseline = assignment.round_robin(leads, managers)
    gap = abs(best.objective - reference) / reference
    common = {"leads": n_leads, "managers": n_managers, "capacity": int(sum(capacity)),
              "assigned": len(best.assignments), "lead_types": len(supply)}
    yield Measurement("assignment", "solve_seconds", solve.seconds, "s", baseline=ref_watch.seconds,
                      notes={**common, "solver": "ortools min-cost flow", "baseline_solver": "scipy highs-ipm LP",
                             "target_s": 5, "ok": solve.seconds < 5})
    yield Measurement("assignment", "objective_gap_vs_reference", gap * 100, "%",
                      notes={"objective": round(best.objective, 4), "reference_objective": round(reference, 4),
                             "target_pct": 0.1, "ok": gap <= 0.001})
    yield Measurement("assignment", "expected_conversions", best.objective, "leads", baseline=None,
                      notes={"round_robin": round(baseline.objective, 2),
                             "uplift_pct": round(100 * (best.objective / baseline.objective - 1), 1),
                             "round_robin_seconds": round(rr_watch.seconds, 3)})


def _manager_with_pipeline(n: int, rng: random.Random):
    region = region_create(actor=None, code="KB", name_zh="看板", name_en="Kanban")
    branch = branch_create(actor=None, code="KB1", name_zh="看板分行", name_en="Kanban branch", region=region,
                           city="上海")
    team = team_create(actor=None, code="KBT", name="看板组", branch=branch, channel="direct")
    manager = staff_create(actor=None, username="bench_kanban", password=BENCH_PASSWORD, name="看板经理",
                           employee_no="K0001", role=Role.ACCOUNT_MANAGER, team=team)
    now = timezone.now()
    opps = []
    for k in range(n):
        created = now - timedelta(days=rng.randint(1, 120))
        opps.append(Opportunity(name=f"商机{k:04d}", owner=manager, node=rng.choice(OPEN_NODES),
                                industry=rng.choice(Industry.values[:10]), amount=rng.randint(10, 500) * 10_000,
                                created_at=created, node_entered_at=created + timedelta(days=rng.randint(0, 30))))
    Opportunity.objects.bulk_create(opps, batch_size=1000)
    Transition.objects.bulk_create([Transition(opportunity=o, from_node="", to_node=o.node, at=o.created_at)
                                    for o in Opportunity.objects.filter(owner=manager)], batch_size=1000)
    return manager


@benchmark("kanban")
def kanban_bench(ctx: BenchContext):
    rng = random.Random(ctx.seed)
    manager = _manager_with_pipeline(OPEN_OPPORTUNITIES, rng)
    client = Client()
    client.force_login(manager.user)
    assert client.get("/sales/").status_code == 200  # warm-up: templates, translations, caches
    times = []
    for _ in range(RENDERS):
        start = time.perf_counter()
        response = client.get("/sales/")
        times.append(time.perf_counter() - start)
    with CaptureQueriesContext(connection) as queries:
        client.get("/sales/")
    body = response.content.decode()
    median_ms = statistics.median(times) * 1000
    yield Measurement("kanban", "render_ms", median_ms, "ms",
                      notes={"open_opportunities": OPEN_OPPORTUNITIES, "cards": body.count("data-opportunity="),
                             "queries": len(queries), "p90_ms": round(sorted(times)[int(0.9 * RENDERS)] * 1000, 1),
                             "database": connection.vendor, "target_ms": 300, "ok": median_ms < 300})
