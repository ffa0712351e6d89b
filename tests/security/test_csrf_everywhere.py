"""CSRF on every form: every POST form in the templates carries the token, and every
URL of the URL conf refuses a POST without it, except the views listed here with why."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.test import Client
from django.urls import Resolver404, resolve

from isoc.site.security.urlconf import routes

SRC = Path(__file__).resolve().parents[2] / "src" / "isoc"
FORM = re.compile(r"<form\b[^>]*>", re.I)
POST = re.compile(r"method\s*=\s*[\"']?post", re.I)

# Views exempt from Django's CSRF middleware, and why that is safe.
CSRF_EXEMPT = {
    # Django Ninja marks its views exempt and checks CSRF itself when a call is
    # authenticated by the session cookie (ninja.security.django_auth, csrf=True); a call
    # with an API token carries no cookie a third-party page could make the browser send.
    "api-1:": "the JSON API: Ninja checks CSRF for session-authenticated calls itself",
}


def _exempt_reason(name: str) -> str | None:
    return next((why for prefix, why in CSRF_EXEMPT.items() if name.startswith(prefix)), None)


def test_every_post_form_in_the_templates_carries_the_csrf_token():
    missing = []
    for template in sorted(SRC.glob("**/templates/**/*.html")):
        text = template.read_text()
        for match in FORM.finditer(text):
            if not POST.search(match.group(0)):
                continue
            body = text[match.end(): text.find("</form>", match.end())]
            if "{% csrf_token %}" not in body:
                line = text.count("\n", 0, match.start()) + 1
                missing.append(f"{template.relative_to(SRC)}:{line}")
    assert not missing, "POST forms without {% csrf_token %}:\n" + "\n".join(missing)


def test_only_the_listed_views_are_exempt_from_csrf():
    exempt = sorted({r.name or r.route for r in routes() if getattr(r.callback, "csrf_exempt", False)})
    unexplained = [name for name in exempt if _exempt_reason(name) is None]
    assert not unexplained, f"csrf_exempt views without a reason in CSRF_EXEMPT: {unexplained}"


@pytest.mark.django_db
def test_every_url_refuses_a_post_without_the_token(person):
    client = Client(enforce_csrf_checks=True)
    client.force_login(person)
    checked, unfilled, accepted = 0, [], []
    for route in routes():
        if _exempt_reason(route.name):
            continue
        path = route.example_path()
        try:
            if path is None or resolve(path).func is not route.callback:
                unfilled.append(route.route)
                continue
        except Resolver404:
            unfilled.append(route.route)
            continue
        response = client.post(path, {"anything": "1"})
        checked += 1
        if response.status_code != 403 or b"CSRF" not in response.content:
            accepted.append(f"{path} ({route.name}): {response.status_code}")
    assert not accepted, "POSTs without a CSRF token not refused:\n" + "\n".join(accepted)
    # Regular-expression patterns (a few of allauth's) cannot be filled from their text:
    # they are also views of CsrfViewMiddleware unless exempt, which the test above checks.
    assert checked > 200 and len(unfilled) < 10, (checked, unfilled)


@pytest.mark.django_db
def test_the_api_refuses_a_session_write_without_the_token(person):
    client = Client(enforce_csrf_checks=True)
    client.force_login(person)
    response = client.patch("/api/v1/me", {"first_name": "Mallory"}, content_type="application/json")
    assert response.status_code in (401, 403)
    person.refresh_from_db()
    assert person.first_name == "Ada"
