"""Routing pages and JSON API on the generated demo (which runs the real pipeline): the
overview, a network with its monthly score chart, a country, prefix search, incidents with
filters, MANRS participants and the methodology; CSV/Parquet downloads; bad input answered
with a clear 400/404/422, never a 500."""

from __future__ import annotations

import csv
import io

import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from isoc.routing import demo
from isoc.routing.models import ManrsParticipant, NetworkScore, RoutingIncident, Snapshot

pytestmark = pytest.mark.django_db

NET = demo.asn(1)  # has invalid more-specifics for four months, then fixes them
HIJACKER = demo.asn(3)


@pytest.fixture
def routing_demo():
    return demo.generate()


def test_demo_is_idempotent_and_labelled(routing_demo):
    assert routing_demo["snapshots"] == demo.MONTHS
    counts = (Snapshot.objects.count(), RoutingIncident.objects.count(), NetworkScore.objects.count())
    assert demo.generate() == {"snapshots": 0, "incidents": 0}
    assert (Snapshot.objects.count(), RoutingIncident.objects.count(), NetworkScore.objects.count()) == counts
    assert not RoutingIncident.objects.filter(is_demo=False).exists()
    assert all(s.dataset.is_demo for s in Snapshot.objects.select_related("dataset"))
    demo.generate(reset=True)
    assert Snapshot.objects.count() == counts[0]


def test_demo_tells_the_story_the_scores_should_show(routing_demo):
    months = list(NetworkScore.objects.filter(asn=NET).order_by("month"))
    assert len(months) == demo.MONTHS
    # Invalid more-specifics for four months, fixed after: the RPKI score goes from negative to 1.
    assert all(m.rpki_score < 0 for m in months[:4]) and all(m.rpki_score == 1.0 for m in months[4:])
    kinds = set(RoutingIncident.objects.values_list("kind", flat=True))
    assert {"rpki-invalid", "moas", "route-leak"} <= kinds
    hijack = RoutingIncident.objects.get(kind="moas")
    assert hijack.culprit_asn == HIJACKER and hijack.duration_seconds == 2 * 3600
    leaks = sorted(RoutingIncident.objects.filter(kind="route-leak").values_list("duration_seconds", "weight"))
    assert leaks == [(1200, 0.5), (2 * 86400, 3.0)]


def test_overview(client, routing_demo):
    page = client.get("/pulse/routing/").content.decode()
    assert "Routing security" in page and "Latest incidents" in page
    assert 'action="/pulse/routing/prefix/"' in page


def test_network_page_has_scores_chart_routes_and_incidents(client, routing_demo):
    response = client.get(f"/pulse/routing/networks/{NET}/")
    assert response.status_code == 200
    page = response.content.decode()
    assert f"AS{NET}" in page and "DEMO-NET-2" in page
    assert 'class="sd-bars"' in page and 'id="score-chart"' in page  # the monthly chart
    assert demo.v4_prefixes(1)[0] in page  # an originated prefix
    assert page.count("<tr>") > demo.MONTHS  # score table rows plus routes


def test_unknown_or_impossible_network_is_404(client, routing_demo):
    assert client.get("/pulse/routing/networks/64999/").status_code == 404
    assert client.get("/pulse/routing/networks/99999999999/").status_code == 404


def test_country_page_ranks_its_networks(client, routing_demo):
    cc = demo.COUNTRIES[1]
    page = client.get(f"/pulse/routing/countries/{cc.lower()}/").content.decode()
    assert f"AS{demo.asn(1)}" in page
    assert client.get("/pulse/routing/countries/zz/").status_code == 404


def test_prefix_search(client, routing_demo):
    prefix = demo.v4_prefixes(2)[0]
    page = client.get("/pulse/routing/prefix/", {"q": prefix}).content.decode()
    assert f'href="/pulse/routing/networks/{demo.asn(2)}/"' in page
    assert "VRPs covering it" in page and "Valid" in page
    # An address inside it finds the covering route.
    inside = prefix.split("/")[0][:-1] + "7"
    page = client.get("/pulse/routing/prefix/", {"q": inside}).content.decode()
    assert prefix in page


@pytest.mark.parametrize("q", ["not-a-prefix", "300.1.1.0/24", "10.0.0.0/33", "2001:db8::/129", "\x00"])
def test_prefix_search_refuses_bad_input_clearly(client, routing_demo, q):
    response = client.get("/pulse/routing/prefix/", {"q": q})
    assert response.status_code == 400
    assert "is not an IP prefix or address" in response.content.decode() or "Null characters" in response.content.decode()


def test_incident_list_filters_and_detail(client, routing_demo):
    page = client.get("/pulse/routing/incidents/", {"kind": "route-leak"}).content.decode()
    assert page.count("Route leak") >= 2 and "Possible hijack" not in page.split("<table")[1]
    leak = RoutingIncident.objects.filter(kind="route-leak").first()
    detail = client.get(f"/pulse/routing/incidents/{leak.pk}/").content.decode()
    assert "Evidence" in detail and str(demo.asn(demo.LEAKER)) in detail
    assert client.get("/pulse/routing/incidents/", {"country": "QQ"}).status_code == 400
    assert client.get("/pulse/routing/incidents/999999/").status_code == 404


