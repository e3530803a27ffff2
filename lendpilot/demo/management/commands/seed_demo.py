"""`python manage.py seed_demo --scale small|medium|bank --seed N [--reset]`: load the demo bank.

The same seed gives the same bank (names, identifiers, who owns whom). `--reset` empties the
database first, so the command can be run again; without it the database must be empty. At the
end it prints one login per role; every demo login shares the demo password.
"""

import time

from django.core.management.base import BaseCommand, CommandError

from lendpilot.core.seeding import PUBLIC_SCALES, SCALES
from lendpilot.demo.steps import seed_demo
from lendpilot.org.models import Region


class Command(BaseCommand):
    help = "Load the demo bank (organisation, products, customers) for a scale and a seed."

    def add_arguments(self, parser):
        parser.add_argument("--scale", choices=list(SCALES), default="small",
                            help=f"{', '.join(PUBLIC_SCALES)} (tiny is for tests)")
        parser.add_argument("--seed", type=int, default=42)
        parser.add_argument("--reset", action="store_true", help="empty the database first")
        parser.add_argument("--no-progress", action="store_true", help="no progress bars")

    def handle(self, *args, scale, seed, reset, no_progress, **options):
        if not reset and Region.objects.exists():
            raise CommandError("the database already holds an organisation; run with --reset to replace it")
        started = time.perf_counter()
        ctx = seed_demo(scale=scale, seed=seed, reset=reset, show_progress=not no_progress)
        elapsed = time.perf_counter() - started

        self.stdout.write(self.style.SUCCESS(f"Demo bank loaded: scale {scale}, seed {seed}, {elapsed:.1f} s"))
        for timing in ctx.timings:
            counts = ", ".join(f"{name} {value:,}" for name, value in timing.counts.items())
            self.stdout.write(f"  {timing.step:<10} {timing.seconds:7.2f} s  {counts}")
        self.stdout.write("")
        self.stdout.write(f"Logins (password for all: {ctx.password})")
        width = max(len(login.username) for login in ctx.logins)
        for login in ctx.logins:
            where = f"  {login.where}" if login.where else ""
            self.stdout.write(f"  {login.username:<{width}}  {login.role} · {login.name}{where}")
