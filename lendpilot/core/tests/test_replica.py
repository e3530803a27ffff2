"""With DATABASE_REPLICA_URL set, the GET requests of the insights pages and API read from the replica;
writes, other pages, unsafe methods, logins, sessions and the audit log stay on the primary."""

import pytest
from django.contrib.sessions.models import Session
from django.db import connections
from django.http import HttpResponse
from django.test import RequestFactory

from lendpilot.compliance.models import AuditEvent
from lendpilot.core.replica import REPLICA, ReplicaReadMiddleware, ReplicaRouter
from lendpilot.lending.models import Loan


@pytest.fixture
def replica_configured():
    """The "replica" alias as settings declare it when DATABASE_REPLICA_URL is set (never connected here)."""
    connections.settings[REPLICA] = {**connections.settings["default"]}
    yield
    del connections.settings[REPLICA]


def _reads_during(method: str, path: str) -> dict:
    seen: dict = {}
    router = ReplicaRouter()

    def view(request):
        seen.update(loan=router.db_for_read(Loan), session=router.db_for_read(Session),
                    audit=router.db_for_read(AuditEvent), write=router.db_for_write(Loan))
        return HttpResponse("ok")

    ReplicaReadMiddleware(view)(getattr(RequestFactory(), method)(path))
    return seen


def test_insights_reads_go_to_the_replica_and_the_rest_to_the_primary(replica_configured):
    assert _reads_during("get", "/insights/kanban/") == {"loan": REPLICA, "session": None, "audit": None,
                                                          "write": "default"}
    assert _reads_during("get", "/api/v1/insights/metrics")["loan"] == REPLICA
    assert _reads_during("post", "/insights/kanban/")["loan"] is None
    assert _reads_during("get", "/lending/loans/")["loan"] is None
    assert ReplicaRouter().db_for_read(Loan) is None  # outside a request


def test_without_a_replica_nothing_changes():
    assert _reads_during("get", "/insights/kanban/")["loan"] is None
    assert ReplicaRouter().allow_migrate(REPLICA, "lending") is False
