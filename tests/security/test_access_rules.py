"""Object-level access, generated from the URL conf.

Every URL pattern (the API's routes included) must have a rule in
isoc.site.security.access (who may see it and why): a new view without one fails here.
Then each rule is held to: a visitor opens no page that is not public, a plain member
opens no staff page, staff open their pages; and for the pages that show personal data,
an object of person A is never shown to person B (A and B are real rows made by the
apps' services, B is signed in)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import Resolver404, resolve
from django.utils import timezone
from tests.conftest import make_person

from isoc.site.security.access import LINK, PUBLIC, STAFF, rule_for
from isoc.site.security.urlconf import routes

pytestmark = pytest.mark.django_db

NOT_SHOWN = {301, 302, 401, 403, 404, 405}


def _example_paths(audiences: set[str]) -> list[tuple[str, str]]:
    """(route, concrete path) for the patterns whose rule is in ``audiences`` and whose
    route can be filled with example values."""
    found = []
    for route in routes():
        rule = rule_for(route.route)
        if rule is None or rule.audience not in audiences:
            continue
        path = route.example_path()
        try:
            if path and resolve(path).func is route.callback:
                found.append((route.route, path))
        except Resolver404:
            pass
    return found


def test_every_url_pattern_has_an_access_rule():
    missing = sorted({r.route for r in routes() if rule_for(r.route) is None})
    assert not missing, ("URL patterns without an access rule in src/isoc/site/security/access.py "
                         "(say who may see each, and why):\n" + "\n".join(missing))


def test_a_visitor_opens_no_page_that_is_not_public():
    visitor = Client()
    shown = []
    for route, path in _example_paths({"signed-in", "owner", "role", "staff"}):
        response = visitor.get(path)
        if response.status_code not in NOT_SHOWN:
            shown.append(f"{route} ({path}): {response.status_code}")
        elif response.status_code == 302 and not response["Location"].startswith(("/accounts/login/", "/admin/login/")):
            shown.append(f"{route} ({path}): redirected to {response['Location']}, not to sign in")
    assert not shown, "non-public pages a visitor opened:\n" + "\n".join(shown)


def test_a_member_opens_no_staff_page(person):
    member = Client()
    member.force_login(person)
    shown = [f"{route} ({path}): {status}" for route, path in _example_paths({STAFF})
             if (status := member.get(path).status_code) not in NOT_SHOWN]
    assert not shown, "staff pages a plain member opened:\n" + "\n".join(shown)


def test_staff_open_their_pages_without_arguments(db):
    administrator = make_person("administrator@example.org", admin=True)
    staff_client = signed_in(administrator)
    # Not the admin's add pages (some ledgers are read-only for everyone: 403 by design)
    # nor its autocomplete endpoint (403 without a field to complete).
    paths = [(route, path) for route, path in _example_paths({STAFF})
             if "<" not in route and not route.endswith(("add/", "autocomplete/"))]
    refused = [f"{route}: {status}" for route, path in paths
               if (status := staff_client.get(path).status_code) not in (200, 302, 405)]
    assert len(paths) > 50 and not refused, refused


def test_public_pages_without_arguments_open_for_a_visitor():
    visitor = Client()
    paths = [(route, path) for route, path in _example_paths({PUBLIC, LINK}) if "<" not in route]
    # An API route may answer 422 (a required query parameter) or 404 (no data yet):
    # what matters is that it does not ask who is calling (401/403).
    refused = [f"{route}: {status}" for route, path in paths
               if (status := visitor.get(path).status_code) not in (200, 302, 405)
               and not (route.startswith("api/") and status in (404, 422))]
    assert not refused, "public pages that refused a visitor (is the rule wrong?):\n" + "\n".join(refused)


# --- one person's objects, seen by another ----------------------------------------------


@pytest.fixture
def owner_a(db):
    return make_person("owner-a@example.org", first_name="Alice", last_name="Owner", country="FR")


@pytest.fixture
def member_b(db):
    return make_person("member-b@example.org", first_name="Bob", last_name="Other", country="DE")


def signed_in(person) -> Client:
    client = Client()
    client.force_login(person)
    return client


def test_an_invoice_is_shown_to_its_payer_and_staff_only(owner_a, member_b, staff):
    from isoc.members import services

    invoice = services.join(owner_a, "sustaining").terms.get().invoice
    path = f"/members/invoices/{invoice.number}/"
    assert signed_in(owner_a).get(path).status_code == 200
    assert signed_in(staff).get(path).status_code == 200
    other = signed_in(member_b).get(path)
    assert other.status_code in (403, 404)
    assert "Alice" not in other.content.decode()
    assert Client().get(path).status_code == 302


def test_the_api_shows_one_persons_record_to_staff_only(owner_a, member_b, staff):
    path = f"/api/v1/members/{owner_a.pk}"
    assert signed_in(staff).get(path).status_code == 200
    other = signed_in(member_b).get(path)
    assert other.status_code == 403 and "Alice" not in other.content.decode()
    assert Client().get(path).status_code == 401
    assert signed_in(member_b).get("/api/v1/members").status_code == 403


def test_a_person_cannot_revoke_someone_elses_api_token(owner_a, member_b):
    from isoc.members.tokens import create_token, person_for_key

    token, key = create_token(owner_a, "script")
    signed_in(member_b).post(f"/members/profile/tokens/{token.pk}/revoke/")
    assert person_for_key(key) == owner_a


def test_the_own_record_pages_show_only_the_signed_in_person(owner_a, member_b):
    b = signed_in(member_b)
    for path in ("/members/", "/members/profile/", "/api/v1/me"):
        body = b.get(path).content.decode()
        assert "Bob" in body and "Alice" not in body and "owner-a@example.org" not in body, path
    export = b.get("/members/profile/export/")
    assert export.status_code == 200 and b"owner-a@example.org" not in export.content


def _event(**fields):
    from isoc.events.models import Event

    now = timezone.now()
    starts = now + timedelta(days=30)
    values = {"slug": "acl-event", "title": "Access check meeting", "time_zone": "UTC", "starts_at": starts,
              "ends_at": starts + timedelta(hours=8), "capacity": 5, "members_open_at": now - timedelta(days=10),
              "public_open_at": now - timedelta(days=1), "closes_at": starts, "fee": Decimal("0.00"),
              "currency": "USD"}
    values.update(fields)
    return Event.objects.create(**values)


def test_attendee_lists_are_for_organizers_and_staff_only(owner_a, member_b, staff):
    from isoc.events import services

    event = _event()
    services.register(event, owner_a, notify=False)
    csv_path, api_path = f"/events/{event.slug}/attendees.csv", f"/api/v1/events/{event.slug}/attendees"
    assert "owner-a@example.org" in signed_in(staff).get(csv_path).content.decode()
    for client in (signed_in(member_b), signed_in(owner_a), Client()):
        for path in (csv_path, api_path):
            response = client.get(path)
            assert response.status_code in NOT_SHOWN, path
            assert b"owner-a@example.org" not in response.content
    event.organizers.add(member_b)
    assert "owner-a@example.org" in signed_in(member_b).get(csv_path).content.decode()


def test_an_unpublished_event_is_hidden_from_everyone_but_staff(member_b, staff):
    event = _event(slug="acl-draft", published=False)
    for client in (Client(), signed_in(member_b)):
        assert client.get(f"/events/{event.slug}/").status_code == 404
        assert client.get(f"/api/v1/events/{event.slug}").status_code == 404
        assert event.slug not in client.get("/events/").content.decode()
        assert event.slug not in client.get("/api/v1/events/").content.decode()
    assert signed_in(staff).get(f"/events/{event.slug}/").status_code == 200
