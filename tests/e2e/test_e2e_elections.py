"""Elections in a browser: a chapter delegate votes, changes the ballot, and after the
close finds their receipt among the published ballots; two staff members certify the
count with their own accounts (one alone cannot). A person stands as a candidate, a
sustaining member asks her a question in the forum, and she answers it."""

from __future__ import annotations

import importlib.util
import re
from datetime import timedelta
from pathlib import Path

import pytest
from e2e_ui import make_person, sign_in
from playwright.sync_api import expect

_spec = importlib.util.spec_from_file_location(
    "election_helpers", Path(__file__).resolve().parents[1] / "elections" / "election_helpers.py")
fixtures = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(fixtures)


@pytest.mark.e2e
def test_delegate_votes_changes_ballot_finds_receipt_and_two_staff_certify(page, new_page, monkeypatch):
    from itertools import count

    from isoc.elections import services as es
    from isoc.elections.seed import seed

    seed()
    numbers = count(1)
    clock = fixtures.Clock(monkeypatch)
    staff = make_person("officer-one@example.org", staff=True, first_name="Olive", last_name="One")
    staff2 = make_person("officer-two@example.org", staff=True, first_name="Tom", last_name="Two")
    community = fixtures.make_community(lambda **f: make_person(f"e2e-voter{next(numbers)}@example.net", **f),
                                        staff, clock)
    clock.set(fixtures.T0 - timedelta(days=1))
    election = es.create_election(slug="bot-e2e", title="Board election E2E", nominations_open=fixtures.T0,
                                  actor=staff)
    fixtures.run_until(election, "voting", staff, clock)
    clock.set(election.voting_opens + timedelta(days=1))
    delegate = community.delegates[0]

    sign_in(page, delegate.email)
    page.goto(f"/elections/{election.slug}/")
    page.get_by_role("link", name="Vote or change your ballot").click()
    ballot = page.get_by_role("group", name=re.compile("Chapters: voting for Estonia Chapter"))
    ballot.get_by_label("Nominee chapters 0").check()
    page.get_by_role("button", name="Cast ballot").click()
    first = page.locator("#receipt").inner_text()
    expect(page.get_by_role("status")).to_contain_text("Your vote is recorded")
    # Changing the ballot: a new receipt replaces the first.
    page.get_by_role("group", name=re.compile("Chapters")).get_by_label("Nominee chapters 1").check()
    page.get_by_role("group", name=re.compile("Chapters")).get_by_label("Nominee chapters 2").check()
    expect(page.get_by_text("You have voted. Submitting again replaces your ballot.")).to_be_visible()
    page.get_by_role("button", name="Cast ballot").click()
    second = page.locator("#receipt").inner_text()
    assert re.fullmatch(r"[A-Z2-9]{4}(-[A-Z2-9]{4}){3}", second) and second != first

    clock.set(election.voting_closes)
    es.close_voting(election, staff)
    page.goto(f"/elections/{election.slug}/")
    page.get_by_role("link", name="Published ballots (JSON)").click()
    body = page.locator("body").inner_text()
    assert second in body and first not in body

    officer = new_page()
    sign_in(officer, staff.email)
    officer.goto(f"/elections/{election.slug}/results/")
    expect(officer.get_by_text("Turnout: 1 of 2 voting units")).to_be_visible()
    officer.get_by_role("button", name="Approve the count").click()
    expect(officer.get_by_text("Your approval is recorded.")).to_be_visible()
    expect(officer.get_by_role("button", name="Approve the count")).to_have_count(0)  # not twice
    other = new_page()
    sign_in(other, staff2.email)
    other.goto(f"/elections/{election.slug}/results/")
    expect(other.get_by_text("Approved by Olive One")).to_be_visible()
    other.get_by_role("button", name="Approve the count").click()
    expect(other.get_by_text(re.compile("Certified .*challenge period until"))).to_be_visible()


@pytest.mark.e2e
def test_a_member_stands_a_voter_asks_and_the_candidate_answers(page, new_page, monkeypatch):
    """The public side of an election: standing during nominations with the site's form,
    then in the candidate forum a sustaining member's question and the candidate's answer."""
    from isoc.elections import models as em
    from isoc.elections import services as es
    from isoc.elections.seed import seed
    from isoc.members import services as ms

    seed()
    clock = fixtures.Clock(monkeypatch)
    staff = make_person("officer@example.org", staff=True, first_name="Olive", last_name="Officer")
    candidate = make_person("cara@example.net", first_name="Cara", last_name="Candidate")
    at = clock.set(fixtures.T0 - timedelta(days=60))  # a sustaining member well before the cut-off
    voter = make_person("vic@example.net", first_name="Vic", last_name="Voter")
    fixtures._paid(ms.join(voter, "sustaining", at=at).terms.get().invoice, at)
    clock.set(fixtures.T0 - timedelta(days=1))
    election = es.create_election(slug="bot-e2e-forum", title="Board election forum E2E",
                                  nominations_open=fixtures.T0, actor=staff)
    fixtures.run_until(election, "nominations", staff, clock)

    sign_in(page, candidate.email)
    page.goto(f"/elections/{election.slug}/")
    page.get_by_role("link", name="Stand for election").click()
    expect(page.get_by_label(re.compile(r"^Name:?$"))).to_have_value("Cara Candidate")
    page.get_by_label("Contest").select_option(label="Sustaining members")
    page.get_by_label("Statement").fill("I will keep the Board close to its members.")
    page.get_by_role("button", name="Submit my nomination").click()
    expect(page.get_by_role("status")).to_contain_text("Your nomination for the Sustaining members seats is recorded")

    # The committee puts her on the slate; petitions close and the forum opens.
    nomination = em.Nomination.objects.get(person=candidate)
    clock.set(election.nominations_close)
    es.close_nominations(election, staff)
    es.publish_slate(election, [nomination], staff)
    clock.set(election.petitions_close)
    es.close_petitions(election, staff)
    clock.set(election.petitions_close + timedelta(days=1))

    asking = new_page()
    sign_in(asking, voter.email)
    asking.goto(f"/elections/{election.slug}/")
    asking.get_by_role("link", name="Ask Cara Candidate a question").click()
    asking.get_by_label("Your question").fill("How will you hear sustaining members?")
    asking.get_by_role("button", name="Ask the question").click()
    expect(asking.get_by_role("status")).to_contain_text("Your question to Cara Candidate is published")

    answering = new_page()  # her first session has expired with the weeks that passed
    sign_in(answering, candidate.email)
    answering.goto(f"/elections/{election.slug}/")
    expect(answering.get_by_text("How will you hear sustaining members?")).to_be_visible()
    answering.get_by_label("Your answer").fill("A monthly open call.")
    answering.get_by_role("button", name="Publish the answer").click()
    expect(answering.get_by_role("status")).to_contain_text("Your answer is published.")
    expect(answering.get_by_text("A monthly open call.")).to_be_visible()
    assert em.ForumPost.objects.get().answer == "A monthly open call."
