"""The Content-Security-Policy header (Django 5.2 has none built in).

Everything the site runs or styles comes from its own origin: no inline ``<script>``,
no ``on…=`` handlers, no ``style=`` attributes, no ``javascript:`` URLs (templates use
classes and static files instead; tests/security/test_csp_templates.py greps for them).
``data:`` images are allowed for the admin's and charts' small icons; ``<script
type="application/json">`` data blocks are not executed, so CSP lets them be.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse

POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])


class ContentSecurityPolicyMiddleware:
    """Adds the policy to every response that does not set its own."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", POLICY)
        return response
