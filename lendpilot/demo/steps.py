"""The demo bank is built by ordered steps. Each step is a module with `seed(ctx)` that creates its
part of the bank and returns the counts it created; later capabilities (leads, loans, repayments,
targets, ...) add their module to `STEPS` after the ones they stand on.

The runner times every step and writes one batch audit event per step (`demo.bank_seeded`, with
the counts), so the log records the load without a row per customer and its chain still verifies.
"""

from importlib import import_module

from django.core.management import call_command
from django.db import connection

from lendpilot.compliance.audit import record_batch_event
from lendpilot.core.seeding import SeedContext
from lendpilot.org.calendar.services import calendar_seed_packaged

STEPS: tuple[str, ...] = (
    "lendpilot.org.demo",
    "lendpilot.products.demo",
    "lendpilot.customers.demo",
    "lendpilot.scoring.demo",
    "lendpilot.lending.demo",
    "lendpilot.sales.demo",
    "lendpilot.monitoring.demo",
    "lendpilot.demo.channels",
    "lendpilot.demo.portrait",
    "lendpilot.planning.demo",
    "lendpilot.market.demo",
    "lendpilot.service.demo",
    "lendpilot.incentives.demo",
    "lendpilot.talent.demo",
    "lendpilot.products.scenario_demo",
    "lendpilot.sales.scenarios.demo",
    "lendpilot.insights.demo",
    "lendpilot.insights.review.demo",
    "lendpilot.demo.compliance",
)


def reset_database() -> None:
    """Empty every table (Django's flush), so that a seed can be loaded again from nothing; the holiday
    arrangements that the migrations seeded are put back."""
    call_command("flush", interactive=False, verbosity=0)
    calendar_seed_packaged(actor=None)


def run_steps(ctx: SeedContext, *, steps: tuple[str, ...] = STEPS) -> SeedContext:
    for path in steps:
        module = import_module(path)
        label = path.removeprefix("lendpilot.").removesuffix(".demo")
        with ctx.timed(label) as counts:
            counts.update(module.seed(ctx))
            record_batch_event(
                actor=None,
                event_code="demo.bank_seeded",
                summary={
                    "batch_id": f"demo:{ctx.scale.name}:{ctx.seed}:{label}",
                    "step": label,
                    "scale": ctx.scale.name,
                    "seed": ctx.seed,
                    "database": connection.vendor,
                    "counts": dict(counts),
                },
            )
    return ctx


def seed_demo(*, scale: str, seed: int, reset: bool = False, show_progress: bool = True,
              today=None) -> SeedContext:
    if reset:
        reset_database()
    ctx = SeedContext.create(scale=scale, seed=seed, show_progress=show_progress, today=today)
    return run_steps(ctx)
