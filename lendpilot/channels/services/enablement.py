"""Enablement (E5): the courses the bank gives partner staff and their results, the partner's staff roster, and
the marketing toolkits: drafted by the channel manager, approved by compliance (exactly this text), then
published to partners, each download logged. A partner whose staff lack the compliance course cannot submit
(`selectors.enablement_refusal`, checked by `ensure_partner_may_submit`)."""

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lendpilot.channels.models import Completion, Course, Download, Partner, PartnerStaff, Toolkit
from lendpilot.channels.selectors import listing_refusal, partner_of
from lendpilot.compliance.audit import record_event, snapshot
from lendpilot.compliance.checkpoints.models import CheckpointReview
from lendpilot.compliance.checkpoints.selectors import require_cleared
from lendpilot.compliance.checkpoints.services import checkpoint_submit
from lendpilot.org.access import Actor, actor_of, require
from lendpilot.org.models import Staff
from lendpilot.org.roles import Perm, Role


def _named_staff(acting: Actor) -> Staff:
    if acting.staff is None:
        raise PermissionDenied(_("this is done by a named member of staff"))
    return acting.staff


@transaction.atomic
def course_save(*, actor: object, code: str, title: str, kind: str, pass_score: int = 60,
                active: bool = True) -> Course:
    """Create a course, or change the one with this code."""
    acting = actor_of(actor)
    require(acting, Perm.MANAGE_CHANNELS)
    errors = {}
    code, title = (code or "").strip().upper(), (title or "").strip()
    if not code or len(code) > 20:
        errors["code"] = _("a code of 1 to 20 characters")
    if not title:
        errors["title"] = _("give a title")
    if kind not in Course.Kind.values:
        errors["kind"] = _("unknown course kind")
    if not 0 < pass_score <= 100:
        errors["pass_score"] = _("a pass score between 1 and 100")
    if errors:
        raise ValidationError(errors)
    before = snapshot(c) if (c := Course.objects.filter(code=code).first()) else None
    course, _created = Course.objects.update_or_create(code=code, defaults={
        "title": title[:120], "kind": kind, "pass_score": pass_score, "active": active})
    record_event(actor=acting.user, event_code="channels.course_saved", obj=course, before=before,
                 after=snapshot(course))
    return course


def _roster_partner(acting: Actor, partner_id: int) -> Partner:
    """The channel manager keeps any partner's roster; a partner login only its own."""
    if acting.role == Role.CHANNEL_PARTNER:
        partner = partner_of(acting.staff)
        if partner is None or partner.pk != partner_id:
            raise PermissionDenied(_("a partner keeps only its own roster"))
        return partner
    require(acting, Perm.MANAGE_CHANNELS)
    partner = Partner.objects.filter(pk=partner_id).first()
    if partner is None:
        raise ValidationError({"partner": _("no such partner")})
    return partner


@transaction.atomic
def partner_staff_add(*, actor: object, partner_id: int, name: str, employee_ref: str) -> PartnerStaff:
    """Put a member of the partner's staff on its roster (again, if they had left)."""
    acting = actor_of(actor)
    partner = _roster_partner(acting, partner_id)
    errors = {}
    name, employee_ref = (name or "").strip(), (employee_ref or "").strip()
    if not name or len(name) > 60:
        errors["name"] = _("a name of 1 to 60 characters")
    if not employee_ref or len(employee_ref) > 30:
        errors["employee_ref"] = _("the partner's employee number, 1 to 30 characters")
    if errors:
        raise ValidationError(errors)
    member, _created = PartnerStaff.objects.update_or_create(partner=partner, employee_ref=employee_ref, defaults={
        "name": name, "active": True, "added_on": timezone.localdate()})
    record_event(actor=acting.user, event_code="channels.partner_staff_added", obj=member,
                 after=snapshot(member, ["partner_id", "name", "employee_ref", "active"]))
    return member


@transaction.atomic
def partner_staff_leave(*, actor: object, staff_id: int) -> PartnerStaff:
    """Take a member off the active roster (they left the partner or stopped selling the bank's products)."""
    acting = actor_of(actor)
    member = PartnerStaff.objects.select_for_update().filter(pk=staff_id).first()
    if member is None:
        raise ValidationError({"staff": _("no such member of a partner's staff")})
    _roster_partner(acting, member.partner_id)
    member.active = False
    member.save(update_fields=["active"])
    record_event(actor=acting.user, event_code="channels.partner_staff_left", obj=member,
                 after=snapshot(member, ["partner_id", "active"]))
    return member


@transaction.atomic
def course_result_record(*, actor: object, staff_id: int, course_id: int, score: int,
                         completed_on: date | None = None) -> Completion:
    """Record a partner staff member's result in a course (a retake replaces the earlier one)."""
    acting = actor_of(actor)
    require(acting, Perm.MANAGE_CHANNELS)
    recorder = _named_staff(acting)
    errors = {}
    member = PartnerStaff.objects.filter(pk=staff_id, active=True).first()
    course = Course.objects.filter(pk=course_id, active=True).first()
    completed_on = completed_on or timezone.localdate()
    if member is None:
        errors["staff"] = _("no such active member of a partner's staff")
    if course is None:
        errors["course"] = _("no such active course")
    if not 0 <= score <= 100:
        errors["score"] = _("a score between 0 and 100")
    if completed_on > timezone.localdate():
        errors["completed_on"] = _("the course cannot be completed in the future")
    if errors:
        raise ValidationError(errors)
    assert member is not None and course is not None
    completion, _created = Completion.objects.update_or_create(staff=member, course=course, defaults={
        "score": score, "passed": score >= course.pass_score, "completed_on": completed_on,
        "recorded_by": recorder})
    record_event(actor=acting.user, event_code="channels.course_result_recorded", obj=completion,
                 after=snapshot(completion, ["staff_id", "course_id", "score", "passed", "completed_on"]))
    return completion


