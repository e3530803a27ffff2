"""Complaint handling (FEATURES E7, CBIRC 2020 No. 3): intake, acknowledgement, recusal, extensions with
approval, decision, withdrawal, the customer's confirmation or appeal, closing with root cause and
remediation, and the daily escalation at 80% of the term."""

import logging
import uuid
from datetime import date, datetime, time

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lendpilot.compliance.audit import record_event
from lendpilot.core.action_items import sla_due
from lendpilot.core.models import ActionItem, ActionItemStatusChange
from lendpilot.customers.models import Customer
from lendpilot.org.access import actor_of, require, staff_in_scope
from lendpilot.org.models import Staff
from lendpilot.org.roles import Perm
from lendpilot.service.deadlines import MAX_EXTENSIONS, DeadlinePolicy, due_date, escalation_date
from lendpilot.service.models import (
    Complaint,
    ComplaintExtension,
    ComplaintRecusal,
    ComplaintRepresentative,
    ComplaintStatusChange,
)

logger = logging.getLogger(__name__)

MAX_REPRESENTATIVES = 5
OPEN_STATUSES = (Complaint.Status.RECEIVED, Complaint.Status.ACKNOWLEDGED, Complaint.Status.APPEALED)
LIVE_STATUSES = (*OPEN_STATUSES, Complaint.Status.DECIDED)


def deadline_policy() -> DeadlinePolicy:
    return DeadlinePolicy.from_mapping(getattr(settings, "LENDPILOT_COMPLAINT_DEADLINES", None))


def _user_id(user: object) -> int | None:
    return getattr(user, "pk", None)


def _move(complaint: Complaint, to_status: str, *, user, note: str, on: date) -> None:
    ComplaintStatusChange.objects.create(complaint=complaint, from_status=complaint.status, to_status=to_status,
                                         actor_id=_user_id(user), note=note[:500], on=on)
    complaint.status = to_status


def _locked(complaint: Complaint, *, statuses: tuple[str, ...]) -> Complaint:
    locked = Complaint.objects.select_for_update().get(pk=complaint.pk)
    if locked.status not in statuses:
        raise ValidationError({"status": _("the complaint is %(status)s; this step is not possible")
                               % {"status": locked.get_status_display()}})
    return locked


def complaint_receive(*, actor, customer: Customer, channel: str, summary: str, request: str,
                      stage: str = Complaint.Stage.SERVICE, level: str = Complaint.Level.ORDINARY,
                      is_group: bool = False, representatives: list[str] | None = None,
                      received_on: date | None = None) -> Complaint:
    """Take in a complaint from any channel. Only what the rule allows is asked: what happened and what the
    customer asks for (identity and accounts are already held by the bank). A group complaint in person
    names at most five representatives. The deadline runs from the day of receipt."""
    acting = actor_of(actor)
    require(acting, Perm.WORK_COMPLAINTS)
    names = [n.strip() for n in (representatives or []) if n and n.strip()]
    errors: dict[str, str] = {}
    if channel not in Complaint.Channel.values:
        errors["channel"] = _("unknown channel")
    if stage not in Complaint.Stage.values:
        errors["stage"] = _("unknown journey stage")
    if level not in Complaint.Level.values:
        errors["level"] = _("unknown level")
    if not (summary or "").strip():
        errors["summary"] = _("say what happened")
    if not (request or "").strip():
        errors["request"] = _("say what the customer asks for")
    if len(names) > MAX_REPRESENTATIVES:
        errors["representatives"] = _("a group complaint names at most %(n)d representatives") % {
            "n": MAX_REPRESENTATIVES}
    if names and not is_group:
        errors["representatives"] = _("only a group complaint names representatives")
    if errors:
        raise ValidationError(errors)
    received = received_on or timezone.localdate()
    with transaction.atomic():
        complaint = Complaint.objects.create(
            reference=f"TMP-{uuid.uuid4().hex[:16]}", customer=customer, manager_id=customer.manager_id,
            channel=channel, stage=stage, level=level, summary=summary.strip(), request=request.strip(),
            is_group=is_group, received_on=received, due_on=due_date(received, policy=deadline_policy()))
        complaint.reference = f"TS{received:%Y%m%d}{complaint.pk:06d}"
        complaint.save(update_fields=["reference"])
        ComplaintRepresentative.objects.bulk_create(
            [ComplaintRepresentative(complaint=complaint, name=name[:100]) for name in names])
        ComplaintStatusChange.objects.create(complaint=complaint, to_status=Complaint.Status.RECEIVED,
                                             actor_id=_user_id(acting.user), note=channel, on=received)
        record_event(actor=acting.user, event_code="service.complaint_received", obj=complaint,
                     after={"customer_id": customer.pk, "channel": channel, "level": level,
                            "representatives": len(names), "due_on": complaint.due_on.isoformat()})
    return complaint


