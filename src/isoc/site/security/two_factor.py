"""Two-factor authentication required for staff.

allauth.mfa asks for the code at sign-in once a person has an authenticator (TOTP app).
This middleware makes it a requirement for staff (``is_staff``): a staff session that
did not pass a second factor reaches no page but the ones to enrol or give the code,
and signing out. It reads allauth's own record of how the session was authenticated,
so a session made any other way (``/admin/login/`` is sent to the site's sign-in
page; ``Client.force_login`` in tests) is not trusted either. ``ISOC_STAFF_2FA=0`` turns
the requirement off (development only).
"""

from __future__ import annotations

import json

from django.conf import settings
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

# Pages a staff member without a second factor may still open: those that give one,
# sign out, and what any page needs (static files, language switch, health check).
OPEN_PREFIXES = ("/accounts/2fa/", "/accounts/reauthenticate/", "/accounts/logout/", "/static/", "/i18n/", "/healthz")


def has_authenticator(user) -> bool:
    from allauth.mfa.models import Authenticator

    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def passed_second_factor(request: HttpRequest, user) -> bool:
    """Whether this session was authenticated with a second factor (allauth's records)."""
    from allauth.account.internal.flows.login import get_authentication_records

    return any(record.get("method") == "mfa" for record in get_authentication_records(request, user))


def mark_second_factor(request: HttpRequest, user, how: str = "totp") -> None:
    """Record in the session that ``user`` gave a second factor, as allauth does."""
    from allauth.account.internal.flows.login import record_authentication

    record_authentication(request, user, "mfa", type=how)


def needs_second_factor(request: HttpRequest) -> bool:
    user = getattr(request, "user", None)
    return bool(
        settings.ISOC_STAFF_2FA
        and user is not None
        and user.is_authenticated
        and user.is_staff
        and not request.path.startswith(OPEN_PREFIXES)
        and not passed_second_factor(request, user)
    )


class StaffTwoFactorMiddleware:
    """Sends staff without a second factor in this session to enrol (no authenticator
    yet) or to give their code (they have one), then back to the page they asked for."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not needs_second_factor(request):
            return self.get_response(request)
        if request.path.startswith("/api/"):
            body = {"detail": "Staff must sign in with a second factor before using the site with this session.",
                    "errors": []}
            return HttpResponse(json.dumps(body), status=403, content_type="application/json")
        target = "mfa_reauthenticate" if has_authenticator(request.user) else "mfa_activate_totp"
        return redirect(f"{reverse(target)}?{urlencode({'next': request.get_full_path()})}")


def connect_signals() -> None:
    """Enrolling proves the person holds the new authenticator (they typed a valid code):
    the session counts as passed, so they go on without signing in again."""
    from allauth.mfa.signals import authenticator_added

    @receiver(authenticator_added, weak=False, dispatch_uid="isoc-staff-2fa-enrolled")
    def _enrolled(sender, request, user, authenticator, **kwargs):
        if request is not None:
            mark_second_factor(request, user)


def enrol_totp(user, secret: str | None = None) -> str:
    """Give ``user`` a TOTP authenticator (as the enrolment page does) and return its
    secret; for tests and for setting up a known staff account."""
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    secret = secret or generate_totp_secret()
    TOTP.activate(user, secret)
    return secret


def current_code(secret: str, at: float | None = None) -> str:
    """The code an authenticator app holding ``secret`` shows now (or at ``at``)."""
    import time

    from allauth.mfa import app_settings
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    counter = int(time.time() if at is None else at) // app_settings.TOTP_PERIOD
    return format_hotp_value(hotp_value(secret, counter))


def admin_login(request: HttpRequest) -> HttpResponse:
    """``/admin/login/``: staff sign in through the site's form, which asks for the second
    factor. A signed-in person who is not staff is refused here (sending them to the
    sign-in page would bounce them straight back to the admin, and so on for ever)."""
    from django.core.exceptions import PermissionDenied

    if request.user.is_authenticated and not request.user.is_staff:
        raise PermissionDenied
    query = request.META.get("QUERY_STRING", "")
    return redirect(reverse("account_login") + (f"?{query}" if query else ""))
