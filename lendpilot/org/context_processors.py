"""Puts the acting user's role and permissions into every page, for role-aware navigation."""

from lendpilot.org.access import actor_of


def acting_staff(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    actor = actor_of(user)
    return {"actor": actor, "actor_permissions": actor.permissions}