def complaint_acknowledge(*, actor, complaint: Complaint, owner: Staff, level: str | None = None,
                          today: date | None = None) -> Complaint:
    """Acknowledge receipt to the customer and name the handler (and the level). A handler who recused
    from the case, or who is the complained-about manager, cannot take it."""
    acting = actor_of(actor)
    require(acting, Perm.WORK_COMPLAINTS)
    today = today or timezone.localdate()
    errors: dict[str, str] = {}
    if not owner.is_active or not staff_in_scope(acting, owner):
        errors["owner"] = _("the handler is not an active colleague in your scope")
    elif owner.pk == complaint.manager_id or ComplaintRecusal.objects.filter(complaint=complaint,
                                                                             staff=owner).exists():
        errors["owner"] = _("the handler has an interest in the case and must recuse")
    if level is not None and level not in Complaint.Level.values:
        errors["level"] = _("unknown level")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = _locked(complaint, statuses=OPEN_STATUSES)
        before = {"owner_id": locked.owner_id, "level": locked.level}
        locked.owner = owner
        locked.level = level or locked.level
        locked.acknowledged_on = locked.acknowledged_on or today
        if locked.status == Complaint.Status.RECEIVED:
            _move(locked, Complaint.Status.ACKNOWLEDGED, user=acting.user, note=owner.name, on=today)
        locked.save()
        record_event(actor=acting.user, event_code="service.complaint_acknowledged", obj=locked, before=before,
                     after={"owner_id": owner.pk, "level": locked.level})
    return locked


def complaint_recuse(*, actor, complaint: Complaint, staff: Staff, reason: str,
                     today: date | None = None) -> Complaint:
    """Record that a colleague has an interest in the case; a recusing handler leaves it unassigned."""
    acting = actor_of(actor)
    require(acting, Perm.WORK_COMPLAINTS)
    if not (reason or "").strip():
        raise ValidationError({"reason": _("say what the interest is")})
    today = today or timezone.localdate()
    with transaction.atomic():
        locked = _locked(complaint, statuses=LIVE_STATUSES)
        ComplaintRecusal.objects.get_or_create(complaint=locked, staff=staff,
                                               defaults={"reason": reason.strip()[:300], "on": today})
        if locked.owner_id == staff.pk:
            locked.owner = None
            locked.save(update_fields=["owner"])
        record_event(actor=acting.user, event_code="service.complaint_recused", obj=locked,
                     after={"staff_id": staff.pk, "reason": reason.strip()[:300]})
    return locked


