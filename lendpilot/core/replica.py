"""Insights reads on a PostgreSQL read replica, switched on by DATABASE_REPLICA_URL.

The insights pages and API read the whole book (command centre, kanban, funnel, reviews) and write
little; on a replica they take no CPU or I/O from the lending work on the primary. `ReplicaReadMiddleware`
marks a GET or HEAD request under the insights pages or API as a replica reader, and `ReplicaRouter`
then sends that request's reads to the "replica" database; every write, every other request, every
migration and every background task keeps to the primary. Unsafe methods stay on the primary so that a
form never reads back a replica that has not yet replayed its own write. Without DATABASE_REPLICA_URL
nothing changes (there is no "replica" connection and the router answers nothing).
"""

from contextvars import ContextVar

from django.conf import settings
from django.db import connections
from django.http import HttpRequest, HttpResponse

REPLICA = "replica"
_reading_replica: ContextVar[bool] = ContextVar("lendpilot_reading_replica", default=False)
DEFAULT_PREFIXES = ("/insights/", "/api/v1/insights/")


# Read from the primary even in a replica request: logins and sessions (a fresh login must not look
# logged out while the replica catches up), the audit chain and PII access log (a new event links to
# the latest one), and the task queue.
PRIMARY_ONLY = frozenset({"auth", "sessions", "axes", "contenttypes", "admin", "compliance", "django_tasks_db"})


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        if _reading_replica.get() and model._meta.app_label not in PRIMARY_ONLY and REPLICA in connections.settings:
            return REPLICA
        return None

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return True  # one database and its copy: objects from either relate

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == "default"


class replica_reads:  # noqa: N801 - used as a context manager, like transaction.atomic
    """Within the block, reads go to the replica when one is configured."""

    def __enter__(self):
        self._token = _reading_replica.set(True)
        return self

    def __exit__(self, *exc):
        _reading_replica.reset(self._token)
        return False


class ReplicaReadMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.prefixes = tuple(getattr(settings, "LENDPILOT_REPLICA_PATHS", DEFAULT_PREFIXES))

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method in ("GET", "HEAD") and request.path.startswith(self.prefixes) \
                and REPLICA in connections.settings:
            with replica_reads():
                return self.get_response(request)
        return self.get_response(request)
