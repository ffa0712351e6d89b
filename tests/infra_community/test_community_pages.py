"""Community network pages: registry, network page, add/edit forms with permissions,
CSRF, hostile input through the form, the planner page and the country page section."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase as HypothesisTestCase
from tests.infra_community.conftest import facts

from isoc.infra.models.community import CommunityNetwork

ADD = "/pulse/community-networks/add/"


def _post_data(**over) -> dict:
    data = {**facts(), "started_on": "2016-05-01", **over}
    data = {k: ("" if v is None else v) for k, v in data.items()}
    return data


def _signed_in(person) -> Client:
    c = Client()
    c.force_login(person)
    return c


def test_the_registry_lists_filters_and_maps(client, network, staff):
    from isoc.infra.services import community as svc

    svc.add_network(staff, **facts(name="Zenzeleni", country="ZA", technologies=["fixed-wireless"],
                                   status="inactive"))
    page = client.get("/pulse/community-networks/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Tunapanda Net" in html and "Zenzeleni" in html and 'href="/static/' in html
    assert "#ke" in html and "#za" in html  # both countries drawn on the map
    only = client.get("/pulse/community-networks/?technology=wifi-mesh").content.decode()
    assert "Tunapanda Net" in only and "Zenzeleni" not in only
    only = client.get("/pulse/community-networks/?country=ZA&status=inactive").content.decode()
    assert "Zenzeleni" in only and "Tunapanda Net" not in only
    assert client.get("/pulse/community-networks/?status=nonsense").status_code == 400
    assert "Add a community network" not in html, "a visitor is not offered the form"


def test_a_network_page_shows_facts_support_trainings_history(client, network, staff):
    from isoc.infra.services import community as svc

    svc.record_support(network, staff, kind="grant", provider="Beyond the Net", received_on=date(2021, 2, 1),
                       amount="5000", currency="USD")
    svc.record_training(network, staff, held_on=date(2022, 6, 1), topic="Solar power upkeep", participants=9)
    html = client.get(network.get_absolute_url()).content.decode()
    for text in ("Kibera, Nairobi", "Wi-Fi mesh", "3,000", "Beyond the Net", "$5,000.00", "Solar power upkeep",
                 "History", "Added"):
        assert text in html, text
    assert "Record support" not in html and "Edit this network" not in html
    assert client.get("/pulse/community-networks/no-such-network/").status_code == 404


def test_who_may_open_the_add_form(client, person, officer, kenya_chapter, far_officer, peru_chapter, staff):
    assert client.get(ADD).status_code == 302  # sign in first
    assert _signed_in(person).get(ADD).status_code == 403
    for who, country in ((officer, "Kenya"), (far_officer, "Peru"), (staff, "Kenya")):
        page = _signed_in(who).get(ADD)
        assert page.status_code == 200 and country in page.content.decode()
    assert "Kenya" not in _signed_in(far_officer).get(ADD).content.decode(), "only their chapter's countries"


def test_an_officer_adds_a_network_in_their_country(officer, kenya_chapter):
    c = _signed_in(officer)
    response = c.post(ADD, _post_data(chapter=kenya_chapter.pk))
    n = CommunityNetwork.objects.get()
    assert response.status_code == 302 and response["Location"] == n.get_absolute_url()
    assert n.chapter == kenya_chapter and n.events.get().actor == officer
    page = c.get(n.get_absolute_url()).content.decode()
    assert "Edit this network" in page and "Record support" in page


def test_an_officer_elsewhere_cannot_add_there(far_officer, peru_chapter, person):
    response = _signed_in(far_officer).post(ADD, _post_data())
    assert response.status_code == 400  # Kenya is not among the form's choices
    assert not CommunityNetwork.objects.exists()
    assert _signed_in(person).post(ADD, _post_data()).status_code == 403


def test_edit_permissions_and_history(network, officer, kenya_chapter, far_officer, peru_chapter, person, client):
    url = f"{network.get_absolute_url()}edit/"
    assert client.get(url).status_code == 302
    for who in (person, far_officer):
        assert _signed_in(who).get(url).status_code == 403
        assert _signed_in(who).post(url, _post_data(people_served=1)).status_code == 403
    response = _signed_in(officer).post(url, _post_data(people_served=4200))
    assert response.status_code == 302
    network.refresh_from_db()
    assert network.people_served == 4200
    html = client.get(network.get_absolute_url()).content.decode()
    assert "3,000 → 4,200" in html or "3000 → 4200" in html


def test_support_and_training_forms(network, officer, kenya_chapter, far_officer, peru_chapter):
    base = network.get_absolute_url()
    c = _signed_in(officer)
    ok = c.post(f"{base}support/", {"support-kind": "equipment", "support-provider": "APC",
                                    "support-received_on": "2022-01-05"})
    assert ok.status_code == 302 and network.support.count() == 1
    refused = c.post(f"{base}support/", {"support-kind": "grant", "support-provider": "APC",
                                         "support-received_on": "2022-01-05"})
    assert refused.status_code == 400 and "A grant has an amount." in refused.content.decode()
    ok = c.post(f"{base}trainings/", {"training-held_on": "2022-02-01", "training-topic": "Routing",
                                      "training-participants": "14"})
    assert ok.status_code == 302 and network.trainings.get().participants == 14
    assert _signed_in(far_officer).post(f"{base}trainings/", {"training-held_on": "2022-02-01",
                                                              "training-topic": "x",
                                                              "training-participants": "1"}).status_code == 403
    assert c.get(f"{base}support/").status_code == 405


def test_posts_need_the_csrf_token(officer, kenya_chapter, network):
    c = Client(enforce_csrf_checks=True)
    c.force_login(officer)
    assert c.post(ADD, _post_data()).status_code == 403
    assert c.post(f"{network.get_absolute_url()}trainings/", {"training-held_on": "2022-02-01",
                                                              "training-topic": "x",
                                                              "training-participants": "1"}).status_code == 403
    assert CommunityNetwork.objects.count() == 1 and not network.trainings.exists()


@pytest.mark.parametrize(("over", "field_text"), [
    ({"latitude": "123"}, "less than or equal to 90"), ({"longitude": "-999"}, "greater than or equal to -180"),
    ({"latitude": "1.5", "longitude": ""}, "Give both latitude and longitude"),
    ({"people_served": "-4"}, "greater than or equal to 0"), ({"name": "n" * 5000}, "at most 200 characters"),
    ({"technologies": []}, "This field is required"),
])
def test_hostile_input_gives_form_errors(staff, over, field_text):
    response = _signed_in(staff).post(ADD, _post_data(**over))
    assert response.status_code == 400
    assert field_text in response.content.decode()
    assert not CommunityNetwork.objects.exists()


class HostileFormInput(HypothesisTestCase):
    """Whatever is typed into the add form: a page with errors or a network, never a 500."""

    @settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(name=st.text(max_size=300), place=st.text(max_size=300), latitude=st.text(max_size=20),
           longitude=st.text(max_size=20), people=st.text(max_size=15), website=st.text(max_size=50),
           technology=st.text(max_size=20))
    def test_no_input_breaks_the_form(self, name, place, latitude, longitude, people, website, technology):
        from tests.conftest import make_person

        from isoc.members.models import Person

        staff = Person.objects.filter(email="hyp-staff@example.org").first() or make_person(
            "hyp-staff@example.org", staff=True)
        c = Client()
        c.force_login(staff)
        before = CommunityNetwork.objects.count()
        data = _post_data(name=name, place=place, latitude=latitude, longitude=longitude, people_served=people,
                          website=website, technologies=[technology])
        data = {k: v.replace("\x00", "") if isinstance(v, str) else v for k, v in data.items()}
        response = c.post(ADD, data)
        assert response.status_code in (302, 400)
        assert CommunityNetwork.objects.count() == before + (1 if response.status_code == 302 else 0)


def test_the_planner_page(client):
    empty = client.get("/pulse/community-networks/planner/")
    assert empty.status_code == 200 and "The model" in empty.content.decode()
    result = client.get("/pulse/community-networks/planner/?households=100&area_km2=2&terrain=flat"
                        "&backhaul=microwave&take_up=60")
    html = result.content.decode()
    assert result.status_code == 200
    assert "$12.30" in html and "$12,850.00" in html and "$524.08" in html
    assert "Internet Society estimates" in html
    bad = client.get("/pulse/community-networks/planner/?households=0&area_km2=-1&terrain=swamp&backhaul=fibre")
    assert bad.status_code == 400 and "$" not in bad.content.decode().split("The model")[0].split("<form")[1]


def test_the_country_page_has_a_section(client, network):
    html = client.get("/pulse/countries/ke/").content.decode()
    assert "Community networks" in html and "Tunapanda Net" in html
    assert "1 community network serves 3,000 people." in html
    assert "No community network registered" in client.get("/pulse/countries/fr/").content.decode()
