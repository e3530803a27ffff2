"""`python manage.py bench tags_recompute segment_count` (FEATURES B2, B4).

Builds the scale's customers (small 5,000, medium 50,000, bank 1,000,000; bulk loaded like the demo, COPY on
PostgreSQL) with loan facts for 60 %, feed signals for the enterprises and needs for a quarter, and the
standard catalogue of 224 tags. Then:

tags_recompute  the nightly recompute: tiers (with their change history), RFM quintiles and lifetime value,
                and every tag with one INSERT ... SELECT each (tag table emptied, its index rebuilt after).
                Baseline: the naive way -- per customer, read its record through the ORM, evaluate every
                rule in Python, delete and re-insert its tags --
                timed on a sample of 10,000 customers (rolled back) and scaled to the book.
                Target at bank scale on PostgreSQL: under 10 minutes.
segment_count   the count of a four-term segment query (制造业 AND 华东 AND 扩产需求 AND NOT 逾期) for the
                director (whole bank) and for one account manager (own customers), median of 5 runs.
                Baseline: the member id sets of each tag fetched and combined in Python.
                Target at bank scale on PostgreSQL: under 1 s.

Measured on PostgreSQL (a shared, busy machine), `manage.py bench tags_recompute segment_count --scale S`:
    scale   customers  memberships  recompute (tiers + RFM/value + tags)  naive, scaled   count   manager
    small       5,000      129,845    8.2 s                                  34 s (x4.1)    0.015 s  0.015 s
    medium     50,000    1,308,851   18.0 s (0.9 + 0.7 + 16.4)             667 s (x37)     0.11 s   0.06 s
    bank    1,000,000   26,193,725  434 s (46 + 36 + 352)               22,389 s (x52)     0.45 s   0.34 s
"""

from __future__ import annotations

import statistics
from datetime import date
from decimal import Decimal

import numpy as np
from django.db import connection, transaction
from django.db.models import Max

from lendpilot.core.bench import BenchContext, Measurement, Stopwatch, benchmark
from lendpilot.core.bulk_load import analyze, insert_rows
from lendpilot.core.seeding import SCALES
from lendpilot.customers import rules, services
from lendpilot.customers.bench_world import bench_org
from lendpilot.customers.models import (
    Customer,
    CustomerFacts,
    CustomerNeeds,
    CustomerSignals,
    CustomerTag,
    Questionnaire,
    QuestionnaireResponse,
    TagDefinition,
)
from lendpilot.customers.portrait.demo import seed_reference

AS_OF = date(2025, 6, 30)
SAMPLE = 10_000
SEGMENT_QUERY = "制造业 AND 华东 AND 扩产需求 AND NOT 逾期"
REGION_CODES = ("EAST", "SOUTH", "NORTH", "CENTRAL", "SOUTHWEST", "NORTHWEST", "NORTHEAST")
INDUSTRIES = list("CFEGAIKHLM")
INDUSTRY_P = np.array([0.22, 0.25, 0.1, 0.08, 0.08, 0.08, 0.05, 0.06, 0.05, 0.03])
_BUILT: dict[str, object] = {}


