"""What people do in the browser, step by step, shared by the browser tests."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

PASSWORD = "correct-horse-battery-staple"


def make_person(email: str, *, staff: bool = False, admin: bool = False, password: str = PASSWORD, **fields):
    """A person with a verified address, as tests/conftest.py's helper makes them."""
    from allauth.account.models import EmailAddress
    from django.contrib.auth.models import Group

    from isoc.members.models import Person

    person = Person.objects.create_user(
        email=email, password=password, is_staff=staff or admin, is_superuser=admin, **fields
    )
    EmailAddress.objects.create(user=person, email=email, verified=True, primary=True)
    person.groups.add(Group.objects.get(name="member"))
    if staff:
        person.groups.add(Group.objects.get(name="staff"))
    return person


def submit_login(page: Page, email: str, password: str) -> None:
    """Fill and send the sign-in form on the current page."""
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign In").click()


def sign_in(page: Page, email: str, password: str = PASSWORD) -> None:
    """Sign in through the site's form, as a person does, and land on their membership page."""
    page.goto("/accounts/login/")
    submit_login(page, email, password)
    expect(page).to_have_url(re.compile(r"/members/$"))
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def sign_out(page: Page) -> None:
    page.get_by_role("button", name="Sign out").click()
    # allauth may ask to confirm on its own page; the header button posts directly.
    expect(page.get_by_role("link", name="Sign in")).to_be_visible()


def admin_sign_in(page: Page, email: str, password: str = PASSWORD) -> None:
    page.goto("/admin/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Site administration")).to_be_visible()


def staff_records_payment(page: Page, invoice_number: str, reference: str) -> None:
    """From the admin's front page: Members › Invoices › the invoice › Record payment."""
    page.goto("/admin/")
    page.get_by_role("link", name="Invoices", exact=True).click()
    page.get_by_role("link", name=invoice_number, exact=True).click()
    expect(page.get_by_role("heading", name=re.compile(invoice_number))).to_be_visible()
    page.get_by_role("link", name="Record payment").click()
    expect(page.get_by_role("heading", name=f"Record payment for {invoice_number}")).to_be_visible()
    # The amount is filled in with what is still due; the bank's reference is not.
    expect(page.get_by_label("Amount received")).not_to_have_value("")
    page.get_by_label("Bank reference").fill(reference)
    page.get_by_role("button", name="Record payment").click()
    expect(page.locator(".messagelist")).to_contain_text(f"invoice {invoice_number} is paid")
