"""IXP pages, CSV and API for a visitor, a member and staff, on the demo data; the staff
MANRS link (permissions, CSRF, refusal as a form error); errors in the API's shape."""

from __future__ import annotations

import csv
import io

import pytest
from django.test import Client

from isoc.infra import demo_ixps
from isoc.infra.models import Ixp, IxpEvent, Membership

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(db):
    demo_ixps.generate(reset=True)
    return Ixp.objects.filter(is_demo=True, status="active").order_by("pk").first()


def test_demo_has_history_and_growth(demo):
    assert Ixp.objects.filter(is_demo=True).count() == len(demo_ixps.PLACES)
    assert Membership.objects.filter(left_on__isnull=False).exists()  # members left
    assert Membership.objects.exclude(first_seen=Membership.objects.order_by("first_seen").first().first_seen).exists()
    demo_ixps.generate()  # exists already: unchanged
    assert Ixp.objects.filter(is_demo=True).count() == len(demo_ixps.PLACES)
    demo_ixps.remove()
    assert not Ixp.objects.exists() and not Membership.objects.exists()


def test_find_an_ixp_by_name_country_and_member(client, demo):
    page = client.get("/pulse/ixps/")
    assert page.status_code == 200 and "Demo IX Nairobi" in page.content.decode()
    found = client.get("/pulse/ixps/", {"q": "nairobi"}).content.decode()
    assert "Demo IX Nairobi" in found and "Demo IX Mombasa" not in found
    by_country = client.get("/pulse/ixps/", {"country": "ke"}).content.decode()
    assert "Demo IX Nairobi" in by_country and "Demo IX Mombasa" in by_country and "Demo IX Paris" not in by_country
    asn = demo.memberships.first().asn
    by_member = client.get("/pulse/ixps/", {"asn": asn}).content.decode()
    assert demo.name in by_member


@pytest.mark.parametrize("query", [{"country": "XX"}, {"asn": "abc"}, {"asn": "0"}, {"status": "gone"}])
def test_bad_search_is_a_400_with_the_form(client, demo, query):
    response = client.get("/pulse/ixps/", query)
    assert response.status_code == 400 and "errorlist" in response.content.decode()


def test_ixp_page_and_members_csv(client, demo):
    page = client.get(demo.get_absolute_url()).content.decode()
    assert demo.name in page and "100.64.0.0/26" in page and "Members, joining and leaving" in page
    assert "Demo IXPs" in page  # the source's dataset with provenance
    assert "Link to MANRS" not in page  # not for a visitor
    rows = list(csv.DictReader(io.StringIO(client.get(f"{demo.get_absolute_url()}members.csv").content.decode())))
    assert {int(r["asn"]) for r in rows} == set(demo.memberships.values_list("asn", flat=True))
    assert client.get("/pulse/ixps/no-such-ixp/").status_code == 404


def test_country_page_and_pulse_panel(client, demo):
    page = client.get("/pulse/ixps/countries/ke/").content.decode()
    assert "IXPs in Kenya" in page and "Demo IX Mombasa" in page and "Active IXPs" in page
    assert client.get("/pulse/ixps/countries/zz/").status_code == 404
    pulse = client.get("/pulse/countries/ke/").content.decode()
    assert "Internet exchange points" in pulse and "Demo IX Nairobi" in pulse


def test_index_csv(client, demo):
    rows = list(csv.DictReader(io.StringIO(client.get("/pulse/ixps/ixps.csv", {"country": "KE"}).content.decode())))
    assert sorted(r["name"] for r in rows) == ["Demo IX Mombasa", "Demo IX Nairobi"]
    assert client.get("/pulse/ixps/ixps.csv", {"country": "XX"}).status_code == 400


