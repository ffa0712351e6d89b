"""Fixtures for the elections tests: a clock, the seeded electorates (also after a
transactional test's flush), and a community to vote: chapters in and out of good
standing with their delegates, organization members of three tiers with their
representatives, sustaining members."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from itertools import count
from pathlib import Path

import pytest
from election_helpers import T0, Clock, make_community, run_until

ROOT_CONFTEST = Path(__file__).resolve().parents[1] / "conftest.py"
_emails = count(1)


@pytest.fixture(autouse=True)
def _electorates(request):
    marker = request.node.get_closest_marker("django_db")
    if marker is None and not {"db", "transactional_db"} & set(request.fixturenames):
        return
    request.getfixturevalue("_django_db_helper")
    from isoc.elections.seed import seed

    seed()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def clock(monkeypatch) -> Clock:
    return Clock(monkeypatch)


@pytest.fixture
def make_person(request) -> Callable:
    return request.config.pluginmanager.get_plugin(str(ROOT_CONFTEST)).make_person


@pytest.fixture
def new_person(make_person) -> Callable:
    def make(**fields):
        return make_person(f"voter{next(_emails)}@example.net", **fields)

    return make


@pytest.fixture
def staff2(make_person):
    return make_person("second-staff@example.org", staff=True, first_name="Tess", last_name="Second")


@pytest.fixture
def community(db, new_person, staff, clock):
    return make_community(new_person, staff, clock)


@pytest.fixture
def election(db, staff, clock):
    from isoc.elections import services as es

    clock.set(T0 - timedelta(days=1))
    return es.create_election(slug="bot-2031", title="Board of Trustees election 2031", nominations_open=T0, actor=staff)


@pytest.fixture
def community_once(db, new_person, staff, clock):
    """A community and an election in its voting period (for hypothesis tests, which
    reuse one per test function)."""
    community = make_community(new_person, staff, clock)
    from isoc.elections import services as es

    clock.set(T0 - timedelta(days=1))
    election = es.create_election(slug="hyp", title="Hypothesis", nominations_open=T0, actor=staff)
    run_until(election, "voting", staff, clock)
    return election, community
