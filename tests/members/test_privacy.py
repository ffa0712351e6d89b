"""A member's data export (JSON) and erasure: the person is pseudonymized, the dues
ledger stays intact and balanced."""

from __future__ import annotations

import json

import pytest
from django.contrib.sessions.models import Session

from isoc.members import models as m
from isoc.members import services
from isoc.members.services import RuleViolation
from isoc.members.tokens import create_token


@pytest.fixture
def rich_profile(person):
    """Ada with everything a person can leave behind: profile, directory listing, a paid
    year, an open renewal, a partly paid extra invoice, an organization, an API token."""
    person.city, person.bio, person.website = "Marylebone", "Analytical engines.", "https://ada.example"
    person.directory_listed = True
    person.set_directory_fields(["country", "city", "bio"])
    person.save()
    membership = services.join(person, "sustaining")
    invoice = membership.terms.get().invoice
    services.record_payment(invoice, amount=invoice.amount, reference="IBAN-ADA-1")
    renewal = services.renew(membership).invoice
    extra = services.issue_invoice(person=person, description="Event fee", amount="30.00", currency="EUR")
    services.record_payment(extra, amount="10.00", reference="IBAN-ADA-2")
    org = services.join_organization(person, legal_name="Engines Ltd", country="GB",
                                     tier=m.OrganizationTier.objects.get(slug="silver"))
    token, key = create_token(person, "backup script")
    return {"membership": membership, "paid": invoice, "renewal": renewal, "extra": extra, "org": org, "key": key}


# --- export ----------------------------------------------------------------------------


def test_export_is_a_json_download_of_everything_held_about_the_member(member_client, rich_profile, other_person):
    services.join(other_person, "sustaining")  # someone else's invoice must not appear
    response = member_client.get("/members/profile/export/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert response["Content-Disposition"] == 'attachment; filename="isoc-my-data.json"'
    data = json.loads(response.content)
    assert data["format"] == "isoc-personal-data/1"
    assert data["profile"]["email"] == "ada@example.org"
    assert data["profile"]["city"] == "Marylebone"
    assert data["profile"]["directory_fields"] == ["country", "city", "bio"]
    [membership] = data["memberships"]
    assert membership["status_now"] == "active"
    assert [e["kind"] for e in membership["history"]] == ["joined", "paid", "renewal_invoiced"]
    assert {i["number"]: i["state"] for i in data["invoices"]} == {
        rich_profile["paid"].number: "paid", rich_profile["renewal"].number: "open", rich_profile["extra"].number: "open",
    }
    paid = next(i for i in data["invoices"] if i["number"] == rich_profile["paid"].number)
    assert paid["payments"][0]["reference"] == "IBAN-ADA-1"
    assert data["organizations"] == [{"legal_name": "Engines Ltd", "slug": "engines-ltd"}]
    assert data["api_tokens"][0]["name"] == "backup script"
    text = response.content.decode()
    assert rich_profile["key"] not in text and m.ApiToken.objects.get().key_hash not in text
    assert "grace" not in text.lower()
    assert other_person.invoices.get().number not in text


def test_export_needs_a_signed_in_member(client):
    response = client.get("/members/profile/export/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


# --- erasure ---------------------------------------------------------------------------


def test_erasure_pseudonymizes_and_keeps_the_ledger_balanced(person, rich_profile, staff, ledger_ok):
    numbers_before = sorted(m.Invoice.objects.values_list("number", flat=True))
    payments_before = sorted(m.Payment.objects.values_list("number", "amount"))
    services.erase_person(person, actor=staff)
    person.refresh_from_db()
    assert person.erased_at is not None and not person.is_active and not person.has_usable_password()
    assert person.email == f"erased-{person.pk}@erased.invalid"
    assert person.display_name == f"Erased member {person.pk}"
    for field in ("country", "city", "organization", "bio", "website", "preferred_language", "time_zone"):
        assert getattr(person, field) == "", field
    assert not person.directory_listed and person.visible_directory_fields() == []
    assert not person.api_tokens.exists() and not person.groups.exists()
    assert not m.OrganizationContact.objects.filter(person=person).exists()
    from allauth.account.models import EmailAddress

    assert not EmailAddress.objects.filter(email__iexact="ada@example.org").exists()
    # The membership is cancelled; the ledger keeps every entry and still balances.
    membership = rich_profile["membership"]
    membership.refresh_from_db()
    assert membership.status() == "cancelled"
    assert sorted(m.Invoice.objects.values_list("number", flat=True)) == numbers_before
    assert sorted(m.Payment.objects.values_list("number", "amount")) == payments_before
    states = {i.number: i.state for i in person.invoices.all()}
    assert states == {rich_profile["paid"].number: "paid", rich_profile["renewal"].number: "void",
                      rich_profile["extra"].number: "settled"}
    assert rich_profile["paid"].payer_name == f"Erased member {person.pk}"
    ledger_ok()
    # The organization's own invoice is the organization's business: untouched.
    assert rich_profile["org"].invoices.get().state == "open"
    with pytest.raises(RuleViolation) as err:
        services.erase_person(person)
    assert err.value.code == "already_erased"


def test_an_erased_person_disappears_from_the_directory_and_the_api(client, person, rich_profile, other_person):
    client.force_login(other_person)
    assert "Ada Lovelace" in client.get("/members/directory/").content.decode()
    services.erase_person(person)
    assert "Lovelace" not in client.get("/members/directory/").content.decode()
    token_call = client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {rich_profile['key']}")
    assert token_call.json()["email"] == other_person.email  # falls back to the session: not Ada
    client.logout()
    assert client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {rich_profile['key']}").status_code == 401


def test_erasure_page_needs_the_password_and_confirmation(member_client, person, password, rich_profile):
    assert member_client.get("/members/profile/erase/").status_code == 200
    wrong = member_client.post("/members/profile/erase/", {"password": "not-it", "confirm": "on"})
    assert wrong.status_code == 200 and "That is not your password." in wrong.content.decode()
    unconfirmed = member_client.post("/members/profile/erase/", {"password": password})
    assert unconfirmed.status_code == 200
    person.refresh_from_db()
    assert person.erased_at is None and person.is_active
    assert rich_profile["renewal"].state == "open"


def test_erasing_signs_the_member_out_everywhere(client, person, password, rich_profile, make_person):
    from django.test import Client

    elsewhere = Client()
    elsewhere.force_login(person)
    assert elsewhere.get("/members/").status_code == 200
    client.force_login(person)
    done = client.post("/members/profile/erase/", {"password": password, "confirm": "on"})
    assert done.status_code == 302 and done["Location"] == "/"
    for c in (client, elsewhere):
        again = c.get("/members/")
        assert again.status_code == 302 and "/accounts/login/" in again["Location"]
    assert not any(s.get_decoded().get("_auth_user_id") == str(person.pk) for s in Session.objects.all())
    person.refresh_from_db()
    assert not person.check_password(password)
    # The address is free again: the same person may come back as a new account.
    make_person("ada@example.org", first_name="Ada")
