"""Chapter-run events and their funding: refused while the chapter may not receive event
funding (in formation, not in good standing, rejuvenation), granted in good standing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from isoc.chapters import services as cs
from isoc.events import services
from isoc.events.models import Event, EventFunding
from isoc.members.services import RuleViolation

pytestmark = pytest.mark.django_db
T0 = datetime(2021, 3, 1, 12, 0, tzinfo=UTC)  # when the conftest chapters were formed and chartered


def chapter_event(make_event, chapter):
    return make_event(scope=Event.Scope.CHAPTER, chapter=chapter, title="Estonia Chapter meetup")


def test_a_chapter_in_good_standing_gets_funding(make_event, chartered, staff):
    event = chapter_event(make_event, chartered)
    grant = services.grant_funding(event, amount="1500", currency="EUR", actor=staff, at=T0 + timedelta(days=10))
    assert grant.amount == Decimal("1500.00") and grant.granted_by == staff
    assert list(event.funding.all()) == [grant]


def test_funding_is_refused_in_rejuvenation_and_while_not_in_good_standing(make_event, chartered, staff):
    event = chapter_event(make_event, chartered)
    cs.end_officer_term(chartered.officer_terms.get(role="treasurer"), ends_on=T0.date(), actor=chartered.people[0])
    cs.review_standing(chartered, T0 + timedelta(days=1))
    chartered.refresh_from_db()
    assert chartered.state == "not-in-good-standing"
    with pytest.raises(RuleViolation) as info:
        services.grant_funding(event, amount="100", currency="EUR", actor=staff, at=T0 + timedelta(days=2))
    assert info.value.code == "chapter_not_eligible"
    cs.review_standing(chartered, chartered.cure_until)
    chartered.refresh_from_db()
    assert chartered.state == "rejuvenation"
    with pytest.raises(RuleViolation) as info:
        services.grant_funding(event, amount="100", currency="EUR", actor=staff, at=chartered.state_since + timedelta(days=1))
    assert info.value.code == "chapter_not_eligible" and "Rejuvenation" in info.value.message
    assert EventFunding.objects.count() == 0


def test_funding_is_refused_to_a_chapter_in_formation(make_event, forming, staff):
    event = chapter_event(make_event, forming)
    with pytest.raises(RuleViolation, match="may not receive event funding"):
        services.grant_funding(event, amount="100", currency="EUR", actor=staff, at=T0 + timedelta(days=1))


def test_funding_rules_for_any_event(make_event, staff, new_person):
    event = make_event()
    with pytest.raises(RuleViolation) as info:
        services.grant_funding(event, amount="100", currency="USD", actor=new_person())
    assert info.value.code == "forbidden"
    for bad in ("0", "-5", "abc", "NaN"):
        with pytest.raises(RuleViolation) as info:
            services.grant_funding(event, amount=bad, currency="USD", actor=staff)
        assert info.value.field == "amount"
    assert services.grant_funding(event, amount="10.005", currency="USD", actor=staff).amount == Decimal("10.00")


def test_a_chapter_event_must_name_its_chapter(make_event, forming):
    with transaction.atomic(), pytest.raises(IntegrityError):
        make_event(scope=Event.Scope.CHAPTER)
    with transaction.atomic(), pytest.raises(IntegrityError):
        make_event(scope=Event.Scope.GLOBAL, chapter=forming)


def test_funding_through_the_api(client, make_event, forming, staff, new_person, assert_error_shape):
    event = chapter_event(make_event, forming)
    assert client.get(f"/api/v1/events/{event.slug}").json()["chapter"] == forming.slug
    assert "run by Estonia Chapter" in client.get(event.get_absolute_url()).content.decode()
    client.force_login(staff)
    refused = client.post(f"/api/v1/events/{event.slug}/funding", {"amount": "100", "currency": "EUR"},
                          content_type="application/json")
    assert refused.status_code == 409 and "may not receive event funding" in refused.json()["detail"]
    assert_error_shape(refused.json())
    plain = make_event()
    granted = client.post(f"/api/v1/events/{plain.slug}/funding", {"amount": "100", "currency": "EUR"},
                          content_type="application/json")
    assert granted.status_code == 201 and granted.json()["amount"] == "100.00"
    client.force_login(new_person())
    assert client.post(f"/api/v1/events/{plain.slug}/funding", {"amount": "1", "currency": "EUR"},
                       content_type="application/json").status_code == 409
