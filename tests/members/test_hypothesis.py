"""Arbitrary input to the join forms and the API: always a clear 4xx or a valid result,
never a server error, never a partly stored record.

The Django test client re-raises any exception a view lets escape, so a would-be 500
fails the example with its traceback."""

from __future__ import annotations

import json
from urllib.parse import quote

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from isoc.members import models as m

FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

text = st.text(max_size=300)
# Lone surrogates cannot even be encoded into a request; everything else is fair game.
short = st.text(max_size=12)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | text,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(short, inner, max_size=4),
    max_leaves=12,
)
countries = st.sampled_from(["GB", "KE", "gb", "XX", "", "G", "GBR", "\x00\x00"]) | short
categories = st.sampled_from(["global", "sustaining", "", "GLOBAL", "gold"]) | text


def api_error(response, assert_error_shape) -> None:
    assert response.status_code < 500
    if response.status_code >= 400:
        assert response["Content-Type"].startswith("application/json")
        assert_error_shape(response.json())


def organizations_are_whole() -> None:
    for org in m.Organization.objects.all():
        assert org.organizationcontact_set.count() >= 1, org
        assert org.terms.count() >= 1 and all(t.invoice_id for t in org.terms.all()), org
        assert org.events.filter(kind="joined").count() == 1, org


# --- the join form ---------------------------------------------------------------------


@FUZZ
@given(data=st.dictionaries(st.sampled_from(["category", "csrfmiddlewaretoken", "extra"]) | short,
                            categories | st.lists(categories, max_size=3), max_size=4))
def test_join_form(client, new_person, data, memberships_ok, ledger_ok):
    person = new_person()
    client.force_login(person)
    response = client.post("/members/join/", data)
    assert response.status_code in (200, 302)
    membership = person.memberships.first()
    if response.status_code == 302:
        assert response["Location"] == "/members/"
        chosen = data["category"] if isinstance(data["category"], str) else data["category"][-1]
        assert membership.terms.get().category == chosen
    else:
        assert membership is None
        assert response.context["form"].errors
    memberships_ok()
    ledger_ok()


# --- the organization join form ------------------------------------------------------------


@FUZZ
@given(
    legal_name=text, country=countries, description=text,
    website=st.sampled_from(["", "https://example.org", "example.org", "ftp://x.y", "javascript:alert(1)"]) | text
    | st.builds(lambda n: "https://example.org/" + "a" * n, st.integers(150, 2100)),
    tier=st.sampled_from(["1", "6", "0", "7", "-1", "", "99999999999999999999999"]) | short,
)
def test_organization_join_form(client, person, legal_name, country, website, tier, description, ledger_ok):
    client.force_login(person)
    before = m.Organization.objects.count()
    response = client.post("/members/organizations/join/", {
        "legal_name": legal_name, "country": country, "website": website, "tier": tier, "description": description,
    })
    assert response.status_code in (200, 302)
    if response.status_code == 302:
        org = m.Organization.objects.latest("pk")
        assert m.Organization.objects.count() == before + 1
        assert response["Location"] == org.get_absolute_url()
        assert org.legal_name == legal_name.strip() and len(org.website) <= 200
        assert list(org.contacts.all()) == [person] and org.invoices.count() == 1
    else:
        assert m.Organization.objects.count() == before
        assert response.context["form"].errors
    organizations_are_whole()
    ledger_ok()


# --- the API ---------------------------------------------------------------------------


@FUZZ
@given(body=json_values | st.fixed_dictionaries({"category": json_values}), raw=st.none() | st.binary(max_size=40))
def test_api_join(client, new_person, body, raw, assert_error_shape, memberships_ok, ledger_ok):
    person = new_person()
    client.force_login(person)
    payload = raw if raw is not None else json.dumps(body)
    response = client.post("/api/v1/me/membership", payload, content_type="application/json")
    api_error(response, assert_error_shape)
    assert response.status_code in (201, 400, 422)
    if response.status_code == 201:
        assert response.json()["membership"]["terms"][0]["category"] == body["category"]
        assert person.memberships.count() == 1
    else:
        assert not person.memberships.exists()
    memberships_ok()
    ledger_ok()


PROFILE = ("first_name", "last_name", "country", "city", "organization", "website", "bio", "directory_listed",
           "show_country", "show_city", "show_organization", "show_bio", "show_website", "email", "is_staff")


@FUZZ
@given(body=st.dictionaries(
    st.sampled_from(["first_name", "last_name", "country", "city", "organization", "website", "bio",
                     "directory_listed", "directory_fields", "email", "is_staff"]) | short,
    json_values | countries | st.lists(st.sampled_from(["country", "city", "bio", "email", ""]), max_size=3),
    max_size=5,
) | json_values)
def test_api_edit_profile(member_client, person, body, assert_error_shape):
    person.refresh_from_db()
    before = {f: getattr(person, f) for f in PROFILE}
    response = member_client.patch("/api/v1/me", json.dumps(body), content_type="application/json")
    api_error(response, assert_error_shape)
    assert response.status_code in (200, 400, 422)
    person.refresh_from_db()
    after = {f: getattr(person, f) for f in PROFILE}
    if response.status_code != 200:
        assert after == before
    else:
        assert (after["email"], after["is_staff"]) == (before["email"], before["is_staff"])
        for field in ("first_name", "last_name", "city", "organization", "bio"):
            if isinstance(body, dict) and isinstance(body.get(field), str):
                assert after[field] == body[field].strip(), field
        assert response.json()["email"] == person.email


@FUZZ
@given(query=st.dictionaries(st.sampled_from(["page", "page_size", "country", "tier", "q", "x"]),
                             text | st.integers().map(str), max_size=4))
def test_api_organizations_listing(client, db, query, assert_error_shape):
    response = client.get("/api/v1/organizations", query)
    api_error(response, assert_error_shape)
    assert response.status_code in (200, 422)
    if response.status_code == 200:
        body = response.json()
        assert set(body) == {"items", "count"} and isinstance(body["count"], int)


@FUZZ
@given(query=st.dictionaries(st.sampled_from(["page", "page_size", "country", "category", "q", "order"]),
                             text | st.integers().map(str), max_size=4),
       slug=text)
def test_api_members_listing_and_lookups(staff_client, person, query, slug, assert_error_shape):
    response = staff_client.get("/api/v1/members", query)
    api_error(response, assert_error_shape)
    assert response.status_code in (200, 422)
    if response.status_code == 200:
        assert response.json()["count"] >= 0
    segment = quote(slug, safe="")
    if segment and segment not in (".", ".."):
        for url in (f"/api/v1/members/{segment}", f"/api/v1/organizations/{segment}"):
            one = staff_client.get(url)
            assert one.status_code < 500
            if one.status_code >= 400 and one["Content-Type"].startswith("application/json"):
                assert_error_shape(one.json())
