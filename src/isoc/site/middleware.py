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


class PreferencesMiddleware:
    """Activate the reader's language and time zone.

    Language: a signed-in person's saved choice wins (so their choice follows them to
    any browser); otherwise LocaleMiddleware's answer from the language cookie or the
    browser's Accept-Language stands. Time zone: the person's saved zone, else the
    ``isoc_tz`` cookie (set by the page's script from the browser, or by the
    preferences form), else UTC. Every page names the zone it shows times in.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from django.conf import settings
        from django.utils import timezone, translation

        from isoc.site.l10n import valid_time_zone

        user = getattr(request, "user", None)
        signed_in = bool(user and user.is_authenticated)
        languages = {code for code, _ in settings.LANGUAGES}
        if signed_in and user.preferred_language in languages:
            translation.activate(user.preferred_language)
            request.LANGUAGE_CODE = user.preferred_language
        zone = (signed_in and valid_time_zone(user.time_zone)) or valid_time_zone(
            request.COOKIES.get(TZ_COOKIE)
        )
        request.time_zone_chosen = bool(zone)
        request.time_zone = zone or "UTC"
        timezone.activate(request.time_zone)
        response = self.get_response(request)
        timezone.deactivate()
        return response


TZ_COOKIE = "isoc_tz"
