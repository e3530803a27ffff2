"""REST endpoints of AML screening: import a list version, screen subjects (onboarding systems, partners'
beneficial owners), read and decide hits, ask whether a subject is frozen."""

from decimal import Decimal
from typing import Literal

from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from lendpilot.compliance.screening import selectors, services
from lendpilot.compliance.screening.names import Subject
from lendpilot.compliance.screening.watchlist_file import WatchRow
from lendpilot.core.schemas import IsoDate, Page, PathId, Text, with_errors
from lendpilot.org.access import actor_of, require
from lendpilot.org.roles import Perm

router = Router()


class WatchEntryIn(Schema):
    name: Text(200, min_length=1, strip=True)
    aliases: list[Text(200, min_length=1, strip=True)] = Field(default_factory=list, max_length=50)
    id_numbers: list[Text(40, min_length=1, strip=True)] = Field(default_factory=list, max_length=20)
    birth_date: IsoDate | None = None
    remark: Text(200) = ""


class WatchListIn(Schema):
    name: Text(100, min_length=1, strip=True)
    version: Text(40, min_length=1, strip=True)
    source: Text(200) = ""
    entries: list[WatchEntryIn] = Field(..., min_length=1, max_length=100_000)


class WatchListOut(Schema):
    id: int
    name: str
    version: str
    entry_count: int
    is_active: bool


class ScreeningSubjectIn(Schema):
    reference: Text(64, min_length=1, strip=True)
    name: Text(200, min_length=1, strip=True)
    id_number: Text(40) = ""
    birth_date: IsoDate | None = None


class ScreeningRunIn(Schema):
    subjects: list[ScreeningSubjectIn] = Field(..., min_length=1, max_length=100_000)
    trigger: Literal["manual", "list_update", "onboarding"] = "manual"


class ScreeningRunOut(Schema):
    id: int
    subjects: int
    hits: int
    lists: list[str]


class ScreeningHitOut(Schema):
    id: int
    subject_ref: str
    subject_name: str
    matched_name: str
    listed_name: str = Field(..., alias="entry.name")
    score: Decimal
    reasons: list[str]
    status: str
    proposed_status: str


class ScreeningProposalIn(Schema):
    decision: Literal["confirmed", "cleared"]
    note: Text(500, min_length=1, strip=True)


class ScreeningDecisionIn(Schema):
    approve: bool


class SanctionFreezeOut(Schema):
    reference: str
    frozen: bool


@router.post("/screening/lists", response=with_errors({201: WatchListOut}), summary="Import a watch-list version")
def watch_list_create(request, payload: WatchListIn):
    rows = [WatchRow(i + 2, e.name, tuple(e.aliases), tuple(e.id_numbers), e.birth_date, e.remark)
            for i, e in enumerate(payload.entries)]
    watch_list = services.watch_list_import(actor=actor_of(request.auth), name=payload.name,
                                            version=payload.version, source=payload.source, rows=rows)
    return Status(201, watch_list)


@router.post("/screening/runs", response=with_errors({201: ScreeningRunOut}),
             summary="Screen subjects against every list in use (ID numbers are hashed at once, never kept)")
def screening_run_create(request, payload: ScreeningRunIn):
    subjects = [Subject(s.reference, s.name, services.id_hash_of(s.id_number), s.birth_date)
                for s in payload.subjects]
    run = services.screening_run(actor=actor_of(request.auth), subjects=subjects, trigger=payload.trigger)
    return Status(201, run)


@router.get("/screening/hits", response=with_errors({200: list[ScreeningHitOut]}), summary="Screening hits")
@paginate(Page)
def hit_list(request, status: Literal["review", "confirmed", "cleared", ""] = ""):
    return selectors.screening_hits(actor_of(request.auth), status=status)


@router.post("/screening/hits/{hit_id}/proposal", response=with_errors({200: ScreeningHitOut}),
             summary="Propose to confirm or clear a hit (first officer)")
def hit_proposal(request, hit_id: PathId, payload: ScreeningProposalIn):
    actor = actor_of(request.auth)
    hit = get_object_or_404(selectors.screening_hits(actor), pk=hit_id)
    return services.hit_propose(actor=actor, hit=hit, decision=payload.decision, note=payload.note)


@router.post("/screening/hits/{hit_id}/decision", response=with_errors({200: ScreeningHitOut}),
             summary="Approve or send back a proposal (a second officer); a confirmed hit freezes the subject")
def hit_decision(request, hit_id: PathId, payload: ScreeningDecisionIn):
    actor = actor_of(request.auth)
    hit = get_object_or_404(selectors.screening_hits(actor), pk=hit_id)
    return services.hit_decide(actor=actor, hit=hit, approve=payload.approve)


@router.get("/screening/freezes/{reference}", response=with_errors({200: SanctionFreezeOut}),
            summary="Whether a subject is frozen by a confirmed sanctions hit")
def freeze_status(request, reference: str):
    require(actor_of(request.auth), Perm.VIEW_COMPLIANCE)
    return {"reference": reference[:64], "frozen": selectors.is_frozen(ref=reference[:64])}

