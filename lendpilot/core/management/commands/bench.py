"""`python manage.py bench [NAME ...] --scale S`: run benchmarks, print JSON lines.

Runs on a throw-away database (Django's test database machinery, suffix `_bench<pid>`) so that the
working database is never touched. Each world (a bench, or benches sharing one book) starts from the freshly
migrated database, so `make bench` runs every bench in one go at any scale; a bench that fails is reported
with its traceback, the others still run, and the command exits with an error naming the failed ones.
"""

import os
import sys

from django.core.management.base import BaseCommand, CommandError
from django.db import connections
from django.test.utils import setup_databases, teardown_databases

from lendpilot.core.bench import (
    SCALES,
    BenchContext,
    Measurement,
    WorldReset,
    in_world_order,
    registered_benchmarks,
    run_benches,
)


class Command(BaseCommand):
    help = "Run named benchmarks (all when none is named) and print one JSON object per line."

    def add_arguments(self, parser):
        parser.add_argument("names", nargs="*", help="benchmark names; empty runs all")
        parser.add_argument("--scale", choices=SCALES, default="small")
        parser.add_argument("--seed", type=int, default=42)
        parser.add_argument("--list", dest="list_only", action="store_true", help="list the benchmarks and exit")

    def handle(self, *args, names, scale, seed, list_only, **options):
        available = registered_benchmarks()
        if list_only:
            for name in available:
                self.stdout.write(name)
            return
        unknown = [n for n in names if n not in available]
        if unknown:
            raise CommandError(f"unknown benchmark(s): {', '.join(unknown)}; known: {', '.join(available)}")
        chosen = names or list(available)
        for alias in connections:
            settings = connections[alias].settings_dict
            settings.setdefault("TEST", {})
            # one database per run: two runs at once on a shared machine must not drop each other's
            if settings["ENGINE"].endswith("sqlite3"):
                settings["TEST"]["NAME"] = f"{settings['NAME']}.bench{os.getpid()}"
            else:
                settings["TEST"]["NAME"] = f"{settings['NAME']}_bench{os.getpid()}"
        old_config = setup_databases(verbosity=0, interactive=False, keepdb=False, serialized_aliases=set())
        try:
            context = BenchContext(scale=scale, seed=seed)
            world = WorldReset() if len(in_world_order(chosen)) > 1 else None
            failed = run_benches(chosen, available, context, self._write,
                                 reset=world.restore if world is not None else None)
        finally:
            teardown_databases(old_config, verbosity=0)
        if failed:
            raise CommandError(f"failed: {', '.join(failed)} (tracebacks above); the other benches ran")

    def _write(self, measurement: Measurement) -> None:
        self.stdout.write(measurement.to_json())
        sys.stdout.flush()
