"""Checkpoint writes: submitting material for review (scanned at once) and the compliance officer's decision.

Integration points for the packages that publish (they pass plain values):
- before review: `checkpoint_submit(actor=..., subject_ref="products.product:7@v3", kind="product_version",
  title=..., text=<every customer-facing text of the version>, has_fees=<the product charges fees>)`;
- inside the publishing service, before it saves: `selectors.require_cleared(subject_ref=..., text=...)`, which
  raises ValidationError unless the same text was approved, so no page or API call can skip the checkpoint;
- on the system path only (the system actor: seeding the demo bank, imports, benchmarks; pages and the API always
  act as a signed-in user): `checkpoint_clear_by_system(...)`, which scans the text, refuses a forbidden promise,
  and records the approved review with its audit event, so that every published text has its review on record.
"""

from __future__ import annotations

import hashlib

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lendpilot.compliance.audit import record_event
from lendpilot.compliance.checkpoints.checklist import CHECKLISTS
from lendpilot.compliance.checkpoints.models import CheckpointReview
from lendpilot.compliance.checkpoints.promises import scan
from lendpilot.org.access import actor_of, require
from lendpilot.org.roles import Perm


def text_hash(text: str) -> str:
    return hashlib.sha256((text or "").strip().encode("utf-8")).hexdigest()


@transaction.atomic
def checkpoint_submit(*, actor, subject_ref: str, kind: str, title: str, text: str,
                      has_fees: bool = True) -> CheckpointReview:
    """Put material in the compliance queue with the scanner's findings; any staff member who authors it may."""
    acting = actor_of(actor)
    if acting.staff is None and not acting.is_system:
        raise ValidationError({"subject_ref": _("only staff submit material for review")})
    errors = {}
    subject_ref, title, text = (subject_ref or "").strip(), (title or "").strip(), (text or "").strip()
    if not subject_ref:
        errors["subject_ref"] = _("give the material's reference")
    if kind not in CHECKLISTS:
        errors["kind"] = _("unknown kind of material")
    if not title:
        errors["title"] = _("give a title")
    if not text:
        errors["text"] = _("the text to review is empty")
    if errors:
        raise ValidationError(errors)
    findings = [{"phrase": f.phrase, "problem": f.problem, "law": f.law, "excerpt": f.excerpt}
                for f in scan(text, has_fees=has_fees)]
    review = CheckpointReview.objects.create(
        subject_ref=subject_ref[:64], kind=kind, title=title[:200], text=text[:20_000], text_hash=text_hash(text),
        has_fees=has_fees, findings=findings, submitted_by=acting.user)
    record_event(actor=acting.user, event_code="compliance.checkpoint_submitted", obj=review,
                 after={"subject": review.subject_ref, "kind": kind, "findings": [f["phrase"] for f in findings],
                        "text_hash": review.text_hash})
    return review


@transaction.atomic
def checkpoint_decide(*, actor, review: CheckpointReview, approve: bool, note: str = "",
                      checked: list[str] | None = None) -> CheckpointReview:
    """A compliance officer other than the author approves (every checklist item checked, no forbidden promise
    left) or rejects with the reason."""
    acting = actor_of(actor)
    require(acting, Perm.WORK_COMPLIANCE)
    review = CheckpointReview.objects.select_for_update().get(pk=review.pk)
    note = (note or "").strip()
    items = [code for code, _label, _law in CHECKLISTS[review.kind]]
    checked_items = sorted(set(checked or []) & set(items))
    errors = {}
    if review.status != CheckpointReview.Status.PENDING:
        errors["decision"] = _("this material is already decided")
    elif review.submitted_by_id == getattr(acting.user, "pk", None):
        errors["decision"] = _("the author cannot review their own material")
    elif approve and review.findings:
        errors["decision"] = _("the text makes forbidden promises: reject it so that the author corrects them")
    elif approve and len(checked_items) != len(items):
        errors["checked"] = _("check every item of the checklist before approving")
    elif not approve and not note:
        errors["note"] = _("say what must change")
    if errors:
        raise ValidationError(errors)
    review.status = CheckpointReview.Status.APPROVED if approve else CheckpointReview.Status.REJECTED
    review.checklist = {code: code in checked_items for code in items}
    review.decided_by, review.decided_at, review.decision_note = acting.user, timezone.now(), note[:500]
    review.save(update_fields=["status", "checklist", "decided_by", "decided_at", "decision_note"])
    record_event(actor=acting.user, event_code="compliance.checkpoint_decided", obj=review,
                 after={"subject": review.subject_ref, "status": review.status, "checklist": review.checklist,
                        "note": review.decision_note})
    return review


@transaction.atomic
def checkpoint_clear_by_system(*, actor, subject_ref: str, kind: str, title: str, text: str,
                               has_fees: bool = True) -> CheckpointReview:
    """The system path of a checkpoint: material published by the system itself (demo seeding, imports,
    benchmarks) is scanned like any submission and, free of forbidden promises, recorded as approved with the
    note that no officer reviewed it. Refused for any signed-in user: people go through review."""
    acting = actor_of(actor)
    if not acting.is_system:
        raise PermissionDenied("only the system path clears material without a compliance officer")
    subject_ref, title, text = (subject_ref or "").strip()[:64], (title or "").strip()[:200], (text or "").strip()
    digest = text_hash(text)
    existing = CheckpointReview.objects.filter(subject_ref=subject_ref, text_hash=digest,
                                               status=CheckpointReview.Status.APPROVED).first()
    if existing is not None:
        return existing
    if kind not in CHECKLISTS:
        raise ValidationError({"kind": _("unknown kind of material")})
    findings = scan(text, has_fees=has_fees)
    if findings:
        raise ValidationError({"text": _("the text makes forbidden promises: %(phrases)s") % {
            "phrases": "、".join(f.phrase for f in findings)}})
    review = CheckpointReview.objects.create(
        subject_ref=subject_ref, kind=kind, title=title or subject_ref, text=text[:20_000], text_hash=digest,
        has_fees=has_fees, findings=[], checklist={code: True for code, _label, _law in CHECKLISTS[kind]},
        status=CheckpointReview.Status.APPROVED, decided_at=timezone.now(),
        decision_note=_("Cleared on the system path (seed, import or batch); no officer reviewed it."))
    record_event(actor=None, event_code="compliance.checkpoint_system_cleared", obj=review,
                 after={"subject": review.subject_ref, "kind": kind, "text_hash": digest})
    return review
