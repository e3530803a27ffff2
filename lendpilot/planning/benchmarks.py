"""`python manage.py bench target_split`: split an annual target over 6 product lines x 7 regions x 2 team
types x 12 months and down to 200 teams and 2,000 account managers (144,000 manager-month-product amounts)
with exact sums at every level. Target: under 2 s. The baseline is the naive way: each manager-month-product
amount computed alone as total x product share x region share x month share x manager share in Decimal,
rounded, with the rounding difference pushed onto one row (exact only at the top), for the disbursed
amount only. The measured split does all three targets (amount, new customers, NPL ceiling).

A second measurement runs the service (`target_plan_split`) on a bulk-loaded organisation of the same size,
writing every cell, team and manager row.
"""

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.contrib.auth import get_user_model

from lendpilot.core.bench import BenchContext, Measurement, Stopwatch, benchmark
from lendpilot.core.reference import ProductCategory
from lendpilot.org.models import Branch, Region, Staff, Team
from lendpilot.org.roles import Role
from lendpilot.planning import decompose
from lendpilot.planning.decompose import CellDrivers

REGIONS = ("EAST", "SOUTH", "NORTH", "CENTRAL", "SOUTHWEST", "NORTHWEST", "NORTHEAST")
PRODUCTS = tuple(ProductCategory.values)
TEAMS, MANAGERS = 200, 2_000
UNUSABLE = "!"  # noqa: S105 (Django's marker for an unusable password)
TOTAL_UNITS = 3_600_000  # CNY 36 billion
NEW_CUSTOMERS = 250_000
NPL_CEILING = Decimal("0.02")


def bench_cells(rng) -> list[CellDrivers]:
    return [CellDrivers(product=p, region=r, team_type=t, last_year=Decimal(rng.randint(1, 500)) * 10**6,
                        capacity=Decimal(rng.randint(100, 2000)) * 10**6, heat=Decimal(rng.randint(70, 130)) / 100,
                        risk=Decimal(rng.randint(40, 250)) / 100)
            for p in PRODUCTS for r in REGIONS for t in ("direct", "channel")]


def bench_hierarchy(*, teams: int = TEAMS, managers: int = MANAGERS):
    """Teams spread over regions and types; managers spread over teams (ids are positions)."""
    team_map: dict[tuple[str, str], list] = {}
    manager_map: dict[int, list] = {}
    for t in range(teams):
        key = (REGIONS[t % len(REGIONS)], ("direct", "channel")[(t // len(REGIONS)) % 2])
        team_map.setdefault(key, []).append((t, 1))
    for m in range(managers):
        manager_map.setdefault(m % teams, []).append((m, 1))
    for key, rows in team_map.items():
        team_map[key] = [(t, len(manager_map[t])) for t, _ in rows]
    return team_map, manager_map


def split_all(cells, teams, managers) -> tuple[int, tuple[int, int, int]]:
    """All three targets down to every manager; returns the manager rows and the three manager totals."""
    split = decompose.split_target(TOTAL_UNITS, cells, weights={"last_year": 1, "capacity": 1, "heat": 1},
                                   new_customers=NEW_CUSTOMERS, npl_ceiling=NPL_CEILING)
    rows = total = customers = npl = 0
    for _ci, _mi, _team, manager, units, n, b in decompose.split_to_people(split, teams, managers):
        if manager is not None:
            rows += 1
            total += units
            customers += n
            npl += b
    return rows, (total, customers, npl)


def naive_split(cells, teams, managers) -> int:
    total = Decimal(TOTAL_UNITS)
    weights = decompose.cell_weights(cells, decompose.parse_driver_weights({"last_year": 1, "capacity": 1,
                                                                             "heat": 1}))
    rows = []
    for cell, w in zip(cells, weights, strict=True):
        cell_teams = teams.get((cell.region, cell.team_type), [])
        team_sum = sum(Decimal(tw) for _t, tw in cell_teams)
        for _month in range(12):
            for team, tw in cell_teams:
                people = managers[team]
                for _manager, mw in people:
                    share = w / 12 * Decimal(tw) / team_sum * Decimal(mw) / sum(Decimal(x) for _, x in people)
                    rows.append((total * share).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    rows[0] += total - sum(rows)
    return len(rows)


def bulk_org(managers: int, teams: int) -> list[int]:
    """Regions, teams and `managers` account managers, bulk-loaded (no password hashing); reused when an
    earlier benchmark of the same run loaded them."""
    existing = list(Staff.objects.filter(employee_no__startswith="BM").order_by("employee_no").values_list(
        "pk", flat=True))
    if len(existing) >= managers:
        return existing[:managers]
    user_model = get_user_model()
    regions = Region.objects.bulk_create([Region(code=c, name_zh=c, name_en=c) for c in REGIONS])
    branches = Branch.objects.bulk_create([Branch(code=f"B{r.code}", name_zh=r.code, name_en=r.code, region=r,
                                                  city="上海") for r in regions])
    team_rows = Team.objects.bulk_create([
        Team(code=f"T{t:04d}", name=f"团队{t}", branch=branches[t % len(REGIONS)], region=regions[t % len(REGIONS)],
             channel=("direct", "channel")[(t // len(REGIONS)) % 2]) for t in range(teams)])
    users = user_model.objects.bulk_create([user_model(username=f"bench_am_{m}", password=UNUSABLE) for m in
                                            range(managers)])
    if users[0].pk is None:
        users = list(user_model.objects.filter(username__startswith="bench_am_").order_by("id"))
    staff = Staff.objects.bulk_create([
        Staff(user=u, employee_no=f"BM{m:05d}", name=f"经理{m}", role=Role.ACCOUNT_MANAGER,
              team=team_rows[m % teams], region=team_rows[m % teams].region) for m, u in enumerate(users)])
    if staff[0].pk is None:
        staff = list(Staff.objects.filter(employee_no__startswith="BM").order_by("employee_no"))
    return [s.pk for s in staff]


@benchmark("target_split")
def target_split_bench(ctx: BenchContext):
    import random

    from lendpilot.planning.services import target_plan_create, target_plan_split

    rng = random.Random(ctx.seed)
    cells = bench_cells(rng)
    teams, managers = bench_hierarchy()
    with Stopwatch() as sw:
        rows, totals = split_all(cells, teams, managers)
    budget = decompose.npl_budget(TOTAL_UNITS, NPL_CEILING)
    assert totals == (TOTAL_UNITS, NEW_CUSTOMERS, budget) and rows == len(PRODUCTS) * 12 * MANAGERS, (rows, totals)
    with Stopwatch() as base:
        naive_split(cells, teams, managers)
    yield Measurement("target_split", "split_seconds", sw.seconds, "s", baseline=base.seconds,
                      notes={"manager_rows": rows, "cells": len(cells), "metrics": list(decompose.METRICS),
                             "exact": True, "target_s": 2.0})

    bulk_org(MANAGERS, TEAMS)
    plan = target_plan_create(actor=None, code="BENCH", name="bench", period_start=date(2026, 1, 1),
                              total_amount=decompose.from_units(TOTAL_UNITS),
                              drivers={"last_year": 1, "capacity": 1, "heat": 1}, new_customers=NEW_CUSTOMERS,
                              npl_ceiling=NPL_CEILING)
    with Stopwatch() as svc:
        out = target_plan_split(actor=None, plan=plan, cells=cells)
    yield Measurement("target_split", "service_seconds_with_writes", svc.seconds, "s",
                      notes={"rows_written": out["cells"] + out["people_rows"]})
