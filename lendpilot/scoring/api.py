"""REST endpoints of scoring (thin: parse, call a selector or service, return a schema).

`prescreen_router` is mounted at /api/v1/prescreen, `router` at /api/v1/scoring.
"""

from ninja import Query, Router
from ninja.responses import Status

from lendpilot.core.schemas import NO_NUL, PathId, with_errors
from lendpilot.org.access import actor_of
from lendpilot.scoring import selectors, services
from lendpilot.scoring.schemas import (
    BlacklistEntryOut,
    BlacklistImportIn,
    BlacklistImportOut,
    BlacklistIn,
    IndustryChangesIn,
    MonitoringIn,
    PolicyIn,
    PolicyOut,
    PrescreenIn,
    PrescreenOut,
    RejectIn,
    ScorecardVersionOut,
    ScoreSnapshotOut,
)

prescreen_router = Router()
router = Router()


@prescreen_router.post("", response=with_errors({200: PrescreenOut}), summary="Pre-screen an applicant (D6)")
def prescreen(request, payload: PrescreenIn):
    return services.prescreen_run(actor=request.user, **payload.dict()).body


@router.get("/versions", response=with_errors({200: list[ScorecardVersionOut]}))
def versions(request, family: str | None = Query(None, max_length=32, pattern=NO_NUL)):
    return list(selectors.scorecard_versions(actor_of(request.user), family=family))


@router.get("/versions/{version_id}", response=with_errors({200: ScorecardVersionOut}))
def version_detail(request, version_id: PathId):
    return selectors.scorecard_version_get(actor_of(request.user), version_id)


@router.post("/versions/{version_id}/activate", response=with_errors({200: ScorecardVersionOut}))
def version_activate(request, version_id: PathId):
    version = selectors.scorecard_version_get(actor_of(request.user), version_id)
    return services.scorecard_activate(actor=request.user, version=version)


@router.post("/versions/{version_id}/reject", response=with_errors({200: ScorecardVersionOut}))
def version_reject(request, version_id: PathId, payload: RejectIn):
    version = selectors.scorecard_version_get(actor_of(request.user), version_id)
    return services.scorecard_reject(actor=request.user, version=version, reason=payload.reason)


@router.get("/versions/{version_id}/monitoring", response=with_errors({200: list[ScoreSnapshotOut]}))
def version_monitoring(request, version_id: PathId):
    actor = actor_of(request.user)
    return list(selectors.monitoring_series(actor, selectors.scorecard_version_get(actor, version_id)))


@router.post("/versions/{version_id}/monitoring", response=with_errors({200: ScoreSnapshotOut}))
def version_monitoring_run(request, version_id: PathId, payload: MonitoringIn):
    version = selectors.scorecard_version_get(actor_of(request.user), version_id)
    return services.monitoring_run(actor=request.user, version=version, month=payload.month)


@router.get("/policy", response=with_errors({200: list[PolicyOut]}))
def policy_list(request):
    return list(selectors.policy_versions(actor_of(request.user)))


@router.post("/policy", response=with_errors({201: PolicyOut}))
def policy_publish(request, payload: PolicyIn):
    return Status(201, services.policy_version_publish(actor=request.user, rules=payload.rules, note=payload.note))


@router.post("/policy/industry-changes", response=with_errors({201: PolicyOut}),
             summary="Publish the risk committee's industry admission and premium changes as a policy version")
def policy_industry_changes(request, payload: IndustryChangesIn):
    changes = [change.dict() for change in payload.changes]
    return Status(201, services.policy_publish_industry_changes(actor=request.user, changes=changes,
                                                                source=payload.source))


@router.post("/blacklist", response=with_errors({201: BlacklistEntryOut}))
def blacklist_add(request, payload: BlacklistIn):
    return Status(201, services.blacklist_add(actor=request.user, kind=payload.kind, value=payload.value,
                                       reason=payload.reason))


@router.post("/blacklist/import", response=with_errors({201: BlacklistImportOut}))
def blacklist_import(request, payload: BlacklistImportIn):
    rows = [row.dict() for row in payload.rows]
    return Status(201, services.blacklist_import(actor=request.user, list_name=payload.list_name, rows=rows,
                                          file_name=payload.file_name))
