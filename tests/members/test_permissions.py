"""Who sees whose personal data: anonymous visitors, the member, another member and
staff, against every page and endpoint that shows any."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from isoc.members import models as m
from isoc.members import services

# Ada's personal data, none of which an anonymous visitor or another member may see
# (other than what she chose to show in the directory).
ADA_PRIVATE = ("ada@example.org", "Babbage", "Analytical engines", "ada.example", "ADA-REF-123")
ADA_SHOWN = ("Ada Lovelace", "United Kingdom", "Marylebone")


@pytest.fixture
def ada(person, other_person, make_person):
    person.city, person.organization = "Marylebone", "Babbage & Co"
    person.bio, person.website = "Analytical engines.", "https://ada.example"
    person.directory_listed = True
    person.set_directory_fields(["country", "city"])
    person.save()
    membership = services.join(person, "sustaining")
    invoice = membership.terms.get().invoice
    services.record_payment(invoice, amount=invoice.amount, reference="ADA-REF-123")
    org = services.join_organization(person, legal_name="Engines Ltd", country="GB",
                                     tier=m.OrganizationTier.objects.get(slug="gold"))
    services.record_payment(org.invoices.get(), amount="25000", reference="ORG-REF")
    services.join(other_person, "global")
    return {"person": person, "invoice": invoice, "org": org, "org_invoice": org.invoices.get()}


@pytest.fixture
def viewers(ada, other_person, staff):
    def client_for(who):
        c = Client()
        if who is not None:
            c.force_login(who)
        return c

    return {"anonymous": client_for(None), "member": client_for(ada["person"]),
            "other member": client_for(other_person), "staff": client_for(staff)}


def text(response) -> str:
    return response.content.decode()


def leaked(response) -> list[str]:
    body = text(response)
    return [marker for marker in ADA_PRIVATE if marker in body]


# --- the member's own pages ------------------------------------------------------------

OWN_PAGES = ["/members/", "/members/profile/", "/members/profile/export/", "/members/profile/erase/", "/members/join/"]


@pytest.mark.parametrize("url", OWN_PAGES)
def test_own_pages_need_sign_in_and_show_only_the_viewers_data(viewers, url):
    anonymous = viewers["anonymous"].get(url)
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/accounts/login/")
    other = viewers["other member"].get(url)
    assert other.status_code == 200 and leaked(other) == []
    staff = viewers["staff"].get(url)
    assert staff.status_code == 200 and leaked(staff) == []  # staff's own pages are about staff
    own = viewers["member"].get(url)
    assert own.status_code == 200


def test_the_member_sees_their_own_data_on_their_pages(viewers, ada):
    home = text(viewers["member"].get("/members/"))
    assert "Welcome, Ada Lovelace" in home and ada["invoice"].number in home and "Engines Ltd" in home
    profile = text(viewers["member"].get("/members/profile/"))
    assert "Analytical engines." in profile and "ada.example" in profile


# --- receipts --------------------------------------------------------------------------


@pytest.mark.parametrize("which", ["invoice", "org_invoice"])
def test_receipts_are_for_the_payer_and_staff_only(viewers, ada, which):
    url = f"/members/invoices/{ada[which].number}/"
    anonymous = viewers["anonymous"].get(url)
    assert anonymous.status_code == 302 and leaked(anonymous) == []
    other = viewers["other member"].get(url)
    assert other.status_code == 404 and leaked(other) == [] and ada[which].number not in text(other)
    for who in ("member", "staff"):
        page = viewers[who].get(url)
        assert page.status_code == 200 and ada[which].number in text(page)
    assert "ADA-REF-123" in text(viewers["staff"].get(f"/members/invoices/{ada['invoice'].number}/"))


def test_an_unknown_or_malformed_invoice_number_is_not_found(viewers):
    for number in ("INV-2031-999999", "nonsense", "%00", "INV-2031-00000%00"):
        assert viewers["member"].get(f"/members/invoices/{number}/").status_code == 404


# --- organizations ---------------------------------------------------------------------


def test_an_organizations_contacts_and_invoices_are_for_its_contacts_and_staff(viewers, ada):
    url = ada["org"].get_absolute_url()
    for who in ("anonymous", "other member"):
        page = viewers[who].get(url)
        assert page.status_code == 200 and "Engines Ltd" in text(page)
        assert "Ada Lovelace" not in text(page) and ada["org_invoice"].number not in text(page)
    for who in ("member", "staff"):
        page = text(viewers[who].get(url))
        assert "Ada Lovelace" in page and ada["org_invoice"].number in page


# --- the member directory --------------------------------------------------------------


@pytest.fixture
def listed(ada, make_person):
    """Besides Ada: Hal lists himself but shows nothing (his country is hidden), Una is a
    member who is not listed, Ned is listed but not a member."""
    hal = make_person("hal@example.org", first_name="Hal", last_name="Hidden", country="FR", city="Lyon",
                      directory_listed=True)
    una = make_person("una@example.org", first_name="Una", last_name="Unlisted", country="FR")
    ned = make_person("ned@example.org", first_name="Ned", last_name="Nomember", country="GB", directory_listed=True,
                      show_country=True)
    services.join(hal, "global")
    services.join(una, "global")
    return {"hal": hal, "una": una, "ned": ned}


def directory(client, **query) -> str:
    """The directory page without its search form (which echoes the query and lists
    every country)."""
    response = client.get("/members/directory/", query)
    assert response.status_code == 200
    return re.sub(r"<form.*?</form>", "", text(response), flags=re.S)


def count(page: str) -> int:
    return int(re.search(r"(\d+) members? listed", page).group(1))


def test_anonymous_visitors_see_nobody_in_the_directory(viewers, listed):
    for query in ({}, {"q": "Lovelace"}, {"q": "Hal"}, {"country": "GB"}, {"category": "sustaining"}):
        page = directory(viewers["anonymous"], **query)
        for name in ("Lovelace", "Hidden", "Marylebone", "Lyon", "Unlisted", "Nomember"):
            assert name not in page, (query, name)


def test_the_directory_name_search_is_no_oracle_for_anonymous_visitors(viewers, listed):
    """The count of matches would tell a visitor whether a named person is a member."""
    assert count(directory(viewers["other member"], q="Lovelace")) == 1  # members may search
    anonymous = viewers["anonymous"]
    assert count(directory(anonymous, q="Lovelace")) == count(directory(anonymous, q="Zzyzx"))
    assert count(directory(anonymous, country="GB")) == count(directory(anonymous, country="JP"))
    assert count(directory(anonymous, category="sustaining")) == count(directory(anonymous, category="global"))


def test_members_see_only_what_each_member_chose_to_show(viewers, listed):
    page = directory(viewers["other member"])
    assert all(shown in page for shown in ADA_SHOWN)
    assert leaked(viewers["other member"].get("/members/directory/")) == []
    assert "Hal Hidden" in page and "France" not in page and "Lyon" not in page
    assert "Unlisted" not in page and "Nomember" not in page
    assert count(page) == 2


def test_staff_see_every_field_of_listed_members(viewers, listed):
    page = directory(viewers["staff"])
    assert "Babbage &amp; Co" in page and "https://ada.example" in page
    assert "France" in page and "Lyon" in page
    assert "Unlisted" not in page  # not listed is not listed, whoever looks


@pytest.mark.parametrize("who", ["anonymous", "other member", "staff", "member"])
def test_the_country_filter_cannot_find_a_hidden_country(viewers, listed, who):
    page = directory(viewers[who], country="FR")
    assert "Hal Hidden" not in page and "France" not in page
    if who != "anonymous":  # anonymous visitors' filters are ignored altogether
        assert count(page) == 0


def test_the_directory_filters_work_for_members(viewers, listed):
    c = viewers["other member"]
    assert "Ada Lovelace" in directory(c, country="GB") and "Hal" not in directory(c, country="GB")
    assert "Ada Lovelace" in directory(c, q="love") and "Hal" not in directory(c, q="love")
    sustaining = directory(c, category="sustaining")
    assert "Ada Lovelace" in sustaining and "Hal Hidden" not in sustaining


# --- the API ---------------------------------------------------------------------------


def test_api_me_is_each_persons_own(viewers, ada, other_person):
    assert viewers["anonymous"].get("/api/v1/me").status_code == 401
    assert viewers["member"].get("/api/v1/me").json()["email"] == "ada@example.org"
    other = viewers["other member"].get("/api/v1/me")
    assert other.json()["email"] == other_person.email and leaked(other) == []


def test_api_members_is_for_staff_only(viewers, ada):
    ada_pk = ada["person"].pk
    for url in ("/api/v1/members", f"/api/v1/members/{ada_pk}"):
        anonymous = viewers["anonymous"].get(url)
        assert anonymous.status_code == 401 and leaked(anonymous) == []
        for who in ("member", "other member"):
            refused = viewers[who].get(url)
            assert refused.status_code == 403 and leaked(refused) == []
    listing = viewers["staff"].get("/api/v1/members").json()
    assert "ada@example.org" in {p["email"] for p in listing["items"]}
    one = viewers["staff"].get(f"/api/v1/members/{ada_pk}").json()
    assert one["email"] == "ada@example.org" and one["city"] == "Marylebone"
    assert [i["number"] for i in one["invoices"]] == [ada["invoice"].number]


# --- the admin -------------------------------------------------------------------------


def admin_pages(ada):
    return [
        "/admin/",
        "/admin/members/person/",
        f"/admin/members/person/{ada['person'].pk}/change/",
        "/admin/members/person/?q=ada",
        "/admin/members/individualmembership/",
        f"/admin/members/individualmembership/{ada['person'].current_membership().pk}/change/",
        "/admin/members/invoice/",
        f"/admin/members/invoice/{ada['invoice'].pk}/change/",
        f"/admin/members/invoice/{ada['invoice'].pk}/mark-paid/",
        "/admin/members/payment/",
        "/admin/members/creditnote/",
        "/admin/members/organization/",
        f"/admin/members/organization/{ada['org'].pk}/change/",
        "/admin/members/apitoken/",
        "/admin/members/duesrate/",
        "/admin/members/organizationtier/",
    ]


def test_admin_pages_are_for_staff_only(viewers, ada):
    for url in admin_pages(ada):
        for who in ("anonymous", "member", "other member"):
            response = viewers[who].get(url)
            assert response.status_code == 302 and response["Location"].startswith("/admin/login/"), (who, url)
            assert leaked(response) == []
        staff = viewers["staff"].get(url)
        assert staff.status_code == 200, url
    assert "ada@example.org" in text(viewers["staff"].get(f"/admin/members/person/{ada['person'].pk}/change/"))
    assert "ADA-REF-123" in text(viewers["staff"].get(f"/admin/members/invoice/{ada['invoice'].pk}/change/"))
