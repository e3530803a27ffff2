"""`python manage.py bench cockpit` and `bench drilldown`: the command centre's data over two years of business
(small: 20,000 loans, medium: 200,000, bank: 1,000,000; per loan an application with its decision, three
instalments with their repayments, and two leads per loan of which half convert through an opportunity),
with a year and more of metric snapshots built. Measured warm (median of repeated runs), against the same
figures computed from the raw tables without snapshots (`use_snapshots=False`, the same SQL over the whole
period). Targets at bank scale on PostgreSQL: the whole-bank cockpit under 500 ms, a drill-down under 300 ms.

The data is loaded like monitoring's EOD bench: reference rows through the services, the bulk through
`core.bulk_load.insert_rows` (COPY on PostgreSQL)."""

import random
import statistics
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.utils import timezone

from lendpilot.core.bench import BenchContext, Measurement, Stopwatch, benchmark
from lendpilot.core.bulk_load import analyze, insert_rows
from lendpilot.core.reference import ProductCategory, RepaymentMethod
from lendpilot.customers.bench_world import bench_customers, bench_org
from lendpilot.customers.models import Customer
from lendpilot.insights import metrics
from lendpilot.insights.catalogue import Slice
from lendpilot.insights.cockpit import cockpit_data
from lendpilot.insights.models import MetricSnapshot
from lendpilot.insights.review import benchmarks as review_benchmarks  # noqa: F401  (registers funnel_diagnosis)
from lendpilot.insights.services import metric_snapshots_build
from lendpilot.lending.models import Application, Contract, Instalment, Loan, Repayment, StatusChange
from lendpilot.monitoring.models import PortfolioSnapshot
from lendpilot.planning.models import Quota
from lendpilot.products.services import product_create
from lendpilot.sales.models import Lead, Opportunity

LOANS = {"small": 20_000, "medium": 200_000, "bank": 1_000_000}
HISTORY_DAYS = 730
REGIONS = 7
# teams per region and managers per team: the bank scale has about 200 teams and 2,000 account managers
ORG = {"small": (4, 6), "medium": (8, 9), "bank": (28, 10)}
CUSTOMERS = 600
RUNS, BASELINE_RUNS = 7, 3


def _org(scale: str, seed: int):
    teams_per_region, managers_per_team = ORG[scale]
    org = bench_org("CK", regions=REGIONS, teams_per_region=teams_per_region, managers_per_team=managers_per_team,
                    director=True)
    customers = bench_customers(org, CUSTOMERS, seed=seed)
    products = [product_create(actor=None, code=f"CK-BENCH{p}", name_zh=f"基准产品{p}", name_en=f"Bench product {p}",
                               category=ProductCategory.CONSUMER, min_amount=Decimal("1000"),
                               max_amount=Decimal("5000000"), min_term_months=3, max_term_months=36,
                               min_annual_rate=Decimal("0.03"), max_annual_rate=Decimal("0.24"),
                               repayment_methods=[RepaymentMethod.EQUAL_INSTALMENT]) for p in range(3)]
    return org.director, org.regions, org.teams, org.managers, customers, products


def _book(n: int, rng: random.Random, today: date, scale: str, seed: int) -> dict:
    director, regions, teams, managers, customers, products = _org(scale, seed)
    start = today - timedelta(days=HISTORY_DAYS)
    days = [start + timedelta(days=rng.randrange(HISTORY_DAYS + 1)) for _ in range(n)]
    who = [customers[rng.randrange(len(customers))] for _ in range(n)]
    prod = [products[rng.randrange(len(products))].pk for _ in range(n)]
    amount = [Decimal(rng.choice([30_000, 50_000, 120_000, 300_000, 800_000])) for _ in range(n)]
    book = _Book(n=n, today=today, start=start, days=days, who=who, prod=prod, amount=amount,
                 stamp=datetime.combine(today, time(9), timezone.get_current_timezone()))
    first_app = _applications(book)
    first_loan = _loans(book, first_app)
    _instalments(book, first_loan)
    _leads(book, rng, first_app)
    _portfolio_and_quotas(book, rng, products, regions, teams, managers)
    for model in (Application, StatusChange, Contract, Loan, Instalment, Repayment, Lead, Opportunity,
                  PortfolioSnapshot, Quota):
        analyze(model)
    return {"director": director, "regions": regions, "teams": teams, "managers": managers, "start": start}


