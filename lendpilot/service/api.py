"""REST endpoints of the service package, mirroring its pages: complaints and their steps, surveys, NPS
and the customer-experience matrix, referrals, the public-post feed with its topics and alerts, crisis
incidents and feedback along the journey. Thin: parse, call a selector or service, return a schema."""

from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Annotated, Literal

from django.core.exceptions import ValidationError
from django.utils import timezone
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from lendpilot.core.months import shift_month
from lendpilot.core.schemas import ERRORS, Id, Money, Page, PathId, SearchText, Text, with_errors
from lendpilot.customers.selectors import customers_visible
from lendpilot.org.access import actor_of
from lendpilot.org.selectors import staff_visible
from lendpilot.service import selectors, services

router = Router()


class ComplaintIn(Schema):
    customer_id: int
    channel: Text(20)
    stage: Text(20) = "service"
    level: Text(20) = "ordinary"
    summary: Text(4000)
    request: Text(4000)
    is_group: bool = False
    representatives: list[Text(100)] = []


class ComplaintOut(Schema):
    id: int
    reference: str
    customer_id: int
    manager_id: int | None
    channel: str
    stage: str
    level: str
    status: str
    is_group: bool
    received_on: date
    acknowledged_on: date | None
    due_on: date
    extensions: int
    owner_id: int | None
    escalated_to_id: int | None
    escalated_on: date | None
    decision: str
    decided_on: date | None
    customer_response: str
    root_cause: str
    remediation: str
    action_item_id: int | None
    closed_on: date | None


class StepIn(Schema):
    step: Literal["acknowledge", "recuse", "extend", "decide", "withdraw", "confirm", "appeal", "close"]
    staff_id: int | None = None
    level: Text(20) | None = None
    reason: Text(1000) = ""
    decision: Text(4000) = ""
    note: Text(500) = ""
    root_cause: Text(4000) = ""
    remediation: Text(4000) = ""


class CxRowOut(Schema):
    key: str
    nps: Decimal | None
    answers: int
    loans: int
    overdue_share: Decimal | None
    complaints: int | None


@router.get("/complaints", response=with_errors({200: list[ComplaintOut]}), summary="Complaints in scope")
@paginate(Page)
def complaint_list(request, status: SearchText = None):
    rows = selectors.complaints_for(actor_of(request.auth))
    return rows.filter(status=status) if status else rows


@router.post("/complaints", response={201: ComplaintOut, **ERRORS}, summary="Take in a complaint from any channel")
def complaint_create(request, payload: ComplaintIn):
    actor = actor_of(request.auth)
    customer = customers_visible(actor).filter(pk=payload.customer_id).first()
    if customer is None:
        raise ValidationError({"customer_id": "not a customer in your scope"})
    return Status(201, services.complaint_receive(
        actor=actor, customer=customer, channel=payload.channel, stage=payload.stage, level=payload.level,
        summary=payload.summary, request=payload.request, is_group=payload.is_group,
        representatives=payload.representatives))


@router.get("/complaints/{complaint_id}", response=with_errors({200: ComplaintOut}), summary="One complaint")
def complaint_detail(request, complaint_id: PathId):
    return selectors.complaint_get(actor_of(request.auth), complaint_id)


def _staff(actor, staff_id: int | None):
    staff = staff_visible(actor).filter(pk=staff_id or 0).first()
    if staff is None:
        raise ValidationError({"staff_id": "not a colleague in your scope"})
    return staff


@router.post("/complaints/{complaint_id}/steps", response=with_errors({200: ComplaintOut}),
             summary="A step of the complaint: acknowledge, recuse, extend, decide, withdraw, confirm, appeal, close")
