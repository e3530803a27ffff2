"""REST endpoints of the service package, mirroring its pages: complaints and their steps, surveys, NPS
and the customer-experience matrix. Thin: parse, call a selector or service, return a schema."""

from datetime import date
from decimal import Decimal
from typing import Literal

from django.core.exceptions import ValidationError
from django.utils import timezone
from ninja import Router, Schema, Status
from ninja.pagination import paginate

from lendpilot.core.months import shift_month
from lendpilot.core.schemas import ERRORS, Page, PathId, SearchText, Text, with_errors
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