@dataclass(frozen=True)
class _Book:
    """The drawn loans: for loan i its day, borrower, product and amount."""
    n: int
    today: date
    start: date
    days: list[date]
    who: list[Customer]
    prod: list[int]
    amount: list[Decimal]
    stamp: datetime


def _applications(book: _Book) -> int:
    n, who, prod, amount, days, stamp = book.n, book.who, book.prod, book.amount, book.days, book.stamp
    tz = timezone.get_current_timezone()
    # applications: one per loan (disbursed) plus a fifth more rejected
    rejected = n // 5
    insert_rows(Application, ["number", "applicant_id", "product_id", "amount", "term_months", "repayment_method",
                              "annual_rate", "fee_amount", "purpose", "risk_grade", "monthly_income",
                              "monthly_debt_payments", "status", "created_by_id", "submission_round", "route", "step",
                              "decline_recommended", "rate_approval_needed", "conditions", "created_at", "updated_at"],
                ((f"BA{i:09d}", who[i % n].pk, prod[i % n], amount[i % n], 12, "equal_instalment", Decimal("0.08"),
                  Decimal(0), "经营", "B", Decimal(50000), Decimal(0), "disbursed" if i < n else "rejected",
                  who[i % n].manager_id, 1, "[]", 0, False, False, "{}", stamp, stamp) for i in range(n + rejected)),
                batch_size=20_000)
    first_app = Application.objects.filter(number="BA000000000").values_list("pk", flat=True).get()
    insert_rows(StatusChange, ["application_id", "from_status", "to_status", "note", "at"],
                ((first_app + i, "in_review", "approved" if i < n else "rejected", "",
                  datetime.combine(days[i % n] - timedelta(days=3), time(10), tz)) for i in range(n + rejected)),
                batch_size=50_000)
    return first_app


def _loans(book: _Book, first_app: int) -> int:
    n, who, prod, amount, days, stamp = book.n, book.who, book.prod, book.amount, book.days, book.stamp
    # contracts for half of the loans (those that came through the funnel)
    funnel = n // 2
    insert_rows(Contract, ["application_id", "number", "principal", "annual_rate", "apr", "term_months",
                           "repayment_method", "schedule", "disclosures", "status", "generated_by_id", "generated_at"],
                ((first_app + i, f"BC{i:09d}", amount[i], Decimal("0.08"), Decimal("0.08"), 12, "equal_instalment",
                  "[]", "{}", "disbursed", who[i].manager_id, stamp) for i in range(funnel)), batch_size=20_000)
    first_contract = Contract.objects.filter(number="BC000000000").values_list("pk", flat=True).get()
    insert_rows(Loan, ["number", "contract_id", "borrower_id", "product_id", "principal", "annual_rate",
                       "penalty_multiplier", "term_months", "repayment_method", "disbursed_on", "outstanding_principal",
                       "status", "days_past_due", "risk_class", "manual_reason", "created_at"],
                ((f"BL{i:09d}", first_contract + i if i < funnel else None, who[i].pk, prod[i], amount[i],
                  Decimal("0.08"), Decimal("1.5"), 12, "equal_instalment", days[i], amount[i], "active", 0, 1, "",
                  stamp) for i in range(n)), batch_size=20_000)
    first_loan = Loan.objects.filter(number="BL000000000").values_list("pk", flat=True).get()
    return first_loan


def _instalments(book: _Book, first_loan: int) -> None:
    n, amount, days, stamp, today = book.n, book.amount, book.days, book.stamp, book.today
    # three instalments per loan, each repaid on its due date when it lies in the past (9 in 10)
    part = [a / 12 for a in amount]
    insert_rows(Instalment, ["loan_id", "seq", "due_date", "due_day", "principal_due", "interest_due",
                             "principal_paid", "interest_paid", "penalty_accrued", "penalty_paid", "is_settled"],
                ((first_loan + i, s, d, d.toordinal(), part[i].quantize(Decimal("0.01")), Decimal("400.00"),
                  Decimal(0), Decimal(0), Decimal(0), Decimal(0), False)
                 for i in range(n) for s in (1, 2, 3) if (d := days[i] + timedelta(days=30 * s))),
                batch_size=50_000)
    insert_rows(Repayment, ["loan_id", "external_ref", "amount", "value_date", "kind", "penalty_part", "interest_part",
                            "principal_part", "unapplied", "source", "batch", "posted_at", "revaluation"],
                ((first_loan + i, f"BR{i}-{s}", part[i].quantize(Decimal("0.01")) + Decimal("400.00"), d, "regular",
                  Decimal(0), Decimal("400.00"), part[i].quantize(Decimal("0.01")), Decimal(0), "demo", "bench", stamp,
                  "{}")
                 for i in range(n) for s in (1, 2, 3)
                 if (d := days[i] + timedelta(days=30 * s)) < today and (i + s) % 10), batch_size=50_000)


