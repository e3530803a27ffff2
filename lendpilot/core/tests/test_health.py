"""Probes, metrics and database outages: /healthz, /readyz (database, migrations, scheduler heartbeat),
/metrics for the allowed addresses, 503 with Retry-After when the database is away (logged once), and a
connection the server terminated between requests replaced instead of failing the next request."""

import json
import logging
import urllib.request
from datetime import timedelta

import pytest
from django.db import OperationalError, connection
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.utils import timezone

from lendpilot.core.models import ScheduledRun
from lendpilot.core.outage import DatabaseOutageMiddleware, outage_log
from lendpilot.core.scheduling import HEARTBEAT_JOB, heartbeat

pytestmark = pytest.mark.django_db
postgres_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="terminates a PostgreSQL backend")


def test_healthz_answers_without_the_database():
    response = Client().get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}


def test_readyz_checks_database_migrations_and_scheduler(settings):
    body = Client().get("/readyz").json()
    assert body["status"] == "ready"
    assert body["checks"]["database"]["ok"] and body["checks"]["migrations"]["ok"]
    assert body["checks"]["scheduler"]["detail"] == "no heartbeat yet"
    settings.LENDPILOT_READY_REQUIRES_SCHEDULER = True
    response = Client().get("/readyz")
    assert response.status_code == 503 and not response.json()["checks"]["scheduler"]["ok"]
    heartbeat()
    assert Client().get("/readyz").status_code == 200
    ScheduledRun.objects.filter(job=HEARTBEAT_JOB).update(enqueued_at=timezone.now() - timedelta(minutes=10))
    response = Client().get("/readyz")
    assert response.status_code == 503 and "window 180 s" in response.json()["checks"]["scheduler"]["detail"]


def test_metrics_show_view_latency_eod_stages_and_queue_depth_to_allowed_addresses_only(world):
    from lendpilot.monitoring import services

    services.eod_run(actor=None, business_date="2025-03-03")
    client = Client()
    client.get("/healthz")
    text = client.get("/metrics").content.decode()
    assert 'django_http_requests_latency_seconds_by_view_method_bucket' in text
    assert 'view="healthz"' in text
    assert 'lendpilot_eod_stage_seconds{stage="delinquency"}' in text
    assert "lendpilot_task_queue_depth" in text and "lendpilot_scheduler_heartbeat_age_seconds -1.0" in text
    assert Client(REMOTE_ADDR="10.1.2.3").get("/metrics").status_code == 404


def _outage_request(path="/lending/"):
    return RequestFactory().get(path)


def test_a_database_error_answers_503_with_retry_after_and_is_logged_once(caplog):
    middleware = DatabaseOutageMiddleware(lambda request: HttpResponse("ok"))
    caplog.set_level(logging.WARNING, logger="lendpilot.outage")
    try:
        first = middleware.process_exception(_outage_request(), OperationalError("server closed the connection"))
        second = middleware.process_exception(_outage_request("/api/v1/lending/loans"), OperationalError("again"))
        assert first.status_code == 503 and first["Retry-After"] == "10"
        assert second.status_code == 503 and json.loads(second.content)["detail"]
        assert middleware.process_exception(_outage_request(), ValueError("not the database")) is None
        assert [r.levelname for r in caplog.records] == ["ERROR"]
        middleware(_outage_request())  # a request that succeeds ends the outage
        assert [r.levelname for r in caplog.records] == ["ERROR", "WARNING"]
        assert "2 requests answered 503" in caplog.records[-1].getMessage()
    finally:
        outage_log.succeeded()


def _terminate_other_backends():
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                       "WHERE datname = current_database() AND pid <> pg_backend_pid()")


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_an_api_request_on_a_terminated_connection_answers_503_then_recovers(live_world):
    client = Client()
    client.force_login(live_world.user("risk_l1"))
    assert client.get("/api/v1/monitoring/eod-runs").status_code == 200
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    import psycopg

    params = connection.get_connection_params()
    with psycopg.connect(dbname=params["dbname"], user=params.get("user"), host=params.get("host"),
                         port=params.get("port"), autocommit=True) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [pid])
    try:
        response = client.get("/api/v1/monitoring/eod-runs")
        assert response.status_code == 503 and response["Retry-After"] == "10"
        assert "数据库" in response.json()["detail"]  # the zh-Hans answer names the database
    finally:
        outage_log.succeeded()
        connection.close()
    assert client.get("/api/v1/monitoring/eod-runs").status_code == 200


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_a_persistent_connection_terminated_between_requests_is_replaced(live_server):
    connection.settings_dict["CONN_MAX_AGE"] = 60
    try:
        def ready() -> int:
            try:
                with urllib.request.urlopen(f"{live_server.url}/readyz", timeout=10) as answer:  # noqa: S310
                    return answer.status
            except urllib.error.HTTPError as exc:
                return exc.code

        assert ready() == 200
        _terminate_other_backends()  # the server thread's kept connection
        assert ready() == 200
    finally:
        connection.settings_dict["CONN_MAX_AGE"] = 0
