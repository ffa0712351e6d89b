"""The Content-Security-Policy in the browser: pages of each kind (public, a form, an
htmx page, a page with a script-driven button, the admin's change form) load and work
with no violation reported, neither as a `securitypolicyviolation` event nor as a
"Refused to …" console message."""

from __future__ import annotations

import re

import pytest
from e2e_ui import admin_sign_in, make_person, sign_in
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

WATCH = """window.__csp = [];
document.addEventListener('securitypolicyviolation', e => window.__csp.push(`${e.violatedDirective} ${e.blockedURI}`));
window.print = () => { document.body.dataset.printed = '1'; };"""


def watched(page) -> list[str]:
    """Start noting violations on ``page``; the list fills as pages load."""
    refused: list[str] = []
    page.context.add_init_script(script=WATCH)
    page.on("console", lambda msg: refused.append(msg.text) if "Content Security Policy" in msg.text
            or msg.text.startswith("Refused to") else None)
    return refused


def violations(page, refused: list[str]) -> list[str]:
    return refused + page.evaluate("window.__csp || []")


def test_public_pages_and_forms_load_with_the_policy_and_nothing_refused(page):
    refused = watched(page)
    for path in ("/", "/accounts/login/", "/accounts/signup/", "/events/", "/pulse/"):
        response = page.goto(path)
        assert "script-src 'self'" in response.headers["content-security-policy"], path
        assert not violations(page, refused), (path, violations(page, refused))


def test_htmx_and_script_buttons_work_under_the_policy(page):
    from isoc.members import services

    person = make_person("cspreader@example.org", first_name="Csp", last_name="Reader", country="FR")
    membership = services.join(person, "sustaining")
    refused = watched(page)
    sign_in(page, person.email)
    # htmx page: the directory search updates in place.
    page.goto("/members/directory/")
    page.get_by_role("search").get_by_role("combobox", name="Country").select_option(label="France")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_text(re.compile(r"\d+ members? listed"))).to_be_visible()
    # The receipt's Print button is wired by site.js (no inline onclick).
    page.goto(f"/members/invoices/{membership.terms.get().invoice.number}/")
    page.get_by_role("button", name="Print").click()
    expect(page.locator("body")).to_have_attribute("data-printed", "1")
    assert not violations(page, refused), violations(page, refused)


def test_the_admin_change_form_works_under_the_policy(page):
    staff = make_person("cspadmin@example.org", admin=True, first_name="Csp", last_name="Admin")
    refused = watched(page)
    admin_sign_in(page, staff.email)
    page.goto(f"/admin/members/person/{staff.pk}/change/")
    expect(page.get_by_role("heading", name=re.compile("Change person"))).to_be_visible()
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    assert not violations(page, refused), violations(page, refused)
