"""REST endpoints of the checkpoints: submit material, decide it, scan a text, ask whether a text is cleared."""

from typing import Literal

from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema, Status

from lendpilot.compliance.checkpoints import selectors, services
from lendpilot.compliance.checkpoints.promises import scan
from lendpilot.core.schemas import PathId, Text, with_errors
from lendpilot.org.access import actor_of

router = Router()
Kind = Literal["product_version", "playbook_script", "objection_answer", "partner_toolkit"]


class SubmitIn(Schema):
    subject_ref: Text(64, min_length=1, strip=True)
    kind: Kind
    title: Text(200, min_length=1, strip=True)
    text: Text(20_000, min_length=1)
    has_fees: bool = True


class FindingOut(Schema):
    phrase: str
    problem: str
    law: str
    excerpt: str


class ReviewOut(Schema):
    id: int
    subject_ref: str
    kind: str
    title: str
    status: str
    findings: list[FindingOut]
    checklist: dict[str, bool]


class DecisionIn(Schema):
    approve: bool
    note: Text(500) = ""
    checked: list[Text(40)] = Field(default_factory=list, max_length=20)


class ScanIn(Schema):
    text: Text(20_000, min_length=1)
    has_fees: bool = True


class ClearanceIn(Schema):
    subject_ref: Text(64, min_length=1, strip=True)
    text: Text(20_000, min_length=1)


class ClearanceOut(Schema):
    cleared: bool


@router.post("/checkpoints", response=with_errors({201: ReviewOut}), summary="Submit material for compliance review")
def checkpoint_create(request, payload: SubmitIn):
    return Status(201, services.checkpoint_submit(actor=actor_of(request.auth), **payload.dict()))


@router.post("/checkpoints/{review_id}/decision", response=with_errors({200: ReviewOut}),
             summary="Approve (every checklist item, no forbidden promise) or reject material (not its author)")
def checkpoint_decision(request, review_id: PathId, payload: DecisionIn):
    actor = actor_of(request.auth)
    review = get_object_or_404(selectors.reviews(actor), pk=review_id)
    return services.checkpoint_decide(actor=actor, review=review, **payload.dict())


@router.post("/checkpoints/scan", response=with_errors({200: list[FindingOut]}),
             summary="Forbidden promises in a text (nothing is stored)")
def checkpoint_scan(request, payload: ScanIn):
    return scan(payload.text, has_fees=payload.has_fees)


@router.post("/checkpoints/clearance", response=with_errors({200: ClearanceOut}),
             summary="Whether compliance approved exactly this text for this material")
def checkpoint_clearance(request, payload: ClearanceIn):
    return {"cleared": selectors.is_cleared(subject_ref=payload.subject_ref, text=payload.text)}
