"""The community network API (list, GeoJSON, one network, planner) with its 4xx answers,
``isoc infra plan``, and the demo data."""

from __future__ import annotations

import json
from datetime import date

from tests.infra_community.conftest import facts
from typer.testing import CliRunner

API = "/api/v1/pulse/community-networks/"


def test_list_and_filters(client, network, staff):
    from isoc.infra.services import community as svc

    svc.add_network(staff, **facts(name="Zenzeleni", country="ZA", technologies=["fixed-wireless"], latitude="",
                                   longitude=""))
    body = client.get(API).json()
    assert body["count"] == 2
    first = next(x for x in body["items"] if x["slug"] == network.slug)
    assert first["country"] == "KE" and first["technologies"] == ["wifi-mesh"] and first["people_served"] == 3000
    assert [x["name"] for x in client.get(API + "?technology=fixed-wireless").json()["items"]] == ["Zenzeleni"]
    assert client.get(API + "?country=ke").json()["count"] == 1
    bad = client.get(API + "?technology=carrier-pigeon")
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "technology"
    assert client.get(API + "?country=KEN").status_code == 422


def test_geojson_has_the_networks_with_a_position(client, network, staff):
    from isoc.infra.services import community as svc

    svc.add_network(staff, **facts(name="Nowhere yet", latitude="", longitude=""))
    body = client.get(API + "geojson").json()
    assert body["type"] == "FeatureCollection"
    assert [f["id"] for f in body["features"]] == [network.slug]
    assert body["features"][0]["geometry"] == {"type": "Point", "coordinates": [36.79, -1.31]}
    assert client.get(API + "geojson?status=dormant").status_code == 422


def test_one_network_with_its_history(client, network, staff):
    from isoc.infra.services import community as svc

    svc.record_training(network, staff, held_on=date(2022, 1, 1), topic="Mesh", participants=5)
    body = client.get(API + network.slug).json()
    assert body["trainings"] == [{"held_on": "2022-01-01", "topic": "Mesh", "participants": 5}]
    assert [e["kind"] for e in body["history"]] == ["training", "added"]
    missing = client.get(API + "no-such-network")
    assert missing.status_code == 404 and missing.json() == {"detail": "Not found.", "errors": []}
    assert client.get(API + "bad%20slug!").status_code in (404, 422)


def test_the_planner_api(client):
    body = client.get(API + "planner?households=100&area_km2=2&terrain=flat&backhaul=microwave").json()
    assert body["monthly_per_household"] == "12.30" and body["capital_total"] == "12850.00"
    assert body["currency"] == "USD" and body["assumptions"]
    bad = client.get(API + "planner?households=0&area_km2=2&terrain=flat&backhaul=microwave")
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "households"
    assert client.get(API + "planner?households=10&area_km2=2&terrain=swamp&backhaul=fibre").json()[
        "errors"][0]["field"] == "terrain"
    assert client.get(API + "planner?households=ten").status_code == 422


def test_isoc_infra_plan():
    from isoc.site.cli import app

    runner = CliRunner()
    out = runner.invoke(app, ["infra", "plan", "--households", "100", "--area", "2", "--terrain", "flat",
                              "--backhaul", "microwave", "--json"])
    assert out.exit_code == 0, out.output
    assert json.loads(out.stdout)["monthly_per_household"] == "12.30"
    text = runner.invoke(app, ["infra", "plan", "--households", "100", "--area", "2", "--terrain", "flat",
                               "--backhaul", "microwave"])
    assert "12.30" in text.stdout and "Assumptions used" in text.stdout
    bad = runner.invoke(app, ["infra", "plan", "--households", "100", "--area", "0", "--terrain", "flat",
                              "--backhaul", "microwave"])
    assert bad.exit_code == 2 and "area_km2" in bad.output


def test_demo_networks_are_labelled_linked_and_removable(db, staff):
    from isoc.chapters import demo as chapters_demo
    from isoc.infra import demo
    from isoc.infra.models.community import (
        CommunityNetwork,
        NetworkEvent,
        SupportReceived,
        Training,
    )
    from isoc.infra.services import community as svc
    from isoc.members import demo as members_demo

    members_demo.generate(people=60, organizations=2, seed=7, reset=True)
    chapters_demo.generate(seed=7, reset=True)
    counts = demo.generate(reset=True)
    assert counts["community networks"] == 30
    networks = CommunityNetwork.objects.all()
    assert networks.count() == 30 and all(n.is_demo for n in networks)
    assert len({n.country.isoc_region_id for n in networks}) >= 5
    assert SupportReceived.objects.filter(kind="grant", amount__isnull=False).count() == 30
    assert Training.objects.exists() and NetworkEvent.objects.filter(kind="added").count() == 30
    assert counts["networks run with chapters"] == networks.filter(chapter__isnull=False).count() > 0
    from isoc.infra import demo_community

    assert demo_community.generate() == {}, "nothing twice without reset"
    real = svc.add_network(staff, **facts())  # a real network survives the demo's removal
    demo.remove()
    assert list(CommunityNetwork.objects.all()) == [real]
    assert not SupportReceived.objects.exists() and NetworkEvent.objects.filter(network=real).count() == 1