def complaint_extend(*, actor, complaint: Complaint, reason: str, today: date | None = None) -> Complaint:
    """Extend the deadline of a complex case (to 30 days in all, then by 30 more) with the recorded internal
    approval of the acting approver."""
    acting = actor_of(actor)
    require(acting, Perm.APPROVE_SERVICE)
    if not (reason or "").strip():
        raise ValidationError({"reason": _("an extension needs the reason the case is complex")})
    approver_id = _user_id(acting.user)
    if approver_id is None:
        raise PermissionDenied("an extension needs a named approver")
    today = today or timezone.localdate()
    with transaction.atomic():
        locked = _locked(complaint, statuses=OPEN_STATUSES)
        if locked.extensions >= MAX_EXTENSIONS:
            raise ValidationError({"extensions": _("the deadline was already extended twice")})
        before = {"due_on": locked.due_on.isoformat(), "extensions": locked.extensions}
        locked.extensions += 1
        locked.due_on = due_date(locked.received_on, extensions=locked.extensions, policy=deadline_policy())
        locked.escalated_on = None  # the new term escalates again at 80% of its length
        locked.save(update_fields=["extensions", "due_on", "escalated_on"])
        ComplaintExtension.objects.create(complaint=locked, number=locked.extensions, reason=reason.strip(),
                                          approved_by_id=approver_id, approved_on=today, new_due_on=locked.due_on)
        record_event(actor=acting.user, event_code="service.complaint_extended", obj=locked, before=before,
                     after={"due_on": locked.due_on.isoformat(), "extensions": locked.extensions})
    return locked


def _require_handler(acting, complaint: Complaint) -> None:
    if acting.is_system or acting.can(Perm.APPROVE_SERVICE):
        return
    if acting.staff is None or acting.staff.pk != complaint.owner_id:
        raise PermissionDenied("only the complaint's handler may decide it")


def complaint_decide(*, actor, complaint: Complaint, decision: str, today: date | None = None) -> Complaint:
    """Record the decision and its notice to the customer; the customer then confirms or appeals."""
    acting = actor_of(actor)
    require(acting, Perm.WORK_COMPLAINTS)
    _require_handler(acting, complaint)
    if not (decision or "").strip():
        raise ValidationError({"decision": _("write the decision sent to the customer")})
    today = today or timezone.localdate()
    with transaction.atomic():
        locked = _locked(complaint, statuses=(Complaint.Status.ACKNOWLEDGED, Complaint.Status.APPEALED))
        locked.decision = decision.strip()
        locked.decided_on = today
        locked.customer_response = ""
        _move(locked, Complaint.Status.DECIDED, user=acting.user, note="", on=today)
        locked.save()
        record_event(actor=acting.user, event_code="service.complaint_decided", obj=locked,
                     after={"decided_on": today.isoformat(), "late": today > locked.due_on})
    return locked


def complaint_withdraw(*, actor, complaint: Complaint, note: str = "", today: date | None = None) -> Complaint:
    """The customer withdraws: the case ends here."""
    acting = actor_of(actor)
    require(acting, Perm.WORK_COMPLAINTS)
    today = today or timezone.localdate()
    with transaction.atomic():
        locked = _locked(complaint, statuses=LIVE_STATUSES)
        _move(locked, Complaint.Status.WITHDRAWN, user=acting.user, note=note, on=today)
        locked.closed_on = today
        locked.save()
        record_event(actor=acting.user, event_code="service.complaint_withdrawn", obj=locked,
                     after={"on": today.isoformat()})
    return locked


def complaint_respond(*, actor, complaint: Complaint, confirmed: bool, note: str = "",
                      today: date | None = None) -> Complaint:
    """The customer's answer to the decision: confirmed (ready to close) or appealed (back to the handler)."""
    acting = actor_of(actor)
    require(acting, Perm.WORK_COMPLAINTS)
    today = today or timezone.localdate()
    with transaction.atomic():
        locked = _locked(complaint, statuses=(Complaint.Status.DECIDED,))
        if locked.customer_response == "confirmed":
            raise ValidationError({"status": _("the customer already confirmed the decision")})
        if confirmed:
            locked.customer_response = "confirmed"
            ComplaintStatusChange.objects.create(complaint=locked, from_status=locked.status,
                                                 to_status=locked.status, actor_id=_user_id(acting.user),
                                                 note=(note or "confirmed")[:500], on=today)
        else:
            locked.customer_response = "appealed"
            _move(locked, Complaint.Status.APPEALED, user=acting.user, note=note, on=today)
        locked.save()
        record_event(actor=acting.user,
                     event_code="service.complaint_confirmed" if confirmed else "service.complaint_appealed",
                     obj=locked, after={"on": today.isoformat()})
    return locked


