"""The pre-screen log after the fact: sealing a day's log into the audit chain as one digest, and the
matured outcome of a pre-screened case (good or bad), which later training reads."""

from __future__ import annotations

import hashlib
import json
from datetime import date

from django.db import transaction

from lendpilot.compliance.audit import normalise, record_event
from lendpilot.compliance.models import AuditEvent
from lendpilot.org.access import actor_of, require
from lendpilot.org.roles import Perm
from lendpilot.scoring.models import PrescreenLog
from lendpilot.scoring.services.acting import Acting

LOG_FIELDS = ("id", "created_at", "actor_id", "customer_id", "product_id", "amount", "term_months",
              "scorecard_version_id", "policy_version_id", "score", "pd", "grade", "decision", "declines",
              "approvable_amount", "approval_probability", "reasons", "inputs")


def prescreen_log_digest(day: date) -> tuple[int, str, int | None, int | None]:
    """(rows, SHA-256, first id, last id) of the pre-screens logged on `day` (business time zone), in id
    order: recomputing it later shows whether any row of that day was changed, added or removed."""
    digest = hashlib.sha256()
    count, first, last = 0, None, None
    rows = (PrescreenLog.objects.filter(created_at__date=day).order_by("id").values_list(*LOG_FIELDS)
            .iterator(chunk_size=5000))
    for row in rows:
        digest.update(json.dumps(normalise(dict(zip(LOG_FIELDS, row, strict=True))), sort_keys=True,
                                 separators=(",", ":"), ensure_ascii=False).encode())
        digest.update(b"\n")
        count += 1
        first = row[0] if first is None else first
        last = row[0]
    return count, digest.hexdigest(), first, last


@transaction.atomic
def prescreen_log_seal(*, actor: Acting, day: date) -> AuditEvent:
    """Put one day's pre-screen log into the audit chain as a single event (rows, id range, digest)."""
    acting = actor_of(actor)
    require(acting, Perm.TRAIN_SCORECARD)
    count, digest, first, last = prescreen_log_digest(day)
    # Idempotent: sealing a day again with an unchanged log adds nothing to the chain.
    sealed = AuditEvent.objects.filter(event_code="scoring.prescreen_log_sealed", object_id=day.isoformat())
    for event in sealed.order_by("-seq")[:1]:
        if (event.after or {}).get("sha256") == digest:
            return event
    return record_event(actor=acting.user, event_code="scoring.prescreen_log_sealed",
                        object_type="scoring.prescreenlog", object_id=day.isoformat(),
                        after={"day": day, "rows": count, "first_id": first, "last_id": last, "sha256": digest})


@transaction.atomic
def prescreen_outcome_record(*, actor: Acting, log: PrescreenLog, bad: bool) -> PrescreenLog:
    """Mark a pre-screened case as matured good or bad (fed by lending once the loan has seasoned)."""
    acting = actor_of(actor)
    require(acting, Perm.TRAIN_SCORECARD)
    log = PrescreenLog.objects.select_for_update().get(pk=log.pk)
    before = {"outcome_bad": log.outcome_bad}
    log.outcome_bad = bool(bad)
    log.save(update_fields=["outcome_bad"])
    record_event(actor=acting.user, event_code="scoring.outcome_recorded", obj=log, before=before,
                 after={"outcome_bad": log.outcome_bad})
    return log
