"""Every transition of an election and its rules, happy and unhappy."""

from __future__ import annotations

from datetime import timedelta

import pytest
from election_helpers import T0, run_until

from isoc.elections import models as em
from isoc.elections import services as es
from isoc.elections import tally
from isoc.members.services import RuleViolation

S = em.State


def contest(election, slug):
    return election.contests.get(electorate__slug=slug)


def cands(election, slug):
    return list(es.candidates(contest(election, slug)))


def test_a_new_election_opens_a_contest_per_voting_electorate_with_every_seat_free(election):
    seats = {c.electorate.slug: c.seats for c in election.contests.all()}
    assert seats == {"chapters": 4, "organizations": 4, "sustaining": 1}
    assert election.events.get().kind == "created"


def test_staggered_terms_leave_only_the_seats_whose_terms_end(db, staff, clock):
    chapters = em.Electorate.objects.get(slug="chapters")
    clock.set(T0 - timedelta(days=1))
    for seat in chapters.seats.all()[:3]:
        em.Term.objects.create(seat=seat, holder="Sitting trustee", starts_at=T0 - timedelta(days=200),
                               ends_at=T0 + timedelta(days=900))
    e = es.create_election(slug="e", title="E", nominations_open=T0, actor=staff)
    assert contest(e, "chapters").seats == 1


def test_irv_refused_for_a_contest_with_several_seats(db, staff, clock):
    clock.set(T0)
    with pytest.raises(RuleViolation, match="Instant-runoff fills one seat"):
        es.create_election(slug="e", title="E", nominations_open=T0, method="irv", actor=staff)


def test_a_member_who_is_not_staff_cannot_create_or_move_an_election(election, person):
    with pytest.raises(RuleViolation, match="Only staff"):
        es.create_election(slug="x", title="X", nominations_open=T0, actor=person)
    with pytest.raises(RuleViolation, match="Only staff"):
        es.open_nominations(election, person)


def test_nothing_moves_before_its_date_or_out_of_order(election, staff, clock):
    clock.set(T0 - timedelta(hours=1))
    with pytest.raises(RuleViolation, match="before"):
        es.open_nominations(election, staff)
    with pytest.raises(RuleViolation, match="Draft"):
        es.close_nominations(election, staff)
    clock.set(T0)
    es.open_nominations(election, staff)
    with pytest.raises(RuleViolation, match="before"):
        es.close_nominations(election, staff)
    with pytest.raises(RuleViolation, match="stage"):
        es.open_voting(election, staff)


def test_anyone_may_stand_once_per_contest_until_nominations_close(election, staff, clock):
    run_until(election, "nominations", staff, clock)
    c = contest(election, "sustaining")
    n = es.nominate(c, name="Not A Member", email="Outside@Example.com", statement="Hello")
    assert n.person is None and n.email == "outside@example.com"
    with pytest.raises(RuleViolation, match="already stands"):
        es.nominate(c, name="Again", email="outside@example.com")
    with pytest.raises(RuleViolation, match="name"):
        es.nominate(c, name=" ", email="x@example.com")
    clock.set(election.nominations_close)
    with pytest.raises(RuleViolation, match="closed"):
        es.nominate(c, name="Late", email="late@example.com")


def test_the_roll_is_frozen_at_the_cutoff_with_weights(election, community, staff, clock):
    run_until(election, "slate", staff, clock)
    chapters = contest(election, "chapters").roll.all()
    assert sorted(r.label for r in chapters) == ["Estonia Chapter", "Finland Chapter"]  # not Latvia (forming)
    assert {r.voter for r in chapters} == set(community.delegates)
    orgs = {r.label: r.weight for r in contest(election, "organizations").roll.all()}
    assert orgs == {"Org of tier 1": 1, "Org of tier 3": 3, "Org of tier 6": 6}
    assert contest(election, "sustaining").roll.count() == 3
    assert election.events.filter(kind="nominations_closed", to_state=S.SLATE).exists()


def test_tier_weights_are_configuration(election, community, staff, clock):
    orgs = em.Electorate.objects.get(slug="organizations")
    orgs.weights = {"1": 1, "3": 2, "6": 10}
    orgs.save()
    run_until(election, "slate", staff, clock)
    assert sorted(contest(election, "organizations").roll.values_list("weight", flat=True)) == [1, 2, 10]


