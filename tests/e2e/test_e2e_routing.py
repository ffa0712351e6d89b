"""Routing security in a browser: search a prefix, open the network that originates it,
see its monthly score chart; and the routing pages pass axe-core (WCAG 2.2 AA) and the
crawl's own checks. Data: the routing demo, generated through the real pipeline."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from crawl import axe_violations, describe, page_problems
from playwright.sync_api import expect

SHOTS = Path(os.environ.get("ISOC_E2E_SCREENSHOTS", "")) if os.environ.get("ISOC_E2E_SCREENSHOTS") else None


@pytest.fixture
def routing_demo(settings, tmp_path):
    from isoc.routing import demo, store

    settings.DATA_DIR = tmp_path
    store.clear_cache()
    demo.generate()
    yield demo
    store.clear_cache()


@pytest.mark.e2e
def test_search_prefix_open_network_see_monthly_scores(page, routing_demo):
    demo = routing_demo
    prefix = demo.v4_prefixes(1)[0]
    network = demo.asn(1)

    page.goto("/pulse/routing/")
    expect(page.get_by_role("heading", name="Routing security", level=1)).to_be_visible()
    search = page.get_by_role("search", name="Search a prefix")
    search.get_by_label("Prefix or address").fill(prefix)
    search.get_by_role("button", name="Search").click()
    page.wait_for_url("**/pulse/routing/prefix/?q=*")
    expect(page.get_by_role("heading", name=prefix, level=2)).to_be_visible()
    origins = page.get_by_role("region", name="Origins of this exact prefix")
    expect(origins).to_contain_text("Valid")
    if SHOTS:
        page.screenshot(path=str(SHOTS / "routing-prefix.png"), full_page=True)

    origins.get_by_role("link", name=f"AS{network}").click()
    page.wait_for_url(f"**/pulse/routing/networks/{network}/")
    expect(page.get_by_role("heading", name=f"AS{network}", level=1)).to_be_visible()
    chart = page.get_by_role("img", name=f"RPKI score by month for AS{network}")
    expect(chart).to_be_visible()
    expect(chart.locator("rect.sd-bar")).to_have_count(demo.MONTHS)
    box = chart.bounding_box()
    assert box and box["width"] > 300 and box["height"] > 80
    # The months with invalid more-specifics draw as 0, the fixed months as 100.
    labels = chart.locator("text.sd-bar-value").all_text_contents()
    assert labels[:4] == ["0"] * 4 and labels[4:] == ["100"] * 2
    scores = page.get_by_role("table", name="Scores by calendar month (UTC)")
    expect(scores.get_by_role("row")).to_have_count(1 + demo.MONTHS)
    if SHOTS:
        page.screenshot(path=str(SHOTS / "routing-network.png"), full_page=True)


@pytest.mark.e2e
def test_routing_pages_meet_wcag_22_aa(page, routing_demo):
    from isoc.routing.models import ManrsParticipant, RoutingIncident

    demo = routing_demo
    incident = RoutingIncident.objects.order_by("pk").first()
    participant = ManrsParticipant.objects.order_by("pk").first()
    paths = [
        "/pulse/routing/",
        f"/pulse/routing/networks/{demo.asn(1)}/",
        f"/pulse/routing/countries/{demo.COUNTRIES[1].lower()}/",
        f"/pulse/routing/prefix/?q={demo.v4_prefixes(2)[0]}",
        "/pulse/routing/prefix/?q=not-a-prefix",
        "/pulse/routing/incidents/?kind=route-leak",
        f"/pulse/routing/incidents/{incident.pk}/",
        "/pulse/routing/participants/",
        f"/pulse/routing/participants/{participant.slug}/",
        "/pulse/routing/methodology/",
    ]
    found = []
    for path in paths:
        page.goto(path)
        violations = axe_violations(page)
        if violations:
            found.append(describe(path, violations))
        found += [f"{path}: {p}" for p in page_problems(page)]
    assert not found, "\n".join(found)
