"""A database that is away answers 503 with Retry-After, not 500 with a traceback.

`DatabaseOutageMiddleware` turns a connection-level database error raised while serving a page into a
short 503 (JSON under /api/), and the API root registers `outage_response` for the same errors, since
django-ninja answers unhandled API errors itself. The outage is logged once when it starts (with the
error) and once when a request succeeds again (with its length), not once per failed request: a load
balancer retrying during a failover would otherwise bury the log. The broken connection is closed by
Django at the end of the request (it is marked unusable), so the next request connects afresh; with
CONN_HEALTH_CHECKS on, a connection the server terminated between requests is replaced before use.
"""

import logging
import threading
import time

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.html import escape
from django.utils.translation import gettext as _

logger = logging.getLogger("lendpilot.outage")

OUTAGE_ERRORS = (OperationalError, InterfaceError)


class _OutageLog:
    """Process-wide: whether an outage is going on, so that it is logged once."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.since: float | None = None
        self.failures = 0

    def failed(self, exc: BaseException) -> None:
        with self._lock:
            self.failures += 1
            if self.since is not None:
                return
            self.since = time.monotonic()
        logger.error("database unavailable, answering 503 until it is back: %s: %s", type(exc).__name__, exc)

    def succeeded(self) -> None:
        if self.since is None:
            return
        with self._lock:
            if self.since is None:
                return
            seconds, failures = time.monotonic() - self.since, self.failures
            self.since, self.failures = None, 0
        logger.warning("database available again after %.1f s (%d requests answered 503)", seconds, failures)

    @property
    def active(self) -> bool:
        return self.since is not None


outage_log = _OutageLog()


def retry_after_seconds() -> int:
    return int(getattr(settings, "LENDPILOT_RETRY_AFTER_SECONDS", 10))


def outage_response(request: HttpRequest, exc: BaseException) -> HttpResponse:
    outage_log.failed(exc)
    message = _("The database is not reachable at the moment. Please try again in a few seconds.")
    if request.path.startswith("/api/") or "application/json" in request.headers.get("Accept", ""):
        response: HttpResponse = JsonResponse({"detail": message}, status=503)
    else:
        # No template: rendering one runs context processors that would ask the same database.
        response = HttpResponse(f"<!doctype html><title>503</title><h1>503</h1><p>{escape(message)}</p>",
                                status=503, content_type="text/html; charset=utf-8")
    response["Retry-After"] = str(retry_after_seconds())
    response["Cache-Control"] = "no-store"
    return response


class DatabaseOutageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if outage_log.active and response.status_code < 500:
            outage_log.succeeded()
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, OUTAGE_ERRORS):
            return outage_response(request, exception)
        return None
