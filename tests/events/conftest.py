"""Fixtures for the events tests: an event whose registration is open now, people, members,
and chapters (in formation, chartered, in rejuvenation) for chapter-run events."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from itertools import count
from pathlib import Path

import pytest

ROOT_CONFTEST = Path(__file__).resolve().parents[1] / "conftest.py"
_n = count(1)
CHAPTER_T0 = datetime(2021, 3, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def make_person(request) -> Callable:
    return request.config.pluginmanager.get_plugin(str(ROOT_CONFTEST)).make_person


@pytest.fixture
def new_person(db, make_person) -> Callable:
    def make(**fields):
        return make_person(f"attendee{next(_n)}@example.net", **fields)

    return make


@pytest.fixture
def new_member(new_person) -> Callable:
    """An active global member."""
    from isoc.members import services

    def make(**fields):
        person = new_person(**fields)
        services.join(person, "global")
        return person

    return make


@pytest.fixture
def make_event(db) -> Callable:
    """An event whose registration is open to everyone now (unless times are given)."""
    from django.utils import timezone

    from isoc.events.models import Event

    def make(**fields):
        now = timezone.now()
        starts = fields.pop("starts_at", now + timedelta(days=30))
        values = {
            "slug": f"event-{next(_n)}", "title": "Internet Governance Forum side meeting", "time_zone": "Africa/Nairobi",
            "starts_at": starts, "ends_at": starts + timedelta(hours=8), "capacity": 2,
            "members_open_at": now - timedelta(days=10), "public_open_at": now - timedelta(days=1),
            "closes_at": starts, "fee": Decimal("0.00"), "currency": "USD",
        }
        values.update(fields)
        return Event.objects.create(**values)

    return make


@pytest.fixture
def assert_error_shape() -> Callable[[dict], None]:
    def check(body: dict) -> None:
        assert set(body) == {"detail", "errors"} and isinstance(body["detail"], str), body
        for error in body["errors"]:
            assert set(error) == {"field", "message"}, error

    return check


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def forming(staff):
    from isoc.chapters import services as cs

    return cs.form_chapter(name="Estonia Chapter", actor=staff, community=cs.Community(country="EE"), at=CHAPTER_T0)


@pytest.fixture
def chartered(forming, new_person, staff):
    """Chartered in 2021 with 25 members and three officers: in good standing."""
    from isoc.chapters import services as cs
    from isoc.members import services as ms

    people = []
    for _ in range(25):
        p = new_person()
        ms.join(p, "global", at=CHAPTER_T0)
        cs.join(p, forming, at=CHAPTER_T0)
        people.append(p)
    cs.charter(forming, actor=staff, reason="Charter approved by the Board.", at=CHAPTER_T0)
    for person, role in zip(people, ["chair", "secretary", "treasurer"], strict=False):
        cs.appoint_officer(forming, person, role, starts_on=CHAPTER_T0.date(), actor=staff)
    forming.refresh_from_db()
    forming.people = people
    return forming


@pytest.fixture
def rejuvenating(chartered):
    """The chartered chapter lost its treasurer, was not in good standing, and did not cure
    it in time: in rejuvenation ever since."""
    from isoc.chapters import services as cs

    cs.end_officer_term(chartered.officer_terms.get(role="treasurer"), ends_on=CHAPTER_T0.date(),
                        actor=chartered.people[0])
    cs.review_standing(chartered, CHAPTER_T0 + timedelta(days=1))
    chartered.refresh_from_db()
    cs.review_standing(chartered, chartered.cure_until)
    chartered.refresh_from_db()
    assert chartered.state == "rejuvenation"
    return chartered
