"""`python manage.py bench [NAME ...] --scale S`: run benchmarks, print JSON lines.

Runs on a throw-away database (Django's test database machinery, suffix `_bench`) so that the
working database is never touched.
"""

import sys

from django.core.management.base import BaseCommand, CommandError
from django.db import connections
from django.test.utils import setup_databases, teardown_databases

from lendpilot.core.bench import SCALES, BenchContext, registered_benchmarks


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
            if settings["ENGINE"].endswith("sqlite3"):
                settings["TEST"]["NAME"] = str(settings["NAME"]) + ".bench"
            else:
                settings["TEST"]["NAME"] = f"{settings['NAME']}_bench"
        old_config = setup_databases(verbosity=0, interactive=False, keepdb=False)
        try:
            context = BenchContext(scale=scale, seed=seed)
            for name in chosen:
                for measurement in available[name](context):
                    self.stdout.write(measurement.to_json())
                    sys.stdout.flush()
        finally:
            teardown_databases(old_config, verbosity=0)
