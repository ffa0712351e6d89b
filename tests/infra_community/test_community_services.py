"""Community network services: who may add and update, checks, history."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from tests.infra_community.conftest import facts

from isoc.infra.models.community import CommunityNetwork, NetworkEvent
from isoc.infra.services import community as svc
from isoc.members.services import RuleViolation


class _Code:
    """pytest.raises(RuleViolation) that also checks the refusal's code."""

    def __init__(self, code):
        self.code = code

    def __enter__(self):
        self.ctx = pytest.raises(RuleViolation)
        self.info = self.ctx.__enter__()
        return self.info

    def __exit__(self, *exc):
        handled = self.ctx.__exit__(*exc)
        assert self.info.value.code == self.code, self.info.value.message
        return handled


def test_staff_add_anywhere_with_an_added_event(staff):
    n = svc.add_network(staff, **facts(country="BR", technologies=["fibre", "wifi-mesh", "fibre"]))
    assert n.country_id == "BR" and n.technology_values() == ["fibre", "wifi-mesh"]
    event = n.events.get()
    assert event.kind == NetworkEvent.Kind.ADDED and event.actor == staff
    assert event.changes["name"] == [None, "Tunapanda Net"] and event.changes["country"] == [None, "BR"]


def test_an_officer_adds_in_their_chapters_country_and_may_link_it(officer, kenya_chapter):
    n = svc.add_network(officer, **facts(chapter=kenya_chapter))
    assert n.chapter == kenya_chapter and n.events.get().actor == officer


def test_an_officer_elsewhere_is_refused(far_officer, peru_chapter):
    with _Code("forbidden") as caught:
        svc.add_network(far_officer, **facts())
    assert caught.value.field == "country"
    assert not CommunityNetwork.objects.exists()


def test_an_officer_cannot_name_another_chapter(officer, kenya_chapter, peru_chapter):
    with _Code("forbidden") as caught:
        svc.add_network(officer, **facts(chapter=peru_chapter))
    assert caught.value.field == "chapter"


def test_members_and_visitors_are_refused(person):
    from django.contrib.auth.models import AnonymousUser

    for who in (None, AnonymousUser(), person):
        with _Code("forbidden"):
            svc.add_network(who, **facts())


def test_a_former_officer_is_refused(staff, officer, kenya_chapter):
    from isoc.chapters import services as cs

    cs.end_officer_term(kenya_chapter.officer_terms.get(), ends_on=date.today() - timedelta(days=1), actor=staff)
    with _Code("forbidden"):
        svc.add_network(officer, **facts())


def test_updating_records_what_changed(network, officer, kenya_chapter):
    data = {**facts(), "people_served": 4500, "technologies": ["wifi-mesh", "fixed-wireless"]}
    event = svc.update_network(network, officer, **data)
    assert event.actor == officer and event.kind == NetworkEvent.Kind.UPDATED
    assert event.changes == {"people_served": [3000, 4500],
                             "technologies": [["wifi-mesh"], ["fixed-wireless", "wifi-mesh"]]}
    network.refresh_from_db()
    assert network.people_served == 4500 and network.technology_values() == ["fixed-wireless", "wifi-mesh"]
    assert svc.update_network(network, officer, **data) is None, "nothing changed: no event"
    assert network.events.count() == 2


def test_an_officer_updates_networks_linked_to_their_chapter_elsewhere(staff, far_officer, peru_chapter):
    n = svc.add_network(staff, **facts(chapter=peru_chapter))  # in Kenya, supported by the Peruvian chapter
    svc.update_network(n, far_officer, **facts(chapter=peru_chapter, people_served=10))
    with _Code("forbidden"):  # but cannot move it to a country their chapter does not serve
        svc.update_network(n, far_officer, **facts(chapter=peru_chapter, country="FR"))


def test_update_refusals(network, far_officer, peru_chapter, person):
    for who in (far_officer, person, None):
        with _Code("forbidden"):
            svc.update_network(network, who, **facts(people_served=1))
    network.refresh_from_db()
    assert network.people_served == 3000 and network.events.count() == 1


@pytest.mark.parametrize(("over", "field"), [
    ({"latitude": "91"}, "latitude"), ({"longitude": "-180.5"}, "longitude"),
    ({"latitude": "nan"}, "latitude"), ({"longitude": ""}, "longitude"),
    ({"people_served": -1}, "people_served"), ({"people_served": 10**12}, "people_served"),
    ({"name": "x" * 201}, "name"), ({"name": "  "}, "name"), ({"place": "a\x00b"}, "place"),
    ({"technologies": []}, "technologies"), ({"technologies": ["5g-magic"]}, "technologies"),
    ({"country": "XX"}, "country"), ({"status": "dormant"}, "status"),
    ({"website": "javascript:alert(1)"}, "website"), ({"description": "d" * 4001}, "description"),
    ({"started_on": date.today() + timedelta(days=30)}, "started_on"),
])
def test_hostile_facts_are_refused_by_field(staff, over, field):
    with pytest.raises(RuleViolation) as caught:
        svc.add_network(staff, **facts(**over))
    assert caught.value.field == field
    assert not CommunityNetwork.objects.exists()


def test_a_planned_network_may_start_in_the_future(staff):
    n = svc.add_network(staff, **facts(status="planned", started_on=date.today() + timedelta(days=90)))
    assert n.status == "planned"


def test_slugs_are_unique_and_never_a_reserved_address(staff):
    a = svc.add_network(staff, **facts(name="Planner"))
    b = svc.add_network(staff, **facts(name="Planner"))
    assert a.slug == "planner-network" and b.slug == "planner-network-2"


def test_support_and_training_with_history(network, officer, kenya_chapter):
    grant = svc.record_support(network, officer, kind="grant", provider="Internet Society Foundation",
                               received_on=date(2022, 3, 1), amount="25000", currency="usd")
    assert grant.amount == 25000 and grant.currency == "USD"
    kit = svc.record_support(network, officer, kind="equipment", provider="A vendor", received_on=date(2022, 4, 1),
                             currency="EUR")
    assert kit.amount is None and kit.currency == ""
    training = svc.record_training(network, officer, held_on=date(2023, 1, 10), topic="Mesh routing",
                                   participants=12)
    assert training.participants == 12
    kinds = list(network.events.order_by("at", "pk").values_list("kind", flat=True))
    assert kinds == ["added", "support", "support", "training"]


@pytest.mark.parametrize(("over", "field"), [
    ({"kind": "grant", "amount": ""}, "amount"), ({"amount": "-5"}, "amount"), ({"amount": "1e12"}, "amount"),
    ({"amount": "12", "currency": "XYZ"}, "currency"), ({"kind": "bribe"}, "kind"), ({"provider": ""}, "provider"),
    ({"received_on": date.today() + timedelta(days=2)}, "received_on"),
])
def test_support_refusals(network, staff, over, field):
    data = {"kind": "equipment", "provider": "Someone", "received_on": date(2022, 1, 1), **over}
    with pytest.raises(RuleViolation) as caught:
        svc.record_support(network, staff, **data)
    assert caught.value.field == field
    assert not network.support.exists()


def test_training_refusals(network, staff, far_officer, peru_chapter):
    with pytest.raises(RuleViolation) as caught:
        svc.record_training(network, staff, held_on=date(2022, 1, 1), topic="Solar", participants=0)
    assert caught.value.field == "participants"
    with _Code("forbidden"):
        svc.record_training(network, far_officer, held_on=date(2022, 1, 1), topic="Solar", participants=3)
    assert not network.trainings.exists()
