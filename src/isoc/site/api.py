"""The versioned JSON API: one NinjaAPI, routers from each app, one error shape."""

from __future__ import annotations

from django.db import InterfaceError, OperationalError
from django.http import Http404
from ninja.errors import AuthenticationError, HttpError, ValidationError

from isoc.chapters.api import router as chapters_router
from isoc.elections.api import router as elections_router
from isoc.enablers.api import router as enablers_router
from isoc.events.api import router as events_router
from isoc.fellowships.api import router as fellowships_router
from isoc.incidents.api import router as incidents_router
from isoc.infra.api import router as infra_router
from isoc.iwn.api import router as iwn_router
from isoc.learning.api import router as learning_router
from isoc.members.api import TokenAuth
from isoc.members.api import router as members_router
from isoc.members.services import RuleViolation
from isoc.pulse.api import router as pulse_router
from isoc.resilience.api import router as resilience_router
from isoc.routing.api import router as routing_router
from isoc.shutdowns.api import router as shutdowns_router
from isoc.shutdowns.api_charts import router as shutdown_charts_router
from isoc.site.api_errors import DocumentedErrorsAPI
from isoc.site.apidocs import ApiReference
from isoc.trust.api import router as trust_router

api = DocumentedErrorsAPI(
    title="isoc API",
    version="1",
    description="The Internet Society's community and Pulse data. Every list is paginated; "
    "errors have the shape {detail, errors: [{field, message}]}.",
    urls_namespace="api-1",
    docs_url="/docs",
    docs=ApiReference(),
    auth=None,
)


def error_body(detail: str, errors: list[dict] | None = None) -> dict:
    return {"detail": detail, "errors": errors or []}


@api.exception_handler(ValidationError)
def on_validation_error(request, exc: ValidationError):
    errors = []
    for err in exc.errors:
        loc = [str(p) for p in err.get("loc", []) if p not in ("body", "query", "path", "payload", "data")]
        errors.append({"field": ".".join(loc) or None, "message": err.get("msg", "invalid")})
    return api.create_response(request, error_body("Invalid input.", errors), status=422)


@api.exception_handler(RuleViolation)
def on_rule_violation(request, exc: RuleViolation):
    return api.create_response(
        request, error_body(exc.message, [{"field": exc.field, "message": exc.message}] if exc.field else []), status=409
    )


@api.exception_handler(AuthenticationError)
def on_auth_error(request, exc):
    return api.create_response(request, error_body("Authentication required."), status=401)


@api.exception_handler(HttpError)
def on_http_error(request, exc: HttpError):
    return api.create_response(request, error_body(str(exc.message)), status=exc.status_code)


@api.exception_handler(OperationalError)
@api.exception_handler(InterfaceError)
def on_database_unavailable(request, exc):
    """ops: a lost database is a 503 with Retry-After, also when DEBUG is on (Ninja would
    answer a traceback); in production the 500 handler would do the same."""
    from isoc.site.ops.faults import database_unavailable

    return database_unavailable(request)


@api.exception_handler(Http404)
def on_not_found(request, exc):
    return api.create_response(request, error_body("Not found."), status=404)


api.add_router("/", members_router)
api.add_router("/events/", events_router)
api.add_router("/chapters/", chapters_router)
api.add_router("/pulse/", pulse_router)
api.add_router("/pulse/shutdowns/", shutdowns_router)
api.add_router("/pulse/shutdowns/", shutdown_charts_router)
api.add_router("/pulse/routing/", routing_router)
api.add_router("/pulse/enablers/", enablers_router)
api.add_router("/pulse/incidents/", incidents_router)
api.add_router("/elections/", elections_router)
api.add_router("/learning/", learning_router)
api.add_router("/trust/", trust_router)
api.add_router("/fellowships/", fellowships_router)
api.add_router("/pulse/resilience/", resilience_router)
api.add_router("/pulse/", infra_router)
api.add_router("/impact-assessment/", iwn_router)
__all__ = ["api", "TokenAuth"]
