"""What every demo step receives: the scale, a seeded random generator, a seeded Faker, the ids
created so far, a progress bar helper and a timing log.

A step is a module with `seed(ctx) -> dict[str, int]` (the counts it created); the runner in
`lendpilot.demo.steps` calls the steps in order, times each and writes one batch audit event per
step. Everything random comes from `ctx.rng` (and `ctx.faker`, seeded from the same seed), so the
same seed reproduces the same bank.
"""

import random
import sys
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import connection
from django.utils import timezone
from faker import Faker
from tqdm import tqdm

from lendpilot.core.bulk_load import analyze, indexes_rebuilt_after, insert_rows

DEMO_PASSWORD = "lendpilot-demo"  # noqa: S105 (the published password of the demo logins)


@dataclass(frozen=True)
class Scale:
    """How big the demo bank is. Counts are targets; steps derive the rest from them."""

    name: str
    customers: int
    branches_per_region: int
    teams: int
    account_managers: int
    risk_officers: tuple[int, int, int]  # level 1, 2, 3
    compliance_officers: int
    operations_staff: int
    channel_partners: int
    enterprise_share: float = 0.3
    batch_size: int = 5000


SCALES: dict[str, Scale] = {
    # For tests only: one team per region, a few hundred customers.
    "tiny": Scale("tiny", customers=300, branches_per_region=1, teams=7, account_managers=21,
                  risk_officers=(1, 1, 1), compliance_officers=1, operations_staff=1, channel_partners=1,
                  batch_size=100),
    "small": Scale("small", customers=5_000, branches_per_region=2, teams=20, account_managers=150,
                   risk_officers=(6, 3, 1), compliance_officers=3, operations_staff=6, channel_partners=3),
    "medium": Scale("medium", customers=50_000, branches_per_region=3, teams=60, account_managers=500,
                    risk_officers=(15, 6, 2), compliance_officers=6, operations_staff=15, channel_partners=10,
                    batch_size=10_000),
    "bank": Scale("bank", customers=1_000_000, branches_per_region=5, teams=200, account_managers=2_000,
                  risk_officers=(40, 12, 4), compliance_officers=20, operations_staff=60, channel_partners=40,
                  batch_size=20_000),
}
PUBLIC_SCALES = ("small", "medium", "bank")
# From this many rows a load drops the table's secondary indexes and builds them afterwards
# (PostgreSQL); below it, keeping them up to date row by row costs less than rebuilding them.
REBUILD_INDEXES_FROM = 200_000


@dataclass
class Login:
    role: str
    username: str
    name: str
    where: str = ""


@dataclass
class StepTiming:
    step: str
    seconds: float
    counts: dict[str, int]


@dataclass
class SeedContext:
    scale: Scale
    seed: int
    rng: random.Random
    faker: Faker
    show_progress: bool = True
    # Dates (hiring, onboarding, later disbursements) are placed relative to this day, so a seed gives
    # the same bank on the same day and a bank that looks current on any day.
    today: date = field(default_factory=timezone.localdate)
    # Ids created so far, by kind ("staff.account_manager", "products", ...), in creation order.
    ids: dict[str, list[int]] = field(default_factory=dict)
    # Anything else a later step may want from an earlier one.
    info: dict[str, Any] = field(default_factory=dict)
    password: str = DEMO_PASSWORD
    logins: list[Login] = field(default_factory=list)
    timings: list[StepTiming] = field(default_factory=list)

    @classmethod
    def create(cls, *, scale: str | Scale, seed: int, show_progress: bool = True,
               today: date | None = None) -> "SeedContext":
        scale_obj = scale if isinstance(scale, Scale) else SCALES[scale]
        faker = Faker("zh_CN")
        faker.seed_instance(seed)
        ctx = cls(scale=scale_obj, seed=seed, rng=random.Random(seed), faker=faker, show_progress=show_progress)
        if today is not None:
            ctx.today = today
        return ctx

    def sub_faker(self, purpose: str) -> Faker:
        """A Faker of its own for one purpose, seeded like `sub_rng`."""
        faker = Faker("zh_CN")
        faker.seed_instance(f"{self.seed}:{purpose}")
        return faker

    def sub_rng(self, purpose: str) -> random.Random:
        """An independent generator for one purpose, so that adding draws in one step does not shift
        the data of another."""
        return random.Random(f"{self.seed}:{purpose}")

    def progress(self, iterable: Iterable | None = None, *, total: int | None = None, desc: str = "",
                 unit: str = "rows") -> tqdm:
        return tqdm(iterable, total=total, desc=desc, unit=unit, unit_scale=True, leave=False,
                    disable=not self.show_progress, file=sys.stderr, dynamic_ncols=True)

    @contextmanager
    def timed(self, step: str) -> Iterator[dict[str, int]]:
        counts: dict[str, int] = {}
        started = time.perf_counter()
        yield counts
        self.timings.append(StepTiming(step, time.perf_counter() - started, counts))

    def add_login(self, *, role: str, username: str, name: str, where: str = "") -> None:
        self.logins.append(Login(role=role, username=username, name=name, where=where))

    def add_ids(self, kind: str, ids: Iterable[int]) -> None:
        self.ids.setdefault(kind, []).extend(ids)

    def insert_rows(self, model, columns: list[str], rows: Iterable[tuple], *, total: int, desc: str) -> int:
        """Bulk insert generated rows (COPY on PostgreSQL, batched bulk_create elsewhere) with a
        progress bar."""
        with self.progress(total=total, desc=desc) as bar:
            if total < REBUILD_INDEXES_FROM:
                return insert_rows(model, columns, rows, batch_size=self.scale.batch_size, on_batch=bar.update)
            with indexes_rebuilt_after(model):
                return insert_rows(model, columns, rows, batch_size=self.scale.batch_size, on_batch=bar.update)

    def analyze(self, model) -> None:
        analyze(model)

    @property
    def is_postgresql(self) -> bool:
        return connection.vendor == "postgresql"

    def seconds_of(self, step: str) -> float:
        return sum(t.seconds for t in self.timings if t.step == step)
