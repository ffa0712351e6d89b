"""Cyber incident trends in a browser: open the trends page, go to a year's report,
download its PDF and check that it renders (poppler's pdftoppm); the incident pages pass
axe-core (WCAG 2.2 AA) and the crawl's checks. Data: the generated demo incidents."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from crawl import axe_violations, describe, page_problems
from playwright.sync_api import expect

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "incidents"))
from pdf_pages import ink, rendered_pages  # noqa: E402


@pytest.fixture
def incidents_demo():
    from isoc.incidents import demo
    from isoc.incidents.models import Incident

    demo.generate(reset=True, size=40)
    return Incident.objects.order_by("-year").first().year


@pytest.mark.e2e
def test_download_the_breach_report_pdf_and_it_renders(page, incidents_demo, tmp_path):
    year = incidents_demo
    page.goto("/pulse/incidents/")
    expect(page.get_by_role("heading", name="Cyber incident and breach trends", level=1)).to_be_visible()
    expect(page.get_by_text("Demo data.").first).to_be_visible()
    page.get_by_role("link", name=f"Report {year}", exact=True).click()
    page.wait_for_url(f"**/pulse/incidents/report/{year}/")
    expect(page.get_by_role("heading", name=f"Cyber Incident & Breach Trends {year}", level=1)).to_be_visible()
    expect(page.get_by_role("img", name="Incidents by type of action")).to_be_visible()
    with page.expect_download() as info:
        page.get_by_role("link", name="Download the report as PDF").click()
    download = info.value
    assert download.suggested_filename == f"cyber-incident-breach-trends-{year}.pdf"
    pdf = tmp_path / download.suggested_filename
    download.save_as(pdf)
    pages = rendered_pages(pdf, tmp_path)
    assert len(pages) > 0 and ink(pages[0]) > 0.01


@pytest.mark.e2e
def test_incident_pages_meet_wcag_22_aa(page, incidents_demo):
    from isoc.incidents.models import Incident

    paths = ["/pulse/incidents/", f"/pulse/incidents/report/{incidents_demo}/", "/pulse/incidents/methodology/",
             f"/pulse/incidents/{Incident.objects.order_by('pk').first().pk}/"]
    found = []
    for path in paths:
        page.goto(path)
        violations = axe_violations(page)
        if violations:
            found.append(describe(path, violations))
        found += [f"{path}: {p}" for p in page_problems(page)]
    assert not found, "\n".join(found)
