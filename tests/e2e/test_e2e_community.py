"""An officer adds a community network and finds it in the registry; anyone runs the
cost planner and reads the result."""

from __future__ import annotations

import re
from datetime import date

import pytest
from e2e_ui import make_person, sign_in
from playwright.sync_api import expect


def _kenyan_officer():
    from isoc.chapters import services as cs

    staff = make_person("sec@isoc.example", staff=True, first_name="Sam", last_name="Staff")
    officer = make_person("wanjiru@example.ke", first_name="Wanjiru", last_name="Kamau", country="KE")
    chapter = cs.form_chapter(name="Kenya Chapter", actor=staff, community=cs.Community(country="KE"))
    cs.join(officer, chapter)
    cs.appoint_officer(chapter, officer, "chair", starts_on=date(2020, 1, 1), actor=staff)
    return officer


@pytest.mark.e2e
def test_an_officer_adds_a_community_network(page):
    officer = _kenyan_officer()
    sign_in(page, officer.email)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Pulse").click()
    page.get_by_role("link", name="Community networks").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Community networks")
    page.get_by_role("link", name="Add a community network").click()

    # Hostile coordinates come back as an error on the field; nothing is stored.
    page.get_by_label("Name").fill("Kibera Mesh")
    page.get_by_label("Country").select_option("KE")
    page.get_by_label("Place").fill("Kibera, Nairobi")
    page.get_by_label("Latitude").fill("123")
    page.get_by_label("Longitude").fill("36.79")
    page.get_by_label("Wi-Fi mesh").check()
    page.get_by_label("People served").fill("2500")
    page.get_by_label("Operator").fill("Kibera youth group")
    page.get_by_label(re.compile(r"^Chapter")).select_option(label="Kenya Chapter")
    page.get_by_role("button", name="Add the network").click()
    latitude = page.get_by_label("Latitude")
    expect(latitude).to_have_attribute("aria-invalid", "true")

    latitude.fill("-1.3133")
    page.get_by_role("button", name="Add the network").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Kibera Mesh")
    expect(page.get_by_role("status")).to_contain_text("Kibera Mesh was added to the registry.")
    expect(page.get_by_role("region", name="History")).to_contain_text("Wanjiru Kamau")

    page.get_by_role("link", name="Community networks").first.click()
    page.get_by_label("Technology").select_option("wifi-mesh")
    page.get_by_role("button", name="Apply").click()
    registry = page.get_by_role("region", name="Registry")
    expect(registry.get_by_role("link", name="Kibera Mesh")).to_be_visible()
    expect(registry).to_contain_text("Kenya Chapter")


@pytest.mark.e2e
def test_anyone_runs_the_cost_planner(page):
    page.goto("/pulse/community-networks/")
    page.get_by_role("link", name=re.compile("cost planner")).click()
    page.get_by_label("Households").fill("100")
    page.get_by_label("Area (km²)").fill("2")
    page.get_by_role("combobox", name="Terrain").select_option("flat")
    page.get_by_role("combobox", name="Backhaul").select_option("microwave")
    page.get_by_label("Take-up (%)").fill("60")
    page.get_by_role("button", name="Estimate the cost").click()
    expect(page.get_by_role("status")).to_contain_text("$12.30 a month per connected household")
    expect(page.get_by_role("table", name="Capital cost")).to_contain_text("$12,850.00")
    expect(page.get_by_role("table", name="Terrain classes")).to_contain_text("Line of sight")
