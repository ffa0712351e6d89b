"""The outermost middleware: request id, access log, latency metric, and the direct
route to the probes (liveness, readiness, metrics).

The probes skip the rest of the stack on purpose: a load balancer's check must not fail
because of a session, a locale, a host name or an HTTPS redirect that has nothing to do
with whether this process can serve.
"""

from __future__ import annotations

import logging
import time

from django.core.signals import request_finished
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse

from isoc.site.ops import context, faults

access_log = logging.getLogger("isoc.access")


@receiver(request_finished)
def _request_done(**_kwargs) -> None:
    context.request_id.set(None)


def _probe_views():
    from isoc.site.ops import health, metrics

    return {"/healthz": health.liveness, "/readyz": health.readiness, "/metrics": metrics.metrics_view}


class OpsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.probes = _probe_views()

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = context.accept_request_id(request.headers.get("X-Request-ID"))
        request.request_id = request_id
        # Not reset on the way out: Django logs a 4xx after the middleware returns; the
        # request_finished signal clears it.
        context.request_id.set(request_id)
        started = time.perf_counter()
        # Probes answer reads only; anything else takes the whole stack (CSRF refuses a POST).
        probe = self.probes.get(request.path_info) if request.method in ("GET", "HEAD") else None
        response = probe(request) if probe else self.get_response(request)
        duration = time.perf_counter() - started
        response["X-Request-ID"] = request_id
        _observe(request, response, _route(request, probe is not None), duration)
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        """A view that lost its database, or whose write the data folder refused (full,
        read-only), answers 503 even with DEBUG on (in production the 500 handler does the
        same for errors raised in other middleware)."""
        if faults.is_database_unavailable(exception):
            return faults.database_unavailable(request)
        if faults.is_storage_error(exception):
            return faults.storage_unavailable(request)
        return None


def _route(request: HttpRequest, probe: bool) -> str:
    """The route's name, not the raw path: a bounded set of metric labels."""
    if probe:
        return request.path_info.strip("/")
    match = getattr(request, "resolver_match", None)
    if match is None:
        return "unmatched"
    return match.view_name or match.route or "unnamed"


def _user_id(request: HttpRequest):
    """The signed-in user's id if authentication already ran: never a database query here
    (the access line must be written even when the database is gone)."""
    from django.utils.functional import empty

    user = request.__dict__.get("user")
    wrapped = getattr(user, "_wrapped", user)
    if wrapped is None or wrapped is empty:
        return None
    try:
        return wrapped.pk if wrapped.is_authenticated else None
    except Exception:  # noqa: BLE001 - a log line must never fail the request
        return None


def _observe(request: HttpRequest, response: HttpResponse, route: str, duration: float) -> None:
    from isoc.site.ops import metrics

    metrics.observe_request(route, request.method, response.status_code, duration)
    access_log.info(
        "%s %s %s %.1fms", request.method, request.path, response.status_code, duration * 1000,
        extra={"method": request.method, "path": request.path, "status": response.status_code,
               "duration_ms": round(duration * 1000, 1), "route": route, "user_id": _user_id(request)},
    )
