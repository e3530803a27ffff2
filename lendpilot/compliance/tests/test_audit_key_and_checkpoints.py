"""The audit chain is keyed and checkpointed: a log rewritten without the key, a truncated log whose head was
moved back, and a forged or removed checkpoint are all reported by `verify_audit`."""

import hashlib
import hmac
import json
from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import override_settings

from lendpilot.compliance.audit import GENESIS_HASH, audit_checkpoint, verify_chain
from lendpilot.compliance.models import AuditChainHead, AuditCheckpoint, AuditEvent
from lendpilot.compliance.tasks import audit_checkpoint_task
from lendpilot.customers.services import customer_update

DAY = date(2026, 12, 4)


def run_verify(*args):
    out, err = StringIO(), StringIO()
    try:
        call_command("verify_audit", *args, stdout=out, stderr=err)
    except SystemExit as exc:
        return exc.code, out.getvalue() + err.getvalue()
    return 0, out.getvalue() + err.getvalue()


def unkeyed_digest(prev_hash: str, event: AuditEvent, after) -> str:
    """What an intruder without the key computes: the plain SHA-256 chain the log used to be."""
    content = {"seq": event.seq, "occurred_at": event.occurred_at.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
               "actor_id": event.actor_id, "actor_label": event.actor_label, "event_code": event.event_code,
               "object_type": event.object_type, "object_id": event.object_id, "before": event.before,
               "after": after}
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256((prev_hash + canonical).encode("utf-8")).hexdigest()


def raw_delete_after(seq: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {AuditEvent._meta.db_table} WHERE seq > %s", [seq])
    last = AuditEvent.objects.get(seq=seq)
    AuditChainHead.objects.filter(id=1).update(last_seq=seq, last_hash=last.hash)


def more_events(world, n=3):
    customer = world.customers["am_wang_person"]
    for i in range(n):
        customer_update(actor=world.user("am_wang"), customer=customer, address=f"上海市浦东新区{i}号")


def test_the_chain_is_an_hmac_under_the_audit_key(world):
    first = AuditEvent.objects.order_by("seq").first()
    assert first.hash != unkeyed_digest(GENESIS_HASH, first, first.after)
    with override_settings(LENDPILOT_AUDIT_KEY="another key"):
        report = verify_chain()
    assert not report.ok and report.broken_seq == 1


def test_editing_an_event_and_rehashing_the_rest_without_the_key_is_detected(world):
    events = list(AuditEvent.objects.order_by("seq"))
    victim = events[2]
    prev_hash = victim.prev_hash
    for event in events[2:]:
        after = {**(event.after or {}), "name": "forged"} if event.pk == victim.pk else event.after
        digest = unkeyed_digest(prev_hash, event, after)
        AuditEvent.objects.filter(pk=event.pk).update(after=after, prev_hash=prev_hash, hash=digest)
        prev_hash = digest
    AuditChainHead.objects.filter(id=1).update(last_hash=prev_hash)
    code, output = run_verify()
    assert code == 1 and f"#{victim.seq}" in output and "altered" in output


def test_deleting_the_newest_events_and_moving_the_head_back_is_detected_by_the_checkpoint(world):
    checkpoint = audit_checkpoint(day=DAY)
    assert verify_chain().ok
    raw_delete_after(checkpoint.seq - 2)
    code, output = run_verify()
    assert code == 1 and "removed" in output and str(DAY) in output


def test_a_checkpoint_with_a_forged_signature_is_detected(world):
    checkpoint = audit_checkpoint(day=DAY)
    forged = hmac.new(b"guess", b"x", hashlib.sha256).hexdigest()
    AuditCheckpoint.objects.filter(pk=checkpoint.pk).update(seq=checkpoint.seq - 1, count=checkpoint.seq - 1,
                                                            signature=forged)
    report = verify_chain()
    assert not report.ok and "not signed" in report.reason


def test_removing_an_earlier_checkpoint_is_detected(world):
    first = audit_checkpoint(day=DAY)
    more_events(world)
    audit_checkpoint(day=date(2026, 12, 5))
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {AuditCheckpoint._meta.db_table} WHERE id = %s", [first.pk])
    report = verify_chain()
    assert not report.ok and "removed or replaced" in report.reason


def test_a_published_checkpoint_catches_a_truncation_that_took_the_checkpoints_with_it(world):
    checkpoint = audit_checkpoint(day=DAY)
    published = f"{checkpoint.seq}:{checkpoint.head_hash}"
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {AuditCheckpoint._meta.db_table}")
    raw_delete_after(checkpoint.seq - 2)
    assert run_verify()[0] == 0
    code, output = run_verify("--expect", published)
    assert code == 1 and f"#{checkpoint.seq}" in output


def test_checkpoint_is_signed_once_per_day_audited_and_published(world, caplog):
    caplog.set_level("INFO", logger="lendpilot.security")
    result = audit_checkpoint_task.enqueue(business_date=DAY.isoformat())
    again = audit_checkpoint(day=DAY)
    assert AuditCheckpoint.objects.count() == 1 and result.return_value["signature"] == again.signature
    assert AuditEvent.objects.filter(event_code="compliance.audit_checkpoint").count() == 1
    assert again.signature in caplog.text and again.head_hash in caplog.text
    code, output = run_verify("--expect", f"{again.seq}:{again.head_hash}")
    assert code == 0 and "1 checkpoints" in output


@pytest.mark.parametrize("bad", ["12", "x:" + "0" * 64, "3:abc"])
def test_a_malformed_expectation_is_refused(db, bad):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("verify_audit", "--expect", bad, stdout=StringIO(), stderr=StringIO())
