"""Crisis response (FEATURES E9, 银行保险机构声誉风险管理办法): an incident worked by a task force (legal, PR,
risk, operations) through the seven steps of the reputation-risk rules (assess, monitor, grade, respond,
report, hold accountable, review), with a holding statement and approved statement versions (drafted by
one colleague, approved by another), customer compensation cases with approval, a timeline and a
post-incident review. A drill is an incident flagged as such and runs the same way.

Working an incident needs `WORK_COMPLAINTS` (operations, managers); approving statements and compensation and
closing needs `APPROVE_SERVICE` (the director, regional heads), never by whoever drafted or proposed."""

import uuid
from datetime import date, datetime, time
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lendpilot.compliance.audit import record_event
from lendpilot.customers.models import Customer
from lendpilot.org.access import actor_of, require, staff_in_scope
from lendpilot.org.models import Staff
from lendpilot.org.roles import Perm
from lendpilot.service.models import (
    CompensationCase,
    Complaint,
    Incident,
    IncidentEvent,
    IncidentStep,
    SentimentAlert,
    Statement,
    TaskForceMember,
    Topic,
)
from lendpilot.service.sentiment.lexicon import topic_specs

Step = IncidentStep.Step
MAX_COMPENSATION = Decimal("1000000.00")
# Steps completed by their own action rather than a plain note.
STEPS_BY_ACTION = {Step.GRADE: "incident_grade", Step.REVIEW: "incident_review"}


def scripts_for(topic: str) -> dict[str, str]:
    """The prepared response scripts of a topic: holding statement, customer reply, internal brief."""
    specs = topic_specs()
    return dict((specs.get(topic) or specs["other"]).scripts)


def _now_on(day: date) -> datetime:
    today = timezone.localdate()
    if day == today:
        return timezone.now()
    return timezone.make_aware(datetime.combine(day, time(9)))


def _log(incident: Incident, text: str, *, user, on: date) -> IncidentEvent:
    return IncidentEvent.objects.create(incident=incident, at=_now_on(on), text=text[:1000],
                                        actor_id=getattr(user, "pk", None))


def _step(incident: Incident, step: str, *, user, on: date, note: str) -> None:
    IncidentStep.objects.get_or_create(incident=incident, step=step,
                                       defaults={"done_on": on, "done_by_id": getattr(user, "pk", None),
                                                 "note": note[:1000]})


def _locked_open(incident: Incident) -> Incident:
    locked = Incident.objects.select_for_update().get(pk=incident.pk)
    if locked.status != Incident.Status.OPEN:
        raise ValidationError({"status": _("the incident is closed")})
    return locked


def _create(*, user, title: str, summary: str, topic: str, origin: str, is_drill: bool, today: date,
            complaint: Complaint | None = None) -> Incident:
    incident = Incident.objects.create(
        reference=f"TMP-{uuid.uuid4().hex[:16]}", title=title[:200], summary=summary, topic=topic, origin=origin,
        is_drill=is_drill, complaint=complaint, opened_on=today, opened_by_id=getattr(user, "pk", None))
    incident.reference = f"{'YL' if is_drill else 'WJ'}{today:%Y%m%d}{incident.pk:05d}"
    incident.save(update_fields=["reference"])
    scripts = scripts_for(topic)
    Statement.objects.create(incident=incident, kind=Statement.Kind.HOLDING, version=1, text=scripts["holding"],
                             drafted_by_id=getattr(user, "pk", None), drafted_on=today)
    _log(incident, _("Incident opened (%(origin)s); the holding statement of the prepared scripts is drafted.")
         % {"origin": incident.get_origin_display()}, user=user, on=today)
    return incident


def incident_open(*, actor, title: str, summary: str, topic: str = Topic.OTHER, is_drill: bool = False,
                  complaint: Complaint | None = None, today: date | None = None) -> Incident:
    """Open an incident (or a drill) by hand, from a major complaint or a report by staff. Its holding statement
    starts as a draft from the topic's prepared script."""
    acting = actor_of(actor)
    require(acting, Perm.WORK_COMPLAINTS)
    errors: dict[str, str] = {}
    if not (title or "").strip():
        errors["title"] = _("give the incident a title")
    if not (summary or "").strip():
        errors["summary"] = _("say what happened")
    if topic not in Topic.values:
        errors["topic"] = _("unknown topic")
    if errors:
        raise ValidationError(errors)
    today = today or timezone.localdate()
    origin = Incident.Origin.COMPLAINT if complaint is not None else Incident.Origin.MANUAL
    with transaction.atomic():
        incident = _create(user=acting.user, title=title.strip(), summary=summary.strip(), topic=topic,
                           origin=origin, is_drill=is_drill, today=today, complaint=complaint)
        record_event(actor=acting.user, event_code="service.incident_opened", obj=incident,
                     after={"topic": topic, "drill": is_drill, "complaint_id": getattr(complaint, "pk", None)})
    return incident


