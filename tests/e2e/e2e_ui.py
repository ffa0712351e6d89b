"""What people do in the browser, step by step, shared by the browser tests."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

PASSWORD = "correct-horse-battery-staple"
# Staff must give a second factor (TOTP): the secret of each staff member made here, by address.
TOTP_SECRETS: dict[str, str] = {}
_used_codes: set[tuple[str, str]] = set()


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
    if staff or admin:  # staff need a second factor: their authenticator app, set up here
        from isoc.site.security.two_factor import enrol_totp

        TOTP_SECRETS[email] = enrol_totp(person)
    return person


def give_second_factor(page: Page, secret: str) -> None:
    """On the second step of signing in, type the code the authenticator app shows. A code
    is accepted once: a second sign-in within the same 30 seconds waits for the next one."""
    import time

    from isoc.site.security.two_factor import current_code

    expect(page).to_have_url(re.compile(r"/accounts/2fa/authenticate/"))
    while (secret, code := current_code(secret)) in _used_codes:
        time.sleep(1)
    _used_codes.add((secret, code))
    page.get_by_label("Code").fill(code)
    page.get_by_role("button", name="Sign In").click()


def submit_login(page: Page, email: str, password: str, totp_secret: str | None = None) -> None:
    """Fill and send the sign-in form on the current page (and the second factor, for staff)."""
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign In").click()
    secret = totp_secret or TOTP_SECRETS.get(email)
    if secret:
        give_second_factor(page, secret)


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
    """The admin's sign-in is the site's (it asks staff for their second factor)."""
    page.goto("/admin/login/?next=/admin/")
    submit_login(page, email, password)
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
