"""REST endpoints of the data-leak drills: report a touch of records (exports and bulk queries of other systems),
open canary alerts, the drill schedule and results."""

from datetime import datetime
from typing import Literal

from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema, Status

from lendpilot.compliance.drills import selectors, services
from lendpilot.core.schemas import IsoDate, PathId, Text, with_errors
from lendpilot.org.access import actor_of

router = Router()
Scenario = Literal["segment_export", "bulk_reveal", "token_misuse", "other"]


class RecordTouchIn(Schema):
    refs: list[Text(64, min_length=1)] = Field(..., min_length=1, max_length=100_000)
    action: Literal["reveal", "export", "bulk_query", "token"]
    source_key: Text(120, min_length=1, strip=True) = Field(
        ..., description="names the touch, e.g. export:2026-12-06:17")


class RecordTouchOut(Schema):
    received: int


class CanaryAlertOut(Schema):
    id: int
    action: str
    refs: list[str]
    raised_at: datetime
    status: str


class LeakDrillIn(Schema):
    title: Text(200, min_length=1, strip=True)
    scenario: Scenario
    scheduled_for: IsoDate
    plan: Text(2000) = ""


class LeakDrillResultIn(Schema):
    result: Literal["detected", "partial", "missed"]
    findings: Text(4000, min_length=1)
    run_on: IsoDate
    detection_minutes: int | None = Field(None, ge=0, le=100_000)


class LeakDrillOut(Schema):
    id: int
    title: str
    scenario: str
    scheduled_for: IsoDate
    result: str
    run_on: IsoDate | None
    detection_minutes: int | None


@router.post("/drills/touches", response=with_errors({202: RecordTouchOut}),
             summary="Report the records an export or bulk query returned (the answer never says which are canaries)")
def record_touch(request, payload: RecordTouchIn):
    actor = actor_of(request.auth)
    services.canary_touch(actor=actor, refs=payload.refs, action=payload.action,
                          source_key=f"{actor.label}:{payload.source_key}")
    return Status(202, {"received": len(payload.refs)})


@router.get("/drills/alerts", response=with_errors({200: list[CanaryAlertOut]}), summary="Open canary alerts")
def alert_list(request):
    return list(selectors.canary_alerts(actor_of(request.auth))[:500])


@router.post("/drills", response=with_errors({201: LeakDrillOut}), summary="Schedule a data-leak drill")
def drill_create(request, payload: LeakDrillIn):
    return Status(201, services.drill_schedule(actor=actor_of(request.auth), **payload.dict()))


@router.post("/drills/{drill_id}/result", response=with_errors({200: LeakDrillOut}),
             summary="Record a drill's result and findings")
def drill_result(request, drill_id: PathId, payload: LeakDrillResultIn):
    actor = actor_of(request.auth)
    drill = get_object_or_404(selectors.drills(actor), pk=drill_id)
    return services.drill_record(actor=actor, drill=drill, **payload.dict())