def test_api_list_detail_country(client, demo):
    listing = client.get("/api/v1/pulse/ixps/", {"country": "ke"}).json()
    assert listing["count"] == 2 and {i["name"] for i in listing["items"]} == {"Demo IX Nairobi", "Demo IX Mombasa"}
    detail = client.get(f"/api/v1/pulse/ixps/{demo.slug}").json()
    assert detail["slug"] == demo.slug and detail["lans"][0]["prefixes"]
    assert detail["stats"]["members"] == len({m["asn"] for m in detail["members"] if m["left_on"] is None})
    assert detail["source_records"][0]["publisher"] == "isoc (generated)"
    country = client.get("/api/v1/pulse/ixps/countries/ke").json()
    assert country["code"] == "KE" and len(country["ixp_list"]) == 2


@pytest.mark.parametrize(("url", "status"), [
    ("/api/v1/pulse/ixps/?country=XYZ", 422), ("/api/v1/pulse/ixps/?asn=-1", 422),
    ("/api/v1/pulse/ixps/no-such-ixp", 404), ("/api/v1/pulse/ixps/bad%20slug", 422),
    ("/api/v1/pulse/ixps/countries/zz", 404), ("/api/v1/pulse/ixps/countries/k1", 422),
])
def test_api_errors_have_the_shared_shape(client, demo, url, status):
    response = client.get(url)
    assert response.status_code == status
    body = response.json()
    assert set(body) == {"detail", "errors"}


def test_manrs_link_permissions_and_csrf(client, member_client, staff, demo):
    from isoc.routing.models import ManrsParticipant

    ixp_programme = ManrsParticipant.objects.create(name="Kenya IXP Association", slug="kixp", programme="ixp")
    operator = ManrsParticipant.objects.create(name="Some ISP", slug="isp", programme="network-operator")
    url = f"{demo.get_absolute_url()}manrs/"
    assert Client().post(url, {"participant": ixp_programme.pk}).status_code == 302  # visitor: sign in
    assert member_client.post(url, {"participant": ixp_programme.pk}).status_code == 403
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(staff)
    assert strict.post(url, {"participant": ixp_programme.pk}).status_code == 403  # no CSRF token
    staff_client = Client()
    staff_client.force_login(staff)
    assert "Link to MANRS" in staff_client.get(demo.get_absolute_url()).content.decode()
    refused = staff_client.post(url, {"participant": operator.pk})
    assert refused.status_code == 400 and "errorlist" in refused.content.decode()
    assert staff_client.post(url, {"participant": ixp_programme.pk}).status_code == 302
    demo.refresh_from_db()
    assert demo.manrs_participant == ixp_programme and demo.manrs_link == "staff"
    assert IxpEvent.objects.filter(ixp=demo, what="manrs-set", actor=staff).exists()
    assert "Kenya IXP Association" in client.get(demo.get_absolute_url()).content.decode()


def test_automatic_manrs_link_by_name(demo):
    from isoc.infra.services import ixps as services
    from isoc.routing.models import ManrsParticipant

    Ixp.objects.update(manrs_participant=None, manrs_link="")
    ManrsParticipant.objects.create(name="Demo IX Nairobi", slug="dix", programme="ixp")
    assert services.link_manrs_automatically() == 1
    assert Ixp.objects.get(name="Demo IX Nairobi").manrs_link == "name"


def test_admin_changes_the_manrs_link_through_the_service(client, demo):
    from tests.conftest import make_person

    from isoc.routing.models import ManrsParticipant

    administrator = make_person("admin@example.org", admin=True)
    client.force_login(administrator)
    participant = ManrsParticipant.objects.create(name="Kenya IXP Association", slug="kixp", programme="ixp")
    url = f"/admin/infra/ixp/{demo.pk}/change/"
    assert client.get(url).status_code == 200
    assert client.get("/admin/infra/ixp/add/").status_code == 403  # IXPs come from imports
    response = client.post(url, {"manrs_participant": participant.pk})
    assert response.status_code == 302
    demo.refresh_from_db()
    assert demo.manrs_participant == participant
    assert IxpEvent.objects.filter(ixp=demo, what="manrs-set", actor=administrator).exists()
