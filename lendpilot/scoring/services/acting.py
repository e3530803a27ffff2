"""Who may call a service: a user of the site, an `Actor` already resolved, or None for the system (batch jobs)."""

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

from lendpilot.org.access import Actor

Acting = AbstractBaseUser | AnonymousUser | Actor | None