def incident_open_for_alert(*, alert: SentimentAlert, today: date) -> Incident:
    """The crisis review an alert opens (inside the scan's transaction): the open review of the same topic if
    there is one, else a new one, with the monitor step done by the alert."""
    existing = (Incident.objects.filter(status=Incident.Status.OPEN, is_drill=False, topic=alert.topic,
                                        origin=Incident.Origin.ALERT).order_by("-opened_on").first())
    label = Topic(alert.topic).label
    text = _("%(day)s: %(n)d posts on %(topic)s against about %(expected)s expected.") % {
        "day": alert.day.isoformat(), "n": alert.volume, "topic": label, "expected": alert.expected}
    if existing is not None:
        _log(existing, _("Further alert: %(text)s") % {"text": text}, user=None, on=today)
        return existing
    incident = _create(user=None, title=_("Public sentiment: %(topic)s") % {"topic": label},
                       summary=text, topic=alert.topic, origin=Incident.Origin.ALERT, is_drill=False, today=today)
    _step(incident, Step.MONITOR, user=None, on=today, note=_("Raised by the daily public-sentiment scan."))
    record_event(actor=None, event_code="service.incident_opened", obj=incident,
                 after={"topic": alert.topic, "alert_day": alert.day.isoformat()})
    return incident


def incident_member_add(*, actor, incident: Incident, staff: Staff, function: str,
                        today: date | None = None) -> TaskForceMember:
    """Put a colleague on the task force for legal, PR, risk or operations."""
    acting = actor_of(actor)
    require(acting, Perm.WORK_COMPLAINTS)
    if function not in TaskForceMember.Function.values:
        raise ValidationError({"function": _("unknown function")})
    if not staff.is_active or not staff_in_scope(acting, staff):
        raise ValidationError({"staff": _("not an active colleague in your scope")})
    today = today or timezone.localdate()
    with transaction.atomic():
        locked = _locked_open(incident)
        member, created = TaskForceMember.objects.get_or_create(incident=locked, function=function, staff=staff)
        if not created:
            raise ValidationError({"staff": _("already on the task force for this function")})
        _log(locked, _("%(name)s joins the task force for %(function)s.") % {
            "name": staff.name, "function": member.get_function_display()}, user=acting.user, on=today)
        record_event(actor=acting.user, event_code="service.incident_member_added", obj=locked,
                     after={"staff_id": staff.pk, "function": function})
    return member


def incident_note(*, actor, incident: Incident, text: str, today: date | None = None) -> IncidentEvent:
    """Add a line to the timeline (what was seen, said or decided)."""
    acting = actor_of(actor)
    require(acting, Perm.WORK_COMPLAINTS)
    if not (text or "").strip():
        raise ValidationError({"text": _("write what happened")})
    today = today or timezone.localdate()
    with transaction.atomic():
        locked = _locked_open(incident)
        event = _log(locked, text.strip(), user=acting.user, on=today)
        record_event(actor=acting.user, event_code="service.incident_noted", obj=locked, after={"text": text[:200]})
    return event


def incident_grade(*, actor, incident: Incident, grade: str, note: str = "", today: date | None = None) -> Incident:
    """Grade the incident (IV minor to I severe); regrading is allowed and logged, the step counts once."""
    acting = actor_of(actor)
    require(acting, Perm.WORK_COMPLAINTS)
    if grade not in Incident.Grade.values:
        raise ValidationError({"grade": _("unknown grade")})
    today = today or timezone.localdate()
    with transaction.atomic():
        locked = _locked_open(incident)
        before = locked.grade
        locked.grade = grade
        locked.save(update_fields=["grade"])
        _step(locked, Step.GRADE, user=acting.user, on=today, note=note)
        _log(locked, _("Graded %(grade)s.") % {"grade": locked.get_grade_display()} + (f" {note}" if note else ""),
             user=acting.user, on=today)
        record_event(actor=acting.user, event_code="service.incident_graded", obj=locked, before={"grade": before},
                     after={"grade": grade})
    return locked


