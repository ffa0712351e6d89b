"""A learner finds a course in the catalog, signs in from its page, enrols, reads every
lesson with next/previous, passes the module's quiz, downloads the certificate PDF (its
first page rendered with pdftoppm and read: the learner's name is on it) and verifies the
code on the public page, as anyone would."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from e2e_ui import make_person, submit_login
from playwright.sync_api import expect

SMOKE = Path(__file__).resolve().parents[2] / "src" / "isoc" / "learning" / "demo_courses" / "demo-smoke-en"


@pytest.mark.e2e
def test_learner_completes_a_course_and_verifies_the_certificate(page, mailbox, tmp_path):
    from PIL import Image

    from isoc.learning import services
    from isoc.learning.models import QuizAttempt

    shutil.copytree(SMOKE, tmp_path / "course")
    services.import_course(tmp_path / "course", publish_it=True)
    make_person("radia@example.net", first_name="Radia", last_name="Perlman")

    page.goto("/learning/")
    page.get_by_label("Level").select_option("beginner")
    page.get_by_role("button", name="Show").click()
    page.get_by_role("link", name="How packets travel").click()
    page.get_by_role("link", name="Sign in to enrol").click()
    submit_login(page, "radia@example.net", "correct-horse-battery-staple")
    expect(page).to_have_url(re.compile(r"/learning/en/how-packets-travel/$"))
    page.get_by_role("button", name="Enrol").click()
    expect(page.get_by_role("status")).to_contain_text("You are enrolled.")

    # Every lesson in turn, then the quiz at the end of the module.
    page.get_by_role("link", name="Start the course").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Why data travels in packets")
    expect(page.get_by_role("img", name="A message cut into three numbered packets")).to_be_visible()
    page.get_by_role("link", name="Next: Addresses: IPv4 and IPv6").click()
    page.get_by_role("link", name="Previous: Why data travels in packets").click()
    page.get_by_role("link", name="Next: Addresses: IPv4 and IPv6").click()
    page.get_by_role("link", name="Next: How a router chooses the next hop").click()
    expect(page.get_by_text("3 of 3 lessons seen.")).to_be_visible()
    page.get_by_role("link", name=re.compile(r"^Quiz: ")).click()
    page.get_by_role("button", name="Start the quiz").click()
    attempt = QuizAttempt.objects.get()
    for question in attempt.questions:
        group = page.get_by_role("group", name=re.compile(re.escape(question["prompt"])))
        if question["kind"] == "short":
            group.get_by_label("Your answer").fill("  bgp ")
        else:
            for choice in question["choices"]:
                if choice["correct"]:
                    group.get_by_label(choice["text"], exact=True).check()
    page.get_by_role("button", name="Submit my answers").click()
    expect(page.get_by_test_id("attempt-result")).to_contain_text("Passed: 100.00%")
    expect(page.get_by_role("status")).to_contain_text("You have completed the course.")

    # The certificate: a PDF whose first page shows the learner's name.
    with page.expect_download() as download:
        page.get_by_role("link", name="Download your certificate (PDF)").click()
    pdf = tmp_path / "certificate.pdf"
    download.value.save_as(pdf)
    subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "page")], check=True)
    (png,) = tmp_path.glob("page*.png")
    with Image.open(png) as image:
        darkest, lightest = image.convert("L").getextrema()
        assert image.width > image.height and darkest < 100 < lightest  # landscape, with ink on it
    text = subprocess.run(["pdftotext", "-f", "1", "-l", "1", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    code = attempt.enrolment.certificate.code
    assert "Radia Perlman" in text and "How packets travel" in text and code in text
    assert code in mailbox.body(mailbox.last_to("radia@example.net"))

    # Anyone can check the code; a mistyped one is told apart.
    visitor = page.context.browser.new_context(base_url=page.url.split("/learning/")[0]).new_page()
    visitor.goto("/learning/certificates/verify/")
    visitor.get_by_label("Verification code").fill(code.lower())
    visitor.get_by_role("button", name="Verify").click()
    expect(visitor.get_by_test_id("verification")).to_contain_text("Valid certificate.")
    expect(visitor.get_by_test_id("verification")).to_contain_text("Radia Perlman completed “How packets travel”")
    visitor.get_by_label("Verification code").fill(code[:-1] + ("A" if code[-1] != "A" else "B"))
    visitor.get_by_role("button", name="Verify").click()
    expect(visitor.get_by_test_id("verification")).to_contain_text("This is not a valid code.")
    visitor.close()
