"""Layered training, certifications and their expiry reminders (A4, A6)."""

from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lendpilot.compliance.audit import record_batch_event, record_event
from lendpilot.org.models import Certification, ProductCertificationRequirement, Staff
from lendpilot.products.models import Product
from lendpilot.talent.access import TALENT_MANAGERS, require_role
from lendpilot.talent.certificates import REMINDER_DAYS, reminders_due
from lendpilot.talent.models import CertificationReminder, Curriculum, Enrolment
from lendpilot.talent.services.appraisal_inputs import appraisal_inputs_push


def curriculum_create(*, actor: object, title: str, layer: str, topic: str, hours: int = 8,
                      external: bool = False) -> Curriculum:
    act = require_role(actor, TALENT_MANAGERS)
    if layer not in Curriculum.Layer.values:
        raise ValidationError({"layer": "new hire, backbone or manager"})
    if topic not in Curriculum.Topic.values:
        raise ValidationError({"topic": "unknown topic"})
    if not title.strip():
        raise ValidationError({"title": "a curriculum needs a title"})
    if not 1 <= hours <= 200:
        raise ValidationError({"hours": "1 to 200"})
    with transaction.atomic():
        cur = Curriculum.objects.create(title=title.strip(), layer=layer, topic=topic, hours=hours,
                                        external=external)
        record_event(actor=act.user, event_code="talent.curriculum_created", obj=cur,
                     after={"title": cur.title, "layer": layer, "topic": topic, "hours": hours})
    return cur


def enrol(*, actor: object, curriculum: Curriculum, staff: Staff, today: date | None = None) -> Enrolment:
    act = require_role(actor, TALENT_MANAGERS)
    with transaction.atomic():
        enrolment, created = Enrolment.objects.get_or_create(
            curriculum=curriculum, staff=staff, defaults={"enrolled_on": today or timezone.localdate()})
        if created:
            record_event(actor=act.user, event_code="talent.enrolled", obj=enrolment,
                         after={"curriculum": curriculum.pk, "staff": staff.pk})
            appraisal_inputs_push(actor=act, months=[enrolment.enrolled_on], staff_ids=[staff.pk])
    return enrolment


def enrolment_complete(*, actor: object, enrolment_id: int, score: Decimal,
                       today: date | None = None) -> Enrolment:
    act = require_role(actor, TALENT_MANAGERS)
    if not Decimal(0) <= score <= Decimal(100):
        raise ValidationError({"score": "0 to 100"})
    with transaction.atomic():
        enrolment = Enrolment.objects.select_for_update().get(pk=enrolment_id)
        if enrolment.completed_on is not None:
            raise ValidationError({"enrolment": "already completed"})
        enrolment.completed_on = today or timezone.localdate()
        enrolment.score = score.quantize(Decimal("0.1"))
        enrolment.save(update_fields=["completed_on", "score"])
        record_event(actor=act.user, event_code="talent.enrolment_completed", obj=enrolment,
                     after={"completed_on": enrolment.completed_on, "score": enrolment.score})
        # The appraisal counts the course in the month it was enrolled in: that month's completion changes.
        appraisal_inputs_push(actor=act, months=[enrolment.enrolled_on], staff_ids=[enrolment.staff_id])
    return enrolment


def certification_record(*, actor: object, staff: Staff, kind: str, obtained_on: date,
                         expires_on: date) -> Certification:
    act = require_role(actor, TALENT_MANAGERS)
    if kind not in Certification.Kind.values:
        raise ValidationError({"kind": "unknown certification"})
    if expires_on <= obtained_on:
        raise ValidationError({"expires_on": "after the date obtained"})
    with transaction.atomic():
        cert, _created = Certification.objects.update_or_create(
            staff=staff, kind=kind, obtained_on=obtained_on, defaults={"expires_on": expires_on})
        record_event(actor=act.user, event_code="talent.certification_recorded", obj=cert,
                     after={"staff": staff.pk, "kind": kind, "obtained_on": obtained_on, "expires_on": expires_on})
    return cert


def certification_requirement_set(*, actor: object, product_id: int, kinds: list[str]) -> list[str]:
    """Replace the certifications a product requires of the managers its leads go to."""
    act = require_role(actor, TALENT_MANAGERS)
    unknown = [k for k in kinds if k not in Certification.Kind.values]
    if unknown:
        raise ValidationError({"kinds": f"unknown certification {unknown[0]!r}"})
    if not Product.objects.filter(pk=product_id).exists():
        raise ValidationError({"product_id": _("Choose a product.")})
    with transaction.atomic():
        before = sorted(ProductCertificationRequirement.objects.filter(product_id=product_id)
                        .values_list("kind", flat=True))
        ProductCertificationRequirement.objects.filter(product_id=product_id).delete()
        ProductCertificationRequirement.objects.bulk_create(
            ProductCertificationRequirement(product_id=product_id, kind=k) for k in sorted(set(kinds)))
        record_event(actor=act.user, event_code="talent.certification_requirement_set",
                     object_type="products.product", object_id=product_id,
                     before={"kinds": before}, after={"kinds": sorted(set(kinds))})
    return sorted(set(kinds))


def certification_reminders_send(*, today: date) -> int:
    """The daily job: a reminder for each certification reaching 90, 60 or 30 days before expiry. Each
    threshold is sent once (a unique row per certification and threshold), so a rerun sends nothing."""
    horizon = today + timedelta(days=max(REMINDER_DAYS))
    due = [CertificationReminder(certification_id=pk, days_before=d, sent_on=today)
           for pk, expires_on in Certification.objects.filter(expires_on__range=(today, horizon))
           .values_list("pk", "expires_on").iterator(chunk_size=2000)
           for d in reminders_due(expires_on, today)]
    with transaction.atomic():
        before = CertificationReminder.objects.count()
        CertificationReminder.objects.bulk_create(due, ignore_conflicts=True, batch_size=1000)
        sent = CertificationReminder.objects.count() - before
        if sent:
            record_batch_event(actor=None, event_code="talent.certification_reminders_sent",
                               summary={"batch_id": f"certification_reminders:{today}", "business_date": today,
                                        "sent": sent})
    return sent