def test_petitions_need_distinct_voters_and_not_the_petitioners_own(election, community, staff, clock):
    orgs = em.Electorate.objects.get(slug="organizations")
    orgs.petition_threshold = 2
    orgs.save()
    run_until(election, "nominations", staff, clock)
    c = contest(election, "organizations")
    petitioner = es.nominate(c, name="Rep Three", email="rep3@example.com", person=community.representatives[2])
    weak = es.nominate(c, name="Weak", email="weak@example.com")
    slate = es.nominate(c, name="Slated", email="slated@example.com")
    clock.set(election.nominations_close)
    es.close_nominations(election, staff)
    es.publish_slate(election, [slate], staff)
    with pytest.raises(RuleViolation, match="not petitioning"):
        es.sign_petition(slate, community.representatives[0])
    with pytest.raises(RuleViolation, match="own support"):
        es.sign_petition(petitioner, community.representatives[2])
    with pytest.raises(RuleViolation, match="Only voters"):
        es.sign_petition(petitioner, community.delegates[0])
    es.sign_petition(petitioner, community.representatives[0])
    with pytest.raises(RuleViolation, match="already support"):
        es.sign_petition(petitioner, community.representatives[0])
    es.sign_petition(petitioner, community.representatives[1])
    es.sign_petition(weak, community.representatives[0])
    assert es.petition_support(petitioner) == 2 and es.petition_support(weak) == 1
    clock.set(election.petitions_close)
    with pytest.raises(RuleViolation, match="closed"):
        es.sign_petition(weak, community.representatives[1])
    es.close_petitions(election, staff)
    statuses = dict(c.nominations.values_list("name", "status"))
    assert statuses == {"Rep Three": "candidate", "Weak": "not_selected", "Slated": "candidate"}


def test_forum_questions_go_to_candidates_who_answer(election, community, staff, clock, person, new_person):
    run_until(election, "nominations", staff, clock)
    candidate_person = new_person()
    n = es.nominate(contest(election, "sustaining"), name="Cand", email=candidate_person.email, person=candidate_person)
    clock.set(election.nominations_close)
    es.close_nominations(election, staff)
    es.publish_slate(election, [n], staff)
    with pytest.raises(RuleViolation, match="forum is not open"):
        es.ask_question(n, person, "Why?")
    clock.set(election.petitions_close)
    es.close_petitions(election, staff)
    post = es.ask_question(n, person, "What will you do?")
    with pytest.raises(RuleViolation, match="Only the candidate"):
        es.answer_question(post, person, "Me?")
    es.answer_question(post, candidate_person, "Listen.")
    assert em.ForumPost.objects.get().answer == "Listen."


@pytest.fixture
def voting(election, community, staff, clock):
    run_until(election, "voting", staff, clock)
    return election


def test_a_delegate_of_a_chapter_not_in_good_standing_cannot_vote(voting, community):
    c = contest(voting, "chapters")
    with pytest.raises(RuleViolation, match="not on the roll") as exc:
        es.cast_ballot(c, community.outsider, [cands(voting, "chapters")[0].pk])
    assert exc.value.code == "not_on_roll"
    assert not em.Ballot.objects.exists() and not em.Participation.objects.exists()


def test_plurality_ballot_rules(voting, community):
    c = contest(voting, "sustaining")  # one seat
    a, b, _ = cands(voting, "sustaining")
    voter = community.sustaining[0]
    with pytest.raises(RuleViolation, match="one per open seat"):
        es.cast_ballot(c, voter, [a.pk, b.pk])
    with pytest.raises(RuleViolation, match="at most one vote"):
        es.cast_ballot(contest(voting, "chapters"), community.delegates[0], [cands(voting, "chapters")[0].pk] * 2)
    with pytest.raises(RuleViolation, match="Not a candidate"):
        es.cast_ballot(c, voter, [cands(voting, "chapters")[0].pk])
    with pytest.raises(RuleViolation, match="at least one"):
        es.cast_ballot(c, voter, [])
    assert not em.Ballot.objects.exists()


def test_changing_a_ballot_replaces_it_and_its_receipt(voting, community):
    c = contest(voting, "chapters")
    a, b, x = cands(voting, "chapters")
    delegate = community.delegates[0]
    first = es.cast_ballot(c, delegate, [a.pk])
    second = es.cast_ballot(c, delegate, [b.pk, x.pk])
    assert first != second
    ballots = list(c.ballots.all())
    assert len(ballots) == 1 and ballots[0].receipt == second and ballots[0].choices == [b.pk, x.pk]
    participation = em.Participation.objects.get()
    assert participation.submissions == 2 and participation.roll.voter == delegate


