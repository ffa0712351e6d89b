"""Organization membership: six tiers, joining at a tier, contacts who manage it, and the
public directory of organizations in good standing."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from isoc.members import models as m
from isoc.members import services
from isoc.members.services import RuleViolation

YEAR = services.TERM_LENGTH


def tier(slug: str) -> m.OrganizationTier:
    return m.OrganizationTier.objects.get(slug=slug)


def join_org(contact, name="Example Networks Ltd", country="KE", slug="gold", **kw):
    return services.join_organization(contact, legal_name=name, country=country, tier=tier(slug), **kw)


def active_org(contact, pay, **kw):
    org = join_org(contact, **kw)
    pay(org.invoices.get())
    return org


def test_six_tiers_in_rank_order(db):
    tiers = list(m.OrganizationTier.objects.order_by("rank").values_list("rank", "slug"))
    assert tiers == [(1, "small-business"), (2, "associate"), (3, "silver"), (4, "gold"), (5, "diamond"), (6, "platinum")]


def test_an_organization_joins_at_a_tier_and_is_pending_until_paid(person, pay, ledger_ok):
    org = join_org(person, slug="silver")
    invoice = org.invoices.get()
    assert (invoice.amount, invoice.currency, invoice.organization, invoice.person) == (
        Decimal("10000.00"), "USD", org, None)
    assert "Silver" in invoice.description
    assert org.standing().status == "pending"
    assert list(org.contacts.all()) == [person]
    assert org.slug == "example-networks-ltd"
    pay(invoice)
    standing = org.standing()
    assert (standing.status, standing.category) == ("active", "silver")
    term = org.terms.get()
    assert term.ends_at - term.starts_at == YEAR
    assert list(org.events.values_list("kind", flat=True)) == ["joined", "paid"]
    ledger_ok()


def test_join_organization_rules(person, pay):
    join_org(person, name="Acme")
    with pytest.raises(RuleViolation) as err:
        join_org(person, name="  ACME ")
    assert err.value.field == "legal_name"
    with pytest.raises(RuleViolation) as err:
        join_org(person, name="   ")
    assert err.value.field == "legal_name"
    with pytest.raises(RuleViolation) as err:
        join_org(person, name="Other", country="XX")
    assert err.value.field == "country"
    person.is_active = False
    person.save()
    with pytest.raises(RuleViolation) as err:
        join_org(person, name="Third")
    assert err.value.code == "account_closed"
    assert m.Organization.objects.count() == 1 and m.Invoice.objects.count() == 1


def test_names_that_slugify_alike_get_distinct_slugs(person, other_person):
    a = join_org(person, name="Net & Co")
    b = join_org(other_person, name="Net Co")
    c = join_org(other_person, name="網絡")
    assert (a.slug, b.slug, c.slug) == ("net-co", "net-co-2", "organization")


def test_renewal_continues_from_the_end_of_the_paid_year_and_may_change_tier(person, pay, clock, t0):
    clock.set(t0)
    org = join_org(person, slug="gold", at=t0)
    pay(org.invoices.get(), at=t0)
    clock.set(t0 + timedelta(days=300))
    term = services.renew_organization(org, tier=tier("platinum"), actor=person)
    assert term.invoice.amount == Decimal("100000.00")
    with pytest.raises(RuleViolation) as err:
        services.renew_organization(org)
    assert err.value.code == "renewal_pending"
    pay(term.invoice, at=t0 + timedelta(days=301))
    term.refresh_from_db()
    org.refresh_from_db()
    assert term.starts_at == t0 + YEAR
    assert org.tier.slug == "platinum"
    assert org.standing(t0 + YEAR - timedelta(seconds=1)).category == "gold"
    assert org.standing(t0 + YEAR).category == "platinum"


# --- contacts manage it ----------------------------------------------------------------


def manage(client, org, action, data):
    return client.post(f"/members/organizations/{org.slug}/{action}/", data)


def test_a_contact_edits_the_organization_and_adds_a_contact(member_client, person, other_person, pay):
    org = active_org(person, pay)
    assert manage(member_client, org, "edit", {"website": "https://example.net", "description": "We build networks."}).status_code == 302
    org.refresh_from_db()
    assert (org.website, org.description) == ("https://example.net", "We build networks.")
    manage(member_client, org, "contact", {"email": "GRACE@example.org"})
    assert set(org.contacts.all()) == {person, other_person}
    response = manage(member_client, org, "contact", {"email": "nobody@example.org"})
    assert "No account has this email address" in member_client.get(response["Location"]).content.decode()
    assert org.contacts.count() == 2


def test_a_contact_sees_invoices_and_contacts_and_renews(member_client, person, pay):
    org = active_org(person, pay)
    page = member_client.get(org.get_absolute_url()).content.decode()
    assert org.invoices.get().number in page and "Ada Lovelace" in page
    assert manage(member_client, org, "renew", {}).status_code == 302
    assert org.invoices.count() == 2


def test_someone_who_is_not_a_contact_cannot_manage(client, other_person, person, pay):
    org = active_org(person, pay, website="https://example.net")
    client.force_login(other_person)
    for action, data in (("edit", {"website": "https://evil.example", "description": "x"}),
                         ("contact", {"email": other_person.email}), ("renew", {})):
        assert manage(client, org, action, data).status_code == 403
    page = client.get(org.get_absolute_url()).content.decode()
    assert org.invoices.get().number not in page and "Ada Lovelace" not in page
    org.refresh_from_db()
    assert org.website == "https://example.net" and org.contacts.count() == 1 and org.invoices.count() == 1


def test_anonymous_visitors_are_sent_to_sign_in_before_managing(client, person, pay):
    org = active_org(person, pay)
    response = manage(client, org, "edit", {"website": "https://evil.example"})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_staff_can_manage_any_organization(staff_client, person, pay):
    org = active_org(person, pay)
    assert manage(staff_client, org, "renew", {}).status_code == 302
    assert org.invoices.count() == 2


# --- the public directory --------------------------------------------------------------


def test_the_directory_lists_only_organizations_in_good_standing(client, person, other_person, pay):
    listed = active_org(person, pay, name="Paid Up Inc", slug="diamond", country="DE")
    unpaid = join_org(person, name="Not Yet Paid", slug="diamond")
    gone = active_org(other_person, pay, name="Cancelled Co", slug="associate")
    gone.cancelled_at = gone.created_at
    gone.save()
    page = client.get("/members/organizations/").content.decode()
    assert "Paid Up Inc" in page and "Not Yet Paid" not in page and "Cancelled Co" not in page
    assert "1 organization in good standing" in page
    assert client.get(listed.get_absolute_url()).status_code == 200
    assert client.get(unpaid.get_absolute_url()).status_code == 404
    api = client.get("/api/v1/organizations").json()
    assert api["count"] == 1
    assert api["items"][0] == {
        "slug": "paid-up-inc", "legal_name": "Paid Up Inc", "country": "DE", "country_name": "Germany",
        "website": "", "tier": "diamond", "tier_name": "Diamond", "tier_rank": 5, "url": "/members/organizations/paid-up-inc/",
    }
    assert client.get("/api/v1/organizations/not-yet-paid").status_code == 404


def test_an_organization_whose_year_ran_out_leaves_the_directory(client, person, pay):
    long_ago = timezone.now() - 2 * YEAR
    org = join_org(person, at=long_ago)
    pay(org.invoices.get(), at=long_ago)
    assert org.standing().status == "lapsed"
    assert client.get("/api/v1/organizations").json()["count"] == 0
    assert client.get(org.get_absolute_url()).status_code == 404


def test_the_directory_api_filters_and_pages(client, person, pay):
    for i, (slug, country) in enumerate([("gold", "FR"), ("gold", "KE"), ("silver", "KE"), ("platinum", "JP")]):
        active_org(person, pay, name=f"Org {i}", slug=slug, country=country)
    get = lambda **q: client.get("/api/v1/organizations", q).json()  # noqa: E731
    assert [o["tier"] for o in get()["items"]] == ["platinum", "gold", "gold", "silver"]  # highest tier first
    assert {o["legal_name"] for o in get(tier="gold")["items"]} == {"Org 0", "Org 1"}
    assert {o["legal_name"] for o in get(country="ke")["items"]} == {"Org 1", "Org 2"}
    assert get(tier="gold", country="KE")["count"] == 1
    page = get(page=2, page_size=3)
    assert page["count"] == 4 and [o["legal_name"] for o in page["items"]] == ["Org 2"]
    unknown = client.get("/api/v1/organizations", {"country": "ZZ"})
    assert unknown.status_code == 422 and "ZZ" in unknown.json()["detail"]


# --- the join form ---------------------------------------------------------------------


def test_the_join_form_registers_an_organization(member_client, person):
    response = member_client.post("/members/organizations/join/", {
        "legal_name": "Mesh Collective", "country": "BR", "website": "mesh.example", "tier": tier("small-business").pk,
        "description": "Community network.",
    })
    org = m.Organization.objects.get()
    assert response.status_code == 302 and response["Location"] == org.get_absolute_url()
    assert (org.website, org.tier.slug) == ("https://mesh.example", "small-business")
    assert org.invoices.get().amount == Decimal("1000.00")
    assert list(org.contacts.all()) == [person]


def test_the_join_form_explains_what_is_wrong_and_stores_nothing(member_client, person):
    join_org(person, name="Taken Name")
    for data, field in (
        ({}, "legal_name"),
        ({"legal_name": "", "country": "BR", "tier": tier("gold").pk}, "legal_name"),
        ({"legal_name": "Taken name", "country": "BR", "tier": tier("gold").pk}, "legal_name"),
        ({"legal_name": "Fine", "country": "XX", "tier": tier("gold").pk}, "country"),
        ({"legal_name": "Fine", "country": "BR", "tier": 9999}, "tier"),
        ({"legal_name": "Fine", "country": "BR", "tier": tier("gold").pk, "website": "javascript:alert(1)"}, "website"),
        ({"legal_name": "Fine", "country": "BR", "tier": tier("gold").pk,
          "website": "https://example.org/" + "a" * 250}, "website"),
    ):
        response = member_client.post("/members/organizations/join/", data)
        assert response.status_code == 200, data
        assert response.context["form"].errors.get(field), (data, response.context["form"].errors)
    assert m.Organization.objects.count() == 1
    assert m.Invoice.objects.count() == 1
