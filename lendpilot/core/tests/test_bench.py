"""`manage.py bench` runs every bench in one database: each world starts from the migrated state."""

import pytest

from lendpilot.core.bench import WorldReset, in_world_order, registered_benchmarks
from lendpilot.core.models import CalendarDay
from lendpilot.org.models import Region


def test_benches_sharing_a_book_run_together_and_every_other_world_alone():
    registered_benchmarks()
    assert in_world_order(["cockpit", "eod", "drilldown", "segment_count", "tags_recompute"]) == [
        ["cockpit", "drilldown"], ["eod"], ["segment_count", "tags_recompute"]]


@pytest.mark.django_db
def test_a_world_reset_drops_the_previous_benchs_rows_and_keeps_what_migrations_loaded():
    seeded_days = CalendarDay.objects.count()
    assert seeded_days > 0  # the official arrangements come with a migration
    reset = WorldReset()
    Region.objects.create(code="BR", name_zh="基准", name_en="Bench")
    reset.restore()
    assert not Region.objects.exists()
    assert CalendarDay.objects.count() == seeded_days
    Region.objects.create(code="BR", name_zh="基准", name_en="Bench")  # the next bench's set-up does not collide


def test_a_failing_bench_is_reported_and_the_others_still_run():
    from lendpilot.core.bench import BenchContext, Measurement, run_benches

    def broken(ctx):
        yield Measurement("broken", "first", 1.0, "s")
        raise RuntimeError("duplicate ID number")

    def healthy(ctx):
        yield Measurement("healthy", "rows_per_second", 10.0, "rows/s", baseline=5.0)

    written, resets = [], []
    failed = run_benches(["broken", "healthy"], {"broken": broken, "healthy": healthy}, BenchContext(scale="small"),
                         written.append, reset=lambda: resets.append(True))
    assert failed == ["broken"]
    assert [(m.bench, m.metric) for m in written] == [("broken", "first"), ("healthy", "rows_per_second")]
    assert resets == [True]  # the healthy bench started from a fresh world