def _leads(book: _Book, rng: random.Random, first_app: int) -> None:
    n, who, prod, days, start = book.n, book.who, book.prod, book.days, book.start
    funnel = n // 2
    tz = timezone.get_current_timezone()
    # two leads per loan over the same years; the first `funnel` convert through an opportunity
    sources = Lead.Source.values
    insert_rows(Lead, ["kind", "name", "source", "source_detail", "id_number_cipher", "id_number_hash",
                       "id_number_masked", "credit_code_hash", "credit_code_masked", "phone_cipher", "phone_hash",
                       "phone_masked", "industry", "region_id", "product_id", "owner_id", "status",
                       "disqualification_reasons", "assignment_reason", "received_at"],
                (("person", f"线索{i}", sources[i % len(sources)], "", "", "", "", "", "", "", f"bench{i}", "", "F",
                  who[i % n].region_id, prod[i % n], who[i % n].manager_id,
                  "converted" if i < funnel else "disqualified", "[]", "",
                  datetime.combine((days[i] - timedelta(days=20)) if i < funnel else
                                   start + timedelta(days=rng.randrange(HISTORY_DAYS + 1)), time(11), tz))
                 for i in range(2 * n)), batch_size=20_000)
    first_lead = Lead.objects.filter(phone_hash="bench0").values_list("pk", flat=True).get()
    insert_rows(Opportunity, ["lead_id", "name", "owner_id", "node", "tier", "industry", "product_id", "application_id",
                              "loss_reason", "created_at", "node_entered_at"],
                ((first_lead + i, f"机会{i}", who[i].manager_id, "won", "standard", "F", prod[i], first_app + i, "",
                  datetime.combine(days[i] - timedelta(days=15), time(11), tz),
                  datetime.combine(days[i], time(11), tz)) for i in range(funnel)), batch_size=20_000)


