"""Scoped reads of the organisation. Every user-triggered read goes through `lendpilot.org.access`."""

import functools
from datetime import date

from axes.models import AccessAttempt, AccessFailureLog
from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from lendpilot.core.prepared import fetch_prepared, model_columns, model_from_row
from lendpilot.org.access import Actor, require, scope_filter
from lendpilot.org.models import ApiToken, Certification, ProductCertificationRequirement, Region, Staff, Team
from lendpilot.org.roles import DataScope, Perm


def staff_visible(actor: Actor, *, role: str | None = None, team_id: int | None = None,
                  region_id: int | None = None, search: str | None = None) -> QuerySet[Staff]:
    require(actor, Perm.VIEW_STAFF)
    qs = scope_filter(actor, Staff.objects.select_related("team", "region", "reports_to"), owner="")
    if role:
        qs = qs.filter(role=role)
    if team_id:
        qs = qs.filter(team_id=team_id)
    if region_id:
        qs = qs.filter(region_id=region_id)
    if search:
        qs = qs.filter(name__icontains=search) | qs.filter(employee_no__icontains=search)
    return qs.order_by("employee_no")


def staff_get(actor: Actor, staff_id: int) -> Staff:
    """One staff member within scope; 404 both when absent and when outside the scope (no existence leak)."""
    staff = staff_visible(actor).filter(pk=staff_id).first()
    if staff is None:
        raise Http404("staff member not found")
    return staff


def teams_visible(actor: Actor) -> QuerySet[Team]:
    require(actor, Perm.VIEW_STAFF)
    qs = Team.objects.select_related("branch", "region").annotate(member_count=Count("members"))
    if actor.scope == DataScope.ALL:
        return qs
    if actor.staff is None:
        return qs.none()
    if actor.scope == DataScope.REGION:
        return qs.filter(region_id=actor.staff.region_id)
    return qs.filter(pk=actor.staff.team_id)


def regions_all() -> QuerySet[Region]:
    """Regions are reference data, visible to every signed-in user."""
    return Region.objects.order_by("code")


def api_token_get(actor: Actor, token_id: int) -> ApiToken:
    """One API token: the actor's own, or anyone's for a holder of the token permission; 404 otherwise."""
    qs = ApiToken.objects.select_related("user")
    if not actor.is_system and not actor.can(Perm.ISSUE_API_TOKEN):
        qs = qs.filter(user=actor.user) if actor.user is not None and actor.user.is_authenticated else qs.none()
    token = qs.filter(pk=token_id).first()
    if token is None:
        raise Http404("API token not found")
    return token


def login_attempts(actor: Actor) -> QuerySet[AccessAttempt]:
    """Failed sign-ins still inside the lockout window, most failures first (compliance)."""
    require(actor, Perm.VIEW_AUDIT)
    since = timezone.now() - settings.AXES_COOLOFF_TIME
    return AccessAttempt.objects.filter(attempt_time__gte=since).order_by("-failures_since_start", "-attempt_time")


def login_failures(actor: Actor, *, limit: int = 200) -> QuerySet[AccessFailureLog]:
    """The newest failed sign-ins, each marked when it was refused by a lockout."""
    require(actor, Perm.VIEW_AUDIT)
    return AccessFailureLog.objects.order_by("-attempt_time")[:limit]


def staff_ineligible_for_product(product_id: int, today: date) -> QuerySet[Staff]:
    """Staff who may not be assigned leads for the product on `today`: the product requires a certification
    they hold in no unexpired form (never obtained, or expired). A lazy queryset, for `.exclude(pk__in=...)`
    in the assignment's candidate query; empty when the product requires none."""
    kinds = list(ProductCertificationRequirement.objects.filter(product_id=product_id)
                 .values_list("kind", flat=True))
    if not kinds:
        return Staff.objects.none()
    lacking = Q()
    for kind in kinds:
        holders = Certification.objects.filter(kind=kind, obtained_on__lte=today, expires_on__gte=today)
        lacking |= ~Q(pk__in=holders.values("staff_id"))
    return Staff.objects.filter(lacking)


@functools.cache
def _token_statement() -> tuple[tuple[list[str], ...], str]:
    """The attribute names per model and the statement of `live_token_with_staff`, built once."""
    from django.contrib.auth import get_user_model

    parts = [(ApiToken, "t"), (get_user_model(), "u"), (Staff, "s"), (Team, "tm"), (Region, "r")]
    names, selects = zip(*(model_columns(model, alias) for model, alias in parts), strict=True)
    sql = (f"SELECT {', '.join(selects)} FROM {ApiToken._meta.db_table} t "  # noqa: S608 (model metadata only)
           f"JOIN {get_user_model()._meta.db_table} u ON u.id = t.user_id "
           f"LEFT JOIN {Staff._meta.db_table} s ON s.user_id = u.id "
           f"LEFT JOIN {Team._meta.db_table} tm ON tm.id = s.team_id "
           f"LEFT JOIN {Region._meta.db_table} r ON r.id = s.region_id "
           "WHERE t.key_hash = %s AND t.revoked_at IS NULL LIMIT 1")
    return names, sql


def live_token_with_staff(key_hash: str) -> tuple[ApiToken, Staff | None] | None:
    """The unrevoked token with this digest, its user, and the user's staff record with team and region
    (None when the user has none), in one prepared statement (`lendpilot.core.prepared`). Every API call
    by a channel's system starts here: the statement is written out rather than compiled by the ORM on
    each call, and planned once per connection rather than on each call."""
    from django.contrib.auth import get_user_model

    names, sql = _token_statement()
    rows = fetch_prepared(sql, [key_hash])
    if not rows:
        return None
    row, chunks, at = rows[0], [], 0
    for attnames in names:
        chunks.append(row[at:at + len(attnames)])
        at += len(attnames)
    token = model_from_row(ApiToken, names[0], chunks[0])
    token.user = model_from_row(get_user_model(), names[1], chunks[1])
    staff = None
    if chunks[2][0] is not None:
        staff = model_from_row(Staff, names[2], chunks[2])
        staff.user = token.user
        staff.team = model_from_row(Team, names[3], chunks[3]) if chunks[3][0] is not None else None
        staff.region = model_from_row(Region, names[4], chunks[4]) if chunks[4][0] is not None else None
    return token, staff
