"""The member directory: listed members choose to appear and what to show; only
signed-in people see anyone."""

from __future__ import annotations

import pytest
from e2e_ui import make_person, sign_in, sign_out
from playwright.sync_api import expect


@pytest.mark.e2e
def test_directory_shows_opted_in_members_to_signed_in_people_only(page):
    from isoc.members import services

    lister = make_person(
        "radia@example.org", first_name="Radia", last_name="Perlman", country="US", city="Seattle",
        organization="Spanning Trees Inc", website="https://radia.example",
    )
    shy = make_person("shy@example.org", first_name="Shy", last_name="Person", country="FR", city="Lyon")
    viewer = make_person("viewer@example.org", first_name="Vera", last_name="Viewer", country="DE")
    for person in (lister, shy, viewer):
        services.join(person, "global")

    # Radia lists herself, showing her country and website but not her city or organization.
    sign_in(page, "radia@example.org")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Profile").click()
    page.get_by_label("list me in the member directory").check()
    page.get_by_role("combobox", name="Country").select_option(label="United States")
    fields = page.get_by_role("group", name="Show these in the directory")
    fields.get_by_label("Country").check()
    fields.get_by_label("Website").check()
    expect(fields.get_by_label("City")).not_to_be_checked()
    expect(fields.get_by_label("Organization")).not_to_be_checked()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_contain_text("Profile saved.")
    sign_out(page)

    # An anonymous visitor learns nothing about who is listed.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Members", exact=True).click()
    expect(page.get_by_role("heading", name="Member directory")).to_be_visible()
    expect(page.get_by_text("Sign in as a member to see who is listed.")).to_be_visible()
    expect(page.get_by_role("table")).to_have_count(0)
    expect(page.get_by_text("Perlman")).to_have_count(0)

    # A signed-in member sees Radia with what she chose, and not the member who did not opt in.
    sign_in(page, "viewer@example.org")
    page.goto("/members/directory/")
    expect(page.get_by_text("1 member listed")).to_be_visible()
    rows = page.get_by_role("table").get_by_role("row")
    expect(rows).to_have_count(2)  # header + Radia
    radia = rows.filter(has_text="Radia Perlman")
    expect(radia.get_by_role("cell")).to_have_text(["Radia Perlman", "United States", "", "", "https://radia.example"])
    expect(page.get_by_text("Seattle")).to_have_count(0)
    expect(page.get_by_text("Spanning Trees")).to_have_count(0)
    expect(page.get_by_text("Shy Person")).to_have_count(0)
    expect(page.get_by_text("Vera Viewer")).to_have_count(0)  # the viewer did not opt in either

    # The country filter finds her by the country she shows; France (where the member
    # who did not opt in lives) finds nobody.
    page.get_by_role("search").get_by_role("combobox", name="Country").select_option(label="United States")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_text("1 member listed")).to_be_visible()
    page.get_by_role("search").get_by_role("combobox", name="Country").select_option(label="France")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_text("0 members listed")).to_be_visible()