def complaint_close(*, actor, complaint: Complaint, root_cause: str, remediation: str,
                    today: date | None = None) -> Complaint:
    """Close a confirmed complaint with its root cause and remediation (溯源整改); the remediation becomes an
    action item owned by the handler, and a satisfaction survey goes to the customer."""
    from lendpilot.service.services.surveys import survey_queue

    acting = actor_of(actor)
    require(acting, Perm.WORK_COMPLAINTS)
    _require_handler(acting, complaint)
    errors: dict[str, str] = {}
    if not (root_cause or "").strip():
        errors["root_cause"] = _("name the root cause")
    if not (remediation or "").strip():
        errors["remediation"] = _("name the remediation")
    if errors:
        raise ValidationError(errors)
    today = today or timezone.localdate()
    with transaction.atomic():
        locked = _locked(complaint, statuses=(Complaint.Status.DECIDED,))
        if locked.customer_response != "confirmed":
            raise ValidationError({"status": _("the customer has not confirmed the decision yet")})
        owner_user = locked.owner.user if locked.owner is not None else acting.user
        if owner_user is None:
            raise ValidationError({"owner": _("the complaint has no handler to own the remediation")})
        locked.root_cause = root_cause.strip()
        locked.remediation = remediation.strip()
        locked.action_item = _remediation_item(locked, owner_user=owner_user, acting_user=acting.user, today=today)
        locked.closed_on = today
        _move(locked, Complaint.Status.CLOSED, user=acting.user, note="", on=today)
        locked.save()
        survey_queue(customer=locked.customer, trigger="complaint", source_ref=f"complaint:{locked.pk}", today=today)
        record_event(actor=acting.user, event_code="service.complaint_closed", obj=locked,
                     after={"root_cause": locked.root_cause, "action_item_id": locked.action_item_id})
    return locked


def _remediation_item(complaint: Complaint, *, owner_user, acting_user, today: date) -> ActionItem:
    now = timezone.make_aware(datetime.combine(today, time(9)))
    hours = int(getattr(settings, "LENDPILOT_ACTION_ITEM_SLA_HOURS", 48))
    item = ActionItem.objects.create(
        title=(_("Remediation of complaint %(ref)s") % {"ref": complaint.reference})[:200],
        description=f"{complaint.root_cause}\n\n{complaint.remediation}", source_ref=f"complaint:{complaint.pk}",
        owner=owner_user, created_by=acting_user, sla_hours=hours, created_at=now,
        due_at=sla_due(now, hours, tz=settings.TIME_ZONE))
    ActionItemStatusChange.objects.create(item=item, from_status="", to_status=ActionItem.Status.OPEN,
                                          actor=acting_user, actor_label=getattr(acting_user, "username", "system"),
                                          note="", at=now)
    return item


def complaints_escalate(*, today: date | None = None) -> int:
    """Send every open complaint whose term is 80% run up the line (the handler's superior, else the
    customer's manager's). Idempotent: an escalated complaint is not escalated again for the same term."""
    today = today or timezone.localdate()
    policy = deadline_policy()
    escalated = []
    with transaction.atomic():
        # Only the complaint rows are locked: PostgreSQL refuses FOR UPDATE on the nullable side of the joins.
        rows = (Complaint.objects.select_for_update(of=("self",)).filter(status__in=OPEN_STATUSES,
                                                                         escalated_on__isnull=True)
                .select_related("owner", "manager"))
        for complaint in rows:
            if escalation_date(complaint.received_on, extensions=complaint.extensions, policy=policy) > today:
                continue
            base = complaint.owner or complaint.manager
            complaint.escalated_to_id = base.reports_to_id if base is not None else None
            complaint.escalated_on = today
            complaint.save(update_fields=["escalated_to", "escalated_on"])
            escalated.append(complaint.pk)
        if escalated:
            record_event(actor=None, event_code="service.complaints_escalated", object_type="service.complaint",
                         after={"on": today.isoformat(), "complaint_ids": escalated})
    logger.info("complaints escalated", extra={"business_date": today.isoformat(), "rows": len(escalated)})
    return len(escalated)
