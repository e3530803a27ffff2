"""Register writes: documents, the manual revisions they cause, trainings and staff attestations."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lendpilot.compliance.audit import record_event, snapshot
from lendpilot.compliance.register.models import Attestation, ManualRevision, RegulatoryDocument, Training
from lendpilot.compliance.register.selectors import in_audience
from lendpilot.org.access import actor_of, require
from lendpilot.org.models import Staff
from lendpilot.org.roles import Perm, Role

DOCUMENT_FIELDS = ["title", "number", "issuer", "effective_date", "summary", "status"]


def _document_errors(*, title: str, number: str, issuer: str, status: str, exclude: int | None = None
                     ) -> dict[str, str]:
    errors = {}
    if not title.strip():
        errors["title"] = _("give the document's title")
    if not number.strip():
        errors["number"] = _("give the document number, e.g. 银发〔2025〕12号")
    elif RegulatoryDocument.objects.filter(number=number.strip()).exclude(pk=exclude).exists():
        errors["number"] = _("a document with this number is already registered")
    if issuer not in RegulatoryDocument.Issuer.values:
        errors["issuer"] = _("choose the issuing authority")
    if status not in RegulatoryDocument.Status.values:
        errors["status"] = _("choose a status")
    return errors


@transaction.atomic
def regulation_register(*, actor, title: str, number: str, issuer: str, effective_date: date, summary: str = "",
                        status: str = RegulatoryDocument.Status.IN_FORCE) -> RegulatoryDocument:
    acting = actor_of(actor)
    require(acting, Perm.WORK_COMPLIANCE)
    errors = _document_errors(title=title, number=number, issuer=issuer, status=status)
    if errors:
        raise ValidationError(errors)
    document = RegulatoryDocument.objects.create(
        title=title.strip()[:200], number=number.strip()[:80], issuer=issuer, effective_date=effective_date,
        summary=(summary or "").strip()[:2000], status=status, registered_by=acting.user)
    record_event(actor=acting.user, event_code="compliance.regulation_registered", obj=document,
                 after=snapshot(document, DOCUMENT_FIELDS))
    return document


@transaction.atomic
def regulation_update(*, actor, document: RegulatoryDocument, status: str, summary: str) -> RegulatoryDocument:
    acting = actor_of(actor)
    require(acting, Perm.WORK_COMPLIANCE)
    document = RegulatoryDocument.objects.select_for_update().get(pk=document.pk)
    if status not in RegulatoryDocument.Status.values:
        raise ValidationError({"status": _("choose a status")})
    before = snapshot(document, DOCUMENT_FIELDS)
    document.status, document.summary = status, (summary or "").strip()[:2000]
    document.save(update_fields=["status", "summary"])
    record_event(actor=acting.user, event_code="compliance.regulation_updated", obj=document, before=before,
                 after=snapshot(document, DOCUMENT_FIELDS))
    return document


@transaction.atomic
def revision_plan(*, actor, document: RegulatoryDocument, section: str, owner: Staff, due_date: date
                  ) -> ManualRevision:
    acting = actor_of(actor)
    require(acting, Perm.WORK_COMPLIANCE)
    errors = {}
    if not section.strip():
        errors["section"] = _("name the manual section, e.g. 《个人贷款管理手册》第3章")
    if not owner.is_active:
        errors["owner"] = _("the owner must be an active staff member")
    if errors:
        raise ValidationError(errors)
    revision = ManualRevision.objects.create(document=document, section=section.strip()[:120], owner=owner.user,
                                             due_date=due_date)
    record_event(actor=acting.user, event_code="compliance.revision_planned", obj=revision,
                 after={"document": document.number, "section": revision.section, "owner": owner.user.get_username(),
                        "due_date": due_date})
    return revision


@transaction.atomic
def revision_complete(*, actor, revision: ManualRevision, note: str = "") -> ManualRevision:
    """The owner (or a compliance officer) marks the section rewritten."""
    acting = actor_of(actor)
    if revision.owner_id != getattr(acting.user, "pk", None):
        require(acting, Perm.WORK_COMPLIANCE)
    revision = ManualRevision.objects.select_for_update().get(pk=revision.pk)
    if revision.done_on is not None:
        raise ValidationError({"revision": _("this revision is already done")})
    revision.done_on, revision.note = timezone.localdate(), (note or "").strip()[:300]
    revision.save(update_fields=["done_on", "note"])
    record_event(actor=acting.user, event_code="compliance.revision_completed", obj=revision,
                 after={"done_on": revision.done_on, "note": revision.note})
    return revision


@transaction.atomic
def training_create(*, actor, document: RegulatoryDocument, title: str, deadline: date,
                    roles: list[str] | None = None) -> Training:
    acting = actor_of(actor)
    require(acting, Perm.WORK_COMPLIANCE)
    roles = sorted(set(roles or []))
    errors = {}
    if not title.strip():
        errors["title"] = _("give the training's title")
    unknown = [r for r in roles if r not in Role.values]
    if unknown:
        errors["roles"] = _("unknown roles: %(roles)s") % {"roles": ", ".join(unknown)}
    if errors:
        raise ValidationError(errors)
    training = Training.objects.create(document=document, title=title.strip()[:200], deadline=deadline, roles=roles)
    record_event(actor=acting.user, event_code="compliance.training_created", obj=training,
                 after={"document": document.number, "title": training.title, "deadline": deadline, "roles": roles})
    return training


@transaction.atomic
def training_attest(*, actor, training: Training) -> Attestation:
    """A staff member attests that they took the training and will apply the changed rules. Once each."""
    acting = actor_of(actor)
    if acting.staff is None or not in_audience(training, acting.staff):
        raise ValidationError({"training": _("this training is not addressed to you")})
    try:
        with transaction.atomic():
            attestation = Attestation.objects.create(training=training, user=acting.user)
    except IntegrityError as exc:
        raise ValidationError({"training": _("you already attested this training")}) from exc
    record_event(actor=acting.user, event_code="compliance.training_attested", obj=attestation,
                 after={"training": training.pk, "document": training.document.number})
    return attestation
