"""Concurrent writers append to one chain: the head row lock serialises them (PostgreSQL)."""

import threading

import pytest
from django.db import connection

from lendpilot.compliance.audit import verify_chain
from lendpilot.compliance.models import AuditEvent
from lendpilot.org.services import region_create

pytestmark = pytest.mark.postgres


@pytest.fixture
def postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("row-lock concurrency is exercised on PostgreSQL (CI runs the suite there too)")


def test_parallel_service_writes_form_one_unbroken_chain(transactional_db, postgres_only):
    from django.db import connections

    start = threading.Barrier(8)
    errors = []

    def write(n):
        try:
            start.wait()
            for i in range(5):
                region_create(actor=None, code=f"R{n}-{i}", name_zh=f"区域{n}-{i}", name_en=f"Region {n}-{i}")
        except Exception as exc:  # noqa: BLE001 - reported to the main thread
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert list(AuditEvent.objects.order_by("seq").values_list("seq", flat=True)) == list(range(1, 41))
    assert verify_chain().ok
