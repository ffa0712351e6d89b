"""Fixtures for the community-network tests: a Kenyan chapter with an officer, a Peruvian
chapter with another, and a network in Kenya."""

from __future__ import annotations

from datetime import date

import pytest
from tests.conftest import make_person


def _chapter_with_officer(staff, name: str, country: str, officer):
    from isoc.chapters import services as cs

    chapter = cs.form_chapter(name=name, actor=staff, community=cs.Community(country=country))
    cs.join(officer, chapter)
    cs.appoint_officer(chapter, officer, "chair", starts_on=date(2020, 1, 1), actor=staff)
    return chapter


@pytest.fixture
def officer(db):
    return make_person("officer-ke@example.org", first_name="Wanjiru", last_name="Kamau", country="KE")


@pytest.fixture
def far_officer(db):
    return make_person("officer-pe@example.org", first_name="Rosa", last_name="Quispe", country="PE")


@pytest.fixture
def kenya_chapter(staff, officer):
    return _chapter_with_officer(staff, "Kenya Chapter", "KE", officer)


@pytest.fixture
def peru_chapter(staff, far_officer):
    return _chapter_with_officer(staff, "Peru Chapter", "PE", far_officer)


def facts(**over) -> dict:
    base = {"name": "Tunapanda Net", "country": "KE", "place": "Kibera, Nairobi", "latitude": "-1.31",
            "longitude": "36.79", "technologies": ["wifi-mesh"], "people_served": 3000,
            "operator": "Tunapanda Institute", "status": "active", "started_on": date(2016, 5, 1),
            "website": "https://example.org/tunapanda", "description": "A mesh network and a learning centre."}
    return {**base, **over}


@pytest.fixture
def network(staff):
    from isoc.infra.services import community as svc

    return svc.add_network(staff, **facts())
