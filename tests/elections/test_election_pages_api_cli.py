"""The election pages, the ballot form, the published ballots, the API and the CLI."""

from __future__ import annotations

import json

import pytest
from election_helpers import run_until
from typer.testing import CliRunner

from isoc.elections import models as em
from isoc.elections import services as es


@pytest.fixture
def voting(election, community, staff, clock):
    return run_until(election, "voting", staff, clock)


def test_election_page_shows_calendar_candidates_and_the_frozen_chapters(client, voting):
    page = client.get(f"/elections/{voting.slug}/").content.decode()
    assert "Voting opens" in page and "Nominee chapters 0" in page and "I will serve." in page
    assert "Estonia Chapter" in page and "Latvia Chapter" not in page
    assert client.get("/elections/").status_code == 200


def test_a_delegate_votes_changes_the_ballot_and_keeps_only_the_last_receipt(client, voting, community):
    delegate = community.delegates[0]
    client.force_login(delegate)
    roll = em.RollEntry.objects.get(voter=delegate)
    a, b, _ = es.candidates(roll.contest)
    first = client.post(f"/elections/{voting.slug}/ballot/", {"roll": roll.pk, "choice": [a.pk]})
    assert first.status_code == 200 and first["Cache-Control"] == "no-store"
    receipt1 = first.context["receipt"]
    second = client.post(f"/elections/{voting.slug}/ballot/", {"roll": roll.pk, "choice": [b.pk]})
    receipt2 = second.context["receipt"]
    assert receipt1 != receipt2 and receipt2 in second.content.decode()
    assert list(em.Ballot.objects.values_list("receipt", flat=True)) == [receipt2]


def test_the_ballot_refuses_someone_not_on_the_roll(client, voting, community):
    client.force_login(community.outsider)
    page = client.get(f"/elections/{voting.slug}/ballot/").content.decode()
    assert "You are not on the roll" in page
    response = client.post(f"/elections/{voting.slug}/ballot/", {"roll": 1, "choice": [1]})
    assert response.status_code == 409 and not em.Ballot.objects.exists()


def test_ballots_and_results_are_published_only_after_the_close_and_the_cli_recounts_them(
        client, voting, community, staff, clock, tmp_path):
    org = voting.contests.get(electorate__slug="organizations")
    a, b, _ = es.candidates(org)
    receipt = es.cast_ballot(org, community.representatives[2], [a.pk, b.pk])
    assert client.get(f"/elections/{voting.slug}/ballots.json").status_code == 404
    assert client.get(f"/api/v1/elections/{voting.slug}/ballots").status_code == 409
    clock.set(voting.voting_closes)
    es.close_voting(voting, staff)
    body = client.get(f"/elections/{voting.slug}/ballots.json").content
    data = json.loads(body)
    assert receipt in body.decode()
    api = client.get(f"/api/v1/elections/{voting.slug}/ballots").json()
    assert api == data
    results = client.get(f"/api/v1/elections/{voting.slug}/results").json()
    assert results["turnout"]["organizations"] == {"units": 3, "voted_units": 1, "weight": 10, "voted_weight": 6}
    path = tmp_path / "ballots.json"
    path.write_bytes(body)
    from isoc.site.cli import app

    out = CliRunner().invoke(app, ["elections", "tally", str(path), "--json"])
    assert out.exit_code == 0, out.output
    assert json.loads(out.output) == results["results"]
    text = CliRunner().invoke(app, ["elections", "tally", str(path)]).output
    assert f"{a.pk}: 6  elected" in text
    page = client.get(f"/elections/{voting.slug}/results/").content.decode()
    assert "Turnout: 1 of 3 voting units" in page


def test_the_cli_rejects_a_file_that_is_not_ballots(tmp_path):
    from isoc.site.cli import app

    bad = tmp_path / "x.json"
    bad.write_text('{"hello": 1}')
    out = CliRunner().invoke(app, ["elections", "tally", str(bad)])
    assert out.exit_code == 1 and "not a ballots file" in out.output


def test_api_lists_elections_and_candidates(client, voting):
    listing = client.get("/api/v1/elections/").json()
    assert listing["count"] == 1 and listing["items"][0]["slug"] == voting.slug
    assert {c["electorate"]: c["roll_units"] for c in listing["items"][0]["contests"]} == {
        "chapters": 2, "organizations": 3, "sustaining": 3}
    cands = client.get(f"/api/v1/elections/{voting.slug}/candidates").json()
    assert len(cands) == 9 and all(c["status"] == "candidate" for c in cands)
    assert client.get("/api/v1/elections/nope").status_code == 404


def test_staff_certify_through_the_page_and_one_person_cannot_do_it_twice(client, voting, staff, staff2, clock):
    clock.set(voting.voting_closes)
    es.close_voting(voting, staff)
    client.force_login(staff)
    client.post(f"/elections/{voting.slug}/certify/")
    page = client.post(f"/elections/{voting.slug}/certify/", follow=True).content.decode()
    assert "second, different staff member" in page
    voting.refresh_from_db()
    assert voting.state == "tallied"
    client.force_login(staff2)
    client.post(f"/elections/{voting.slug}/certify/")
    voting.refresh_from_db()
    assert voting.state == "certified"


def test_demo_makes_an_election_at_each_stage_one_can_take_part_in(db, client):
    from isoc.elections import demo
    from isoc.members import demo as members_demo

    members_demo.generate(people=60, organizations=8, seed=1, reset=True)
    assert demo.generate() == {"elections": 4}
    assert demo.generate() == {"elections": 0}  # idempotent
    states = dict(em.Election.objects.values_list("slug", "state"))
    assert states == {demo.CERTIFIED: "certified", demo.IN_PROGRESS: "voting", demo.PETITIONS: "petitions",
                      demo.NOMINATIONS: "nominations"}
    assert em.Election.objects.filter(is_demo=False).count() == 0
    # Something to show on every participation page.
    nominations = em.Election.objects.get(slug=demo.NOMINATIONS)
    assert es.nominations_open(nominations) and em.Nomination.objects.filter(contest__election=nominations).count() == 6
    petitions = em.Election.objects.get(slug=demo.PETITIONS)
    assert es.petitions_open(petitions)
    petitioners = em.Nomination.objects.filter(contest__election=petitions, status="petition")
    assert petitioners.count() == 6 and any(es.petition_support(n) for n in petitioners)
    voting = em.Election.objects.get(slug=demo.IN_PROGRESS)
    answered = em.ForumPost.objects.filter(nomination__contest__election=voting).exclude(answer="")
    assert answered.exists() and all(p.nomination.person_id for p in answered)
    certified = em.Election.objects.get(slug=demo.CERTIFIED)
    assert es.challenges_open(certified)
    assert sorted(certified.challenges.values_list("decision", flat=True)) == ["", "dismissed"]
    for e in em.Election.objects.all():
        assert client.get(f"/elections/{e.slug}/").status_code == 200
    assert client.get(f"/elections/{demo.PETITIONS}/petitions/").status_code == 200
    demo.generate(reset=True)
    assert em.Election.objects.filter(is_demo=True).count() == 4
    # What `isoc demo --reset` does: the elections go first (their approvals hold on to
    # the demo returning officers), then the members' demo can go.
    demo.remove()
    members_demo.delete_demo()
    assert not em.Election.objects.exists() and not em.Nomination.objects.exists()
