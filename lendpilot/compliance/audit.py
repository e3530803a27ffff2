"""The tamper-evident audit log (FEATURES C8; DESIGN.md data rules).

`record_event` appends one event inside the caller's transaction: it locks the chain head,
computes SHA-256(previous hash + canonical JSON of this event) and stores both. `verify_chain`
walks the log in order and reports the first row whose content, order or link does not match.
"""

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from django.db import connection, models, transaction
from django.utils import timezone

from lendpilot.compliance.events import check_event
from lendpilot.compliance.models import AuditChainHead, AuditEvent

GENESIS_HASH = "0" * 64


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
    return hashlib.sha256((prev_hash + canonical).encode("utf-8")).hexdigest()


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


def verify_chain(batch_size: int = 5000) -> ChainReport:
    """Recompute every link in order; stop at the first that fails (edited, deleted or reordered row)."""
    prev_hash = GENESIS_HASH
    expected_seq = 1
    checked = 0
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
        prev_hash = stored_hash
        expected_seq += 1
        checked += 1
    head = AuditChainHead.objects.filter(id=1).first()
    if head is not None and (head.last_seq != expected_seq - 1 or head.last_hash != prev_hash):
        return ChainReport(False, checked, expected_seq, f"events after #{expected_seq - 1} were removed")
    return ChainReport(True, checked)


@transaction.atomic
def record_batch_event(*, actor, event_code: str, summary: dict[str, Any]) -> AuditEvent:
    """One audit event for a whole batch load (counts and parameters), for jobs that write rows in bulk."""
    return record_event(actor=actor, event_code=event_code, object_type="batch",
                        object_id=summary.get("batch_id", ""), after=summary)