def incident_step_done(*, actor, incident: Incident, step: str, note: str, today: date | None = None) -> Incident:
    """Mark a step of the seven done with a note (whom was reported to, who is held accountable, ...). Grading
    and the review have their own actions; responding needs an approved statement and a full task force."""
    acting = actor_of(actor)
    require(acting, Perm.WORK_COMPLAINTS)
    if step not in Step.values:
        raise ValidationError({"step": _("unknown step")})
    if step in STEPS_BY_ACTION:
        raise ValidationError({"step": _("this step is done by its own form")})
    if not (note or "").strip():
        raise ValidationError({"note": _("say what was done")})
    today = today or timezone.localdate()
    with transaction.atomic():
        locked = _locked_open(incident)
        if IncidentStep.objects.filter(incident=locked, step=step).exists():
            raise ValidationError({"step": _("this step is already done")})
        if step == Step.RESPOND:
            missing = set(TaskForceMember.Function.values) - set(locked.task_force.values_list("function", flat=True))
            if missing:
                raise ValidationError({"step": _("the task force lacks %(functions)s") % {"functions": ", ".join(
                    str(TaskForceMember.Function(f).label) for f in sorted(missing))}})
            if not locked.statements.filter(status=Statement.Status.APPROVED).exists():
                raise ValidationError({"step": _("respond with an approved statement")})
        _step(locked, step, user=acting.user, on=today, note=note.strip())
        _log(locked, f"{Step(step).label}: {note.strip()}", user=acting.user, on=today)
        record_event(actor=acting.user, event_code="service.incident_step_done", obj=locked,
                     after={"step": step})
    return locked


def statement_draft(*, actor, incident: Incident, kind: str, text: str, today: date | None = None) -> Statement:
    """A new version of the holding or full statement, awaiting approval."""
    acting = actor_of(actor)
    require(acting, Perm.WORK_COMPLAINTS)
    if kind not in Statement.Kind.values:
        raise ValidationError({"kind": _("unknown kind of statement")})
    if not (text or "").strip():
        raise ValidationError({"text": _("write the statement")})
    today = today or timezone.localdate()
    with transaction.atomic():
        locked = _locked_open(incident)
        last = locked.statements.filter(kind=kind).order_by("-version").first()
        statement = Statement.objects.create(incident=locked, kind=kind, version=(last.version + 1) if last else 1,
                                             text=text.strip(), drafted_by_id=getattr(acting.user, "pk", None),
                                             drafted_on=today)
        _log(locked, _("%(kind)s version %(v)d drafted.") % {"kind": statement.get_kind_display(),
                                                             "v": statement.version}, user=acting.user, on=today)
        record_event(actor=acting.user, event_code="service.statement_drafted", obj=locked,
                     after={"kind": kind, "version": statement.version})
    return statement


def statement_check(*, actor, statement: Statement, approve: bool, note: str = "",
                    today: date | None = None) -> Statement:
    """Approve or reject a drafted statement (maker-checker: never by its drafter)."""
    acting = actor_of(actor)
    require(acting, Perm.APPROVE_SERVICE)
    checker_id = getattr(acting.user, "pk", None)
    if checker_id is None or checker_id == statement.drafted_by_id:
        raise PermissionDenied("a statement is approved by someone other than its drafter")
    if not approve and not (note or "").strip():
        raise ValidationError({"note": _("say why the statement is rejected")})
    today = today or timezone.localdate()
    with transaction.atomic():
        _locked_open(statement.incident)
        locked = Statement.objects.select_for_update().get(pk=statement.pk)
        if locked.status != Statement.Status.DRAFT:
            raise ValidationError({"status": _("the statement was already checked")})
        locked.status = Statement.Status.APPROVED if approve else Statement.Status.REJECTED
        locked.checked_by_id, locked.checked_on, locked.check_note = checker_id, today, (note or "").strip()[:500]
        locked.save(update_fields=["status", "checked_by", "checked_on", "check_note"])
        _log(locked.incident, _("%(kind)s version %(v)d %(status)s.") % {
            "kind": locked.get_kind_display(), "v": locked.version, "status": locked.get_status_display().lower()},
            user=acting.user, on=today)
        record_event(actor=acting.user, event_code="service.statement_checked", obj=locked.incident,
                     after={"statement_id": locked.pk, "status": locked.status})
    return locked


