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


class CheckpointSubmitIn(Schema):
    subject_ref: Text(64, min_length=1, strip=True)
    kind: Kind
    title: Text(200, min_length=1, strip=True)
    text: Text(20_000, min_length=1)
    has_fees: bool = True


class PromiseFindingOut(Schema):
    phrase: str
    problem: str
    law: str
    excerpt: str


class CheckpointReviewOut(Schema):
    id: int
    subject_ref: str
    kind: str
    title: str
    status: str
    findings: list[PromiseFindingOut]
    checklist: dict[str, bool]


class CheckpointDecisionIn(Schema):
    approve: bool
    note: Text(500) = ""
    checked: list[Text(40)] = Field(default_factory=list, max_length=20)


class PromiseScanIn(Schema):
    text: Text(20_000, min_length=1)
    has_fees: bool = True


class CheckpointClearanceIn(Schema):
    subject_ref: Text(64, min_length=1, strip=True)
    text: Text(20_000, min_length=1)


class CheckpointClearanceOut(Schema):
    cleared: bool


@router.post("/checkpoints", response=with_errors({201: CheckpointReviewOut}),
             summary="Submit material for compliance review")
def checkpoint_create(request, payload: CheckpointSubmitIn):
    return Status(201, services.checkpoint_submit(actor=actor_of(request.auth), **payload.dict()))


@router.post("/checkpoints/{review_id}/decision", response=with_errors({200: CheckpointReviewOut}),
             summary="Approve (every checklist item, no forbidden promise) or reject material (not its author)")
def checkpoint_decision(request, review_id: PathId, payload: CheckpointDecisionIn):
    actor = actor_of(request.auth)
    review = get_object_or_404(selectors.reviews(actor), pk=review_id)
    return services.checkpoint_decide(actor=actor, review=review, **payload.dict())


@router.post("/checkpoints/scan", response=with_errors({200: list[PromiseFindingOut]}),
             summary="Forbidden promises in a text (nothing is stored)")
def checkpoint_scan(request, payload: PromiseScanIn):
    return scan(payload.text, has_fees=payload.has_fees)


@router.post("/checkpoints/clearance", response=with_errors({200: CheckpointClearanceOut}),
             summary="Whether compliance approved exactly this text for this material")
def checkpoint_clearance(request, payload: CheckpointClearanceIn):
    return {"cleared": selectors.is_cleared(subject_ref=payload.subject_ref, text=payload.text)}
