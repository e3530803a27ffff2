"""The audit log is append-only and hash-chained; `verify_audit` finds the first broken link."""

import pytest
from django.core.management import call_command
from django.db import connection, transaction

from lendpilot.compliance.audit import record_event, verify_chain
from lendpilot.compliance.models import AppendOnlyError, AuditEvent
from lendpilot.customers.services import customer_update


def run_verify():
    """(exit code, output) of `manage.py verify_audit`."""
    from io import StringIO

    out, err = StringIO(), StringIO()
    try:
        call_command("verify_audit", stdout=out, stderr=err)
    except SystemExit as exc:
        return exc.code, out.getvalue() + err.getvalue()
    return 0, out.getvalue() + err.getvalue()


def test_every_service_write_of_the_world_is_in_the_log_and_the_chain_verifies(world):
    codes = set(AuditEvent.objects.values_list("event_code", flat=True))
    assert {"org.region_created", "org.staff_created", "customers.customer_created",
            "products.product_created"} <= codes
    code, output = run_verify()
    assert code == 0, output
    assert "intact" in output


def test_update_records_before_and_after(world):
    customer = world.customers["am_wang_person"]
    customer_update(actor=world.user("am_wang"), customer=customer, address="上海市浦东新区世纪大道100号")
    event = AuditEvent.objects.filter(event_code="customers.customer_updated").get()
    assert event.actor_id == world.user("am_wang").pk
    assert event.before["address"] == ""
    assert event.after["address"] == "上海市浦东新区世纪大道100号"
    assert event.object_id == str(customer.pk)


def test_editing_a_row_breaks_the_chain_at_that_row(world):
    victim = AuditEvent.objects.order_by("seq")[5]
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {AuditEvent._meta.db_table} SET actor_label = %s WHERE seq = %s", ["intruder", victim.seq]
        )
    code, output = run_verify()
    assert code == 1
    assert f"#{victim.seq}" in output
    assert "altered" in output


def test_deleting_a_row_breaks_the_chain_where_it_was(world):
    victim = AuditEvent.objects.order_by("seq")[3]
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {AuditEvent._meta.db_table} WHERE seq = %s", [victim.seq])
    code, output = run_verify()
    assert code == 1
    assert f"#{victim.seq}" in output
    assert "missing" in output


def test_deleting_the_newest_rows_is_detected_from_the_chain_head(world):
    last = AuditEvent.objects.order_by("-seq").first()
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {AuditEvent._meta.db_table} WHERE seq = %s", [last.seq])
    report = verify_chain()
    assert not report.ok
    assert report.broken_seq == last.seq


def test_rehashing_an_edited_row_still_breaks_the_next_link(world):
    """An intruder who recomputes the edited row's own hash cannot fix the row after it."""
    from lendpilot.compliance.audit import event_digest

    victim = AuditEvent.objects.order_by("seq")[2]
    forged_after = {**(victim.after or {}), "name": "forged"}
    forged_hash = event_digest(
        prev_hash=victim.prev_hash, seq=victim.seq, occurred_at=victim.occurred_at, actor_id=victim.actor_id,
        actor_label=victim.actor_label, event_code=victim.event_code, object_type=victim.object_type,
        object_id=victim.object_id, before=victim.before, after=forged_after,
    )
    AuditEvent.objects.filter(pk=victim.pk).update(after=forged_after, hash=forged_hash)
    report = verify_chain()
    assert not report.ok
    assert report.broken_seq == victim.seq + 1


def test_rows_cannot_be_changed_or_deleted_through_the_model(world):
    event = AuditEvent.objects.first()
    event.actor_label = "someone else"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()


def test_recording_outside_a_transaction_is_refused(transactional_db):
    with pytest.raises(RuntimeError):
        record_event(actor=None, event_code="org.region_created", object_type="x", object_id="1")


def test_an_unregistered_event_code_is_refused(db):
    from lendpilot.compliance.events import UnknownEventError

    with pytest.raises(UnknownEventError), transaction.atomic():
        record_event(actor=None, event_code="org.made_up", object_type="x", object_id="1")
