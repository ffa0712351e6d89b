"""Staff need a second factor (TOTP): without an authenticator they are sent to enrol
before any page; with one, sign-in asks for the code. Members are not affected."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from tests.conftest import PASSWORD

from isoc.site.security.two_factor import current_code, enrol_totp

pytestmark = [pytest.mark.django_db, pytest.mark.second_factor]


def sign_in(client, email: str):
    return client.post(reverse("account_login"), {"login": email, "password": PASSWORD})


def test_staff_without_an_authenticator_are_sent_to_enrol_before_any_page(client, staff):
    client.force_login(staff)
    for page in ("/admin/", "/members/", "/events/"):
        response = client.get(page)
        assert response.status_code == 302, page
        assert response["Location"] == f"/accounts/2fa/totp/activate/?next={page.replace('/', '%2F')}"


def test_a_session_api_call_by_staff_without_second_factor_is_refused_in_the_api_shape(client, staff):
    client.force_login(staff)
    response = client.get("/api/v1/me")
    assert response.status_code == 403
    assert "second factor" in response.json()["detail"]


def test_members_are_not_asked_for_a_second_factor(client, person):
    client.force_login(person)
    assert client.get("/members/").status_code == 200


def test_the_admin_login_page_sends_staff_to_the_sites_sign_in(client):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/admin/"


def test_a_signed_in_member_at_the_admin_login_is_refused_not_sent_round_in_circles(client, person):
    client.force_login(person)
    assert client.get("/admin/login/?next=/admin/").status_code == 403


@pytest.mark.django_db(transaction=True)  # allauth announces the enrolment on commit, as in production
def test_staff_enrol_with_a_code_from_their_app_and_then_reach_the_admin(client, staff):
    assert sign_in(client, staff.email).status_code == 302
    to_enrol = client.get("/admin/")
    assert to_enrol["Location"].startswith("/accounts/2fa/totp/activate/")
    # Adding an authenticator asks for the password again (allauth's reauthentication).
    confirm = client.get(to_enrol["Location"])
    assert confirm["Location"].startswith("/accounts/reauthenticate/")
    assert client.post(confirm["Location"], {"password": PASSWORD})["Location"] == to_enrol["Location"]
    page = client.get(to_enrol["Location"])
    assert page.status_code == 200
    secret = page.context["form"].secret
    refused = client.post(to_enrol["Location"], {"code": "000000" if current_code(secret) != "000000" else "111111"})
    assert refused.status_code == 200 and refused.context["form"].errors
    assert client.get("/admin/").status_code == 302
    enrolled = client.post(to_enrol["Location"], {"code": current_code(secret)})
    assert enrolled.status_code == 302
    assert client.get("/admin/").status_code == 200


def test_staff_with_an_authenticator_give_the_code_at_sign_in_and_a_wrong_one_is_refused(client, staff):
    secret = enrol_totp(staff)
    response = sign_in(client, staff.email)
    assert response.status_code == 302 and response["Location"] == reverse("mfa_authenticate")
    assert client.get("/admin/").status_code == 302  # not signed in yet: to the sign-in page
    wrong = "000000" if current_code(secret) != "000000" else "111111"
    refused = client.post(reverse("mfa_authenticate"), {"code": wrong})
    assert refused.status_code == 200
    assert re.search(r"[Ii]ncorrect code", refused.content.decode())
    accepted = client.post(reverse("mfa_authenticate"), {"code": current_code(secret)})
    assert accepted.status_code == 302
    assert client.get("/admin/").status_code == 200


def test_staff_signed_in_another_way_give_their_code_again(client, staff):
    """A session that did not pass the second factor (here force_login) is sent to give
    the code, not to enrol a second authenticator."""
    enrol_totp(staff)
    client.force_login(staff)
    response = client.get("/admin/")
    assert response["Location"] == "/accounts/2fa/reauthenticate/?next=%2Fadmin%2F"


def test_the_requirement_can_be_turned_off(client, staff, settings):
    settings.ISOC_STAFF_2FA = False
    client.force_login(staff)
    assert client.get("/admin/").status_code == 200
