"""Site-wide middleware."""

from __future__ import annotations

import json

from django.http import HttpRequest, HttpResponse


class ApiMethodNotAllowedMiddleware:
    """Django Ninja answers a method an endpoint lacks with a plain-text 405 before any
    of the API's exception handlers run; give it the API's one error shape."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code == 405 and request.path.startswith("/api/"):
            allowed = response.get("Allow", "")
            body = {"detail": f"Method {request.method} is not allowed here; allowed: {allowed}.", "errors": []}
            replacement = HttpResponse(json.dumps(body), status=405, content_type="application/json")
            replacement["Allow"] = allowed
            return replacement
        return response
