"""The one place that decides what an acting user may see and do (FEATURES X5).

`actor_of(user)` resolves a login to its staff record, role, data scope and permissions.
`scope_filter` narrows any queryset to the actor's data scope, given the path from the queryset's
model to the owning staff member (`"manager"` for customers, `""` for staff themselves).
Selectors call it for every user-triggered read; pages and the API only call selectors.
"""

from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet

from lendpilot.org.models import Staff
from lendpilot.org.roles import ROLE_PERMISSIONS, ROLE_SCOPE, DataScope, Role


@dataclass(frozen=True)
class Actor:
    user: object
    staff: Staff | None
    role: str | None
    scope: str
    permissions: frozenset[str]

    @property
    def is_system(self) -> bool:
        return self.user is None

    def can(self, permission: str) -> bool:
        return permission in self.permissions

    @property
    def label(self) -> str:
        if self.user is None:
            return "system"
        return self.user.get_username()


SYSTEM = Actor(user=None, staff=None, role=None, scope=DataScope.ALL, permissions=frozenset())


def actor_of(user) -> Actor:
    """The acting user as an `Actor`; cached on the user object for the request."""
    if user is None:
        return SYSTEM
    if isinstance(user, Actor):
        return user
    cached = getattr(user, "_lendpilot_actor", None)
    if cached is not None:
        return cached
    if isinstance(user, AnonymousUser) or not user.is_authenticated or not user.is_active:
        return actor_remember(user, None)
    staff = Staff.objects.select_related("team", "region").filter(user=user, is_active=True).first()
    return actor_remember(user, staff)


def actor_remember(user, staff: Staff | None) -> Actor:
    """The actor of a signed-in user whose active staff record (with team and region) the caller has
    already read — `None` when there is none — cached on the user for the request. The bearer-token check
    reads token, user and staff in one statement and hands them over here."""
    if isinstance(user, AnonymousUser) or not user.is_authenticated or not user.is_active:
        actor = Actor(user=user, staff=None, role=None, scope=DataScope.NONE, permissions=frozenset())
    elif staff is not None and staff.is_active:
        actor = Actor(user=user, staff=staff, role=staff.role, scope=ROLE_SCOPE[staff.role],
                      permissions=ROLE_PERMISSIONS[staff.role])
    elif user.is_superuser:
        # A back-office superuser without a staff record acts with the director's reach.
        actor = Actor(user=user, staff=None, role=Role.DIRECTOR, scope=DataScope.ALL,
                      permissions=ROLE_PERMISSIONS[Role.DIRECTOR])
    else:
        actor = Actor(user=user, staff=None, role=None, scope=DataScope.NONE, permissions=frozenset())
    user._lendpilot_actor = actor
    return actor


def require(actor: Actor, permission: str) -> None:
    """Raise PermissionDenied unless the actor holds `permission` (the system actor always may)."""
    if actor.is_system or actor.can(permission):
        return
    raise PermissionDenied(f"missing permission {permission}")


def scope_filter(actor: Actor, queryset: QuerySet, *, owner: str) -> QuerySet:
    """Narrow `queryset` to rows whose owning staff member lies in the actor's data scope.

    `owner` is the lookup path from the queryset's model to a Staff row; "" when the model is Staff.
    """
    prefix = f"{owner}__" if owner else ""
    scope = actor.scope
    staff = actor.staff
    if scope == DataScope.ALL:
        return queryset
    if staff is None or scope == DataScope.NONE:
        return queryset.none()
    if scope == DataScope.REGION:
        return queryset.filter(**{f"{prefix}region_id": staff.region_id}) if staff.region_id else queryset.none()
    if scope == DataScope.TEAM:
        return queryset.filter(**{f"{prefix}team_id": staff.team_id}) if staff.team_id else queryset.none()
    if scope == DataScope.OWN:
        return queryset.filter(**{f"{prefix}id": staff.id})
    return queryset.none()


def staff_in_scope(actor: Actor, staff: Staff) -> bool:
    """Whether `staff` lies in the actor's scope (for checks on a single object, e.g. a new owner)."""
    return scope_filter(actor, Staff.objects.filter(pk=staff.pk), owner="").exists()
