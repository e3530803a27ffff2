"""The daily metric snapshot: set-based, idempotent per date, rejects bad dates and strangers without writing,
and its nightly task and backfill command."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.utils import timezone

from lendpilot.compliance.models import AuditEvent
from lendpilot.insights.models import MetricSnapshot, MetricSnapshotDay
from lendpilot.insights.services import metric_snapshots_build
from lendpilot.insights.tasks import build_metric_snapshots_task


def test_a_day_is_built_once_however_often_it_runs(world, book):
    day = date(2026, 11, 10)
    metric_snapshots_build(actor=None, business_date=day)
    first = list(MetricSnapshot.objects.filter(business_date=day).values_list("dimension", "key", "disbursed_amount",
                                                                              "loans"))
    metric_snapshots_build(actor=None, business_date=day)
    again = list(MetricSnapshot.objects.filter(business_date=day).values_list("dimension", "key", "disbursed_amount",
                                                                              "loans"))
    assert first == again
    assert ("all", "all", 600000, 1) in [(d, k, int(a), n) for d, k, a, n in first]
    assert MetricSnapshotDay.objects.filter(business_date=day).count() == 1
    dims = {d for d, _k, _a, _n in first}
    assert dims == {"all", "region", "team", "manager", "product", "channel", "tier", "partner"}


def test_a_range_is_built_in_one_go_and_audited(world, book):
    summary = metric_snapshots_build(actor=world.user("operations"), business_date="2026-11-01", date_to="2026-11-19")
    assert summary["days"] == 19
    assert MetricSnapshotDay.objects.count() == 19
    assert AuditEvent.objects.filter(event_code="insights.metric_snapshots_built").exists()


@pytest.mark.parametrize(("kwargs", "field"), [
    ({"business_date": "2026-13-01"}, "business_date"),
    ({"business_date": "2026-11-10", "date_to": "2026-11-01"}, "date_to"),
    ({"business_date": (timezone.localdate() + timedelta(days=2)).isoformat()}, "business_date"),
])
def test_bad_dates_are_refused_and_nothing_is_written(world, kwargs, field):
    with pytest.raises(ValidationError) as info:
        metric_snapshots_build(actor=None, **kwargs)
    assert field in info.value.message_dict
    assert not MetricSnapshot.objects.exists() and not MetricSnapshotDay.objects.exists()


def test_only_batch_operators_build(world):
    with pytest.raises(PermissionDenied):
        metric_snapshots_build(actor=world.user("am_wang"), business_date="2026-11-01")
    assert not MetricSnapshotDay.objects.exists()


def test_the_nightly_task_builds_the_day_before(world, book):
    build_metric_snapshots_task.call(business_date="2026-11-11")
    assert list(MetricSnapshotDay.objects.values_list("business_date", flat=True)) == [date(2026, 11, 10)]


def test_backfill_command(world, book, capsys):
    call_command("build_metric_snapshots", "--from", "2026-10-01", "--to", "2026-10-31")
    assert MetricSnapshotDay.objects.count() == 31
    assert '"days": 31' in capsys.readouterr().out
