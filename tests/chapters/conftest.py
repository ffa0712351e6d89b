"""Fixtures for the chapters tests: people who are Internet Society members, a chapter in
formation with enough members to be chartered, a chartered chapter with its officers
(in 2021, and chartered now for the pages)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from itertools import count

import pytest

_emails = count(1)
T0 = datetime(2021, 3, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def t0() -> datetime:
    return T0


@pytest.fixture
def new_person(db) -> Callable:
    """A fresh person; ``isoc_member=True`` makes them a global member from ``at``."""

    def make(isoc_member: bool = True, at: datetime = T0, **fields):
        from isoc.members import services as ms
        from isoc.members.models import Person

        # No password: hashing one (Argon2) for every one of 25 members is slow.
        p = Person.objects.create_user(email=f"chap{next(_emails)}@example.net", **fields)
        if isoc_member:
            ms.join(p, "global", at=at)
        return p

    return make


@pytest.fixture
def europe(db):
    from isoc.chapters.models import RegionalBureau

    return RegionalBureau.objects.get(slug="europe")


@pytest.fixture
def forming(db, staff, t0):
    """A chapter in formation serving Estonia."""
    from isoc.chapters import services as cs

    return cs.form_chapter(name="Estonia Chapter", actor=staff, community=cs.Community(country="EE"), at=t0)


@pytest.fixture
def fill(new_person) -> Callable:
    """Add ``n`` Internet Society members to a chapter at ``at``; returns them."""

    def add(chapter, n: int, at: datetime = T0, isoc_member: bool = True):
        from isoc.chapters import services as cs

        people = [new_person(isoc_member=isoc_member, at=at) for _ in range(n)]
        for p in people:
            cs.join(p, chapter, at=at)
        return people

    return add


@pytest.fixture
def chartered(forming, fill, staff, t0):
    """Estonia Chapter, chartered at t0 with 25 members and a chair, secretary and
    treasurer (the first three members); ``chartered.people`` lists the members."""
    from isoc.chapters import services as cs

    people = fill(forming, 25)
    cs.charter(forming, actor=staff, reason="Charter approved by the Board.", at=t0)
    for person, role in zip(people, ["chair", "secretary", "treasurer"], strict=False):
        cs.appoint_officer(forming, person, role, starts_on=t0.date(), actor=staff)
    forming.refresh_from_db()
    forming.people = people
    return forming


@pytest.fixture
def live(forming, fill, staff):
    """A chapter chartered now (so "now" pages see it in good standing), with a chair,
    secretary and treasurer (``live.people[:3]``) appointed by staff today."""
    from django.utils import timezone

    from isoc.chapters import services as cs

    people = fill(forming, 25, at=timezone.now())
    cs.charter(forming, actor=staff, reason="Approved.")
    today = timezone.now().date()
    for p, role in zip(people, ["chair", "secretary", "treasurer"], strict=False):
        cs.appoint_officer(forming, p, role, starts_on=today, actor=staff)
    forming.refresh_from_db()
    forming.people = people
    return forming
