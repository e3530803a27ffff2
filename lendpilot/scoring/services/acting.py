"""Who may call a service: a user of the site, an `Actor` already resolved, or None for the system (batch jobs)."""

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, User

from lendpilot.org.access import Actor

Acting = AbstractBaseUser | AnonymousUser | Actor | None


def acting_user(acting: Actor) -> User | None:
    """The login behind a resolved actor (None for the system): what the `..._by` columns record."""
    return acting.user if isinstance(acting.user, User) else None
