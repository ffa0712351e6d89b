"""What a request gets when the database is gone: a clear 503, never a traceback.

Every service runs in one transaction, so a request cut off by a lost database has
written nothing; the reader is told to try again (Retry-After) and the next request after
the database is back gets a fresh connection (CONN_HEALTH_CHECKS drops dead ones).
"""

from __future__ import annotations

import json
import logging
import sys

from django.db import DatabaseError, InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, HttpResponseServerError
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from isoc.site.ops.files import is_storage_error

RETRY_AFTER_SECONDS = 10
log = logging.getLogger("isoc.ops")


def is_database_unavailable(exc: BaseException | None) -> bool:
    # OperationalError covers a refused or dropped connection (and SQLite's lock timeout,
    # which also passes); InterfaceError a connection already closed under us.
    return isinstance(exc, (OperationalError, InterfaceError))


def database_unavailable(request: HttpRequest) -> HttpResponse:
    log.error("database unavailable: %s", sys.exc_info()[1])
    return _unavailable(request, "database",
                        _("The database is unavailable for a moment; nothing was changed. Please try again shortly."))


def storage_unavailable(request: HttpRequest) -> HttpResponse:
    """The data folder is full or read-only: the path and errno go to the log, not the page."""
    log.error("data folder refused a write: %s", sys.exc_info()[1])
    return _unavailable(request, "storage",
                        _("We cannot store files at the moment; nothing was changed. Please try again later."))


def _unavailable(request: HttpRequest, cause: str, detail: str) -> HttpResponse:
    if request.path.startswith("/api/"):
        response = HttpResponse(json.dumps({"detail": detail, "errors": []}), status=503,
                                content_type="application/json")
    else:
        response = HttpResponse(render_to_string("503.html", {"cause": cause}), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: a lost database gets its 503; any other error the plain 500 page
    (the API its JSON error shape), never a traceback."""
    exc = sys.exc_info()[1]
    if is_database_unavailable(exc):
        return database_unavailable(request)
    if is_storage_error(exc):
        return storage_unavailable(request)
    if request.path.startswith("/api/"):
        body = {"detail": _("Internal server error; it has been logged."), "errors": []}
        return HttpResponse(json.dumps(body), status=500, content_type="application/json")
    return HttpResponseServerError(render_to_string("500.html"))


__all__ = ["DatabaseError", "database_unavailable", "is_database_unavailable", "server_error", "storage_unavailable"]
