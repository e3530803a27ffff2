"""Probes and metrics for operations.

- `/healthz`: the process answers (no database): for a liveness probe that restarts a hung process.
- `/readyz`: the database answers, every migration is applied, and the scheduler's heartbeat is within
  its window (required when LENDPILOT_READY_REQUIRES_SCHEDULER is on): for the load balancer and the
  operations monitor. 200 when ready, 503 with the failing checks otherwise.
- `/metrics`: Prometheus text format, for the addresses in LENDPILOT_METRICS_ALLOWED_IPS only. Request
  counts and latency per view come from django-prometheus's middleware; collectors registered with
  `register_db_collector` read figures from the database at scrape time (EOD stage durations, queue
  depth), so they are right whichever process did the work. With PROMETHEUS_MULTIPROC_DIR set (several
  web workers), the per-process metrics are merged from that directory.
"""

import logging
import os
import time
from collections.abc import Callable, Iterable

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.db.migrations.executor import MigrationExecutor
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest, multiprocess
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from lendpilot.core.scheduling import last_heartbeat

logger = logging.getLogger(__name__)

_migrations_applied = False
_db_collectors: list[Collector] = []


class DbCollector(Collector):
    """A collector whose figures are read from the database at scrape time; a database error gives no
    samples (the scrape still answers, and /readyz tells why)."""

    def __init__(self, read: Callable[[], Iterable[GaugeMetricFamily]]):
        self.read = read

    def collect(self):
        try:
            yield from list(self.read())
        except DatabaseError:
            logger.warning("metrics: %s could not read the database", getattr(self.read, "__name__", "collector"))

    def describe(self):
        return []  # read at scrape time only, never when registered


def register_db_collector(read: Callable[[], Iterable[GaugeMetricFamily]]) -> None:
    collector = DbCollector(read)
    _db_collectors.append(collector)
    REGISTRY.register(collector)


def task_queue_depth() -> Iterable[GaugeMetricFamily]:
    """Tasks waiting and running in the database task queue, per queue."""
    from django_tasks_db.models import DBTaskResult

    family = GaugeMetricFamily("lendpilot_task_queue_depth", "Tasks in the database queue by state",
                               labels=["queue", "state"])
    rows = DBTaskResult.objects.filter(status__in=["READY", "RUNNING"]).values_list("queue_name", "status")
    counts: dict[tuple[str, str], int] = {}
    for queue, status in rows.order_by().iterator():
        counts[(queue, status.lower())] = counts.get((queue, status.lower()), 0) + 1
    for (queue, state), n in sorted(counts.items()):
        family.add_metric([queue, state], n)
    yield family


def scheduler_heartbeat_age() -> Iterable[GaugeMetricFamily]:
    beat = last_heartbeat()
    family = GaugeMetricFamily("lendpilot_scheduler_heartbeat_age_seconds",
                               "Seconds since the scheduler last stamped its heartbeat (-1: never)")
    family.add_metric([], (timezone.now() - beat).total_seconds() if beat else -1)
    yield family


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


def _check_database() -> tuple[bool, str]:
    try:
        with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as exc:
        return False, f"{type(exc).__name__}: {exc}".strip()[:200]
    return True, "ok"


def _check_migrations() -> tuple[bool, str]:
    global _migrations_applied
    if _migrations_applied:  # a running process's code does not change: once applied, stays applied
        return True, "ok"
    try:
        executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except Exception as exc:  # a probe reports what is wrong (a broken migration file too), never a 500
        logger.exception("readyz: the migration state could not be read")
        return False, f"{type(exc).__name__}: {exc}".strip()[:200]
    if plan:
        return False, f"{len(plan)} migrations not applied"
    _migrations_applied = True
    return True, "ok"


def _check_scheduler() -> tuple[bool, str]:
    window = int(getattr(settings, "LENDPILOT_SCHEDULER_HEARTBEAT_WINDOW", 180))
    required = bool(getattr(settings, "LENDPILOT_READY_REQUIRES_SCHEDULER", False))
    try:
        beat = last_heartbeat()
    except DatabaseError as exc:
        return False, f"{type(exc).__name__}"
    if beat is None:
        return not required, "no heartbeat yet"
    age = (timezone.now() - beat).total_seconds()
    if age > window:
        return not required, f"last heartbeat {int(age)} s ago (window {window} s)"
    return True, f"last heartbeat {int(age)} s ago"


@never_cache
def readyz(request: HttpRequest) -> JsonResponse:
    started = time.perf_counter()
    checks: dict[str, dict] = {}
    db_ok, detail = _check_database()
    checks["database"] = {"ok": db_ok, "detail": detail}
    if db_ok:
        for name, check in (("migrations", _check_migrations), ("scheduler", _check_scheduler)):
            ok, detail = check()
            checks[name] = {"ok": ok, "detail": detail}
    ready = all(c["ok"] for c in checks.values())
    body = {"status": "ready" if ready else "not ready", "checks": checks,
            "seconds": round(time.perf_counter() - started, 4)}
    return JsonResponse(body, status=200 if ready else 503)


@never_cache
def metrics(request: HttpRequest) -> HttpResponse:
    allowed = getattr(settings, "LENDPILOT_METRICS_ALLOWED_IPS", ["127.0.0.1", "::1"])
    if request.META.get("REMOTE_ADDR") not in allowed:
        raise Http404
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        for collector in _db_collectors:
            registry.register(collector)
    else:
        registry = REGISTRY
    return HttpResponse(generate_latest(registry), content_type=CONTENT_TYPE_LATEST)
