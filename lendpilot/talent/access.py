"""Who may do what in talent: the director and regional heads run requisitions, reviews and training; team
leads also score drills and read the talent pages of their team. Everything else reads through scopes."""

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied

from lendpilot.org.access import Actor, actor_of
from lendpilot.org.roles import Role

TALENT_MANAGERS = frozenset({Role.DIRECTOR, Role.REGIONAL_HEAD})
COACHES = TALENT_MANAGERS | {Role.TEAM_LEAD}


def require_role(actor: object, roles: frozenset[str]) -> Actor:
    """The acting user (a login, an Actor, or None for the system) as an Actor, if their role may act."""
    act = actor_of(actor)
    if act.is_system or act.role in roles:
        return act
    raise PermissionDenied("talent management is for the director, regional heads and (drills) team leads")


def may_manage(actor: Actor) -> bool:
    return actor.is_system or actor.role in TALENT_MANAGERS


def may_confirm(actor: Actor) -> bool:
    """Whether the actor confirms promotions (they change the organisation: the director)."""
    return actor.is_system or actor.role == Role.DIRECTOR


def may_coach(actor: Actor) -> bool:
    return actor.is_system or actor.role in COACHES


def login_of(act: Actor) -> User | None:
    """The login behind the actor, for the who-columns of talent rows (None for the system)."""
    return act.user if isinstance(act.user, User) else None
