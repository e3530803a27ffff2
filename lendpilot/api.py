"""The REST API root (FEATURES X7): NinjaAPI at /api/v1/, OpenAPI at /api/v1/openapi.json, docs at
/api/v1/docs. Each domain package contributes a Router from its `api.py`; this module mounts them
and turns domain errors into 4xx answers that name the field."""

from functools import wraps

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import InterfaceError, OperationalError
from django.http import Http404, JsonResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from lendpilot.core.errors import Conflict
from lendpilot.core.outage import outage_response
from lendpilot.org.services import api_token_authenticate


class BearerToken(HttpBearer):
    """`Authorization: Bearer lp_...` for integrations (core banking, bureau, channel partners)."""

    def authenticate(self, request, token):
        user = api_token_authenticate(token, used_for=f"{request.method} {request.path}")
        if user is not None:
            request.user = user
        return user


class BrowserSession(APIKeyCookie):
    """The signed-in browser session. Unsafe methods (POST, PATCH, DELETE) need the CSRF token as on
    any Django form (`X-CSRFToken` header); a request without a signed-in session is simply not
    authenticated by this class (401 when no other class accepts it), not a CSRF failure."""

    param_name = settings.SESSION_COOKIE_NAME

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        if check_csrf(request) is not None:  # an unsafe method without the CSRF token
            raise HttpError(403, "CSRF check Failed")
        return self.authenticate(request, request.COOKIES.get(self.param_name))

    def authenticate(self, request, key):
        if key is None:
            return None
        return request.user


def docs_need_login(view):
    """Outside development the OpenAPI document and the interactive docs are for signed-in users (a
    browser session or a bearer token) only: the map of every operation is no public information."""

    @wraps(view)
    def guarded(request, *args, **kwargs):
        if settings.DEBUG:
            return view(request, *args, **kwargs)
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            scheme, _space, token = request.headers.get("Authorization", "").partition(" ")
            user = api_token_authenticate(token.strip()) if scheme.lower() == "bearer" and token else None
        if user is None:
            if request.path.endswith(".json"):
                return JsonResponse({"detail": "authentication required"}, status=401)
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    return guarded


api = NinjaAPI(
    title="LendPilot API",
    version="1",
    description="Customers, products, organisation and, as they land, the funnel, lending, scoring and "
    "monitoring of LendPilot. Authenticate with a browser session or `Authorization: Bearer <token>`.",
    auth=[BearerToken(), BrowserSession()],
    urls_namespace="api",
    docs_decorator=docs_need_login,
)


def _field_errors(exc: ValidationError) -> list[dict]:
    if hasattr(exc, "error_dict"):
        return [
            {"loc": ["body", field], "msg": " ".join(str(m) for e in errors for m in e.messages), "type": "value_error"}
            for field, errors in exc.error_dict.items()
        ]
    return [{"loc": ["body"], "msg": " ".join(exc.messages), "type": "value_error"}]


@api.exception_handler(ValidationError)
def on_validation_error(request, exc: ValidationError):
    return api.create_response(request, {"detail": _field_errors(exc)}, status=422)


@api.exception_handler(PermissionDenied)
def on_permission_denied(request, exc):
    return api.create_response(request, {"detail": str(exc) or "permission denied"}, status=403)


@api.exception_handler(Http404)
def on_not_found(request, exc):
    return api.create_response(request, {"detail": str(exc) or "not found"}, status=404)


@api.exception_handler(Conflict)
def on_conflict(request, exc: Conflict):
    body = {"detail": exc.message}
    if exc.field:
        body["field"] = exc.field
    return api.create_response(request, body, status=409)


@api.exception_handler(OperationalError)
@api.exception_handler(InterfaceError)
def on_database_outage(request, exc):
    return outage_response(request, exc)


@api.exception_handler(AuthenticationError)
def on_unauthenticated(request, exc):
    return api.create_response(request, {"detail": "authentication required"}, status=401)


def mount_routers() -> None:
    from lendpilot.channels.api import router as channels_router
    from lendpilot.compliance.checkpoints.api import router as checkpoints_router
    from lendpilot.compliance.drills.api import router as drills_router
    from lendpilot.compliance.register.api import router as register_router
    from lendpilot.compliance.screening.api import router as screening_router
    from lendpilot.customers.api import router as customers_router
    from lendpilot.customers.portrait.api import router as portrait_router
    from lendpilot.incentives.api import router as incentives_router
    from lendpilot.insights.api import router as insights_router
    from lendpilot.insights.review.api import router as review_router
    from lendpilot.lending.api import router as lending_router
    from lendpilot.market.api import router as market_router
    from lendpilot.monitoring.api import router as monitoring_router
    from lendpilot.org.api import router as org_router
    from lendpilot.org.calendar.api import router as calendar_router
    from lendpilot.planning.api import router as planning_router
    from lendpilot.products.api import router as products_router
    from lendpilot.sales.api import router as sales_router
    from lendpilot.scoring.api import prescreen_router
    from lendpilot.scoring.api import router as scoring_router
    from lendpilot.service.api import router as service_router
    from lendpilot.talent.api import router as talent_router

    api.add_router("/org", org_router, tags=["org"])
    api.add_router("/org", calendar_router, tags=["org"])
    api.add_router("/customers", customers_router, tags=["customers"])
    api.add_router("/portrait", portrait_router, tags=["portrait"])
    api.add_router("/products", products_router, tags=["products"])
    api.add_router("/prescreen", prescreen_router, tags=["scoring"])
    api.add_router("/scoring", scoring_router, tags=["scoring"])
    api.add_router("/channels", channels_router, tags=["channels"])
    api.add_router("/lending", lending_router, tags=["lending"])
    api.add_router("/sales", sales_router, tags=["sales"])
    api.add_router("/monitoring", monitoring_router, tags=["monitoring"])
    api.add_router("/planning", planning_router, tags=["planning"])
    api.add_router("/market", market_router, tags=["market"])
    api.add_router("/service", service_router, tags=["service"])
    api.add_router("/incentives", incentives_router, tags=["incentives"])
    api.add_router("/talent", talent_router, tags=["talent"])
    api.add_router("/insights", insights_router, tags=["insights"])
    api.add_router("/insights", review_router, tags=["insights"])
    api.add_router("/compliance", screening_router, tags=["compliance"])
    api.add_router("/compliance", register_router, tags=["compliance"])
    api.add_router("/compliance", checkpoints_router, tags=["compliance"])
    api.add_router("/compliance", drills_router, tags=["compliance"])


mount_routers()
