"""A new visitor signs up, opens the verification link from the email file, joins as a
sustaining member, sees the membership pending; staff marks the invoice paid in the
admin; the member sees it active and prints the receipt."""

from __future__ import annotations

import re

import pytest
from e2e_ui import admin_sign_in, make_person, staff_records_payment, submit_login
from playwright.sync_api import expect

NEW_PASSWORD = "Tapir-lantern-0417"


@pytest.mark.e2e
def test_new_visitor_becomes_sustaining_member_and_prints_receipt(page, new_page, mailbox, tmp_path):
    # A visitor finds "Join" in the header and signs up.
    page.goto("/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Join").click()
    expect(page).to_have_url(re.compile(r"/accounts/signup/$"))
    page.get_by_label("Email").fill("vint@example.net")
    page.get_by_label("First name").fill("Vint")
    page.get_by_label("Last name").fill("Cerf")
    page.get_by_label("Country").select_option(label="United States")
    page.get_by_label(re.compile(r"^Password:?$")).fill(NEW_PASSWORD)
    page.get_by_label("Password (again)").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Sign Up").click()

    # Verification is mandatory: the site says so and sends a link.
    expect(page.get_by_role("heading", name="Verify Your Email Address")).to_be_visible()
    link = mailbox.link("vint@example.net", "/accounts/confirm-email/")
    assert link.startswith(page.url.split("/accounts/")[0]), "the link points at this site"
    assert "[Internet Society]" in str(mailbox.last_to("vint@example.net")["Subject"])

    # Until the address is confirmed, the account cannot be used.
    page.goto("/accounts/login/")
    submit_login(page, "vint@example.net", NEW_PASSWORD)
    expect(page.get_by_role("heading", name="Verify Your Email Address")).to_be_visible()

    page.goto(link)
    expect(page.get_by_role("heading", name="Confirm Email Address")).to_be_visible()
    expect(page.get_by_text("vint@example.net")).to_be_visible()
    page.get_by_role("button", name="Confirm").click()

    # Now the password works.
    expect(page.get_by_role("status")).to_contain_text("You have confirmed vint@example.net")
    page.get_by_role("link", name="Sign in").click()
    expect(page.get_by_role("heading", name="Sign In")).to_be_visible()
    submit_login(page, "vint@example.net", NEW_PASSWORD)
    expect(page).to_have_url(re.compile(r"/members/$"))
    expect(page.get_by_role("heading", name="Welcome, Vint Cerf")).to_be_visible()
    expect(page.get_by_text("You are not a member yet.")).to_be_visible()

    # Join as a sustaining member.
    page.get_by_role("link", name="Join the Internet Society").click()
    expect(page.get_by_text("Sustaining dues are $50.00 a year")).to_be_visible()
    page.get_by_label("Sustaining member").check()
    page.get_by_role("button", name="Join").click()
    expect(page.get_by_role("status")).to_contain_text("Welcome! Your membership is recorded.")
    expect(page.get_by_test_id("membership-status")).to_have_text("Pending")
    expect(page.get_by_test_id("invoice-state")).to_have_text("open")
    invoice_number = page.get_by_role("region", name="Invoices").get_by_role("link").first.inner_text()
    assert re.fullmatch(r"INV-\S+", invoice_number), invoice_number

    # Before payment, the document is an invoice asking for money.
    page.get_by_role("link", name=invoice_number).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Invoice {invoice_number}")
    expect(page.get_by_test_id("balance")).to_have_text("$50.00")

    # The secretariat records the bank transfer in the admin, in their own browser.
    make_person("treasurer@isoc.example", staff=True, first_name="Tess", last_name="Treasurer")
    staff = new_page()
    admin_sign_in(staff, "treasurer@isoc.example")
    staff_records_payment(staff, invoice_number, "BANK-REF-77421")
    expect(staff.get_by_role("link", name="Record payment")).to_have_count(0)  # nothing left to pay

    # The member reloads their page: active, sustaining.
    page.goto("/members/")
    expect(page.get_by_test_id("membership-status")).to_have_text("Active")
    expect(page.get_by_test_id("membership-category")).to_have_text("Sustaining")
    expect(page.get_by_test_id("invoice-state")).to_have_text("paid")
    expect(page.get_by_role("button", name="Renew for another year")).to_be_visible()

    # The receipt.
    page.get_by_role("link", name=invoice_number).first.click()
    expect(page).to_have_url(re.compile(rf"/members/invoices/{invoice_number}/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Receipt {invoice_number}")
    expect(page.get_by_test_id("receipt-state")).to_have_text("paid")
    expect(page.get_by_test_id("balance")).to_have_text("$0.00")
    expect(page.get_by_text("Billed to")).to_be_visible()
    expect(page.get_by_text("Vint Cerf")).to_be_visible()
    expect(page.get_by_text(re.compile(r"Payment PAY-\S+ received .*, reference BANK-REF-77421"))).to_be_visible()
    page.screenshot(path=tmp_path / "receipt.png", full_page=True)

    # Printing: the site's navigation, footer and the Print button drop out; the receipt stays.
    page.emulate_media(media="print")
    expect(page.locator(".site-header")).to_be_hidden()
    expect(page.locator(".site-footer")).to_be_hidden()
    expect(page.get_by_role("button", name="Print")).to_be_hidden()
    expect(page.get_by_role("heading", name=f"Receipt {invoice_number}")).to_be_visible()
    expect(page.get_by_test_id("balance")).to_be_visible()
    page.screenshot(path=tmp_path / "receipt-print.png", full_page=True)
    pdf_path = tmp_path / "receipt.pdf"
    pdf = page.pdf(path=pdf_path, format="A4", print_background=True)
    assert pdf_path.read_bytes() == pdf
    assert pdf.startswith(b"%PDF-") and pdf.rstrip().endswith(b"%%EOF")
    assert len(pdf) > 10_000, f"a receipt PDF of {len(pdf)} bytes is suspiciously small"
    pages = re.findall(rb"/Type\s*/Page\b", pdf)
    assert len(pages) == 1, f"the receipt should print on one A4 page, not {len(pages)}"
