"""A member joins a chapter; an officer files the chapter's annual report."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from e2e_ui import make_person, sign_in
from playwright.sync_api import expect


def _chartered_chapter(members: int = 25):
    """Estonia Chapter, chartered a year ago with ``members`` Internet Society members
    and a chair, secretary and treasurer; returns (chapter, chair)."""
    from django.utils import timezone

    from isoc.chapters import services as cs
    from isoc.members import services as ms

    staff = make_person("sec@isoc.example", staff=True, first_name="Sam", last_name="Staff")
    year_ago = timezone.now() - timedelta(days=400)
    chapter = cs.form_chapter(name="Estonia Chapter", actor=staff, community=cs.Community(country="EE"), at=year_ago)
    people = []
    for i in range(members):
        p = make_person(f"ee{i}@example.ee", first_name=f"Liis{i}", last_name="Tamm", country="EE")
        ms.join(p, "global", at=year_ago)
        cs.join(p, chapter, at=year_ago)
        people.append(p)
    cs.charter(chapter, actor=staff, reason="Approved by the Board.", at=year_ago)
    for p, role in zip(people, ["chair", "secretary", "treasurer"], strict=False):
        cs.appoint_officer(chapter, p, role, starts_on=year_ago.date(), actor=staff)
    return chapter, people[0]


@pytest.mark.e2e
def test_member_joins_a_chapter(page):
    _chartered_chapter()
    make_person("kadri@example.ee", first_name="Kadri", last_name="Kask", country="EE")
    sign_in(page, "kadri@example.ee")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Chapters").click()
    europe = page.get_by_role("region", name=re.compile(r"^Europe"))
    europe.get_by_role("link", name="Estonia Chapter").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Estonia Chapter")
    expect(page.get_by_text("25 members.")).to_be_visible()
    page.get_by_role("button", name="Join Estonia Chapter").click()

    expect(page.get_by_role("status")).to_contain_text("Welcome to Estonia Chapter.")
    expect(page.get_by_text("26 members.")).to_be_visible()
    expect(page.get_by_text("You are a member.")).to_be_visible()
    expect(page.get_by_role("link", name="Officer dashboard")).to_have_count(0)


@pytest.mark.e2e
def test_officer_files_the_annual_report(page):
    from isoc.chapters.models import AnnualReport

    chapter, chair = _chartered_chapter()
    sign_in(page, chair.email)
    page.goto(chapter.get_absolute_url())
    page.get_by_role("link", name="Officer dashboard").click()
    expect(page.get_by_role("heading", name="Officer dashboard")).to_be_visible()
    page.get_by_role("link", name="File the annual report").click()

    # Sent empty: the errors are tied to their fields, nothing is filed.
    page.get_by_label("Membership count").fill("")
    page.get_by_role("button", name="File the report").click()
    activities = page.get_by_label("Activities")
    expect(activities).to_have_attribute("aria-invalid", "true")
    assert AnnualReport.objects.count() == 0

    activities.fill("Four meetups, a Tallinn IGF and an IPv6 workshop.")
    page.get_by_label(re.compile(r"^Events")).fill("Tallinn IGF")
    page.get_by_label("Membership count").fill("25")
    page.get_by_label("Income").fill("1200.50")
    page.get_by_label("Expenses").fill("800")
    page.get_by_label("Currency").select_option("EUR")
    page.get_by_role("button", name="File the report").click()

    expect(page.get_by_role("status")).to_contain_text("The annual report was filed.")
    reports = page.get_by_role("table", name="Reports filed")
    expect(reports).to_contain_text("€1,200.50")
    report = AnnualReport.objects.get()
    assert (report.filed_by, report.membership_count, str(report.income)) == (chair, 25, "1200.50")


@pytest.mark.e2e
def test_chair_appoints_a_voting_delegate_and_ends_a_term(page):
    from crawl import axe_violations, describe, page_problems

    from isoc.chapters import services as cs
    from isoc.chapters.models import OfficerTerm

    chapter, chair = _chartered_chapter()
    newcomer = make_person("mari@example.ee", first_name="Mari", last_name="Mets", country="EE")
    cs.join(newcomer, chapter)  # a chapter member, not an Internet Society member
    sign_in(page, chair.email)
    page.goto(f"/chapters/{chapter.slug}/dashboard/")
    form = page.locator("form", has=page.get_by_role("button", name="Appoint", exact=True))

    # Refused: the voting delegate must be an Internet Society member. The error is on the
    # field, the choices typed are kept, and the page with the error passes axe.
    form.get_by_label("Member").select_option(label="Mari Mets <mari@example.ee>")
    form.get_by_label("Role").select_option("voting-delegate")
    form.get_by_label("First day in office").fill(timezone_today())
    form.get_by_role("button", name="Appoint", exact=True).click()
    member = form.get_by_label("Member")
    expect(member).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_text("The voting delegate must be an Internet Society member.")).to_be_visible()
    expect(form.get_by_label("Role")).to_have_value("voting-delegate")
    violations = axe_violations(page)
    assert not violations, describe(page.url, violations)
    assert not page_problems(page)
    assert not OfficerTerm.objects.filter(role="voting-delegate").exists()

    member.select_option(label="Liis5 Tamm <ee5@example.ee>")
    page.get_by_role("button", name="Appoint", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("Liis5 Tamm is appointed Voting delegate.")
    history = page.get_by_role("table", name="Every appointment and end of a term, newest first")
    expect(history.locator("tbody tr").first).to_contain_text("Voting delegate")
    assert cs.voting_delegate(chapter).email == "ee5@example.ee"

    page.get_by_role("button", name="End the term of Liis2 Tamm as Treasurer").click()
    expect(page.get_by_role("status")).to_contain_text("The term of Liis2 Tamm as Treasurer ends on")
    expect(history.locator("tbody tr").first).to_contain_text("Term ended")
    assert OfficerTerm.objects.get(role="treasurer").ends_on is not None


def timezone_today() -> str:
    from django.utils import timezone

    return timezone.localdate().isoformat()
