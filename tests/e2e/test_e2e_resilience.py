"""The Internet Resilience Index in a browser: open the ranked map, open a country's
breakdown from the table, and change an indicator in the what-if view to see the new
score; the pages pass axe-core (WCAG 2.2 AA). Data: the resilience demo (every country,
four quarters, computed by the real services)."""

from __future__ import annotations

import pytest
from crawl import axe_violations, describe, page_problems
from playwright.sync_api import expect


@pytest.fixture
def resilience_demo():
    from isoc.resilience import demo
    from isoc.resilience.models import CountryScore

    demo.generate(reset=True)
    quarter = demo.quarters()[-1]
    top = CountryScore.objects.get(quarter=quarter, rank=1)
    last = CountryScore.objects.filter(quarter=quarter, rank__isnull=False).order_by("-rank").first()
    yield {"quarter": quarter, "top": top, "last": last}
    demo.remove()


@pytest.mark.e2e
def test_map_breakdown_and_what_if(page, resilience_demo):
    from isoc.site.l10n import country_name

    last = resilience_demo["last"]
    name = country_name(last.country_id, "en")
    page.goto("/pulse/resilience/")
    expect(page.get_by_role("heading", name="Internet Resilience Index", level=1)).to_be_visible()
    expect(page.locator("svg[role=img] > title").first).to_contain_text("World map: the Internet Resilience Index of")
    expect(page.locator("svg g.sd-country").first).to_be_attached()
    ranking = page.get_by_role("table", name=f"Countries by overall score, {resilience_demo['quarter']}", exact=False)
    ranking.get_by_role("link", name=name, exact=True).click()
    page.wait_for_url(f"**/pulse/resilience/countries/{last.country_id.lower()}/**")
    expect(page.get_by_role("heading", name=f"{name}: Internet Resilience Index", level=1)).to_be_visible()
    expect(page.get_by_role("heading", name="Pillars and dimensions")).to_be_visible()
    expect(page.get_by_role("heading", name="Change over quarters")).to_be_visible()
    expect(page.get_by_role("table", name="Overall and pillar scores by quarter").get_by_role("row")).to_have_count(5)

    page.get_by_role("link", name="What if one of its indicators changed?").click()
    form = page.get_by_role("form", name="What if")
    expect(form.get_by_label("Country")).to_have_value(last.country_id.lower())
    form.get_by_label("Indicator").select_option("fixed-download")
    form.get_by_label("New value").fill("1000")
    form.get_by_role("button", name="Recompute").click()
    status = page.get_by_role("status")
    expect(status).to_contain_text("Overall score:")
    new = float(page.locator("#new-overall").inner_text())
    assert new > last.overall  # the last-ranked country with the best fixed download speed of all
    table = page.get_by_role("table", name="Scores out of 100 before and after the change")
    expect(table.get_by_role("row").filter(has=page.get_by_role("rowheader", name="Performance", exact=True))).to_contain_text("+")

    form = page.get_by_role("form", name="What if")
    form.get_by_label("New value").fill("-5")
    form.get_by_role("button", name="Recompute").click()
    expect(page.get_by_text("Give a number of zero or more.")).to_be_visible()


@pytest.mark.e2e
def test_resilience_pages_meet_wcag_22_aa(page, resilience_demo):
    cc = resilience_demo["top"].country_id.lower()
    found = []
    for path in ("/pulse/resilience/", f"/pulse/resilience/countries/{cc}/", "/pulse/resilience/methodology/",
                 f"/pulse/resilience/what-if/?country={cc}&indicator=ixps&value=5", f"/pulse/countries/{cc}/"):
        page.goto(path)
        violations = axe_violations(page)
        if violations:
            found.append(describe(path, violations))
        found += [f"{path}: {p}" for p in page_problems(page)]
    assert not found, "\n".join(found)
