"""WCAG 2.2 AA on every page: axe-core (from the npm registry, injected from
node_modules, never a CDN) on every page the URL conf has, with demo data, signed out,
as a member and as staff; and on the pages forms answer with errors.

A page with a violation fails the test, which names the page, the rule, its impact and
the elements. A new URL pattern that tests/e2e/crawl.py cannot fill in fails too, so
every future page is checked as soon as it exists. Django's admin is included (its index,
every app index, and every model's list, add, change, history and delete pages) because
the secretariat works there every day; where Django's own markup fell short,
src/isoc/site/templates/admin/base_site.html and static/isoc/admin.css mend it.
"""

from __future__ import annotations

import re

import pytest
from crawl import Visit, routes, uncovered
from e2e_ui import submit_login
from playwright.sync_api import expect
from site_crawl import CRAWL_ROLES, CRAWL_TIMEOUT, check_page, crawl

pytestmark = [pytest.mark.e2e, pytest.mark.served_site, pytest.mark.xdist_group("served_site")]


def server_validation_only(page) -> None:
    """Let the form reach the server with what the browser would have refused: the
    server's error messages are what is checked."""
    page.evaluate("document.querySelectorAll('form').forEach(f => { f.noValidate = true; })")


def test_the_crawl_knows_every_url_pattern():
    missing = uncovered(routes())
    assert not missing, (
        f"URL patterns the page crawl cannot visit: {missing}. Add a rule to tests/e2e/crawl.py RULES."
    )


@pytest.mark.timeout(CRAWL_TIMEOUT)
@pytest.mark.parametrize("role", CRAWL_ROLES)
def test_every_page_meets_wcag_22_aa(role, browser, served_site):
    """Every page the role can reach, checked where it landed (the crawl shared with the
    page-weight test: tests/e2e/site_crawl.py)."""
    found = crawl(role, browser, served_site)
    checked, failures = found.checked, found.a11y_failures
    assert len(checked) >= {"visitor": 15, "member": 20, "staff": 80}[role], f"only {len(checked)} pages checked: {checked}"
    assert not failures, f"{len(failures)} page(s) fail WCAG 2.2 AA for a {role}:\n" + "\n".join(failures)


def test_forms_with_errors_meet_wcag_22_aa(browser, served_site):
    """Pages as forms answer them with errors: each error is announced and tied to its
    field, and the page still passes axe."""
    failures: list[str] = []
    visitor = Visit(browser, served_site, axe=True)
    member = Visit(browser, served_site, axe=True)
    staff = Visit(browser, served_site, axe=True)
    try:
        page = visitor.page
        page.goto("/accounts/login/")
        submit_login(page, served_site.facts["member"]["email"], "not the password")
        expect(page.locator(".errorlist, [role=alert]").first).to_be_visible()
        failures += check_page(visitor, "sign-in with a wrong password")

        page.goto("/accounts/signup/")
        page.get_by_label("Email").fill("someone@example.org")
        page.get_by_label("First name").fill("Some")
        page.get_by_label("Last name").fill("One")
        page.get_by_label(re.compile(r"^Password:?$")).fill("short")
        page.get_by_label("Password (again)").fill("other")
        page.get_by_role("button", name="Sign Up").click()
        expect(page.locator(".errorlist").first).to_be_visible()
        failures += check_page(visitor, "sign-up with errors")

        page.goto("/impact-assessment/new/")
        server_validation_only(page)
        page.get_by_role("button", name="Start the questionnaire").click()
        expect(page.locator(".errorlist").first).to_be_visible()
        failures += check_page(visitor, "impact assessment started without a title")

        member.sign_in("member")
        page = member.page
        page.goto("/members/organizations/join/")
        server_validation_only(page)
        page.get_by_role("button", name="Join").click()
        expect(page.locator(".errorlist").first).to_be_visible()
        failures += check_page(member, "organization join with nothing filled in")

        page.goto("/members/profile/")
        page.get_by_role("textbox", name="Website").fill("not a web address")
        server_validation_only(page)
        page.get_by_role("button", name="Save").first.click()
        expect(page.locator(".errorlist").first).to_be_visible()
        failures += check_page(member, "profile with a bad website")

        page.goto("/members/profile/erase/")
        page.get_by_label("Your password").fill("not the password")
        server_validation_only(page)
        page.get_by_role("button", name="Erase my account").click()
        expect(page.locator(".errorlist").first).to_be_visible()
        failures += check_page(member, "erasure with a wrong password")

        page.goto("/members/join/")
        # The member already has a membership: joining again is refused with an error.
        page.get_by_label("Global member").check()
        page.get_by_role("button", name="Join").click()
        expect(page.locator(".errorlist").first).to_be_visible()
        failures += check_page(member, "join refused")

        page.goto(f"/elections/{served_site.facts['elections']['nominations']}/stand/")
        page.get_by_label(re.compile(r"^Name:?$")).fill("")
        page.get_by_label(re.compile(r"^Email:?$")).fill("not an address")
        server_validation_only(page)
        page.get_by_role("button", name="Submit my nomination").click()
        expect(page.locator(".errorlist").first).to_be_visible()
        failures += check_page(member, "standing for election with errors")

        staff.sign_in("staff")
        page = staff.page
        events = served_site.facts["events"]
        page.goto(f"/events/{events['funded']}/funding/")
        page.get_by_label("Amount").fill("0")
        server_validation_only(page)
        page.get_by_role("button", name="Grant", exact=True).click()
        expect(page.locator(".errorlist").first).to_be_visible()
        failures += check_page(staff, "event funding refused by the service")

        page.goto(f"/events/{events['full']}/cancellation/")
        server_validation_only(page)
        page.get_by_role("button", name="Cancel the event").click()
        expect(page.locator(".errorlist").first).to_be_visible()
        failures += check_page(staff, "event cancellation without a reason")
    finally:
        visitor.close()
        member.close()
        staff.close()
    assert not failures, "\n".join(failures)


def test_the_check_fails_and_names_what_is_wrong(browser):
    """The checker itself: a page with known faults gives failures naming them."""
    context = browser.new_context()
    try:
        page = context.new_page()
        page.set_content(
            "<html><head><title>broken</title></head><body><main><h1>Broken</h1>"
            '<form><input type="text" id="nameless"><ul class="errorlist" id="x_error"><li>Required</li></ul></form>'
            '<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">'
            '<p style="color:#bbb;background:#fff">faint text</p></main></body></html>'
        )
        visit = type("V", (), {"page": page})()
        failures = "\n".join(check_page(visit, "the broken page"))
    finally:
        context.close()
    for expected in ("html-has-lang", "label [critical]", "#nameless", "image-alt", "color-contrast",
                     "form error not tied to its field", "image without width and height", "the broken page"):
        assert expected in failures, f"{expected!r} missing from:\n{failures}"
