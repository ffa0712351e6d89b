"""The members API: ``me``, membership changes, staff's ``members``, public
``organizations``; token authentication; one error shape for every 4xx of every endpoint."""

from __future__ import annotations

import json
import re

import pytest
from django.test import Client
from django.utils import timezone

from isoc.members import models as m
from isoc.members import services
from isoc.members.tokens import create_token


def bearer(key: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def patch(client, body, **extra):
    return client.patch("/api/v1/me", json.dumps(body), content_type="application/json", **extra)


def post(client, url, body=None, **extra):
    return client.post(url, json.dumps(body) if body is not None else "", content_type="application/json", **extra)


# --- me --------------------------------------------------------------------------------


def test_me_shows_membership_and_invoices(member_client, person):
    services.join(person, "sustaining")
    body = member_client.get("/api/v1/me").json()
    assert (body["email"], body["first_name"], body["country"]) == ("ada@example.org", "Ada", "GB")
    assert body["membership"]["status"] == "pending" and body["membership"]["category"] is None
    [invoice] = body["invoices"]
    assert invoice["state"] == "open" and invoice["amount"] == "50.00" and invoice["currency"] == "USD"
    assert invoice["balance"] == "50.00" and body["membership"]["terms"][0]["invoice"] == invoice["number"]


def test_edit_profile_and_directory_settings(member_client, person):
    response = patch(member_client, {"city": "London", "country": "IE", "directory_listed": True,
                                     "directory_fields": ["city", "country"]})
    assert response.status_code == 200
    body = response.json()
    assert (body["city"], body["country"], body["directory_listed"]) == ("London", "IE", True)
    assert body["directory_fields"] == ["country", "city"]
    person.refresh_from_db()
    assert (person.city, person.show_city, person.show_bio) == ("London", True, False)
    assert person.first_name == "Ada"  # untouched fields stay


@pytest.mark.parametrize("body, field", [
    ({"country": "XX"}, "country"),
    ({"website": "javascript:alert(1)"}, "website"),
    ({"first_name": "a\x00b"}, "first_name"),
    ({"city": "x" * 101}, "city"),
    ({"directory_fields": ["email"]}, "directory_fields.0"),
    ({"directory_listed": "perhaps"}, "directory_listed"),
])
def test_an_invalid_edit_names_the_field_and_changes_nothing(member_client, person, assert_error_shape, body, field):
    response = patch(member_client, {"first_name": "Changed", **body} if "first_name" not in body else body)
    assert response.status_code == 422
    assert_error_shape(response.json())
    assert field in {e["field"] for e in response.json()["errors"]}, response.json()
    person.refresh_from_db()
    assert person.first_name == "Ada" and person.country == "GB"


def test_the_email_address_cannot_be_changed_through_the_api(member_client, person):
    assert patch(member_client, {"email": "mallory@example.org", "is_staff": True}).status_code == 200
    person.refresh_from_db()
    assert person.email == "ada@example.org" and not person.is_staff


# --- membership through the API --------------------------------------------------------


def test_join_and_change_membership(member_client, person, assert_error_shape):
    joined = post(member_client, "/api/v1/me/membership", {"category": "global"})
    assert joined.status_code == 201 and joined.json()["membership"]["status"] == "active"
    again = post(member_client, "/api/v1/me/membership", {"category": "sustaining"})
    assert again.status_code == 409
    assert_error_shape(again.json())
    assert again.json()["errors"] == [{"field": "category", "message": again.json()["detail"]}]
    upgraded = post(member_client, "/api/v1/me/membership/upgrade")
    assert upgraded.status_code == 200 and upgraded.json()["invoices"][0]["state"] == "open"
    refused = post(member_client, "/api/v1/me/membership/renew")
    assert refused.status_code == 409 and "renewed" in refused.json()["detail"]
    cancelled = post(member_client, "/api/v1/me/membership/cancel")
    assert cancelled.json()["membership"]["status"] == "cancelled"
    assert cancelled.json()["invoices"][0]["state"] == "void"
    assert post(member_client, "/api/v1/me/membership/cancel").status_code == 409


def test_unknown_category_or_action_is_422_and_stores_nothing(member_client, person, assert_error_shape):
    for url, body in (("/api/v1/me/membership", {"category": "gold"}), ("/api/v1/me/membership", {}),
                      ("/api/v1/me/membership/promote", None)):
        response = post(member_client, url, body)
        assert response.status_code == 422, (url, body, response.content)
        assert_error_shape(response.json())
    assert not m.IndividualMembership.objects.exists()


def test_a_body_that_is_not_json_is_a_400(member_client, assert_error_shape):
    response = member_client.post("/api/v1/me/membership", "{not json", content_type="application/json")
    assert response.status_code == 400
    assert_error_shape(response.json())
    assert not m.IndividualMembership.objects.exists()


# --- staff: members --------------------------------------------------------------------


def test_staff_list_and_filter_people(staff_client, person, other_person, new_person):
    services.join(person, "sustaining")
    services.record_payment(person.invoices.get(), amount="50", reference="R")
    services.join(other_person, "global")
    nobody = new_person(first_name="No", last_name="Membership", country="JP")
    everyone = staff_client.get("/api/v1/members").json()
    assert everyone["count"] == 4
    ada = next(p for p in everyone["items"] if p["email"] == "ada@example.org")
    assert (ada["status"], ada["category"]) == ("active", "sustaining")
    get = lambda **q: {p["email"] for p in staff_client.get("/api/v1/members", q).json()["items"]}  # noqa: E731
    assert get(category="sustaining") == {"ada@example.org"}
    assert get(category="global") == {"grace@example.org"}
    assert get(country="jp") == {nobody.email}
    assert get(q="hopper") == {"grace@example.org"}
    assert get(q="ADA@") == {"ada@example.org"}
    assert get(q="hopper", category="sustaining") == set()
    page = staff_client.get("/api/v1/members", {"page": 2, "page_size": 3}).json()
    assert page["count"] == 4 and len(page["items"]) == 1


def test_staff_see_one_person_and_unknown_ids_are_404(staff_client, person, assert_error_shape):
    assert staff_client.get(f"/api/v1/members/{person.pk}").json()["email"] == "ada@example.org"
    for pk in (999999, 0, 10**30):
        missing = staff_client.get(f"/api/v1/members/{pk}")
        assert missing.status_code == 404, pk
        assert_error_shape(missing.json())


# --- token authentication --------------------------------------------------------------


def test_a_valid_token_authenticates_and_is_marked_used(client, person):
    token, key = create_token(person, "script")
    assert key.startswith("isoc_") and token.prefix == key[5:13]
    assert token.key_hash != key and key not in token.key_hash
    response = client.get("/api/v1/me", **bearer(key))
    assert response.status_code == 200 and response.json()["email"] == "ada@example.org"
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_a_token_can_write_without_a_csrf_token(person):
    _, key = create_token(person, "script")
    strict = Client(enforce_csrf_checks=True)
    assert post(strict, "/api/v1/me/membership", {"category": "global"}, **bearer(key)).status_code == 201


def test_a_browser_session_must_send_the_csrf_token_to_write(person, assert_error_shape):
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(person)
    response = post(strict, "/api/v1/me/membership", {"category": "global"})
    assert response.status_code == 403
    assert_error_shape(response.json())
    assert not m.IndividualMembership.objects.exists()


def test_revoked_garbage_and_foreign_tokens_are_refused(client, person, assert_error_shape):
    token, key = create_token(person, "old")
    revoked_via_page = Client()
    revoked_via_page.force_login(person)
    revoked_via_page.post(f"/members/profile/tokens/{token.pk}/revoke/")
    token.refresh_from_db()
    assert token.revoked_at is not None
    _, inactive_key = create_token(person, "inactive")
    candidates = [key, "isoc_" + "A" * 43, "garbage", "", "isoc_", key.upper(), key + "x", "isoc_" + "x" * 500,
                  "isoc_\u00e9\u00e9"]
    for candidate in candidates:
        response = client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {candidate}")
        assert response.status_code == 401, candidate
        assert_error_shape(response.json())
        assert "ada@example.org" not in response.content.decode()
    assert client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Token {inactive_key}").status_code == 401
    person.is_active = False
    person.save()
    assert client.get("/api/v1/me", **bearer(inactive_key)).status_code == 401


def test_a_token_made_on_the_profile_page_is_shown_once(member_client, person):
    page = member_client.post("/members/profile/tokens/new/", {"name": "backup"}).content.decode()
    key = re.search(r"isoc_[A-Za-z0-9_-]{20,}", page).group(0)
    assert Client().get("/api/v1/me", **bearer(key)).status_code == 200
    assert key not in member_client.get("/members/profile/").content.decode()


def test_a_member_cannot_revoke_someone_elses_token(member_client, other_person):
    token, key = create_token(other_person, "theirs")
    member_client.post(f"/members/profile/tokens/{token.pk}/revoke/")
    token.refresh_from_db()
    assert token.revoked_at is None
    assert Client().get("/api/v1/me", **bearer(key)).status_code == 200


def test_a_staff_token_reaches_staff_endpoints_and_a_member_token_does_not(client, staff, person):
    _, staff_key = create_token(staff, "ops")
    _, member_key = create_token(person, "mine")
    assert client.get("/api/v1/members", **bearer(staff_key)).status_code == 200
    assert client.get("/api/v1/members", **bearer(member_key)).status_code == 403


# --- one error shape for every endpoint ------------------------------------------------


def operations(client) -> list[tuple[str, str, dict]]:
    schema = client.get("/api/v1/openapi.json").json()
    return [(path, method, op) for path, ops in schema["paths"].items() for method, op in ops.items()]


def test_the_openapi_schema_lists_every_members_endpoint(client, db):
    found = {(method.upper(), path) for path, method, op in operations(client) if "members" in op.get("tags", [])}
    assert found == {
        ("GET", "/api/v1/me"), ("PATCH", "/api/v1/me"), ("POST", "/api/v1/me/membership"),
        ("POST", "/api/v1/me/membership/{action}"), ("GET", "/api/v1/members"),
        ("GET", "/api/v1/members/{person_id}"), ("GET", "/api/v1/organizations"),
        ("GET", "/api/v1/organizations/{slug}"),
    }


def test_every_endpoint_answers_every_4xx_in_the_one_error_shape(client, person, assert_error_shape):
    """For each operation in the OpenAPI schema, provoke the errors it can give: no
    credentials, wrong credentials, not staff, invalid path / query / body values, an
    unparsable body, an unknown object. Every 4xx must carry {detail, errors}."""
    member = Client()
    member.force_login(person)
    seen: dict[str, set[int]] = {}
    for path, method, op in operations(client):
        params = {p["name"]: p for p in op.get("parameters", [])}
        secured = bool(op.get("security"))
        bad_path = re.sub(r"\{[^}]+\}", "0", path)
        odd_path = re.sub(r"\{[^}]+\}", "no-such-thing", path)
        # Not a number, too long, NUL bytes: wrong for every query parameter there is.
        bad_query = {name: "\x00" * 300 for name, p in params.items() if p["in"] == "query"}
        attempts = [
            (client, path.replace("{", "").replace("}", ""), None, {}),
            (client, bad_path, None, {"HTTP_AUTHORIZATION": "Bearer isoc_wrong"}),
            (member, bad_path, None, {}),
            (member, odd_path, None, {}),
            (member, path.replace("{person_id}", "1").replace("{action}", "renew").replace("{slug}", "x"),
             {"q": "x"}, {}),
        ]
        if bad_query:
            attempts.append((member, odd_path, bad_query, {}))
        if "requestBody" in op:
            attempts.append((member, odd_path, "{broken", {}))
            attempts.append((member, odd_path, "[1, 2]", {}))
        for who, url, data, headers in attempts:
            if method == "get":
                response = who.get(url, data or {}, **headers)
            else:
                body = data if isinstance(data, str) else json.dumps(data or {})
                response = getattr(who, method)(url, body, content_type="application/json", **headers)
            assert response.status_code < 500, (method, url, data, response.status_code)
            if response.status_code >= 400:
                assert response["Content-Type"].startswith("application/json"), (method, url)
                assert_error_shape(response.json())
                seen.setdefault(f"{method} {path}", set()).add(response.status_code)
        if secured:
            assert 401 in seen.get(f"{method} {path}", set()), (method, path)
    # Every operation was made to fail at least once, so none passed unexamined.
    assert set(seen) == {f"{method} {path}" for path, method, _ in operations(client)}
    assert {403, 404, 422} <= set().union(*seen.values())


def test_a_method_an_endpoint_does_not_have_is_refused_in_the_error_shape(member_client, assert_error_shape):
    """Django Ninja answers 405 itself, in plain text; a middleware gives it the shape."""
    response = member_client.delete("/api/v1/me")
    assert response.status_code == 405
    assert set(response["Allow"].split(", ")) == {"GET", "PATCH"}
    assert_error_shape(response.json())
    assert "DELETE" in response.json()["detail"]


def test_timestamps_are_utc(member_client, person):
    services.join(person, "global")
    created = member_client.get("/api/v1/me").json()["membership"]["created_at"]
    assert created.endswith("Z") or created.endswith("+00:00")
    assert abs(timezone.datetime.fromisoformat(created.replace("Z", "+00:00")) - timezone.now()).total_seconds() < 60


def test_nul_bytes_and_misshapen_values_are_refused_before_the_database(staff_client, assert_error_shape):
    """PostgreSQL cannot store or compare text with NUL bytes: the API must say so (4xx)
    rather than fail (500) on it."""
    for url, query, field in (("/api/v1/organizations", {"tier": "gold\x00"}, "tier"),
                              ("/api/v1/organizations", {"country": "K\x00"}, "country"),
                              ("/api/v1/members", {"q": "ada\x00"}, "q"),
                              ("/api/v1/members", {"country": "\x00"}, "country")):
        response = staff_client.get(url, query)
        assert response.status_code == 422, (url, query)
        assert_error_shape(response.json())
        assert [e["field"] for e in response.json()["errors"]] == [field]
    for slug in ("%00", "a%00b", "caf%C3%A9"):
        response = staff_client.get(f"/api/v1/organizations/{slug}")
        assert response.status_code == 404
        assert_error_shape(response.json())