@transaction.atomic
def toolkit_create(*, actor: object, title: str, text: str) -> Toolkit:
    """Draft a marketing toolkit; partners see it only after compliance approved it and it is published."""
    acting = actor_of(actor)
    require(acting, Perm.MANAGE_CHANNELS)
    author = _named_staff(acting)
    errors = {}
    title, text = (title or "").strip(), (text or "").strip()
    if not title or len(title) > 120:
        errors["title"] = _("a title of 1 to 120 characters")
    if not text or len(text) > 20_000:
        errors["text"] = _("the material's text, up to 20,000 characters")
    if errors:
        raise ValidationError(errors)
    toolkit = Toolkit.objects.create(title=title, text=text, created_by=author, created_at=timezone.now())
    record_event(actor=acting.user, event_code="channels.toolkit_created", obj=toolkit,
                 after=snapshot(toolkit, ["title", "status"]))
    return toolkit


def _toolkit(toolkit_id: int) -> Toolkit:
    toolkit = Toolkit.objects.select_for_update().filter(pk=toolkit_id).first()
    if toolkit is None:
        raise ValidationError({"toolkit": _("no such toolkit")})
    return toolkit


@transaction.atomic
def toolkit_submit(*, actor: object, toolkit_id: int) -> CheckpointReview:
    """Send the toolkit's text to the compliance checkpoint (material of kind partner toolkit)."""
    acting = actor_of(actor)
    require(acting, Perm.MANAGE_CHANNELS)
    toolkit = _toolkit(toolkit_id)
    if toolkit.status not in (Toolkit.Status.DRAFT, Toolkit.Status.IN_REVIEW):
        raise ValidationError({"toolkit": _("only a draft toolkit goes to compliance")})
    review = checkpoint_submit(actor=acting.user, subject_ref=toolkit.subject_ref,
                               kind=CheckpointReview.Kind.PARTNER_TOOLKIT, title=toolkit.title, text=toolkit.text,
                               has_fees=False)
    toolkit.status = Toolkit.Status.IN_REVIEW
    toolkit.save(update_fields=["status"])
    record_event(actor=acting.user, event_code="channels.toolkit_submitted", obj=toolkit,
                 after={"status": toolkit.status, "review_id": review.pk})
    return review


@transaction.atomic
def toolkit_publish(*, actor: object, toolkit_id: int) -> Toolkit:
    """Publish a toolkit to every listed partner: only the very text compliance approved."""
    acting = actor_of(actor)
    require(acting, Perm.MANAGE_CHANNELS)
    publisher = _named_staff(acting)
    toolkit = _toolkit(toolkit_id)
    if toolkit.status == Toolkit.Status.PUBLISHED:
        return toolkit
    if toolkit.status == Toolkit.Status.WITHDRAWN:
        raise ValidationError({"toolkit": _("a withdrawn toolkit is not published again; draft a new one")})
    require_cleared(subject_ref=toolkit.subject_ref, text=toolkit.text)
    toolkit.status, toolkit.published_by, toolkit.published_at = Toolkit.Status.PUBLISHED, publisher, timezone.now()
    toolkit.save(update_fields=["status", "published_by", "published_at"])
    record_event(actor=acting.user, event_code="channels.toolkit_published", obj=toolkit,
                 after=snapshot(toolkit, ["status", "published_at"]))
    return toolkit


@transaction.atomic
def toolkit_withdraw(*, actor: object, toolkit_id: int) -> Toolkit:
    """Take a toolkit away from partners (its download log stays)."""
    acting = actor_of(actor)
    require(acting, Perm.MANAGE_CHANNELS)
    toolkit = _toolkit(toolkit_id)
    toolkit.status = Toolkit.Status.WITHDRAWN
    toolkit.save(update_fields=["status"])
    record_event(actor=acting.user, event_code="channels.toolkit_withdrawn", obj=toolkit,
                 after={"status": toolkit.status})
    return toolkit


@transaction.atomic
def toolkit_download(*, actor: object, toolkit_id: int) -> Download:
    """A listed partner's login takes a published toolkit; the download is logged."""
    acting = actor_of(actor)
    if acting.role != Role.CHANNEL_PARTNER or acting.staff is None:
        raise PermissionDenied(_("toolkits are downloaded by partner logins"))
    refusal = listing_refusal(acting.staff)
    if refusal:
        raise PermissionDenied(refusal)
    partner = partner_of(acting.staff)
    assert partner is not None
    toolkit = Toolkit.objects.filter(pk=toolkit_id, status=Toolkit.Status.PUBLISHED).first()
    if toolkit is None:
        raise ValidationError({"toolkit": _("no such published toolkit")})
    download = Download.objects.create(toolkit=toolkit, partner=partner, by=acting.staff, at=timezone.now())
    record_event(actor=acting.user, event_code="channels.toolkit_downloaded", obj=download,
                 after={"toolkit_id": toolkit.pk, "partner_id": partner.pk})
    return download
