"""Core flows work without JavaScript (a browser with scripts off, a proxy that strips
them, a script that failed to load on a bad connection); where scripts run, htmx
enhances them (the directory filter updates its results in place)."""

from __future__ import annotations

import re

import pytest
from e2e_ui import make_person, sign_in
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


@pytest.fixture
def nojs_page(new_page):
    return new_page(java_script_enabled=False)


def listed(email: str, first: str, last: str, country: str):
    from isoc.members import services

    person = make_person(email, first_name=first, last_name=last, country=country,
                         directory_listed=True, show_country=True)
    services.join(person, "global")
    return person


def test_scripts_are_really_off(nojs_page):
    nojs_page.set_content("<p id=x>static</p><script>document.getElementById('x').textContent = 'scripted'</script>")
    expect(nojs_page.locator("#x")).to_have_text("static")


def test_a_new_member_joins_without_javascript(nojs_page):
    make_person("ada@example.org", first_name="Ada", last_name="Lovelace", country="GB")
    sign_in(nojs_page, "ada@example.org")
    page = nojs_page
    page.get_by_role("link", name="Join the Internet Society").click()
    page.get_by_label("Sustaining member").check()
    page.get_by_role("button", name="Join").click()
    expect(page.get_by_role("status")).to_contain_text("Welcome! Your membership is recorded.")
    expect(page.get_by_test_id("membership-status")).to_have_text("Pending")
    invoice = page.get_by_role("region", name="Invoices").get_by_role("link").first
    number = invoice.inner_text()
    invoice.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Invoice {number}")


def test_an_organization_joins_without_javascript(nojs_page):
    make_person("contact@kix.example", first_name="Aline", last_name="Uwase", country="RW")
    sign_in(nojs_page, "contact@kix.example")
    page = nojs_page
    page.get_by_role("link", name="Register an organization as a member").click()
    page.get_by_label("Legal name").fill("Kigali Internet Exchange Ltd")
    page.get_by_label("Country").select_option(label="Rwanda")
    page.get_by_label("Tier").select_option(label="Gold ($25,000.00)")
    page.get_by_role("button", name="Join").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Kigali Internet Exchange Ltd")
    expect(page.get_by_test_id("org-status")).to_have_text("Pending")


def test_the_directory_filter_works_without_javascript(nojs_page):
    listed("radia@example.org", "Radia", "Perlman", "US")
    listed("vint@example.org", "Vint", "Cerf", "US")
    listed("jon@example.org", "Jon", "Postel", "GB")
    sign_in(nojs_page, "radia@example.org")
    page = nojs_page
    page.goto("/members/directory/")
    expect(page.get_by_text("3 members listed")).to_be_visible()
    search = page.get_by_role("search")
    search.get_by_role("combobox", name="Country").select_option(label="United States")
    search.get_by_role("textbox", name="Name").fill("cerf")
    search.get_by_role("button", name="Search").click()
    # A plain GET: the filter is in the address, so the result can be bookmarked and shared.
    expect(page).to_have_url(re.compile(r"/members/directory/\?.*q=cerf.*"))
    expect(page).to_have_url(re.compile(r"country=US"))
    expect(page.get_by_text("1 member listed")).to_be_visible()
    expect(page.get_by_role("table").get_by_role("row").filter(has_text="Vint Cerf")).to_have_count(1)
    expect(page.get_by_text("Radia Perlman")).to_have_count(0)


def test_the_directory_filter_updates_in_place_with_htmx(page):
    """With scripts on, htmx (served by this site) fetches only the results: the page is
    not reloaded, the address still records the filter, the count is announced."""
    listed("radia@example.org", "Radia", "Perlman", "US")
    listed("jon@example.org", "Jon", "Postel", "GB")
    sign_in(page, "radia@example.org")
    page.goto("/members/directory/")
    expect(page.get_by_text("2 members listed")).to_be_visible()
    page.evaluate("window.stillTheSamePage = true")
    htmx = []
    page.on("request", lambda r: htmx.append(r.url) if r.headers.get("hx-request") else None)
    search = page.get_by_role("search")
    search.get_by_role("combobox", name="Country").select_option(label="United Kingdom")
    search.get_by_role("button", name="Search").click()
    expect(page.get_by_role("status")).to_have_text(re.compile(r"^\s*1 member listed\s*$"))
    expect(page.get_by_role("table").get_by_role("row").filter(has_text="Jon Postel")).to_have_count(1)
    expect(page.get_by_text("Radia Perlman")).to_have_count(0)
    expect(page).to_have_url(re.compile(r"country=GB"))
    assert page.evaluate("window.stillTheSamePage === true"), "the page was reloaded"
    assert htmx and all("/members/directory/" in url for url in htmx), htmx
    # One search form, one results table: the fragment did not nest a second page.
    expect(page.get_by_role("search")).to_have_count(1)
    expect(page.get_by_role("table")).to_have_count(1)


def test_preferences_change_the_language_without_javascript(nojs_page):
    page = nojs_page
    page.goto("/members/directory/")
    footer = page.get_by_role("contentinfo")
    footer.get_by_role("combobox", name="Language").select_option(label="Français")
    footer.get_by_role("button").click()
    expect(page).to_have_url(re.compile(r"/members/directory/$"))
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    # The full preferences form: another language and a time zone, without the browser's help.
    page.goto("/preferences/")
    page.locator("main select[name=language]").select_option(label="Español")
    page.locator("main select[name=time_zone]").select_option("Africa/Kigali")
    page.locator("main form button[type=submit]").click()
    expect(page.locator("html")).to_have_attribute("lang", "es")
    expect(page.get_by_role("contentinfo")).to_contain_text("Africa/Kigali")


def test_pulse_shutdown_pages_read_without_javascript(nojs_page, settings, tmp_path):
    """Reading Pulse is a core flow: the map, the filter, an event, its chart and the
    data behind it all work with scripts off."""
    from test_e2e_shutdowns import make_tracker

    settings.DATA_DIR = tmp_path
    make_tracker(tmp_path)
    page = nojs_page
    page.goto("/pulse/shutdowns/")
    expect(page.get_by_role("img", name="World map")).to_be_visible()
    search = page.get_by_role("search", name="Filter shutdowns")
    search.get_by_label("Country").select_option(label="Iran")
    search.get_by_role("button", name="Apply").click()
    events = page.get_by_role("table", name="Published events, newest first")
    expect(events.get_by_role("row")).to_have_count(2)
    events.get_by_role("link", name="Iran").click()
    expect(page.get_by_role("img", name="Connected probes over time")).to_be_visible()
    page.get_by_text("Data table (").first.click()
    expect(page.get_by_role("table", name="Connected probes, averaged over equal spans of time")).to_be_visible()
    expect(page.get_by_role("region", name="Sources")).to_contain_text("IODA")
