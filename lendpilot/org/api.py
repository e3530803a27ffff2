"""REST endpoints of org (thin: parse, call a selector or service, return a schema)."""

from ninja import Router, Status
from ninja.pagination import paginate

from lendpilot.core.schemas import ERRORS, Page, PathId, QueryId, SearchText, with_errors
from lendpilot.org import selectors, services
from lendpilot.org.access import actor_of
from lendpilot.org.schemas import (
    MeOut,
    RegionOut,
    RoleCode,
    SkillsIn,
    StaffDetailOut,
    StaffOut,
    TeamOut,
    TokenIn,
    TokenIssuedOut,
    TokenOut,
)

router = Router()


def _detail(staff) -> dict:
    data = StaffOut.from_orm(staff).dict()
    data["skills"] = services.skills_snapshot(staff)
    return data


@router.get("/regions", response=with_errors({200: list[RegionOut]}), summary="Sales regions")
def region_list(request):
    return selectors.regions_all()


@router.get("/teams", response=with_errors({200: list[TeamOut]}), summary="Teams in the caller's scope")
def team_list(request):
    return selectors.teams_visible(actor_of(request.auth))


@router.get("/staff", response=with_errors({200: list[StaffOut]}), summary="Staff in the caller's scope")
@paginate(Page)
def staff_list(request, role: RoleCode | None = None, team_id: QueryId = None, region_id: QueryId = None,
               search: SearchText = None):
    return selectors.staff_visible(
        actor_of(request.auth), role=role, team_id=team_id, region_id=region_id, search=search
    )


@router.get("/staff/{staff_id}", response=with_errors({200: StaffDetailOut}),
            summary="One staff member with the skills matrix")
def staff_detail(request, staff_id: PathId):
    return _detail(selectors.staff_get(actor_of(request.auth), staff_id))


@router.post("/staff/{staff_id}/skills", response=with_errors({200: StaffDetailOut}),
             summary="Replace a staff member's skills matrix")
def staff_skills_set(request, staff_id: PathId, payload: SkillsIn):
    actor = actor_of(request.auth)
    staff = selectors.staff_get(actor, staff_id)
    services.skills_set(actor=actor, staff=staff, **payload.dict())
    return _detail(staff)


@router.get("/me", response=with_errors({200: MeOut}), summary="The caller: role, data scope and permissions")
def me(request):
    actor = actor_of(request.auth)
    return {
        "username": actor.label,
        "role": actor.role,
        "scope": actor.scope,
        "permissions": sorted(actor.permissions),
        "staff": actor.staff,
    }


@router.post("/tokens", response={201: TokenIssuedOut, **ERRORS},
             summary="Issue an API token for the caller; the secret is shown once")
def token_issue(request, payload: TokenIn):
    actor = actor_of(request.auth)
    token, secret = services.api_token_issue(actor=actor, user=actor.user, name=payload.name, days=payload.days)
    return Status(201, {**TokenOut.from_orm(token).dict(), "secret": secret})


@router.delete("/tokens/{token_id}", response=with_errors({200: TokenOut}), summary="Revoke an API token")
def token_revoke(request, token_id: PathId):
    actor = actor_of(request.auth)
    return services.api_token_revoke(actor=actor, token=selectors.api_token_get(actor, token_id))
