"""Online Trust Audit pages and JSON on the generated demo: the Honor Roll by sector and
year, a scorecard with how to fix what failed, years compared, the methodology's weights;
an organization's contacts (and only they) find their scorecard from their membership
pages; bad input is a 404/422 in the API's one error shape, never a 500; demo reset."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils.html import escape

from isoc.members.models import Organization, OrganizationContact
from isoc.trust import demo
from isoc.trust.models import Audit, AuditedOrganization, Scorecard

pytestmark = pytest.mark.django_db


@pytest.fixture
def trust_demo(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    return demo.generate()


def test_demo_is_labelled_idempotent_and_removed_by_reset(trust_demo, tmp_path):
    assert trust_demo["audits"] == 2 and Audit.objects.filter(is_demo=True).count() == 2
    assert not AuditedOrganization.objects.filter(is_demo=False).exists()
    assert demo.generate() == {"organizations": 0, "audits": 0}
    files = sorted(p.name for p in (tmp_path / demo.DEMO_DIR).rglob("*.parquet"))
    assert all(name.startswith("demo-") for name in files) and len(files) == 2
    demo.remove()
    assert not Audit.objects.exists() and not AuditedOrganization.objects.exists()
    assert not (tmp_path / demo.DEMO_DIR).exists()


def test_honor_roll_groups_by_sector_and_links_each_scorecard(client, trust_demo):
    last, first = sorted(demo.demo_years(), reverse=True)
    page = client.get("/trust/")
    assert page.status_code == 200
    text = page.content.decode()
    assert f"Online Trust Audit {last}: Honor Roll" in text and 'class="demo-badge"' in text
    for sector in demo.SECTORS:
        assert f">{sector}</h2>" in text
    on_roll = Scorecard.objects.filter(audit__year=last, honor_roll=True).select_related("organization").first()
    assert reverse("trust:scorecard", args=[on_roll.organization.slug, last]) in text
    older = client.get(f"/trust/{first}/").content.decode()
    assert f"Online Trust Audit {first}: Honor Roll" in older
    assert client.get("/trust/1999/").status_code == 404


def test_a_scorecard_shows_every_criterion_and_how_to_fix_what_failed(client, trust_demo):
    year = max(demo.demo_years())
    card = Scorecard.objects.filter(audit__year=year, honor_roll=False).select_related("organization").first()
    failed = next(c for c in card.criteria if c["outcome"] == "failed")
    from isoc.trust import scoring

    page = client.get(f"/trust/organizations/{card.organization.slug}/{year}/")
    text = page.content.decode()
    assert page.status_code == 200
    for c in scoring.CRITERIA:
        assert escape(c.title) in text
    assert escape(scoring.BY_KEY[failed["key"]].fix) in text
    assert "Across the years" in text and "Scores by audit year" in text
    assert client.get(f"/trust/organizations/{card.organization.slug}/1999/").status_code == 404
    assert client.get("/trust/organizations/no-such-org/").status_code == 404


def test_pages_are_translated(client, trust_demo):
    client.cookies["django_language"] = "fr"
    text = client.get("/trust/methodology/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Protection des consommateurs" in text


def test_methodology_shows_the_weights_in_force_and_a_years_weights(client, trust_demo, settings, tmp_path):
    from isoc.trust import scoring

    sections = scoring.load_weights().as_sections()
    sections["site"]["caa"], sections["site"]["hsts_long"] = 10, 0
    custom = tmp_path / "custom.json"
    import json

    custom.write_text(json.dumps(sections))
    settings.TRUST_WEIGHTS_FILE = str(custom)
    data = client.get("/api/v1/trust/methodology").json()
    assert data["source"] == str(custom) and {c["key"]: c["weight"] for c in data["criteria"]}["caa"] == 10
    year = max(demo.demo_years())
    assert {c["key"]: c["weight"] for c in client.get(f"/api/v1/trust/methodology?year={year}").json()["criteria"]}["caa"] == 5
    page = client.get("/trust/methodology/").content.decode()
    assert str(custom) in page
    assert client.get("/trust/methodology/?year=abc").status_code == 404


def test_json_api_matches_the_pages(client, trust_demo):
    year = max(demo.demo_years())
    audits = client.get("/api/v1/trust/audits").json()
    assert [a["year"] for a in audits] == sorted(demo.demo_years(), reverse=True)
    detail = client.get(f"/api/v1/trust/audits/{year}?sector=banking").json()
    assert detail["scorecards"] and {s["sector"] for s in detail["scorecards"]} == {"banking"}
    assert sum(s["honor_roll"] for s in client.get(f"/api/v1/trust/audits/{year}").json()["scorecards"]) == \
        Audit.objects.get(year=year).honor_roll
    org = AuditedOrganization.objects.order_by("pk").first()
    card = client.get(f"/api/v1/trust/organizations/{org.slug}/scorecards/{year}").json()
    assert card["total"] == Scorecard.objects.get(organization=org, audit__year=year).total
    assert all(c["fix"] for c in card["criteria"])
    assert len(client.get(f"/api/v1/trust/organizations/{org.slug}").json()["scorecards"]) == 2


@pytest.mark.parametrize("url, status", [
    ("/api/v1/trust/audits/1999", 422), ("/api/v1/trust/audits/2001", 404), ("/api/v1/trust/audits?since=x", 422),
    ("/api/v1/trust/organizations/no-such-org", 404), ("/api/v1/trust/organizations?sector=%00", 422),
    ("/api/v1/trust/organizations/x/scorecards/2001", 404), ("/api/v1/trust/methodology?year=2001", 404),
])
def test_api_refusals_have_the_one_error_shape(client, db, url, status, assert_error_shape):
    response = client.get(url)
    assert response.status_code == status
    assert_error_shape(response.json())


@pytest.fixture
def contact_setup(trust_demo, person):
    """An active organization member (``person`` its contact) matched to an audited one."""
    from isoc.members import services as members
    from isoc.members.models import OrganizationTier
    from isoc.trust import services

    org = members.join_organization(person, legal_name="Linked Networks", country="KE", website="https://www.linked.example/",
                                    tier=OrganizationTier.objects.get(slug="gold"))
    members.record_payment(org.invoices.get(), amount=org.invoices.get().amount, reference="T-1")
    audited = services.create_organization("Linked Networks", "linked.example", "Internet services")
    assert audited.organization == org
    return audited, org


def test_an_organizations_contact_sees_its_scorecard_link(client, contact_setup, person):
    audited, org = contact_setup
    assert OrganizationContact.objects.filter(organization=org, person=person).exists()
    client.force_login(person)
    page = client.get(org.get_absolute_url()).content.decode()
    assert 'data-testid="trust-scorecard"' in page and audited.get_absolute_url() in page
    home = client.get("/members/").content.decode()
    assert audited.get_absolute_url() in home


def test_others_do_not_see_the_scorecard_link(client, contact_setup, other_person):
    audited, org = contact_setup
    page = client.get(org.get_absolute_url())
    assert page.status_code == 200 and 'data-testid="trust-scorecard"' not in page.content.decode()
    client.force_login(other_person)
    assert 'data-testid="trust-scorecard"' not in client.get(org.get_absolute_url()).content.decode()


def test_staff_see_it_too(staff_client, contact_setup):
    audited, org = contact_setup
    assert 'data-testid="trust-scorecard"' in staff_client.get(org.get_absolute_url()).content.decode()


def test_an_organization_not_yet_scored_has_a_page(client, trust_demo):
    from isoc.trust import services

    org = services.create_organization("Unscored", "unscored.example", "Retail")
    page = client.get(org.get_absolute_url())
    assert page.status_code == 200 and "not been scored yet" in page.content.decode()


def test_an_empty_audit_list_shows_a_plain_page(client, db):
    page = client.get("/trust/")
    assert page.status_code == 200 and "No audit has been run yet." in page.content.decode()
    assert not Organization.objects.filter(trust_audited__isnull=False).exists()
