"""Fixtures for the events tests: an event whose registration is open now, people, members."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from itertools import count
from pathlib import Path

import pytest

ROOT_CONFTEST = Path(__file__).resolve().parents[1] / "conftest.py"
_n = count(1)


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
