"""The Online Trust Audit in a browser: open the Honor Roll, go from a sector's table to an
organization's scorecard and read how to fix a failed criterion; and the trust pages pass
axe-core (WCAG 2.2 AA) and the crawl's own checks. Data: the trust demo, scored from
generated scan files through the real audit."""

from __future__ import annotations

import pytest
from crawl import axe_violations, describe, page_problems
from playwright.sync_api import expect


@pytest.fixture
def trust_demo(settings, tmp_path):
    from isoc.trust import demo

    settings.DATA_DIR = tmp_path
    demo.generate()
    return demo


@pytest.mark.e2e
def test_open_the_honor_roll_then_a_scorecard_and_read_how_to_fix(page, trust_demo):
    from isoc.trust import scoring
    from isoc.trust.models import Scorecard

    year = max(trust_demo.demo_years())
    card = (Scorecard.objects.filter(audit__year=year, honor_roll=False).select_related("organization__sector")
            .order_by("total").first())
    failed = next(c for c in card.criteria if c["outcome"] == "failed" and not c["bonus"])
    criterion = scoring.BY_KEY[failed["key"]]

    page.goto("/trust/")
    expect(page.get_by_role("heading", name=f"Online Trust Audit {year}: Honor Roll", level=1)).to_be_visible()
    sector = page.get_by_role("region", name=card.organization.sector.name)
    expect(sector.get_by_role("table")).to_be_visible()
    sector.get_by_role("link", name=card.organization.name, exact=True).click()
    page.wait_for_url(f"**/trust/organizations/{card.organization.slug}/{year}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text(card.organization.name)
    expect(page.get_by_text("Not on the Honor Roll")).to_be_visible()
    table = page.get_by_role("table", name=f"{scoring.CATEGORY_TITLES[criterion.category]}: each criterion")
    row = table.get_by_role("row").filter(has=page.get_by_role("rowheader", name=criterion.title, exact=True))
    expect(row).to_contain_text("failed")
    expect(row).to_contain_text(criterion.fix)
    expect(row).to_contain_text(f"0 / {failed['weight']}")
    expect(page.get_by_role("table", name="Scores by audit year").get_by_role("row")).to_have_count(3)


@pytest.mark.e2e
def test_trust_pages_meet_wcag_22_aa(page, trust_demo):
    from isoc.trust.models import AuditedOrganization

    first, year = trust_demo.demo_years()
    org = AuditedOrganization.objects.order_by("pk").first()
    found = []
    for path in ("/trust/", f"/trust/{first}/", f"/trust/organizations/{org.slug}/",
                 f"/trust/organizations/{org.slug}/{first}/", "/trust/methodology/", f"/trust/methodology/?year={year}"):
        page.goto(path)
        violations = axe_violations(page)
        if violations:
            found.append(describe(path, violations))
        found += [f"{path}: {p}" for p in page_problems(page)]
    assert not found, "\n".join(found)