def compensation_propose(*, actor, incident: Incident, customer: Customer, amount: Decimal, reason: str,
                         today: date | None = None) -> CompensationCase:
    """Propose compensation for a customer hurt by the incident (CNY, to the fen), awaiting approval."""
    acting = actor_of(actor)
    require(acting, Perm.WORK_COMPLAINTS)
    errors: dict[str, str] = {}
    if not isinstance(amount, Decimal) or not amount.is_finite() or amount <= 0 or amount > MAX_COMPENSATION \
            or amount != amount.quantize(Decimal("0.01")):
        errors["amount"] = _("an amount above 0 and at most %(max)s CNY, to the fen") % {"max": MAX_COMPENSATION}
    if not (reason or "").strip():
        errors["reason"] = _("say what the compensation is for")
    if errors:
        raise ValidationError(errors)
    today = today or timezone.localdate()
    with transaction.atomic():
        locked = _locked_open(incident)
        case = CompensationCase.objects.create(incident=locked, customer=customer, amount=amount,
                                               reason=reason.strip()[:500], proposed_on=today,
                                               proposed_by_id=getattr(acting.user, "pk", None))
        _log(locked, _("Compensation of %(amount)s CNY proposed for %(customer)s.") % {
            "amount": f"{amount:,.2f}", "customer": customer.name}, user=acting.user, on=today)
        record_event(actor=acting.user, event_code="service.compensation_proposed", obj=locked,
                     after={"customer_id": customer.pk, "amount": amount})
    return case


def compensation_check(*, actor, case: CompensationCase, approve: bool, today: date | None = None) -> CompensationCase:
    """Approve or reject a proposed compensation (never by its proposer)."""
    acting = actor_of(actor)
    require(acting, Perm.APPROVE_SERVICE)
    checker_id = getattr(acting.user, "pk", None)
    if checker_id is None or checker_id == case.proposed_by_id:
        raise PermissionDenied("compensation is approved by someone other than its proposer")
    today = today or timezone.localdate()
    with transaction.atomic():
        _locked_open(case.incident)
        locked = CompensationCase.objects.select_for_update().get(pk=case.pk)
        if locked.status != CompensationCase.Status.PROPOSED:
            raise ValidationError({"status": _("the compensation was already decided")})
        locked.status = CompensationCase.Status.APPROVED if approve else CompensationCase.Status.REJECTED
        locked.checked_by_id, locked.checked_on = checker_id, today
        locked.save(update_fields=["status", "checked_by", "checked_on"])
        _log(locked.incident, _("Compensation of %(amount)s CNY %(status)s.") % {
            "amount": f"{locked.amount:,.2f}", "status": locked.get_status_display().lower()},
            user=acting.user, on=today)
        record_event(actor=acting.user, event_code="service.compensation_checked", obj=locked.incident,
                     after={"case_id": locked.pk, "status": locked.status, "amount": locked.amount})
    return locked


def incident_review(*, actor, incident: Incident, findings: str, improvements: str,
                    today: date | None = None) -> Incident:
    """The post-incident review: what happened and why, and what changes; completes the review step."""
    acting = actor_of(actor)
    require(acting, Perm.WORK_COMPLAINTS)
    errors: dict[str, str] = {}
    if not (findings or "").strip():
        errors["findings"] = _("say what happened and why")
    if not (improvements or "").strip():
        errors["improvements"] = _("say what changes")
    if errors:
        raise ValidationError(errors)
    today = today or timezone.localdate()
    with transaction.atomic():
        locked = _locked_open(incident)
        locked.review_findings, locked.review_improvements = findings.strip(), improvements.strip()
        locked.reviewed_on = today
        locked.save(update_fields=["review_findings", "review_improvements", "reviewed_on"])
        _step(locked, Step.REVIEW, user=acting.user, on=today, note=improvements.strip())
        _log(locked, _("Post-incident review recorded."), user=acting.user, on=today)
        record_event(actor=acting.user, event_code="service.incident_reviewed", obj=locked,
                     after={"reviewed_on": today.isoformat()})
    return locked


def incident_close(*, actor, incident: Incident, today: date | None = None) -> Incident:
    """Close the incident once all seven steps are done and no statement or compensation awaits a decision."""
    acting = actor_of(actor)
    require(acting, Perm.APPROVE_SERVICE)
    today = today or timezone.localdate()
    with transaction.atomic():
        locked = _locked_open(incident)
        done = set(locked.steps.values_list("step", flat=True))
        missing = [str(Step(s).label) for s in Step.values if s not in done]
        if missing:
            raise ValidationError({"steps": _("steps not done yet: %(steps)s") % {"steps": ", ".join(missing)}})
        if locked.statements.filter(status=Statement.Status.DRAFT).exists() or \
                locked.compensations.filter(status=CompensationCase.Status.PROPOSED).exists():
            raise ValidationError({"status": _("a statement or compensation still awaits a decision")})
        locked.status, locked.closed_on = Incident.Status.CLOSED, today
        locked.save(update_fields=["status", "closed_on"])
        _log(locked, _("Incident closed."), user=acting.user, on=today)
        record_event(actor=acting.user, event_code="service.incident_closed", obj=locked,
                     after={"closed_on": today.isoformat()})
    return locked
