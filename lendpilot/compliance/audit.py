"""The tamper-evident audit log (FEATURES C8; DESIGN.md data rules).

`record_event` appends one event inside the caller's transaction: it locks the chain head,
computes HMAC-SHA256(audit key, previous hash + canonical JSON of this event) and stores both.
The key (LENDPILOT_AUDIT_KEY) lives outside the database, so whoever can write the database cannot
re-hash an edited log. `audit_checkpoint` signs the chain head of a business day (sequence, hash,
count) and publishes it on the security log; `verify_chain` walks the log in order, reports the first
row whose content, order or link does not match, and checks every checkpoint, so deleting the newest
events together with the head is detected too.
"""

import hashlib
import hmac
import json
import logging
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import connection, models, transaction
from django.utils import timezone

from lendpilot.compliance.events import check_event
from lendpilot.compliance.models import AuditChainHead, AuditCheckpoint, AuditEvent

GENESIS_HASH = "0" * 64

logger = logging.getLogger("lendpilot.security")


def _mac(message: str) -> str:
    return hmac.new(settings.LENDPILOT_AUDIT_KEY.encode(), message.encode("utf-8"), hashlib.sha256).hexdigest()


def _json_default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, models.Model):
        return value.pk
    return str(value)


def normalise(data: Any) -> Any:
    """Turn a before/after payload into plain JSON values (Decimals as strings), as the database will
    return them, so the hash computed now equals the hash recomputed later."""
    if data is None:
        return None
    return json.loads(json.dumps(data, default=_json_default, ensure_ascii=False))


def event_digest(*, prev_hash: str, seq: int, occurred_at: datetime, actor_id: int | None,
                 actor_label: str, event_code: str, object_type: str, object_id: str,
                 before: Any, after: Any) -> str:
    content = {
        "seq": seq,
        "occurred_at": occurred_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "actor_id": actor_id,
        "actor_label": actor_label,
        "event_code": event_code,
        "object_type": object_type,
        "object_id": object_id,
        "before": before,
        "after": after,
    }
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return _mac(prev_hash + canonical)


def record_event(*, actor, event_code: str, obj: models.Model | None = None,
                 object_type: str = "", object_id: str | int = "",
                 before: Any = None, after: Any = None) -> AuditEvent:
    """Append one audit event. Must run inside the service's transaction so that the business write
    and its audit record commit or roll back together."""
    check_event(event_code)
    if not connection.in_atomic_block:
        raise RuntimeError("record_event must be called inside the service's transaction.atomic()")
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or obj.pk
    head, _created = AuditChainHead.objects.select_for_update().get_or_create(
        id=1, defaults={"last_seq": 0, "last_hash": GENESIS_HASH}
    )
    seq = head.last_seq + 1
    # Microseconds are kept by both SQLite and PostgreSQL; anything finer would not survive a round trip.
    occurred_at = timezone.now()
    actor_id = getattr(actor, "pk", None)
    actor_label = getattr(actor, "get_username", lambda: "system")() if actor is not None else "system"
    before_n, after_n = normalise(before), normalise(after)
    digest = event_digest(
        prev_hash=head.last_hash, seq=seq, occurred_at=occurred_at, actor_id=actor_id,
        actor_label=actor_label, event_code=event_code, object_type=object_type,
        object_id=str(object_id), before=before_n, after=after_n,
    )
    event = AuditEvent.objects.create(
        seq=seq, occurred_at=occurred_at, actor_id=actor_id, actor_label=actor_label,
        event_code=event_code, object_type=object_type, object_id=str(object_id),
        before=before_n, after=after_n, prev_hash=head.last_hash, hash=digest,
    )
    AuditChainHead.objects.filter(id=1).update(last_seq=seq, last_hash=digest)
    return event


def snapshot(obj: models.Model, fields: list[str] | None = None) -> dict[str, Any]:
    """The concrete field values of `obj` for a before/after payload. Encrypted columns are left out
    by their callers: the log must not become a second copy of the personal data."""
    names = fields or [f.attname for f in obj._meta.concrete_fields]
    return normalise({name: getattr(obj, name) for name in names})


@dataclass
class ChainReport:
    ok: bool
    checked: int
    broken_seq: int | None = None
    reason: str = ""
    checkpoints: int = 0


def checkpoint_signature(*, day: date, seq: int, head_hash: str, count: int, prev_signature: str) -> str:
    return _mac(f"checkpoint|{day.isoformat()}|{seq}|{head_hash}|{count}|{prev_signature}")


