"""An organization contact joins at a tier and appears in the public directory."""

from __future__ import annotations

import re

import pytest
from e2e_ui import admin_sign_in, make_person, sign_in, staff_records_payment
from playwright.sync_api import expect

ORG = "Kigali Internet Exchange Ltd"


@pytest.mark.e2e
def test_organization_joins_at_gold_and_is_listed_once_paid(page, new_page):
    make_person("contact@kix.example", first_name="Aline", last_name="Uwase", country="RW")
    sign_in(page, "contact@kix.example")

    page.get_by_role("link", name="Register an organization as a member").click()
    expect(page.get_by_role("heading", name="Join as an organization")).to_be_visible()
    expect(page.get_by_role("table", name="Tiers and annual fees")).to_contain_text("$25,000.00")
    page.get_by_label("Legal name").fill(ORG)
    page.get_by_label("Country").select_option(label="Rwanda")
    page.get_by_label("Website").fill("https://kix.example")
    page.get_by_label("Tier").select_option(label="Gold ($25,000.00)")
    page.get_by_role("button", name="Join").click()

    # The contact lands on the organization's page: pending until the first invoice is paid.
    expect(page.get_by_role("heading", level=1)).to_have_text(ORG)
    expect(page.get_by_role("status")).to_contain_text("joins when the first invoice is paid")
    expect(page.get_by_test_id("org-status")).to_have_text("Pending")
    invoice = page.get_by_role("link", name=re.compile(r"^INV-"))
    expect(invoice).to_have_count(1)
    invoice_number = invoice.inner_text()
    expect(page.get_by_role("listitem").filter(has=invoice)).to_contain_text("$25,000.00 (open)")
    org_url = page.url

    # Not public yet: the directory does not list it and its page is not found.
    visitor = new_page()
    visitor.goto("/members/organizations/")
    gold = visitor.get_by_role("region", name=re.compile(r"^Gold"))
    expect(gold).to_contain_text("No organizations at this tier yet.")
    expect(visitor.get_by_role("link", name=ORG)).to_have_count(0)
    assert visitor.goto(org_url).status == 404

    # The secretariat records the fee.
    make_person("ledger@isoc.example", staff=True, first_name="Lee", last_name="Ledger")
    staff = new_page()
    admin_sign_in(staff, "ledger@isoc.example")
    staff_records_payment(staff, invoice_number, "SWIFT 2291-KIX")

    # The contact sees it active.
    page.reload()
    expect(page.get_by_test_id("org-status")).to_have_text("Active")

    # An anonymous visitor finds it under Gold, and nowhere else.
    visitor.goto("/")
    visitor.get_by_role("navigation", name="Main").get_by_role("link", name="Organization members").click()
    expect(visitor.get_by_text("1 organization in good standing.")).to_be_visible()
    gold = visitor.get_by_role("region", name=re.compile(r"^Gold"))
    expect(gold.get_by_role("heading")).to_have_text("Gold (1)")
    expect(gold.get_by_role("listitem")).to_have_count(1)
    expect(gold.get_by_role("listitem")).to_contain_text("Rwanda")
    for other in ("Platinum", "Diamond", "Silver", "Associate", "Small Business"):
        expect(visitor.get_by_role("region", name=re.compile(rf"^{other}"))).not_to_contain_text(ORG)
    gold.get_by_role("link", name=ORG).click()
    expect(visitor.get_by_role("heading", level=1)).to_have_text(ORG)
    expect(visitor.get_by_role("link", name="https://kix.example")).to_be_visible()
    # The public page shows no contacts, invoices or status controls.
    expect(visitor.get_by_role("heading", name="Contacts")).to_have_count(0)
    expect(visitor.get_by_role("link", name=invoice_number)).to_have_count(0)
