"""The organisation and customers the benchmarks stand on, built in one place.

A benchmark names its world with a short prefix; region, branch and team codes, user names, employee
numbers and the random stream of ID numbers all derive from it, so two worlds in one database never
collide, and an ID number already registered is never drawn again. Rows go through the org and customer
services (validation and audit as in production); the bulk of a bench's data is its own business.

`manage.py bench` gives every world a freshly migrated database (`lendpilot.core.bench.WorldReset`); the
prefixes keep the benches that share a world (cockpit and drilldown, tags_recompute and segment_count)
apart from each other's rows as well.
"""

import random
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date

from django.test import override_settings

from lendpilot.compliance.crypto import keyed_hash
from lendpilot.core.reference import Industry
from lendpilot.customers.models import Customer
from lendpilot.customers.services.customers import customer_create
from lendpilot.customers.synthetic import make_id_number
from lendpilot.org.models import Branch, Region, Staff, Team
from lendpilot.org.roles import Role
from lendpilot.org.services import branch_create, region_create, staff_create, team_create

BENCH_PASSWORD = "bench-" + "Lendpilot-1"  # a throw-away login in the throw-away bench database
DEFAULT_INDUSTRIES = (Industry.TRADE, Industry.MANUFACTURING, Industry.CONSTRUCTION, Industry.IT)


@dataclass
class BenchOrg:
    prefix: str
    regions: list[Region] = field(default_factory=list)
    branches: list[Branch] = field(default_factory=list)
    teams: list[Team] = field(default_factory=list)
    managers: list[Staff] = field(default_factory=list)
    director: Staff | None = None


@contextmanager
def fast_passwords() -> Iterator[None]:
    """Thousands of bench logins: a cheap hasher, as the test settings use; never for real accounts."""
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


def bench_rng(prefix: str, seed: int) -> random.Random:
    """A random stream of the world's own, so two worlds built with one seed draw different people."""
    return random.Random(f"{seed}:{prefix}")


def _region(code: str, r: int) -> Region:
    """A region by code, reused when it exists (the demo bank's seven regions are real reference codes)."""
    found = Region.objects.filter(code=code).first()
    if found is not None:
        return found
    return region_create(actor=None, code=code, name_zh=f"基准区域{code}", name_en=f"Bench region {r}")


def bench_org(prefix: str, *, regions: int | Sequence[str] = 1, teams_per_region: int = 1,
              managers_per_team: int = 1, director: bool = False, city: str = "上海",
              channel: str = "direct") -> BenchOrg:
    """Regions (by count, or by code when the bench's figures depend on real codes), one branch per
    region, teams and account managers, and optionally a director; every code starts with `prefix`."""
    org = BenchOrg(prefix=prefix)
    codes = [f"{prefix}{r}" for r in range(regions)] if isinstance(regions, int) else list(regions)
    with fast_passwords():
        if director:
            org.director = staff_create(actor=None, username=f"bench_{prefix.lower()}_director",
                                        password=BENCH_PASSWORD, name="基准总监", employee_no=f"{prefix}D0001",
                                        role=Role.DIRECTOR)
        for r, code in enumerate(codes):
            region = _region(code, r)
            branch = branch_create(actor=None, code=f"{prefix}B{r}", name_zh=f"基准分行{prefix}{r}",
                                   name_en=f"Bench branch {prefix}{r}", region=region, city=city)
            org.regions.append(region)
            org.branches.append(branch)
            for t in range(teams_per_region):
                team = team_create(actor=None, code=f"{prefix}T{r}-{t}", name=f"基准组{prefix}{r}-{t}",
                                   branch=branch, channel=channel)
                org.teams.append(team)
                org.managers += [
                    staff_create(actor=None, username=f"bench_{prefix.lower()}_{r}_{t}_{m}", password=BENCH_PASSWORD,
                                 name=f"经理{prefix}{r}-{t}-{m}", employee_no=f"{prefix}{r}-{t}-{m}",
                                 role=Role.ACCOUNT_MANAGER, team=team)
                    for m in range(managers_per_team)]
    return org


def fresh_id_numbers(rng: random.Random, count: int, *, birth_from: date = date(1960, 1, 1),
                     birth_to: date = date(2003, 12, 31)) -> list[str]:
    """`count` distinct valid ID numbers none of which is registered yet (in drawing order)."""
    numbers: dict[str, str] = {}
    while len(numbers) < count:
        drawn = [make_id_number(rng, birth_from=birth_from, birth_to=birth_to)
                 for _ in range(count - len(numbers))]
        hashes = {keyed_hash(n): n for n in drawn if n not in numbers}
        taken = set(Customer.objects.filter(kind=Customer.Kind.PERSON, id_number_hash__in=list(hashes))
                    .values_list("id_number_hash", flat=True))
        numbers.update({n: h for h, n in hashes.items() if h not in taken})
    return list(numbers)


def bench_customers(org: BenchOrg, count: int, *, seed: int,
                    industries: Sequence[str] = DEFAULT_INDUSTRIES) -> list[Customer]:
    """`count` person customers through `customer_create`, spread over the world's managers in turn."""
    placed = [(manager, manager.region) for manager in org.managers]
    numbers = fresh_id_numbers(bench_rng(org.prefix, seed), count)
    customers = []
    for i, number in enumerate(numbers):
        manager, region = placed[i % len(placed)]
        if region is None:
            raise ValueError(f"bench manager {manager.employee_no} has no region")
        customers.append(customer_create(actor=None, kind=Customer.Kind.PERSON, name=f"基准客户{org.prefix}{i}",
                                         id_number=number, industry=industries[i % len(industries)],
                                         region=region, manager=manager))
    return customers
