"""An applicant who completed the prerequisite course on the learning platform applies to
a fellowship over two visits (draft, then submit with a CV); a reviewer scores the
application without seeing the name; staff assign the reviewer, select the application
and notify; the applicant sees the decision on their page and by email."""

from __future__ import annotations

import re
import shutil
from datetime import timedelta

import pytest
from e2e_ui import make_person, sign_in
from playwright.sync_api import expect

FORM = [
    {"name": "motivation", "label": "Why this programme", "kind": "long_text", "required": True},
    {"name": "sector", "label": "Sector", "kind": "choice", "required": True,
     "choices": ["Civil society", "Technical community", "Government"]},
    {"name": "cv", "label": "Your CV", "kind": "file", "required": True, "allowed_types": ["pdf"],
     "max_size": 100_000},
]


@pytest.fixture
def call_with_prerequisite(tmp_path):
    """A call open now whose track requires the learning platform's small course, which
    the applicant completes through the learning services."""
    from django.utils import timezone
    from tests.learning.conftest import SMOKE, complete_course

    from isoc.fellowships.models import Call, Programme
    from isoc.fellowships.seed import seed
    from isoc.learning import services as learning

    seed()
    staff = make_person("secretariat@example.net", staff=True, first_name="Sam", last_name="Secretariat")
    shutil.copytree(SMOKE, tmp_path / "course")
    course = learning.import_course(tmp_path / "course", publish_it=True, actor=staff)
    programme = Programme.objects.get(slug="next-generation-leaders")
    programme.tracks.create(slug="governance", name="Governance", prerequisite_course=course)
    now = timezone.now()
    call = Call.objects.create(
        programme=programme, slug="ngl-e2e", year=now.year, title="Next Generation Leaders E2E",
        opens_at=now - timedelta(days=3), closes_at=now + timedelta(days=20), time_zone="Africa/Nairobi",
        status=Call.Status.PUBLISHED, form=FORM, places=1, blind_review=True,
        rubric=[{"key": "fit", "label": "Fit", "weight": 1, "max": 5}], targets={"gender": {"woman": 1}})
    applicant = make_person("wanjiru@example.net", first_name="Wanjiru", last_name="Kamau", country="KE")
    complete_course(learning.enrol(applicant, course))
    assert learning.has_completed(applicant, course)
    make_person("rita@example.net", first_name="Rita", last_name="Reviewer", country="FR")
    return call


@pytest.mark.e2e
def test_apply_review_select_and_see_the_decision(page, new_page, mailbox, call_with_prerequisite, tmp_path):
    call = call_with_prerequisite
    cv = tmp_path / "wanjiru-kamau-cv.pdf"
    cv.write_bytes(b"%PDF-1.4\n% Wanjiru Kamau CV\n%%EOF\n")

    # First visit: the applicant finds the call and saves a draft.
    sign_in(page, "wanjiru@example.net")
    page.goto("/fellowships/")
    page.get_by_role("link", name="Next Generation Leaders E2E").click()
    expect(page.get_by_text("Completed the course")).to_be_visible()
    page.get_by_role("link", name="Start an application").click()
    page.get_by_label("Track").select_option("governance")
    page.get_by_label("Why this programme").fill("I run a community network in Kisumu.")
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_role("status")).to_contain_text("Your draft is saved.")

    # Second visit: the draft is there; the rest is filled in, the CV uploaded, submitted.
    page.goto("/fellowships/applications/")
    page.get_by_role("link", name="Next Generation Leaders E2E").click()
    expect(page.get_by_label("Why this programme")).to_have_value("I run a community network in Kisumu.")
    page.get_by_label("Date of birth").fill("2001-04-12")
    page.get_by_label("Country of residence").select_option("KE")
    page.get_by_label("Gender").select_option("woman")
    page.get_by_label("Sector").select_option("Civil society")
    page.get_by_label("Your CV").set_input_files(str(cv))
    page.get_by_role("button", name="Submit application").click()
    expect(page.get_by_role("status")).to_contain_text("Your application is submitted.")
    expect(page.get_by_test_id("status")).to_have_text("Submitted")
    application_url = page.url

    # Staff assign a reviewer on the selection page.
    staff = new_page()
    sign_in(staff, "secretariat@example.net")
    staff.goto(f"/fellowships/calls/{call.slug}/manage/")
    row = staff.get_by_role("row").filter(has_text="Wanjiru Kamau")
    row.get_by_label("Reviewer's email").fill("rita@example.net")
    row.get_by_role("button", name="Assign").click()
    expect(staff.get_by_role("status")).to_contain_text("The reviewer is assigned.")

    # The reviewer scores it without seeing who applied.
    reviewer = new_page()
    sign_in(reviewer, "rita@example.net")
    reviewer.goto("/fellowships/review/")
    reviewer.get_by_role("link", name=re.compile(r"^Application \d+$")).click()
    expect(reviewer.get_by_test_id("answers")).to_contain_text("I run a community network in Kisumu.")
    content = reviewer.content()
    assert "Wanjiru" not in content and "Kamau" not in content and "wanjiru@example.net" not in content
    expect(reviewer.get_by_role("link", name="cv (PDF)")).to_be_visible()
    reviewer.get_by_label("Fit").fill("5")
    reviewer.get_by_role("button", name="Save review").click()
    expect(reviewer.get_by_role("status")).to_contain_text("Your review is saved.")

    # Staff select it, with a reason, and notify.
    staff.reload()
    row = staff.get_by_role("row").filter(has_text="Wanjiru Kamau")
    expect(row.get_by_role("cell").first).to_have_text("1")
    row.get_by_label("Outcome").select_option("accepted")
    row.get_by_label("Reason").fill("Ranked first; strong community work.")
    row.get_by_role("button", name="Record").click()
    expect(staff.get_by_test_id("selected")).to_have_text("1 selected of 1 places.")
    staff.get_by_role("button", name="Email the decisions").click()
    expect(staff.get_by_role("status")).to_contain_text("1 applicants are being told their decision by email.")

    # The applicant sees the decision, and got it by email.
    page.goto(application_url)
    expect(page.get_by_test_id("status")).to_have_text("Accepted")
    expect(page.get_by_test_id("decision")).to_contain_text("Congratulations")
    expect(page.get_by_text("Ranked first; strong community work.")).to_be_visible()
    message = mailbox.last_to("wanjiru@example.net")
    assert message["Subject"] == "Accepted: Next Generation Leaders E2E"
    assert "Ranked first; strong community work." in mailbox.body(message)