def complaint_step(request, complaint_id: PathId, payload: StepIn):
    actor = actor_of(request.auth)
    complaint = selectors.complaint_get(actor, complaint_id)
    step = payload.step
    if step == "acknowledge":
        return services.complaint_acknowledge(actor=actor, complaint=complaint, owner=_staff(actor, payload.staff_id),
                                              level=payload.level)
    if step == "recuse":
        return services.complaint_recuse(actor=actor, complaint=complaint, staff=_staff(actor, payload.staff_id),
                                         reason=payload.reason)
    if step == "extend":
        return services.complaint_extend(actor=actor, complaint=complaint, reason=payload.reason)
    if step == "decide":
        return services.complaint_decide(actor=actor, complaint=complaint, decision=payload.decision)
    if step == "withdraw":
        return services.complaint_withdraw(actor=actor, complaint=complaint, note=payload.note)
    if step in ("confirm", "appeal"):
        return services.complaint_respond(actor=actor, complaint=complaint, confirmed=step == "confirm",
                                          note=payload.note)
    return services.complaint_close(actor=actor, complaint=complaint, root_cause=payload.root_cause,
                                    remediation=payload.remediation)


@router.get("/cx-matrix", response=with_errors({200: list[CxRowOut]}),
            summary="NPS x repayment behaviour x complaints per tier, manager or product (last 12 months)")
def cx_matrix(request, dimension: Literal["tier", "manager", "product"] = "tier"):
    today = timezone.localdate()
    rows = selectors.cx_matrix(actor_of(request.auth), dimension=dimension,
                               start=shift_month(today.replace(day=1), -11), end=today)
    return [{**r, "key": str(r["key"])} for r in rows]




class ReferralOut(Schema):
    id: int
    referrer_id: int
    referred_id: int
    registered_on: date
    loan_id: int | None
    status: str
    reward: Decimal
    qualified_on: date | None
    approved_on: date | None


@router.get("/referrals", response=with_errors({200: list[ReferralOut]}), summary="Referrals in scope")
@paginate(Page)
def referral_list(request, status: SearchText = None):
    rows = selectors.referrals_for(actor_of(request.auth))
    return rows.filter(status=status) if status else rows


class AnswerIn(Schema):
    score: int
    comment: Text(1000) = ""


class SurveyOut(Schema):
    id: int
    customer_id: int
    trigger: str
    sent_on: date
    score: int | None
    answered_on: date | None


@router.post("/surveys/{survey_id}/answer", response=with_errors({200: SurveyOut}),
             summary="Record the customer's answer (0-10) to a satisfaction survey")
def survey_answer(request, survey_id: PathId, payload: AnswerIn):
    from django.shortcuts import get_object_or_404

    actor = actor_of(request.auth)
    survey = get_object_or_404(selectors.surveys_for(actor), pk=survey_id)
    return services.survey_answer(actor=actor, survey=survey, score=payload.score, comment=payload.comment)


# --- public sentiment (E8) -------------------------------------------------------------------------------


class PublicPostIn(Schema):
    source: Text(20)
    time: Text(40)
    text: Text(4000)
    url: Text(500) = ""


class PublicPostFeedIn(Schema):
    posts: Annotated[list[PublicPostIn], Field(min_length=1, max_length=1000)]


class PublicPostIngestOut(Schema):
    added: int
    duplicates: int
    alerts: int


class PublicPostOut(Schema):
    id: int
    source: str
    posted_at: datetime
    text: str
    url: str
    sentiment: Decimal
    topic: str
    cluster_id: int | None


class SentimentTopicOut(Schema):
    topic: str
    posts: int
    mean_sentiment: Decimal | None
    negative_share: Decimal | None
    daily: list[int]


class SentimentAlertOut(Schema):
    id: int
    topic: str
    day: date
    volume: int
    expected: Decimal
    raised_on: date
    incident_id: int | None


@router.post("/posts", response={200: PublicPostIngestOut, **ERRORS},
             summary="Feed of public posts and reviews (source, time, text, url): all or none, duplicates kept once")