def test_participants_and_conformance(client, routing_demo):
    p = ManrsParticipant.objects.order_by("pk").first()
    assert p.name in client.get("/pulse/routing/participants/").content.decode()
    page = client.get(f"/pulse/routing/participants/{p.slug}/").content.decode()
    assert "conformant" in page
    net = client.get(f"/pulse/routing/networks/{p.networks.first().asn}/").content.decode()
    assert p.name in net


def test_methodology_states_the_formulas(client):
    page = client.get("/pulse/routing/methodology/").content.decode()
    for text in ("RFC 6811", "30 minutes", "10", "valley-free", "Anti-spoofing"):
        assert text in page


def test_api_network_routes_scores(client, routing_demo):
    body = client.get(f"/api/v1/pulse/routing/networks/{NET}").json()
    assert body["asn"] == NET and body["network"]["name"] == "DEMO-NET-2"
    assert len(body["scores"]) == demo.MONTHS
    routes = client.get(f"/api/v1/pulse/routing/networks/{NET}/routes").json()
    assert {r["prefix"] for r in routes} >= set(demo.v4_prefixes(1))
    assert {r["state"] for r in routes} <= {"valid", "invalid-as", "invalid-length", "not-found"}
    rows = list(csv.DictReader(io.StringIO(client.get(f"/api/v1/pulse/routing/networks/{NET}/routes?format=csv").content.decode())))
    assert len(rows) == len(routes)
    table = pq.read_table(io.BytesIO(client.get(f"/api/v1/pulse/routing/networks/{NET}/routes?format=parquet").content))
    assert table.num_rows == len(routes)
    scores = client.get(f"/api/v1/pulse/routing/networks/{NET}/scores").json()
    assert [s["rpki_score"] for s in scores] == [s.rpki_score for s in NetworkScore.objects.filter(asn=NET).order_by("month")]


def test_api_prefix_incidents_country_participants(client, routing_demo):
    body = client.get("/api/v1/pulse/routing/prefix", {"q": demo.v4_prefixes(2)[0]}).json()
    assert body["exact"][0]["origin_asn"] == demo.asn(2)
    assert body["vrps"] and body["vrps"][0]["asn"] == demo.asn(2)
    page = client.get("/api/v1/pulse/routing/incidents", {"kind": "moas"}).json()
    assert page["count"] == 1 and page["items"][0]["culprit_asn"] == HIJACKER
    download = client.get("/api/v1/pulse/routing/incidents/download", {"format": "parquet"})
    assert pq.read_table(io.BytesIO(download.content)).num_rows == RoutingIncident.objects.count()
    text = client.get("/api/v1/pulse/routing/incidents/download", {"format": "csv", "kind": "route-leak"}).content.decode()
    assert len(list(csv.DictReader(io.StringIO(text)))) == 2
    country = client.get(f"/api/v1/pulse/routing/countries/{demo.COUNTRIES[1].lower()}").json()
    assert country["networks"] and country["scores"]
    assert client.get("/api/v1/pulse/routing/participants").json()
    assert client.get("/api/v1/pulse/routing/snapshots").json()[0]["kind"] == "routes"


@pytest.mark.parametrize("url", ["/api/v1/pulse/routing/networks/-1", "/api/v1/pulse/routing/networks/4294967296",
                                 "/api/v1/pulse/routing/incidents?country=Q1", "/api/v1/pulse/routing/incidents?kind=nope",
                                 "/api/v1/pulse/routing/incidents?start=2026-02-01&end=2026-01-01",
                                 "/api/v1/pulse/routing/countries/zzz", "/api/v1/pulse/routing/prefix?q=nope"])
def test_api_bad_input_is_422_with_the_error_shape(client, url):
    response = client.get(url)
    assert response.status_code == 422, (url, response.status_code)
    assert "detail" in response.json()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(q=st.text(min_size=1, max_size=60))
def test_prefix_api_never_fails_on_any_text(client, q):
    response = client.get("/api/v1/pulse/routing/prefix", {"q": q})
    assert response.status_code in (200, 422), (q, response.status_code)


def test_an_organization_member_shows_its_manrs_participation(client):
    from datetime import date

    from isoc.members.models import Organization, OrganizationTier

    org = Organization.objects.create(legal_name="Example Networks Ltd", slug="example-networks", country="KE",
                                      tier=OrganizationTier.objects.order_by("rank").first())
    participant = ManrsParticipant.objects.create(name="Example Networks", slug="example-networks", organization=org,
                                                  joined_on=date(2024, 1, 1), actions=["filtering"])
    assert list(org.manrs_participations.all()) == [participant]
    page = client.get(f"/pulse/routing/participants/{participant.slug}/").content.decode()
    assert 'href="/members/organizations/example-networks/"' in page or org.get_absolute_url() in page
