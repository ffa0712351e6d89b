"""Moving an election forward (services.advance, the admin actions, the CLI) and
challenges to a certified result."""

from __future__ import annotations

import pytest
from election_helpers import run_until
from typer.testing import CliRunner

from isoc.elections import models as em
from isoc.elections import services as es
from isoc.members.services import RuleViolation

S = em.State


@pytest.fixture
def certified(election, community, staff, staff2, clock):
    run_until(election, "voting", staff, clock)
    contest = election.contests.get(electorate__slug="sustaining")
    es.cast_ballot(contest, community.sustaining[0], [es.candidates(contest)[0].pk])
    clock.set(election.voting_closes)
    es.close_voting(election, staff)
    es.approve_certification(election, staff)
    es.approve_certification(election, staff2)
    election.refresh_from_db()
    return election


def test_a_pending_challenge_blocks_seating_until_dismissed(certified, person, staff, clock):
    challenge = es.file_challenge(certified, person, "The count left out a ballot.")
    clock.set(max(certified.challenge_ends, certified.seating))
    with pytest.raises(RuleViolation, match="undecided") as exc:
        es.seat_trustees(certified, staff)
    assert exc.value.code == "challenge_pending"
    with pytest.raises(RuleViolation, match="Only staff"):
        es.decide_challenge(challenge, person, "dismissed", "No ballot was left out.")
    with pytest.raises(RuleViolation, match="reasons"):
        es.decide_challenge(challenge, staff, "dismissed", " ")
    es.decide_challenge(challenge, staff, "dismissed", "No ballot was left out.")
    with pytest.raises(RuleViolation, match="already been decided"):
        es.decide_challenge(challenge, staff, "upheld", "Changed my mind.")
    assert es.seat_trustees(certified, staff)
    kinds = list(certified.events.values_list("kind", flat=True))
    assert "challenge_filed" in kinds and "challenge_dismissed" in kinds


def test_an_upheld_challenge_refuses_seating(certified, person, staff, clock):
    es.decide_challenge(es.file_challenge(certified, person, "Wrong roll."), staff, "upheld", "The roll was wrong.")
    clock.set(max(certified.challenge_ends, certified.seating))
    with pytest.raises(RuleViolation, match="upheld"):
        es.seat_trustees(certified, staff)


def test_challenges_only_during_the_challenge_period(certified, election, person, clock):
    clock.set(certified.challenge_ends)
    with pytest.raises(RuleViolation, match="ended"):
        es.file_challenge(certified, person, "Late.")
    with pytest.raises(RuleViolation, match="grounds"):
        clock.set(certified.certified_at)
        es.file_challenge(certified, person, "  ")
    assert not em.Challenge.objects.exists()


def test_advance_goes_one_stage_at_a_time_through_the_services(election, community, staff, clock):
    clock.set(election.nominations_open)
    with pytest.raises(RuleViolation, match="next stage"):
        es.advance(election, S.VOTING, staff)
    assert es.advance(election, S.NOMINATIONS, staff).state == S.NOMINATIONS
    contest = election.contests.first()
    keep = es.nominate(contest, name="On Slate", email="slate@example.com")
    other = es.nominate(contest, name="Petitioner", email="pet@example.com")
    clock.set(election.nominations_close)
    es.advance(election, S.SLATE, staff)
    es.advance(election, S.PETITIONS, staff, slate=[keep])
    keep.refresh_from_db()
    other.refresh_from_db()
    assert (keep.status, other.status) == ("slate", "petition")


def test_admin_actions_move_the_election_and_show_refusals(election, community, staff, clock, client):
    clock.set(election.nominations_open)
    client.force_login(staff)  # after the clock moves, or the session has expired
    url = "/admin/elections/election/"
    page = client.post(url, {"action": "advance_to_voting", "_selected_action": [election.pk]}, follow=True)
    assert "next stage" in page.content.decode()
    client.post(url, {"action": "advance_to_nominations", "_selected_action": [election.pk]})
    election.refresh_from_db()
    assert election.state == S.NOMINATIONS
    contest = election.contests.first()
    n = es.nominate(contest, name="On Slate", email="slate@example.com")
    clock.set(election.nominations_close)
    client.force_login(staff)
    client.post(url, {"action": "advance_to_slate", "_selected_action": [election.pk]})
    form = client.post(url, {"action": "publish_slate", "_selected_action": [election.pk]})
    assert form.status_code == 200 and "On Slate" in form.content.decode()
    client.post(url, {"action": "publish_slate", "_selected_action": [election.pk], "apply": "1", "slate": [n.pk]})
    election.refresh_from_db()
    n.refresh_from_db()
    assert election.state == S.PETITIONS and n.status == "slate"


def test_admin_decides_a_challenge(certified, person, staff, client):
    challenge = es.file_challenge(certified, person, "Recount please.")
    client.force_login(staff)  # the clock stands at the certification
    url = "/admin/elections/challenge/"
    assert "Recount please." in client.post(url, {"action": "decide_challenges",
                                                  "_selected_action": [challenge.pk]}).content.decode()
    client.post(url, {"action": "decide_challenges", "_selected_action": [challenge.pk], "apply": "1",
                      "decision": "dismissed", "reasons": "Counted twice already."})
    challenge.refresh_from_db()
    assert challenge.decision == "dismissed" and challenge.decided_by == staff


def test_cli_advance_pretends_unless_commit(election, community, staff, clock, monkeypatch):
    from isoc.site.cli import app

    monkeypatch.setattr("isoc.site.cli.setup_django", lambda: None)
    clock.set(election.nominations_open)
    runner = CliRunner()
    args = ["elections", "advance", election.slug, "--to", "nominations", "--by", staff.email]
    dry = runner.invoke(app, args)
    assert dry.exit_code == 0, dry.output
    assert "would move draft → nominations" in dry.output and "call_for_nominations" in dry.output
    election.refresh_from_db()
    assert election.state == S.DRAFT and not election.events.filter(kind="call_for_nominations").exists()
    done = runner.invoke(app, [*args, "--commit"])
    assert done.exit_code == 0 and "moved draft → nominations" in done.output
    election.refresh_from_db()
    assert election.state == S.NOMINATIONS
    refused = runner.invoke(app, ["elections", "advance", election.slug, "--to", "voting", "--by", staff.email])
    assert refused.exit_code == 1 and "refused" in refused.output
    not_staff = runner.invoke(app, ["elections", "advance", election.slug, "--to", "slate",
                                    "--by", community.sustaining[0].email])
    assert not_staff.exit_code == 2
