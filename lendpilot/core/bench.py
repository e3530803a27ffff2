"""The benchmark registry behind `python manage.py bench`.

Each domain package declares its benchmarks in a `benchmarks.py` module with the `benchmark`
decorator; the command discovers them, runs them against a throw-away database and prints one
JSON object per line: bench, metric, value, unit, baseline, ratio. A benchmark measures the real
code path and a baseline (usually the naive per-row way) on the same machine, so the ratio says
how much the chosen design buys. Benchmarks are never timed assertions in tests.

Every bench starts from the freshly migrated database: the runner empties it and restores the migrated
state between worlds (`WorldReset`), so a bench's set-up never meets another bench's rows. Benches that
declare the same `world` (cockpit and drilldown read one book) run one after the other on one database.
"""

import json
import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.core.cache import cache
from django.core.management import call_command
from django.db import connections
from django.utils.module_loading import autodiscover_modules

SCALES = ("small", "medium", "bank")
logger = logging.getLogger(__name__)


@dataclass
class BenchContext:
    scale: str
    seed: int = 42
    options: dict[str, Any] = field(default_factory=dict)


@dataclass
class Measurement:
    bench: str
    metric: str
    value: float
    unit: str
    baseline: float | None = None
    notes: dict[str, Any] = field(default_factory=dict)

    @property
    def ratio(self) -> float | None:
        """How many times better than the baseline (higher is better for rates, lower for times)."""
        if not self.baseline or not self.value:
            return None
        if self.unit.endswith("/s"):
            return round(self.value / self.baseline, 2)
        return round(self.baseline / self.value, 2)

    def to_json(self) -> str:
        row = {
            "bench": self.bench,
            "metric": self.metric,
            "value": round(self.value, 3),
            "unit": self.unit,
            "baseline": None if self.baseline is None else round(self.baseline, 3),
            "ratio": self.ratio,
        }
        row.update(self.notes)
        return json.dumps(row, ensure_ascii=False)


BenchFunction = Callable[[BenchContext], Iterator[Measurement]]
_REGISTRY: dict[str, BenchFunction] = {}
_WORLDS: dict[str, str] = {}


def benchmark(name: str, *, world: str | None = None) -> Callable[[BenchFunction], BenchFunction]:
    """Register a bench; `world` names the data it shares with other benches (default: its own)."""

    def register(func: BenchFunction) -> BenchFunction:
        if name in _REGISTRY and _REGISTRY[name] is not func:
            raise ValueError(f"benchmark {name!r} registered twice")
        _REGISTRY[name] = func
        _WORLDS[name] = world or name
        return func

    return register


def registered_benchmarks() -> dict[str, BenchFunction]:
    autodiscover_modules("benchmarks")
    return dict(sorted(_REGISTRY.items()))


def world_of(name: str) -> str:
    return _WORLDS.get(name, name)


def in_world_order(names: list[str]) -> list[list[str]]:
    """The chosen benches grouped by world, each group in the order its first member was named."""
    groups: dict[str, list[str]] = {}
    for name in names:
        groups.setdefault(world_of(name), []).append(name)
    return list(groups.values())


class WorldReset:
    """The migrated state of every database, taken once; `restore()` empties the tables and puts it back.

    The same flush-and-reload as Django's `serialized_rollback` test cases (reference rows that migrations
    load, such as the business calendar, come back; sequences restart), plus an empty cache."""

    def __init__(self) -> None:
        self._contents = {alias: connections[alias].creation.serialize_db_to_string() for alias in connections}

    def restore(self) -> None:
        for alias, contents in self._contents.items():
            call_command("flush", database=alias, interactive=False, verbosity=0, inhibit_post_migrate=True)
            connections[alias].creation.deserialize_db_from_string(contents)
        cache.clear()


class Stopwatch:
    """`with Stopwatch() as sw: ...; sw.seconds`"""

    def __enter__(self) -> "Stopwatch":
        self._start = time.perf_counter()
        self.seconds = 0.0
        return self

    def __exit__(self, *exc: object) -> None:
        self.seconds = time.perf_counter() - self._start


def run_benches(chosen: list[str], available: dict[str, BenchFunction], context: BenchContext,
                write: Callable[[Measurement], None], reset: Callable[[], None] | None = None) -> list[str]:
    """Run the chosen benches world by world (`reset` between worlds), writing each measurement as it comes.

    A bench that raises is logged with its traceback and the run goes on with the next world, so one broken
    bench does not hide how the others do; returns the names of the benches that failed."""
    failed: list[str] = []
    for position, group in enumerate(in_world_order(chosen)):
        if reset is not None and position:
            reset()
        for name in group:
            started = time.perf_counter()
            try:
                for measurement in available[name](context):
                    write(measurement)
            except Exception:
                seconds = time.perf_counter() - started
                logger.exception("bench %s failed", name, extra={"bench": name, "scale": context.scale,
                                                                  "duration_ms": round(seconds * 1000)})
                failed.append(name)
    return failed
