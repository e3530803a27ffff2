"""REST endpoints of the regulatory register (the pages' twin)."""

from typing import Literal

from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Field, Router, Schema, Status

from lendpilot.compliance.register import selectors, services
from lendpilot.compliance.register.models import ManualRevision, Training
from lendpilot.core.schemas import Id, IsoDate, PathId, Text, with_errors
from lendpilot.org.access import actor_of
from lendpilot.org.models import Staff

router = Router()
Issuer = Literal["pboc", "nfra", "cac", "other"]
DocStatus = Literal["issued", "in_force", "superseded", "repealed"]


class RegulationIn(Schema):
    title: Text(200, min_length=1, strip=True)
    number: Text(80, min_length=1, strip=True)
    issuer: Issuer
    effective_date: IsoDate
    summary: Text(2000) = ""
    status: DocStatus = "in_force"


class RegulationOut(Schema):
    id: int
    title: str
    number: str
    issuer: str
    effective_date: IsoDate
    status: str
    summary: str


class RegisterRowOut(Schema):
    document: RegulationOut
    attested: int
    audience: int
    coverage: float | None
    goal_state: Literal["met", "on_track", "missed", "none"]
    open_revisions: int
    overdue_revisions: int


class ManualRevisionIn(Schema):
    section: Text(120, min_length=1, strip=True)
    owner_id: Id = Field(..., description="staff id of the owner")
    due_date: IsoDate


class ManualRevisionOut(Schema):
    id: int
    section: str
    owner_id: int
    due_date: IsoDate
    done_on: IsoDate | None


class RegulatoryTrainingIn(Schema):
    title: Text(200, min_length=1, strip=True)
    deadline: IsoDate
    roles: list[Text(32)] = Field(default_factory=list, max_length=10)


class RegulatoryTrainingOut(Schema):
    id: int
    title: str
    deadline: IsoDate
    roles: list[str]


class AttestationOut(Schema):
    id: int
    training_id: int


@router.get("/register", response=with_errors({200: list[RegisterRowOut]}),
            summary="Regulator documents with attestation coverage against the 95% goal")
def register_list(request, issuer: Issuer | None = None):
    today = timezone.localdate()
    return [{"document": r.document, "attested": r.coverage.attested, "audience": r.coverage.audience,
             "coverage": r.coverage.ratio, "goal_state": r.state, "open_revisions": r.open_revisions,
             "overdue_revisions": r.overdue_revisions}
            for r in selectors.register_rows(actor_of(request.auth), today=today, issuer=issuer or "")]


@router.post("/register/documents", response=with_errors({201: RegulationOut}), summary="Register a document")
def document_create(request, payload: RegulationIn):
    return Status(201, services.regulation_register(actor=actor_of(request.auth), **payload.dict()))


@router.post("/register/documents/{document_id}/revisions", response=with_errors({201: ManualRevisionOut}),
             summary="Plan a manual revision caused by the document")
def revision_create(request, document_id: PathId, payload: ManualRevisionIn):
    actor = actor_of(request.auth)
    document = get_object_or_404(selectors.documents(actor), pk=document_id)
    owner = get_object_or_404(Staff, pk=payload.owner_id)
    revision = services.revision_plan(actor=actor, document=document, section=payload.section, owner=owner,
                                      due_date=payload.due_date)
    return Status(201, revision)


@router.post("/register/revisions/{revision_id}/done", response=with_errors({200: ManualRevisionOut}),
             summary="Mark a manual revision done (its owner or compliance)")
def revision_done(request, revision_id: PathId):
    revision = get_object_or_404(ManualRevision, pk=revision_id)
    return services.revision_complete(actor=actor_of(request.auth), revision=revision)


@router.post("/register/documents/{document_id}/trainings", response=with_errors({201: RegulatoryTrainingOut}),
             summary="Add a training on the document for some roles (none: every staff member)")
def training_create(request, document_id: PathId, payload: RegulatoryTrainingIn):
    actor = actor_of(request.auth)
    document = get_object_or_404(selectors.documents(actor), pk=document_id)
    return Status(201, services.training_create(actor=actor, document=document, **payload.dict()))


@router.post("/register/trainings/{training_id}/attest", response=with_errors({201: AttestationOut}),
             summary="Attest a training addressed to me")
def training_attest(request, training_id: PathId):
    training = get_object_or_404(Training, pk=training_id)
    return Status(201, services.training_attest(actor=actor_of(request.auth), training=training))
