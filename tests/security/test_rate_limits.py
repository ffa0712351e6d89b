"""Rate limits: sign-in (axes per address, allauth per client), sign-up, API token
creation on the web, and requests with bad API tokens. Each ends in a 429 that says so."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from tests.conftest import PASSWORD

from isoc.members.tokens import create_token

pytestmark = pytest.mark.django_db


def test_sign_ups_from_one_address_are_limited(client):
    answers = [
        client.post(reverse("account_signup"), {"email": f"new{i}@example.org", "password1": "x", "password2": "y"})
        for i in range(6)
    ]
    assert [a.status_code for a in answers[:5]] == [200] * 5  # form errors, but counted
    assert answers[5].status_code == 429
    assert "Too many attempts came from your address" in answers[5].content.decode()


def test_sign_in_failures_lock_the_address_out(client, person):
    for _ in range(5):
        client.post(reverse("account_login"), {"login": person.email, "password": "wrong-password"})
    locked = client.post(reverse("account_login"), {"login": person.email, "password": PASSWORD})
    assert locked.status_code == 429  # axes: even the right password is refused for now
    assert "_auth_user_id" not in client.session


def test_sign_in_failures_across_many_addresses_from_one_client_are_limited(client):
    answers = [client.post(reverse("account_login"), {"login": f"guess{i}@example.org", "password": "nope-nope"})
               for i in range(11)]
    # allauth answers on the form itself (no per-address lockout page applies here).
    assert "Too many failed login attempts" in answers[-1].content.decode()
    assert "Too many failed login attempts" not in answers[-2].content.decode()


def test_creating_api_tokens_on_the_web_is_limited(member_client, person, settings):
    settings.ISOC_RATE_LIMITS = {**settings.ISOC_RATE_LIMITS, "token_create": (3, 3600)}
    made = [member_client.post(reverse("members:new_token"), {"name": f"script {i}"}) for i in range(4)]
    assert [r.status_code for r in made[:3]] == [200, 200, 200]
    assert made[3].status_code == 429
    assert int(made[3]["Retry-After"]) > 0
    assert "too many API tokens" in made[3].content.decode()
    assert person.api_tokens.count() == 3


def test_bad_api_tokens_from_one_address_get_429_in_the_api_shape(person, settings):
    settings.ISOC_RATE_LIMITS = {**settings.ISOC_RATE_LIMITS, "api_bad_token": (3, 60)}
    _, key = create_token(person, "script")
    guesser = Client(REMOTE_ADDR="192.0.2.7")
    answers = [guesser.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer isoc_guess{i}") for i in range(4)]
    assert [a.status_code for a in answers[:3]] == [401, 401, 401]
    assert answers[3].status_code == 429
    body = answers[3].json()
    assert set(body) == {"detail", "errors"} and "bad API token" in body["detail"]
    # The same address is refused even with a good token until the window ends; another is not.
    assert guesser.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 429
    assert Client(REMOTE_ADDR="192.0.2.8").get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 200