@transaction.atomic
def audit_checkpoint(*, day: date) -> AuditCheckpoint:
    """Sign the chain head as it stands at the close of `day` and publish it on the security log. Once per
    day: a second call for the same day returns the first checkpoint unchanged."""
    head, _created = AuditChainHead.objects.select_for_update().get_or_create(
        id=1, defaults={"last_seq": 0, "last_hash": GENESIS_HASH}
    )
    existing = AuditCheckpoint.objects.filter(day=day).first()
    if existing is not None:
        return existing
    previous = AuditCheckpoint.objects.filter(day__lt=day).order_by("-day").first()
    prev_signature = previous.signature if previous else GENESIS_HASH
    count = head.last_seq
    signature = checkpoint_signature(day=day, seq=head.last_seq, head_hash=head.last_hash, count=count,
                                     prev_signature=prev_signature)
    checkpoint = AuditCheckpoint.objects.create(day=day, seq=head.last_seq, head_hash=head.last_hash, count=count,
                                                prev_signature=prev_signature, signature=signature)
    record_event(actor=None, event_code="compliance.audit_checkpoint", obj=checkpoint,
                 after={"day": day, "seq": checkpoint.seq, "head_hash": checkpoint.head_hash, "count": count,
                        "signature": signature})
    logger.info("audit checkpoint day=%s seq=%s count=%s head=%s signature=%s", day.isoformat(), checkpoint.seq,
                count, checkpoint.head_hash, signature)
    return checkpoint


def _verify_checkpoints(hashes: dict[int, str], last_seq: int) -> ChainReport | None:
    """Every checkpoint is signed with the key, links to the one before, and still finds its event with
    the hash it signed; `hashes` holds the verified chain's hash at each checkpointed sequence."""
    prev_signature = GENESIS_HASH
    for cp in AuditCheckpoint.objects.order_by("day"):
        expected = checkpoint_signature(day=cp.day, seq=cp.seq, head_hash=cp.head_hash, count=cp.count,
                                        prev_signature=cp.prev_signature)
        if not hmac.compare_digest(expected, cp.signature) or cp.count != cp.seq:
            return ChainReport(False, last_seq, cp.seq, f"the checkpoint of {cp.day} is not signed by the audit key")
        if cp.prev_signature != prev_signature:
            return ChainReport(False, last_seq, cp.seq, f"a checkpoint before {cp.day} was removed or replaced")
        if cp.seq > last_seq:
            return ChainReport(False, last_seq, last_seq + 1,
                               f"events after #{last_seq} were removed (the checkpoint of {cp.day} covers "
                               f"#{cp.seq})")
        if cp.seq and hashes.get(cp.seq) != cp.head_hash:
            return ChainReport(False, last_seq, cp.seq, f"event #{cp.seq} differs from the checkpoint of {cp.day}")
        prev_signature = cp.signature
    return None


def verify_chain(batch_size: int = 5000, *, expect: tuple[int, str] | None = None) -> ChainReport:
    """Recompute every link in order; stop at the first that fails (edited, deleted or reordered row), then
    check the signed checkpoints. `expect` is a (sequence, hash) published outside the database, e.g. a
    checkpoint line of the security log: that event must still be in the chain with that hash."""
    prev_hash = GENESIS_HASH
    expected_seq = 1
    checked = 0
    wanted = set(AuditCheckpoint.objects.values_list("seq", flat=True))
    if expect is not None:
        wanted.add(expect[0])
    hashes: dict[int, str] = {}
    rows = AuditEvent.objects.order_by("seq").values_list(
        "seq", "occurred_at", "actor_id", "actor_label", "event_code", "object_type", "object_id",
        "before", "after", "prev_hash", "hash",
    )
    for (seq, occurred_at, actor_id, actor_label, event_code, object_type, object_id,
         before, after, stored_prev, stored_hash) in rows.iterator(chunk_size=batch_size):
        if seq != expected_seq:
            return ChainReport(False, checked, expected_seq, f"event #{expected_seq} is missing")
        if stored_prev != prev_hash:
            return ChainReport(False, checked, seq, f"event #{seq} does not link to event #{seq - 1}")
        digest = event_digest(
            prev_hash=prev_hash, seq=seq, occurred_at=occurred_at, actor_id=actor_id,
            actor_label=actor_label, event_code=event_code, object_type=object_type,
            object_id=object_id, before=before, after=after,
        )
        if digest != stored_hash:
            return ChainReport(False, checked, seq, f"event #{seq} was altered after it was written")
        if seq in wanted:
            hashes[seq] = stored_hash
        prev_hash = stored_hash
        expected_seq += 1
        checked += 1
    head = AuditChainHead.objects.filter(id=1).first()
    if head is not None and (head.last_seq != expected_seq - 1 or head.last_hash != prev_hash):
        return ChainReport(False, checked, expected_seq, f"events after #{expected_seq - 1} were removed")
    broken = _verify_checkpoints(hashes, checked)
    if broken is not None:
        return broken
    if expect is not None and hashes.get(expect[0]) != expect[1]:
        return ChainReport(False, checked, expect[0], f"event #{expect[0]} is missing or differs from the "
                                                      "published checkpoint")
    return ChainReport(True, checked, checkpoints=AuditCheckpoint.objects.count())


@transaction.atomic
def record_batch_event(*, actor, event_code: str, summary: dict[str, Any]) -> AuditEvent:
    """One audit event for a whole batch load (counts and parameters), for jobs that write rows in bulk."""
    return record_event(actor=actor, event_code=event_code, object_type="batch",
                        object_id=summary.get("batch_id", ""), after=summary)