def test_voting_closes_at_its_date_and_the_count_equals_a_recount_of_the_published_ballots(voting, community, staff, clock):
    ch = contest(voting, "chapters")
    org = contest(voting, "organizations")
    a, b, x = cands(voting, "organizations")
    es.cast_ballot(org, community.representatives[0], [a.pk])  # weight 1
    es.cast_ballot(org, community.representatives[2], [b.pk, x.pk])  # weight 6
    es.cast_ballot(ch, community.delegates[1], [cands(voting, "chapters")[2].pk])
    assert em.Ballot.objects.filter(replace_tag__isnull=False).count() == 3
    with pytest.raises(RuleViolation, match="before"):
        es.close_voting(voting, staff)
    with pytest.raises(RuleViolation, match="published when voting has closed"):
        es.published_ballots(voting)
    clock.set(voting.voting_closes)
    with pytest.raises(RuleViolation, match="closed"):
        es.cast_ballot(org, community.representatives[1], [a.pk])
    es.close_voting(voting, staff)
    voting.refresh_from_db()
    assert voting.state == S.TALLIED
    assert not em.Ballot.objects.filter(replace_tag__isnull=False).exists()  # the links are gone
    published = es.published_ballots(voting)
    assert tally.tally(published) == voting.results
    orgs = next(r for r in voting.results["contests"] if r["electorate"] == "organizations")
    assert orgs["counts"] == {str(a.pk): 1, str(b.pk): 6, str(x.pk): 6}
    assert orgs["weight"] == 7 and orgs["ballots"] == 2
    for contest_data in published["contests"]:
        for ballot in contest_data["ballots"]:
            assert set(ballot) == {"receipt", "weight", "choices"}


def test_certification_needs_two_different_staff_then_the_challenge_period(voting, community, staff, staff2, person,
                                                                               clock):
    es.cast_ballot(contest(voting, "sustaining"), community.sustaining[0], [cands(voting, "sustaining")[1].pk])
    with pytest.raises(RuleViolation, match="certify"):
        es.approve_certification(voting, staff)
    clock.set(voting.voting_closes)
    es.close_voting(voting, staff)
    with pytest.raises(RuleViolation, match="Only staff"):
        es.approve_certification(voting, person)
    es.approve_certification(voting, staff)
    with pytest.raises(RuleViolation, match="second, different") as exc:
        es.approve_certification(voting, staff)
    assert exc.value.code == "same_person"
    voting.refresh_from_db()
    assert voting.state == S.TALLIED
    es.approve_certification(voting, staff2)
    voting.refresh_from_db()
    assert voting.state == S.CERTIFIED and voting.certified_at == voting.voting_closes
    with pytest.raises(RuleViolation, match="before"):
        es.seat_trustees(voting, staff)
    clock.set(max(voting.challenge_ends, voting.seating))
    terms = es.seat_trustees(voting, staff)
    assert len(terms) == 3 + 3 + 1  # three candidates for four seats: all elected, one seat stays open
    sustaining = next(t for t in terms if t.seat.electorate.slug == "sustaining")
    assert sustaining.holder == cands(voting, "sustaining")[1].name
    assert (sustaining.ends_at - sustaining.starts_at).days in (1095, 1096)
    kinds = list(voting.events.values_list("kind", flat=True))
    assert kinds == ["created", "call_for_nominations", "nominations_closed", "slate_published", "petitions_closed",
                     "voting_opened", "voting_closed", "certification_approved", "certification_approved",
                     "certified", "trustees_seated"]
    # The next election finds those seats taken: only the seats nobody won are open.
    clock.set(voting.seating + timedelta(days=10))
    nxt = es.create_election(slug="next", title="Next", nominations_open=voting.seating + timedelta(days=300),
                             actor=staff)
    assert {c.electorate.slug: c.seats for c in nxt.contests.all()} == {"chapters": 1, "organizations": 1}


def test_appointed_seats_are_recorded_without_a_vote(db, staff):
    ietf = em.Seat.objects.filter(electorate__slug="ietf").first()
    term = es.appoint(ietf, holder="Appointed Person", starts_at=T0, actor=staff)
    assert term.appointed_by == "the IETF" and term.ends_at.year == T0.year + 3
    with pytest.raises(RuleViolation, match="already held"):
        es.appoint(ietf, holder="Other", starts_at=T0 + timedelta(days=10), actor=staff)
    with pytest.raises(RuleViolation, match="elected, not appointed"):
        es.appoint(em.Seat.objects.filter(electorate__slug="chapters").first(), holder="X", starts_at=T0, actor=staff)
