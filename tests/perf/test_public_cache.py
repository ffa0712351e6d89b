"""The public page cache (isoc.site.public_cache): a cached Pulse page or API answer shows
new data right after a service changes it, a signed-in person is never served from it,
language variants are separate, every visitor gets their own working CSRF token, and a hit
costs no database query."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.db import transaction
from django.test import Client

from isoc.pulse.models import Country
from isoc.shutdowns import services as shutdowns
from isoc.shutdowns.models import ReviewState, ShutdownEvent
from isoc.site import public_cache

pytestmark = pytest.mark.django_db
OVERVIEW = "/pulse/shutdowns/"
API = "/api/v1/pulse/shutdowns/events"


@pytest.fixture
def page_cache(settings):
    """The cache on, as with production settings, watching this test's connections."""
    settings.PUBLIC_PAGE_CACHE = True
    public_cache.watch_open_connections()
    yield
    from django.db import connections

    for alias in connections:
        wrappers = connections[alias].execute_wrappers
        if public_cache._watch in wrappers:
            wrappers.remove(public_cache._watch)


def shutdown(country: str, area: str, state=ReviewState.PUBLISHED) -> ShutdownEvent:
    start = datetime(2024, 3, 1, 6, tzinfo=UTC)
    return ShutdownEvent.objects.create(
        country=Country.objects.get(code=country), area=area, starts_at=start, ends_at=start + timedelta(hours=6),
        review_state=state, meets_deliberate=True, meets_removes_access=True, meets_affects_group=True)


def warm(client: Client, path: str, **headers):
    """Request until the cache serves the page (the first render learns the tables it
    reads, the second is stored)."""
    for _ in range(3):
        response = client.get(path, **headers)
        assert response.status_code == 200
        if response.get("X-Public-Cache") == "hit":
            return response
    raise AssertionError(f"{path} never came from the cache")


def test_a_page_is_served_from_the_cache_with_no_query(client, page_cache, django_assert_num_queries):
    shutdown("IR", "Tehran")
    first = client.get(OVERVIEW)
    assert first["X-Public-Cache"] == "miss"
    warm(client, OVERVIEW)
    with django_assert_num_queries(0):
        hit = client.get(OVERVIEW)
    assert hit["X-Public-Cache"] == "hit" and "Tehran" in hit.content.decode()


@pytest.mark.django_db(transaction=True)  # real commits: versions move when the transaction commits
def test_publishing_through_the_service_shows_at_once(client, page_cache, staff):
    shutdown("IR", "Tehran")
    draft = shutdown("ET", "Amhara region", state=ReviewState.REVIEWED)
    assert "Amhara region" not in warm(client, OVERVIEW).content.decode()
    assert '"Amhara region"' not in warm(client, API).content.decode()
    shutdowns.publish(draft, staff)
    page, api = client.get(OVERVIEW), client.get(API)
    assert page["X-Public-Cache"] == "miss" and "Amhara region" in page.content.decode()
    assert api["X-Public-Cache"] == "miss" and '"Amhara region"' in api.content.decode()
    assert "Amhara region" in warm(client, OVERVIEW).content.decode()  # and the new page is cached in turn


def test_a_rolled_back_change_keeps_the_cached_page(client, page_cache, staff):
    event = shutdown("IR", "Tehran")
    warm(client, OVERVIEW)
    with pytest.raises(RuntimeError), transaction.atomic():
        shutdowns.update_event(event, {"area": "Isfahan"}, staff)
        raise RuntimeError("abandoned")
    assert client.get(OVERVIEW)["X-Public-Cache"] == "hit"


def test_a_signed_in_person_is_never_served_from_the_public_cache(member_client, page_cache):
    client = Client()  # member_client is the signed-in ``client`` fixture
    shutdown("IR", "Tehran")
    anonymous = warm(client, OVERVIEW).content.decode()
    assert "Sign out" not in anonymous
    for _ in range(3):
        mine = member_client.get(OVERVIEW)
        assert "X-Public-Cache" not in mine  # not looked up, not stored
        assert "Sign out" in mine.content.decode()
    assert "Sign out" not in client.get(OVERVIEW).content.decode()


def test_language_variants_are_cached_apart(client, page_cache, settings):
    shutdown("IR", "Tehran")
    english = warm(client, OVERVIEW).content.decode()
    french = Client()
    french.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    cached_french = warm(french, OVERVIEW).content.decode()
    assert '<html lang="en">' in english
    assert '<html lang="fr">' in cached_french
    assert '<html lang="en">' in client.get(OVERVIEW).content.decode()


TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([A-Za-z0-9]+)"')


def test_each_visitor_gets_a_csrf_token_of_their_own_that_works(page_cache):
    shutdown("IR", "Tehran")
    warm(Client(), OVERVIEW)
    tokens = []
    for _ in range(2):
        visitor = Client(enforce_csrf_checks=True)
        hit = visitor.get(OVERVIEW)
        assert hit["X-Public-Cache"] == "hit"
        token = TOKEN.search(hit.content.decode()).group(1)
        assert public_cache.PLACEHOLDER not in hit.content.decode()
        changed = visitor.post("/preferences/", {"csrfmiddlewaretoken": token, "language": "es", "next": OVERVIEW})
        assert changed.status_code == 302  # the language form in the footer works from a cached page
        tokens.append(token)
    assert tokens[0] != tokens[1]