def _portfolio_and_quotas(book: _Book, rng: random.Random, products: list, regions: list, teams: list,
                          managers: list) -> None:
    n, start, today = book.n, book.start, book.today
    # monitoring's daily portfolio snapshot (synthetic figures) and the managers' quotas
    segments = ([("all", "all")] + [("product", str(p.pk)) for p in products]
                + [("region", str(r.pk)) for r in regions] + [("team", str(t.pk)) for t in teams]
                + [("manager", str(m.pk)) for m in managers])
    PortfolioSnapshot.objects.bulk_create([
        PortfolioSnapshot(business_date=start + timedelta(days=d), dimension=dim, key=key, loans=100,
                          balance=Decimal(10_000_000), overdue_loans=5,
                          overdue_balance=Decimal(300_000 + rng.randrange(200_000)), npl_loans=2,
                          npl_balance=Decimal(150_000 + rng.randrange(50_000)))
        for d in range(HISTORY_DAYS + 1) for dim, key in segments], batch_size=5000)
    month = start.replace(day=1)
    months = []
    while month <= today:
        months.append(month)
        month = (month + timedelta(days=32)).replace(day=1)
    # through the ORM: small tables whose newer columns keep their defaults
    Quota.objects.bulk_create([Quota(staff_id=m.pk, month=mo, base=Decimal(n * 150_000 // len(managers) // 24))
                               for m in managers for mo in months], batch_size=5000)


_BUILT: dict = {}


def _prepared(ctx: BenchContext) -> dict:
    """Build the book and the snapshots once per process (both benches use the same data)."""
    if ctx.scale in _BUILT:
        return _BUILT[ctx.scale]
    rng = random.Random(ctx.seed)
    today = timezone.localdate()
    n = LOANS[ctx.scale]
    with Stopwatch() as build:
        book = _book(n, rng, today, ctx.scale, ctx.seed)
    with Stopwatch() as snap:
        summary = metric_snapshots_build(actor=None, business_date=today - timedelta(days=400),
                                         date_to=today - timedelta(days=1))
    analyze(MetricSnapshot)
    _BUILT[ctx.scale] = {**book, "today": today, "notes": {
        "scale": ctx.scale, "database": connection.vendor, "loans": n, "managers": len(book["managers"]),
        "teams": len(book["teams"]), "leads": 2 * n, "instalments": 3 * n,
        "book_seconds": round(build.seconds, 1), "snapshot_build_seconds": round(snap.seconds, 2),
        "snapshot_days": summary["days"], "snapshot_rows": summary["rows"]}}
    return _BUILT[ctx.scale]


def _median_ms(func, runs: int) -> tuple[float, list[float]]:
    func()  # warm: the first call pays for plans and caches
    times = []
    for _ in range(runs):
        with Stopwatch() as sw:
            func()
        times.append(sw.seconds * 1000)
    return statistics.median(times), times


@benchmark("cockpit", world="insights")
def cockpit(ctx: BenchContext):
    data = _prepared(ctx)
    user = data["director"].user
    live_seconds = int(getattr(settings, "LENDPILOT_INSIGHTS_LIVE_SECONDS", 60))

    def fast():
        return cockpit_data(actor=user, period=None, today=data["today"])

    def raw():
        return cockpit_data(actor=user, period=None, today=data["today"], use_snapshots=False)

    def raw_cached():
        # what one writes first for a slow page: the raw-table answer kept for the live figures' minute
        return cache.get_or_set(f"bench:cockpit:raw:{data['today']}", raw, live_seconds)

    fast_ms, fast_runs = _median_ms(fast, RUNS)
    warm_raw_ms, _warm_raw_runs = _median_ms(raw_cached, RUNS)
    cold_ms, _cold_runs = _median_ms(lambda: (cache.clear(), fast()), BASELINE_RUNS)
    raw_ms, _raw_runs = _median_ms(raw, BASELINE_RUNS)
    assert [v.value for v in fast()["report"].values] == [v.value for v in raw()["report"].values]
    yield Measurement(bench="cockpit", metric="whole_bank_cockpit_ms_warm", value=fast_ms, unit="ms",
                      baseline=warm_raw_ms, notes={**data["notes"], "runs_ms": [round(t, 1) for t in fast_runs],
                                                   "baseline_is": "the raw-table cockpit cached for "
                                                                  f"{live_seconds} s, warm (served from the cache)",
                                                   "target_ms": 500, "within_target": fast_ms < 500})
    yield Measurement(bench="cockpit", metric="whole_bank_cockpit_ms_uncached", value=cold_ms, unit="ms",
                      baseline=raw_ms, notes={**data["notes"], "baseline_is": "the same cockpit from the raw tables, "
                                                                              "no cache (database warm)",
                                              "note": "cache cleared before every call on both sides"})


@benchmark("drilldown", world="insights")
def drilldown(ctx: BenchContext):
    data = _prepared(ctx)
    user = data["director"].user
    region, team = data["regions"][0], data["teams"][0]
    # the director's drill path (bank -> regions -> a region's teams -> a team's managers), and the widest list
    cases = [("region", None), ("team", Slice("region", str(region.pk))), ("manager", Slice("team", str(team.pk))),
             ("manager", None)]
    for dimension, parent in cases:
        name = f"{dimension}_in_{parent.dimension}" if parent else f"{dimension}_whole_bank"

        def fast(dimension=dimension, parent=parent):
            return metrics.drilldown(actor=user, period=None, dimension=dimension, parent=parent, today=data["today"])

        def raw(dimension=dimension, parent=parent):
            return metrics.drilldown(actor=user, period=None, dimension=dimension, parent=parent, today=data["today"],
                                     use_snapshots=False)

        fast_ms, fast_runs = _median_ms(fast, RUNS)
        cold_ms, _cold = _median_ms(lambda fast=fast: (cache.clear(), fast()), BASELINE_RUNS)
        raw_ms, _raw_runs = _median_ms(raw, BASELINE_RUNS)
        yield Measurement(bench="drilldown", metric=f"drilldown_{name}_ms_warm", value=fast_ms, unit="ms",
                          baseline=raw_ms, notes={**data["notes"], "segments": len(fast()),
                                                  "runs_ms": [round(t, 1) for t in fast_runs],
                                                  "baseline_is": "the same drill-down from the raw tables",
                                                  "today_uncached_ms": round(cold_ms, 1),
                                                  "target_ms": 300, "within_target": fast_ms < 300})