def post_feed(request, payload: PublicPostFeedIn):
    result = services.posts_ingest(actor=actor_of(request.auth), rows=[p.dict() for p in payload.posts])
    return {"added": result.added, "duplicates": result.duplicates, "alerts": result.alerts}


@router.get("/posts", response=with_errors({200: list[PublicPostOut]}), summary="Public posts, newest first")
@paginate(Page)
def post_list(request, topic: SearchText = None):
    rows = selectors.posts_for(actor_of(request.auth))
    return rows.filter(topic=topic) if topic else rows


@router.get("/sentiment/topics", response=with_errors({200: list[SentimentTopicOut]}),
            summary="Per topic over the last 30 days: posts, mean sentiment, negative share, posts a day")
def sentiment_topics(request):
    today = timezone.localdate()
    return selectors.topic_summary(actor_of(request.auth), start=today - timedelta(days=29), end=today)


@router.get("/sentiment/alerts", response=with_errors({200: list[SentimentAlertOut]}),
            summary="Volume spikes per topic and the crisis reviews they opened")
@paginate(Page)
def sentiment_alerts(request):
    return selectors.alerts_for(actor_of(request.auth))


# --- crisis incidents (E9) -------------------------------------------------------------------------------


class CrisisIncidentIn(Schema):
    title: Text(200)
    summary: Text(4000)
    topic: Text(20) = "other"
    is_drill: bool = False
    complaint_id: Id | None = None


class CrisisStepOut(Schema):
    step: str
    done_on: date
    note: str


class CrisisMemberOut(Schema):
    function: str
    staff_id: int


class CrisisStatementOut(Schema):
    id: int
    kind: str
    version: int
    text: str
    status: str
    drafted_on: date
    checked_on: date | None


class CrisisCompensationOut(Schema):
    id: int
    customer_id: int
    amount: Decimal
    reason: str
    status: str


class CrisisTimelineOut(Schema):
    at: datetime
    text: str


class CrisisIncidentOut(Schema):
    id: int
    reference: str
    title: str
    summary: str
    topic: str
    origin: str
    is_drill: bool
    grade: str
    status: str
    opened_on: date
    closed_on: date | None
    review_findings: str
    review_improvements: str
    reviewed_on: date | None


class CrisisIncidentDetailOut(CrisisIncidentOut):
    steps: list[CrisisStepOut]
    task_force: list[CrisisMemberOut]
    statements: list[CrisisStatementOut]
    compensations: list[CrisisCompensationOut]
    timeline: list[CrisisTimelineOut]


class CrisisActionIn(Schema):
    action: Literal["member", "note", "grade", "step", "statement", "check_statement", "compensation",
                    "check_compensation", "review", "close"]
    staff_id: Id | None = None
    function: Text(20) = ""
    text: Text(4000) = ""
    grade: Text(20) = ""
    step: Text(20) = ""
    note: Text(1000) = ""
    kind: Text(20) = ""
    statement_id: Id | None = None
    approve: bool = False
    customer_id: Id | None = None
    amount: Money | None = None
    reason: Text(500) = ""
    case_id: Id | None = None
    findings: Text(4000) = ""
    improvements: Text(4000) = ""


def _incident_detail(incident) -> dict:
    return {**{f: getattr(incident, f) for f in CrisisIncidentOut.model_fields},
            "steps": list(incident.steps.all()), "task_force": list(incident.task_force.all()),
            "statements": list(incident.statements.all()), "compensations": list(incident.compensations.all()),
            "timeline": list(incident.timeline.all())}


@router.get("/incidents", response=with_errors({200: list[CrisisIncidentOut]}), summary="Crisis incidents and drills")
@paginate(Page)
def incident_list(request):
    return selectors.incidents_for(actor_of(request.auth))


@router.post("/incidents", response={201: CrisisIncidentDetailOut, **ERRORS},
             summary="Open an incident or a drill (from a major complaint or a report by staff)")
