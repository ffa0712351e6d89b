"""Enabling technologies in a browser: look up a domain of the measured set and read why
it fails HSTS; the overview charts our measurement beside the (demo) APNIC series; the
pages pass axe-core (WCAG 2.2 AA). Data: the enablers demo, recorded through record_scan."""

from __future__ import annotations

import pytest
from crawl import axe_violations, describe, page_problems
from playwright.sync_api import expect


@pytest.fixture
def enablers_demo(settings, tmp_path):
    from isoc.enablers import demo
    from isoc.routing import demo as routing_demo
    from isoc.routing import store

    settings.DATA_DIR = tmp_path
    store.clear_cache()
    routing_demo.generate()  # the demo domains' hosting countries come from its routes
    demo.generate()
    yield demo
    store.clear_cache()


@pytest.mark.e2e
def test_look_up_a_domain_and_read_why_it_fails_hsts(page, enablers_demo):
    domain = enablers_demo.DEMO_HSTS_FAILING
    page.goto("/pulse/enablers/")
    expect(page.get_by_role("heading", name="Enabling technologies", level=1)).to_be_visible()
    expect(page.get_by_role("img", name="IPv6: share of domains or users, in percent, over time. The data are in the table below.")).to_be_visible()
    expect(page.get_by_text("APNIC (demo)").first).to_be_visible()
    search = page.get_by_role("search", name="Look up a domain")
    search.get_by_label("Domain").fill(domain.upper())
    search.get_by_role("button", name="Look up").click()
    page.wait_for_url("**/pulse/enablers/domain/?domain=*")
    expect(page.get_by_role("heading", name=domain, level=1)).to_be_visible()
    table = page.get_by_role("table", name=f"Every check of {domain} in its latest scan")
    hsts = table.get_by_role("row").filter(has=page.get_by_role("rowheader", name="HSTS", exact=True))
    expect(hsts).to_contain_text("failed")
    expect(hsts).to_contain_text("no Strict-Transport-Security header")
    expect(table.get_by_role("row")).to_have_count(16)  # the header and the 15 checks

    search = page.get_by_role("search", name="Look up a domain")
    search.get_by_label("Domain").fill("never-measured.example.net")
    search.get_by_role("button", name="Look up").click()
    expect(page.get_by_role("status")).to_contain_text("never-measured.example.net is not in our measured set")


@pytest.mark.e2e
def test_enablers_pages_meet_wcag_22_aa(page, enablers_demo):
    paths = ["/pulse/enablers/", f"/pulse/enablers/domain/?domain={enablers_demo.DEMO_HSTS_FAILING}",
             "/pulse/enablers/domain/?domain=not+a+domain", "/pulse/enablers/methodology/", "/pulse/countries/fr/"]
    found = []
    for path in paths:
        page.goto(path)
        violations = axe_violations(page)
        if violations:
            found.append(describe(path, violations))
        found += [f"{path}: {p}" for p in page_problems(page)]
    assert not found, "\n".join(found)
