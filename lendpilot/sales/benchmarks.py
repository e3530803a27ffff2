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
from lendpilot.customers.bench_world import bench_org
from lendpilot.sales import assignment
from lendpilot.sales.funnel import OPEN_NODES
from lendpilot.sales.models import Opportunity, Transition

LEADS = {"small": 10_000, "medium": 10_000, "bank": 20_000}
MANAGERS = {"small": 2_000, "medium": 2_000, "bank": 4_000}
OPEN_OPPORTUNITIES = 500
RENDERS = 15


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
    manager = bench_org("KB").managers[0]
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


# --- scenario triggers (B3, D3) ----------------------------------------------------------------------

TRIGGER_CUSTOMERS = {"small": 100_000, "medium": 300_000, "bank": 1_000_000}
BUYER_SHARE = 0.1


def _trigger_world(n: int, rng: random.Random):
    from decimal import Decimal

    from lendpilot.customers.models import Customer, CustomerSignals
    from lendpilot.products.models import FundingNode
    from lendpilot.products.services import product_create

    org = bench_org("TRG", managers_per_team=20, city="苏州")
    region, managers = org.regions[0], org.managers
    product = product_create(actor=None, code="LEASE-B", name_zh="设备融资租赁", name_en="Equipment leasing",
                             category=ProductCategory.EQUIPMENT_LEASING, scenario=FundingNode.EQUIPMENT_PURCHASE,
                             min_amount=Decimal("100000"), max_amount=Decimal("20000000"), min_term_months=12,
                             max_term_months=60, min_annual_rate=Decimal("0.045"), max_annual_rate=Decimal("0.12"),
                             repayment_methods=["equal_instalment"], collateral="required", max_ltv=Decimal("0.8"))
    batch = 20_000
    for start in range(0, n, batch):
        Customer.objects.bulk_create([
            Customer(kind="enterprise", name=f"触发企业{k:07d}", credit_code=f"91320500{k:010d}", industry="C",
                     region=region, manager=managers[k % len(managers)], lifecycle_status="active")
            for k in range(start, min(n, start + batch))], batch_size=5000)
    ids = list(Customer.objects.filter(region=region).values_list("pk", flat=True))
    today = timezone.localdate()
    signals = []
    for pk in ids:
        buyer = rng.random() < BUYER_SHARE
        signals.append(CustomerSignals(customer_id=pk, as_of=today, equipment_purchases_12m=rng.randint(1, 3)
                                       if buyer else 0,
                                       equipment_amount_12m=Decimal(rng.randint(20, 800) * 10_000) if buyer else 0))
    CustomerSignals.objects.bulk_create(signals, batch_size=5000)
    return ids, product


def _naive_offers(rule, as_of) -> int:
    """The way a competent developer writes it first: the candidates (signals meeting the condition, customer
    neither churned nor past due) in one query, the rate limits from one read of the recent offers, the band
    computed in Python, the offers written with `bulk_create`."""
    from collections import Counter
    from decimal import ROUND_HALF_UP, Decimal

    from lendpilot.customers.models import Customer, CustomerSignals
    from lendpilot.sales.models import PreApprovedOffer

    product = rule.rule_products.select_related("product").first().product
    cooling = set(PreApprovedOffer.objects.filter(node=rule.node, offered_on__gt=as_of - timedelta(
        days=rule.cooldown_days)).values_list("customer_id", flat=True))
    recent = Counter(PreApprovedOffer.objects.filter(offered_on__gt=as_of - timedelta(days=rule.window_days))
                     .values_list("customer_id", flat=True))
    candidates = (CustomerSignals.objects.filter(equipment_purchases_12m__gte=1, equipment_amount_12m__gt=0)
                  .exclude(customer__lifecycle_status=Customer.Lifecycle.CHURNED)
                  .exclude(customer__facts__max_days_past_due__gt=0)
                  .values_list("customer_id", "customer__manager_id", "equipment_amount_12m"))
    step = Decimal("10000")
    valid_until, now = as_of + timedelta(days=rule.validity_days), timezone.now()
    offers = []
    for customer_id, manager_id, basis in candidates.iterator(chunk_size=5000):
        if customer_id in cooling or recent[customer_id] >= rule.max_offers:
            continue
        high = min((basis * rule.high_ratio / step).quantize(Decimal(1), ROUND_HALF_UP) * step, product.max_amount)
        low = max(min((basis * rule.low_ratio / step).quantize(Decimal(1), ROUND_HALF_UP) * step,
                      product.max_amount), product.min_amount)
        if high < product.min_amount or low > high:
            continue
        offers.append(PreApprovedOffer(customer_id=customer_id, product=product, rule=rule, rule_version=rule.version,
                                       node=rule.node, manager_id=manager_id, amount_low=low, amount_high=high,
                                       offered_on=as_of, valid_until=valid_until, created_at=now))
    PreApprovedOffer.objects.bulk_create(offers, batch_size=2000)
    return len(offers)


@benchmark("triggers")
def triggers_bench(ctx: BenchContext):
    """`python manage.py bench triggers`: the set-based offer insert of one trigger rule over every customer
    (one INSERT ... SELECT carrying the rate limits) against the same offers computed in Python over the whole
    population (candidates in one query, limits from one read, `bulk_create`); then the full daily run (tasks
    and outbox messages included) and the rate-limited re-run that must push nothing."""
    from django.db import transaction

    from lendpilot.core.bulk_load import insert_select
    from lendpilot.products.models import FundingNode
    from lendpilot.sales.models import PreApprovedOffer, TriggerRun
    from lendpilot.sales.scenarios.services import (
        OFFER_COLUMNS,
        _offer_rows,
        trigger_rule_save,
        triggers_evaluate,
    )

    rng = random.Random(ctx.seed)
    n = TRIGGER_CUSTOMERS.get(ctx.scale, 100_000)
    with Stopwatch() as setup:
        ids, product = _trigger_world(n, rng)
    rule = trigger_rule_save(actor=None, code="EQUIP-B", name="设备采购", node=FundingNode.EQUIPMENT_PURCHASE,
                             product_ids=[product.pk], condition="equipment_purchases_12m >= 1",
                             amount_basis="equipment_amount_12m", low_ratio="0.5", high_ratio="0.8")
    as_of = timezone.localdate()
    with transaction.atomic():
        with Stopwatch() as naive:
            naive_made = _naive_offers(rule, as_of)
        transaction.set_rollback(True)
    with transaction.atomic():
        run = TriggerRun.objects.create(as_of=as_of)
        with Stopwatch() as setwise:
            made = insert_select(PreApprovedOffer, OFFER_COLUMNS, _offer_rows(rule, [product], as_of=as_of, run=run))
        transaction.set_rollback(True)
    yield Measurement("triggers", "offer_insert_seconds", setwise.seconds, "s", baseline=naive.seconds,
                      notes={"customers": len(ids), "offers": made, "baseline_offers": naive_made,
                             "baseline_is": "candidates in one query, limits from one read, bulk_create",
                             "database": connection.vendor, "setup_seconds": round(setup.seconds, 1)})
    with Stopwatch() as full:
        first = triggers_evaluate(actor=None, as_of=as_of)
    with Stopwatch() as again:
        second = triggers_evaluate(actor=None, as_of=as_of)
    yield Measurement("triggers", "daily_run_seconds", full.seconds, "s",
                      notes={"offers": first.offers, "tasks": first.tasks, "messages": first.messages,
                             "database": connection.vendor})
    yield Measurement("triggers", "rate_limited_rerun_seconds", again.seconds, "s",
                      notes={"offers": second.offers, "ok": second.offers == 0})
