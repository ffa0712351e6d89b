"""IXPs in a browser: find an IXP by name and by member network, open its page and see its
LANs, members with when they joined, and its source; the IXP pages pass axe-core (WCAG
2.2 AA) and the crawl's own checks. Data: the IXP demo (two years of snapshots)."""

from __future__ import annotations

import pytest
from crawl import axe_violations, describe, page_problems
from playwright.sync_api import expect


@pytest.fixture
def ixps_demo():
    from isoc.infra import demo_ixps
    from isoc.infra.models import Ixp

    demo_ixps.generate(reset=True)
    return Ixp.objects.get(name="Demo IX Nairobi")


@pytest.mark.e2e
def test_find_an_ixp_and_open_its_page(page, ixps_demo):
    member = ixps_demo.memberships.order_by("asn").first().asn
    page.goto("/pulse/ixps/")
    expect(page.get_by_role("heading", name="Internet exchange points", level=1)).to_be_visible()
    search = page.get_by_role("search", name="Find an IXP")
    search.get_by_label("Name or city").fill("nairobi")
    search.get_by_role("button", name="Find").click()
    page.wait_for_url("**/pulse/ixps/?q=nairobi*")
    expect(page.get_by_role("status")).to_contain_text("1")
    page.get_by_role("link", name="Demo IX Nairobi").click()
    page.wait_for_url(f"**/pulse/ixps/{ixps_demo.slug}/")
    expect(page.get_by_role("heading", name="Demo IX Nairobi", level=1)).to_be_visible()
    expect(page.get_by_text("100.64.0.0/26")).to_be_visible()
    members = page.get_by_role("table", name="Every stay of a network on this IXP as the sources saw it, current members first")
    expect(members.get_by_role("link", name=f"AS{member}")).to_have_count(
        ixps_demo.memberships.filter(asn=member).count())
    expect(page.get_by_role("link", name="Demo IXPs: IXPs, LANs and members as of", exact=False).first).to_be_visible()

    # The same IXP, found by one of its member networks.
    page.goto("/pulse/ixps/")
    page.get_by_role("search", name="Find an IXP").get_by_label("Member network (AS number)").fill(str(member))
    page.get_by_role("button", name="Find").click()
    expect(page.get_by_role("link", name="Demo IX Nairobi")).to_be_visible()


@pytest.mark.e2e
def test_ixp_pages_meet_wcag_22_aa(page, ixps_demo):
    found = []
    for path in ("/pulse/ixps/", "/pulse/ixps/?country=XX", ixps_demo.get_absolute_url(), "/pulse/ixps/countries/ke/",
                 "/pulse/countries/ke/"):
        page.goto(path)
        violations = axe_violations(page)
        if violations:
            found.append(describe(path, violations))
        found += [f"{path}: {p}" for p in page_problems(page)]
    assert not found, "\n".join(found)