def _world(n: int, seed: int) -> dict:
    """Regions, managers and `n` customers with facts, signals and needs (built once per bench run)."""
    if _BUILT.get("n") == n:
        return _BUILT
    rng = np.random.default_rng(seed)
    # the region codes are the demo bank's: the tag 华东 reads the region code EAST
    org = bench_org("TG", regions=REGION_CODES, managers_per_team=4, director=True)
    managers, director = org.managers, org.director
    manager_ids = np.array([m.pk for m in managers])
    manager_region = np.array([m.region_id for m in managers])
    pick = rng.integers(0, len(managers), n)
    enterprise = rng.random(n) < 0.35
    industry = rng.choice(INDUSTRIES, n, p=INDUSTRY_P)
    lifecycle = rng.choice(["active", "prospect", "dormant", "churned"], n, p=[0.45, 0.3, 0.18, 0.07])
    now = "2025-06-30T00:00:00Z"
    columns = ["kind", "name", "id_number_cipher", "id_number_hash", "id_number_masked", "credit_code",
               "phone_cipher", "phone_hash", "phone_masked", "bank_account_cipher", "bank_account_hash",
               "bank_account_masked", "gender", "legal_representative", "industry", "region_id", "city", "address",
               "manager_id", "lifecycle_status", "tier", "created_at", "updated_at"]

    def customers():
        for i in range(n):
            ent = bool(enterprise[i])
            yield ("enterprise" if ent else "person", f"基准客户{i}", "", "" if ent else f"h{i:062d}", "",
                   f"BN{i:016d}" if ent else "", "", "", "", "", "", "", "" if ent else "M", "", str(industry[i]),
                   int(manager_region[pick[i]]), "上海", "", int(manager_ids[pick[i]]), str(lifecycle[i]), "micro",
                   now, now)

    before = Customer.objects.aggregate(last=Max("pk"))["last"] or 0
    insert_rows(Customer, columns, customers(), batch_size=20_000)
    ids = np.array(Customer.objects.filter(pk__gt=before).order_by("pk").values_list("pk", flat=True))
    # loan facts for 60 %
    borrowed = rng.random(n) < 0.6
    loans = rng.integers(1, 8, n)
    max_loan = np.round(np.clip(rng.lognormal(np.log(400_000), 1.2, n), 10_000, 30_000_000), -3)
    first = rng.integers(0, 2000, n)
    last = np.minimum(first, rng.integers(0, 400, n))
    repaid = np.minimum(last, rng.integers(0, 200, n))
    dpd = np.where(rng.random(n) < 0.08, rng.integers(1, 200, n), 0)
    base = AS_OF.toordinal()

    def facts():
        for i in np.nonzero(borrowed)[0].tolist():
            total = max_loan[i] * (1 + 0.5 * (loans[i] - 1))
            yield (int(ids[i]), AS_OF, int(loans[i]), int(min(loans[i], 2)), Decimal(f"{max_loan[i]:.2f}"),
                   Decimal(f"{total:.2f}"), Decimal(f"{max_loan[i] * 0.6:.2f}"),
                   date.fromordinal(base - int(first[i])), date.fromordinal(base - int(last[i])),
                   date.fromordinal(base - int(repaid[i])), int(loans[i] * 10), Decimal(f"{total * 0.5:.2f}"),
                   Decimal(f"{total * 0.07:.2f}"), int(dpd[i]), "ABCDE"[i % 5])

    insert_rows(CustomerFacts, ["customer_id", "as_of", "loans_count", "active_loans", "max_single_loan",
                                "total_disbursed", "outstanding_balance", "first_disbursed_on", "last_disbursed_on",
                                "last_repaid_on", "repayments_count", "total_repaid", "interest_income",
                                "max_days_past_due", "credit_band"], facts(), batch_size=20_000)
    growth = rng.normal(0.06, 0.35, n)
    invoice = rng.lognormal(np.log(3_000_000), 1.2, n)

    def signals():
        for i in np.nonzero(enterprise)[0].tolist():
            yield (int(ids[i]), AS_OF, Decimal(f"{invoice[i]:.2f}"), float(growth[i]),
                   Decimal(f"{invoice[i] * 0.03:.2f}"), int(invoice[i] // 300_000) + 1, int(growth[i] * 20),
                   Decimal("0.00") if i % 4 else Decimal(f"{invoice[i] * 0.2:.2f}"), 1.0 + (i % 7) * 0.4,
                   int(i % 5), int(i % 50 == 0), Decimal(f"{(i % 3) * 1_000_000:.2f}"), int(i % 9 == 0),
                   Decimal(f"{(i % 9 == 0) * 800_000:.2f}"))

    insert_rows(CustomerSignals, ["customer_id", "as_of", "tax_invoice_12m", "tax_invoice_growth", "tax_paid_12m",
                                  "headcount", "headcount_change", "ecommerce_gmv_12m", "ecommerce_peak_ratio",
                                  "bureau_queries_6m", "bureau_red_flags", "external_debt",
                                  "equipment_purchases_12m", "equipment_amount_12m"], signals(), batch_size=20_000)
    questionnaire, _created = Questionnaire.objects.get_or_create(code="needs", version=1,
                                                                  defaults={"title": "需求问卷"})
    answered = np.nonzero(rng.random(n) < 0.25)[0]
    insert_rows(QuestionnaireResponse, ["customer_id", "questionnaire_id", "answered_on", "answers", "created_at"],
                ((int(ids[i]), questionnaire.pk, AS_OF, "{}", now) for i in answered.tolist()), batch_size=20_000)
    response_ids = dict(QuestionnaireResponse.objects.filter(customer_id__gt=before)
                        .values_list("customer_id", "pk"))
    purposes = rules.PURPOSES

    insert_rows(CustomerNeeds, ["customer_id", "response_id", "answered_on", "purpose", "amount", "term_months",
                                "cashflow_cycle", "collateral", "existing_debts", "risk_appetite"],
                ((int(ids[i]), response_ids[int(ids[i])], AS_OF, purposes[i % len(purposes)],
                  Decimal(500_000 * (1 + i % 10)), 12 * (1 + i % 5), rules.CASHFLOW_CYCLES[i % 5],
                  rules.COLLATERAL[i % 6], Decimal(0), rules.RISK_APPETITES[i % 3]) for i in answered.tolist()),
                batch_size=20_000)
    seed_reference()
    for model in (Customer, CustomerFacts, CustomerSignals, CustomerNeeds):
        analyze(model)
    _BUILT.update(n=n, director=director, manager=managers[0], ids=ids)
    return _BUILT


def _recompute(director) -> dict[str, float]:
    seconds = {}
    with Stopwatch() as sw:
        services.tiers_recompute(actor=director.user, as_of=AS_OF)
    seconds["tiers"] = sw.seconds
    with Stopwatch() as sw:
        services.values_recompute(as_of=AS_OF)
    seconds["rfm_value"] = sw.seconds
    with Stopwatch() as sw:
        services.tags_recompute(actor=director.user, as_of=AS_OF)
    seconds["tags"] = sw.seconds
    if connection.vendor == "postgresql":
        analyze(CustomerTag)
    return seconds


def naive_tags(customer_ids, *, as_of: date) -> int:
    """The per-customer way: read each customer's record, evaluate every rule in Python, rewrite its tags."""
    tags = [(pk, rules.parse(rule)) for pk, rule in TagDefinition.objects.filter(active=True).values_list("pk", "rule")]
    paths = rules.record_paths()
    written = 0
    for pk in customer_ids:
        row = Customer.objects.filter(pk=pk).values(*paths.values()).first()
        record = {name: row[path] for name, path in paths.items()}
        hits = [CustomerTag(tag_id=tag_id, customer_id=pk) for tag_id, tree in tags
                if rules.evaluate_tree(tree, record, as_of=as_of)]
        CustomerTag.objects.filter(customer_id=pk).delete()
        CustomerTag.objects.bulk_create(hits)
        written += len(hits)
    return written


class _Rollback(Exception):
    pass


@benchmark("tags_recompute", world="customers")
def bench_tags_recompute(ctx: BenchContext):
    n = SCALES[ctx.scale].customers
    with Stopwatch() as build:
        world = _world(n, ctx.seed)
    seconds = _recompute(world["director"])
    total = sum(seconds.values())
    sample = world["ids"][:: max(1, n // SAMPLE)][:SAMPLE].tolist()
    try:
        with transaction.atomic(), Stopwatch() as naive:
            naive_tags(sample, as_of=AS_OF)
            raise _Rollback
    except _Rollback:
        pass
    baseline = naive.seconds * n / len(sample)
    yield Measurement("tags_recompute", "recompute_seconds", total, "s", baseline=baseline, notes={
        "scale": ctx.scale, "customers": n, "tags": TagDefinition.objects.count(),
        "memberships": CustomerTag.objects.count(), "database": connection.vendor,
        "tiers_s": round(seconds["tiers"], 2), "rfm_value_s": round(seconds["rfm_value"], 2),
        "tags_s": round(seconds["tags"], 2), "build_s": round(build.seconds, 1),
        "baseline_kind": f"per-customer ORM loop on {len(sample)} customers, scaled"})


def _median_count(actor, query: str, runs: int = 5) -> tuple[float, int]:
    times, count = [], 0
    for _ in range(runs):
        with Stopwatch() as sw:
            count = services.segment_customers(actor, query).count()
        times.append(sw.seconds)
    return statistics.median(times), count


@benchmark("segment_count", world="customers")
def bench_segment_count(ctx: BenchContext):
    n = SCALES[ctx.scale].customers
    world = _world(n, ctx.seed)
    if not CustomerTag.objects.exists():
        _recompute(world["director"])
    director, manager = world["director"], world["manager"]
    seconds, count = _median_count(director.user, SEGMENT_QUERY)
    with Stopwatch() as naive:
        sets = {}
        for name in ("制造业", "华东", "扩产需求", "逾期"):
            tag = TagDefinition.objects.get(name_zh=name)
            sets[name] = set(CustomerTag.objects.filter(tag=tag).values_list("customer_id", flat=True))
        naive_count = len((sets["制造业"] & sets["华东"] & sets["扩产需求"]) - sets["逾期"])
    assert naive_count == count, (naive_count, count)
    yield Measurement("segment_count", "count_seconds", seconds, "s", baseline=naive.seconds, notes={
        "scale": ctx.scale, "customers": n, "query": SEGMENT_QUERY, "count": count, "database": connection.vendor,
        "baseline_kind": "tag member id sets intersected in Python"})
    own_seconds, own = _median_count(manager.user, SEGMENT_QUERY)
    yield Measurement("segment_count", "manager_count_seconds", own_seconds, "s", notes={
        "scale": ctx.scale, "count": own, "scope": "own customers"})
