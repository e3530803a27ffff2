"""Writes of the command centre (FEATURES B9, F1): the daily metric snapshot.

`metric_snapshots_build` writes, for every business date of a range, one row per dimension and key with the
additive sums every flow metric is derived from (`catalogue.FLOW_SUMS`). Set-based: per dimension, ONE
`INSERT ... SELECT ... GROUP BY date, key` over the union of the raw sources (`flows.flow_sql`, the same
SQL the engine runs for the days not built yet). Idempotent: a date's rows are deleted and rebuilt in one
transaction, so a second run for the same date changes nothing, and a killed run leaves the date unbuilt.
"""

import time
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from lendpilot.compliance.audit import record_batch_event
from lendpilot.core.field_values import read_date
from lendpilot.insights.catalogue import DIMENSIONS, FLOW_SUMS
from lendpilot.insights.flows import flow_sql
from lendpilot.insights.models import MetricSnapshot, MetricSnapshotDay
from lendpilot.org.access import actor_of, require
from lendpilot.org.roles import Perm

MAX_RANGE_DAYS = 800


def _insert(dimension: str, start: date, end: date) -> int:
    union, params = flow_sql(dimension, [(start, end)])
    qn = connection.ops.quote_name
    columns = ", ".join(qn(c) for c in FLOW_SUMS)
    sums = ", ".join(f"COALESCE(SUM(u.{c}), 0)" for c in FLOW_SUMS)
    sql = (f"INSERT INTO {qn(MetricSnapshot._meta.db_table)} ({qn('business_date')}, {qn('dimension')}, "  # noqa: S608
           f"{qn('key')}, {columns}) SELECT u.d, %s, u.k, {sums} FROM ({union}) u GROUP BY u.d, u.k")
    with connection.cursor() as cursor:
        cursor.execute(sql, [dimension, *params])
        return max(cursor.rowcount, 0)


@transaction.atomic
def metric_snapshots_build(*, actor, business_date=None, date_to=None) -> dict:
    """Build the metric snapshot of `business_date` (default yesterday), or of every date up to `date_to`
    when given (the backfill). Rejects a malformed date, a range that ends before it starts, is longer than
    800 days or reaches past today (422 naming the field). Returns the counts written."""
    acting = actor_of(actor)
    require(acting, Perm.RUN_EOD)
    today = timezone.localdate()
    start = read_date(business_date, field="business_date") if business_date else today - timedelta(days=1)
    end = read_date(date_to, field="date_to") if date_to else start
    if end < start:
        raise ValidationError({"date_to": _("the range ends before it starts")})
    if (end - start).days > MAX_RANGE_DAYS:
        raise ValidationError({"date_to": _("build at most 800 days at once")})
    if end > today:
        raise ValidationError({"date_to" if date_to else "business_date": _("the date lies in the future")})
    t0 = time.perf_counter()
    MetricSnapshot.objects.filter(business_date__range=(start, end)).delete()
    rows = {dimension: _insert(dimension, start, end) for dimension in DIMENSIONS}
    seconds = round(time.perf_counter() - t0, 3)
    days = [start + timedelta(days=n) for n in range((end - start).days + 1)]
    MetricSnapshotDay.objects.filter(business_date__range=(start, end)).delete()
    per_day = dict(MetricSnapshot.objects.filter(business_date__range=(start, end)).values_list("business_date")
                   .annotate(n=Count("pk")).order_by())
    MetricSnapshotDay.objects.bulk_create([
        MetricSnapshotDay(business_date=d, rows=per_day.get(d, 0), seconds=seconds / len(days)) for d in days])
    summary = {"batch_id": f"metric_snapshot:{start.isoformat()}..{end.isoformat()}", "date_from": start.isoformat(),
               "date_to": end.isoformat(), "days": len(days), "rows": sum(rows.values()), "per_dimension": rows,
               "seconds": seconds}
    record_batch_event(actor=acting.user, event_code="insights.metric_snapshots_built", summary=summary)
    return summary
