"""A visitor assesses a policy against the Internet Way of Networking step by step
(answers kept when going back), reads the report, downloads its PDF, and shares the
read-only link; the edit link shown once lets them edit from another browser."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest
from playwright.sync_api import expect

from isoc.iwn.questionnaire import CURRENT

ROUTING = CURRENT.steps[2]


def answer(page, question_text: str, label: str) -> None:
    page.get_by_role("group", name=question_text).get_by_label(label, exact=True).check()


@pytest.mark.e2e
def test_complete_an_assessment_see_the_report_and_download_its_pdf(page, new_page, tmp_path):
    page.goto("/impact-assessment/")
    expect(page.get_by_role("heading", name="The critical properties")).to_be_visible()
    page.get_by_role("link", name="Start an assessment").click()
    page.get_by_label("Title").fill("National gateway decree")
    page.get_by_label("The policy or proposal assessed").fill("All international traffic through two gateways.")
    page.get_by_role("button", name="Start the questionnaire").click()

    expect(page.get_by_text("Step 1 of 9")).to_be_visible()
    edit_link = page.get_by_test_id("edit-link").locator("code").inner_text()
    assert re.search(r"/impact-assessment/[\w-]+/edit/[\w-]+/$", edit_link)
    answer(page, CURRENT.steps[0].parts[0].questions[0].text, "No")
    page.get_by_role("button", name="Next").click()
    expect(page.get_by_text("Step 2 of 9")).to_be_visible()
    page.get_by_role("button", name="Next").click()
    expect(page.get_by_role("heading", name=ROUTING.title, exact=True)).to_be_visible()
    answer(page, ROUTING.parts[0].questions[0].text, "Yes")
    answer(page, ROUTING.parts[0].questions[1].text, "Not sure")
    page.get_by_role("button", name="Next").click()
    page.get_by_role("button", name="Back").click()  # saved on the way: still answered
    expect(page.get_by_role("group", name=ROUTING.parts[0].questions[0].text).get_by_label("Yes", exact=True)).to_be_checked()
    page.get_by_role("link", name=CURRENT.steps[-1].title).click()
    page.get_by_role("button", name="See the report").click()

    expect(page.get_by_role("heading", name="National gateway decree")).to_be_visible()
    expect(page.get_by_test_id("verdict")).to_have_text("May harm")
    expect(page.get_by_text("Central control of routing removes the independence")).to_be_visible()
    share_url = page.get_by_label("Read-only link to this report").input_value()

    with page.expect_download() as download:
        page.get_by_role("link", name="Download the report as PDF").click()
    pdf = tmp_path / "report.pdf"
    download.value.save_as(pdf)
    assert pdf.read_bytes().startswith(b"%PDF")
    if shutil.which("pdftotext"):
        text = " ".join(subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                                       check=True).stdout.split())
        assert "National gateway decree" in text and "Decentralised management" in text

    # Someone else with the share link reads it and cannot change it.
    reader = new_page()
    reader.goto(share_url)
    expect(reader.get_by_test_id("verdict")).to_have_text("May harm")
    expect(reader.get_by_role("button", name="Delete this assessment")).to_have_count(0)
    # The author's edit link opens the questionnaire in another browser.
    author_elsewhere = new_page()
    author_elsewhere.goto(edit_link)
    expect(author_elsewhere.get_by_text("Step 1 of 9")).to_be_visible()