def incident_create(request, payload: CrisisIncidentIn):
    actor = actor_of(request.auth)
    complaint = None
    if payload.complaint_id is not None:
        complaint = selectors.complaints_for(actor).filter(pk=payload.complaint_id).first()
        if complaint is None:
            raise ValidationError({"complaint_id": "not a complaint in your scope"})
    incident = services.incident_open(actor=actor, title=payload.title, summary=payload.summary,
                                      topic=payload.topic, is_drill=payload.is_drill, complaint=complaint)
    return Status(201, _incident_detail(incident))


@router.get("/incidents/{incident_id}", response=with_errors({200: CrisisIncidentDetailOut}),
            summary="One incident with its seven steps, task force, statements, compensation and timeline")
def incident_detail(request, incident_id: PathId):
    return _incident_detail(selectors.incident_get(actor_of(request.auth), incident_id))


@router.post("/incidents/{incident_id}/actions", response=with_errors({200: CrisisIncidentDetailOut}),
             summary="Work an incident: task force, timeline, grade, steps, statements, compensation, review, close")
def incident_action(request, incident_id: PathId, payload: CrisisActionIn):
    actor = actor_of(request.auth)
    incident = selectors.incident_get(actor, incident_id)
    action = payload.action
    if action == "member":
        services.incident_member_add(actor=actor, incident=incident, staff=_staff(actor, payload.staff_id),
                                     function=payload.function)
    elif action == "note":
        services.incident_note(actor=actor, incident=incident, text=payload.text)
    elif action == "grade":
        services.incident_grade(actor=actor, incident=incident, grade=payload.grade, note=payload.note)
    elif action == "step":
        services.incident_step_done(actor=actor, incident=incident, step=payload.step, note=payload.note)
    elif action == "statement":
        services.statement_draft(actor=actor, incident=incident, kind=payload.kind, text=payload.text)
    elif action == "check_statement":
        statement = incident.statements.filter(pk=payload.statement_id or 0).first()
        if statement is None:
            raise ValidationError({"statement_id": "no such statement of this incident"})
        services.statement_check(actor=actor, statement=statement, approve=payload.approve, note=payload.note)
    elif action == "compensation":
        customer = customers_visible(actor).filter(pk=payload.customer_id or 0).first()
        if customer is None:
            raise ValidationError({"customer_id": "not a customer in your scope"})
        if payload.amount is None:
            raise ValidationError({"amount": "give the amount in CNY"})
        services.compensation_propose(actor=actor, incident=incident, customer=customer, amount=payload.amount,
                                      reason=payload.reason)
    elif action == "check_compensation":
        case = incident.compensations.filter(pk=payload.case_id or 0).first()
        if case is None:
            raise ValidationError({"case_id": "no such compensation case of this incident"})
        services.compensation_check(actor=actor, case=case, approve=payload.approve)
    elif action == "review":
        services.incident_review(actor=actor, incident=incident, findings=payload.findings,
                                 improvements=payload.improvements)
    else:
        services.incident_close(actor=actor, incident=incident)
    return _incident_detail(selectors.incident_get(actor, incident_id))


# --- feedback along the journey (F6) ---------------------------------------------------------------------


class JourneyStageOut(Schema):
    stage: str
    complaints: int
    answers: int
    nps: Decimal | None
    topics: dict[str, dict[str, int]]


class JourneyFeedbackOut(Schema):
    stages: list[JourneyStageOut]
    worst_nps: list[str]
    most_complaints: list[str]


@router.get("/feedback", response=with_errors({200: JourneyFeedbackOut}),
            summary="Complaints and survey answers per journey stage (last 12 months): NPS, complaints, topics")
def feedback(request):
    today = timezone.localdate()
    data = selectors.feedback_by_stage(actor_of(request.auth), start=shift_month(today.replace(day=1), -11),
                                       end=today)
    return {"stages": data["stages"], "worst_nps": [r["stage"] for r in data["worst_nps"]],
            "most_complaints": [r["stage"] for r in data["most_complaints"]]}
