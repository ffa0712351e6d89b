"""The pure count: hand-worked cases for plurality, IRV and Scottish STV, ties, invalid
ballots; and hypothesis: for random ballot sets the published tally equals a naive
recount, and ballots cast through the site never carry who cast them."""

from __future__ import annotations

import re
from collections import Counter

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from isoc.elections.tally import Ballot, TallyError, default_tiebreak, plurality, stv, tally


def test_weighted_plurality_elects_the_most_votes_and_breaks_ties_by_the_published_order():
    ballots = [Ballot(("a", "b"), 1), Ballot(("b",), 6), Ballot(("c",), 1), Ballot(("a",), 1)]
    r = plurality(["a", "b", "c"], 2, ballots, ["c", "a", "b"])
    assert r.counts == {"a": 2, "b": 7, "c": 1} and r.elected == ["b", "a"]
    tie = plurality(["a", "b"], 1, [Ballot(("a",)), Ballot(("b",))], ["b", "a"])
    assert tie.elected == ["b"]


def test_invalid_ballots_are_counted_apart():
    ballots = [Ballot(("a", "a")), Ballot(("zz",)), Ballot(()), Ballot(("a", "b")), Ballot(("a",))]
    r = plurality(["a", "b"], 1, ballots, ["a", "b"])
    assert r.invalid == 4 and r.ballots == 1 and r.counts["a"] == 1


def test_irv_transfers_the_excluded_candidates_ballots():
    ballots = [Ballot(("a",))] * 4 + [Ballot(("b", "c"))] * 3 + [Ballot(("c", "b"))] * 2
    r = stv(["a", "b", "c"], 1, ballots, ["a", "b", "c"], method="irv")
    assert r.elected == ["b"] and r.rounds[1].excluded == ["c"]


def test_scottish_stv_transfers_surpluses_at_truncated_values():
    # 25 votes, 2 seats: quota floor(25/3)+1 = 9. A's surplus of 3 moves at 3/12 each.
    ballots = [Ballot(("a", "b"))] * 12 + [Ballot(("b", "c"))] * 6 + [Ballot(("c",))] * 3 + [Ballot(("d", "c"))] * 4
    r = stv(["a", "b", "c", "d"], 2, ballots, ["a", "b", "c", "d"])
    assert r.quota == 9 and r.elected == ["a", "b"]
    assert r.rounds[1].counts["b"] == 9 and r.rounds[1].transferred_from == "a"
    # Truncation to five places: 1 * 1/3 becomes 0.33333.
    three = [Ballot(("a", "b"))] * 3 + [Ballot(("a", "c"))] * 3 + [Ballot(("b",))] + [Ballot(("c",))]
    r = stv(["a", "b", "c"], 2, three, ["a", "b", "c"])
    assert r.quota == 3 and r.rounds[1].counts["b"] == 1 + 3 * __import__("fractions").Fraction(50000, 100000)


def test_stv_ties_for_exclusion_look_back_then_use_the_lot():
    # b and c tie at 2 now; c had fewer at first count... equal too, so the lot excludes the later one.
    ballots = [Ballot(("a",))] * 5 + [Ballot(("b",))] * 2 + [Ballot(("c",))] * 2
    r = stv(["a", "b", "c"], 2, ballots, ["c", "a", "b"])
    assert r.rounds[-1].excluded == ["b"] and r.elected == ["a", "c"]


def test_files_that_cannot_be_counted_are_refused():
    with pytest.raises(TallyError, match="not a ballots file"):
        tally({"format": "other"})
    with pytest.raises(TallyError, match="IRV fills one seat"):
        tally({"format": "isoc-ballots/1", "method": "irv",
               "contests": [{"electorate": "x", "seats": 2, "candidates": ["a"], "ballots": []}]})
    with pytest.raises(TallyError, match="tiebreak"):
        tally({"format": "isoc-ballots/1", "contests": [
            {"electorate": "x", "seats": 1, "candidates": ["a", "b"], "tiebreak": ["a"], "ballots": []}]})


def test_the_default_lot_is_recomputable():
    assert default_tiebreak("e", "x", ["a", "b", "c"]) == default_tiebreak("e", "x", ["c", "b", "a"])


ballot_sets = st.integers(1, 4).flatmap(lambda seats: st.tuples(
    st.just(seats),
    st.lists(st.tuples(st.lists(st.sampled_from("abcdef"), min_size=0, max_size=seats + 1), st.integers(1, 6)),
             max_size=60),
))


@given(ballot_sets)
@settings(max_examples=200, deadline=None)
def test_the_published_plurality_tally_equals_a_naive_recount(case):
    seats, raw = case
    data = {"format": "isoc-ballots/1", "election": "h", "method": "plurality", "contests": [{
        "electorate": "x", "seats": seats, "candidates": list("abcdef"),
        "ballots": [{"receipt": str(i), "weight": w, "choices": c} for i, (c, w) in enumerate(raw)]}]}
    result = tally(data)["contests"][0]
    naive: Counter = Counter({c: 0 for c in "abcdef"})
    valid = 0
    for choices, weight in raw:
        if choices and len(set(choices)) == len(choices) and len(choices) <= seats:
            valid += 1
            for c in choices:
                naive[c] += weight
    assert result["counts"] == dict(naive) and result["ballots"] == valid
    winners = result["elected"]
    assert len(winners) == seats
    assert min(naive[w] for w in winners) >= max([naive[c] for c in "abcdef" if c not in winners], default=0)


@given(st.lists(st.permutations("abcd").flatmap(lambda p: st.integers(1, 4).map(lambda k: tuple(p[:k]))),
                min_size=1, max_size=40), st.integers(1, 3))
@settings(max_examples=150, deadline=None)
def test_stv_elects_exactly_the_seats_and_never_creates_votes(ballots, seats):
    r = stv(list("abcd"), seats, [Ballot(b) for b in ballots], list("abcd"))
    assert len(r.elected) == seats and len(set(r.elected)) == seats
    for rnd in r.rounds:
        assert sum(rnd.counts.values()) + rnd.non_transferable <= len(ballots)


@pytest.mark.django_db
@given(votes=st.lists(st.tuples(st.integers(0, 2), st.lists(st.integers(0, 2), min_size=1, max_size=3, unique=True)),
                      max_size=6))
@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_ballots_cast_on_the_site_carry_no_voter_identity_and_recount_equally(votes, community_once):
    from isoc.elections import models as em
    from isoc.elections import services as es

    election, community = community_once
    em.Ballot.objects.all().delete()
    em.Participation.objects.all().delete()
    contest = election.contests.get(electorate__slug="organizations")
    ids = list(es.candidates(contest).values_list("pk", flat=True))
    for who, picks in votes:
        es.cast_ballot(contest, community.representatives[who], [ids[p] for p in picks])
    data = es._ballots_data(election)
    published = data["contests"][1]["ballots"]
    assert len(published) == len({who for who, _ in votes})
    # What is stored and what is published: nothing that names a person, unit or roll entry.
    assert {f.name for f in em.Ballot._meta.get_fields()} == {"id", "contest", "weight", "choices", "receipt",
                                                               "replace_tag"}
    identities = {rep.email for rep in community.representatives} | {rep.get_full_name() for rep in
                                                                     community.representatives}
    identities |= {f"{r.unit}" for r in contest.roll.all()} | {r.label for r in contest.roll.all()}
    text = str(published)
    assert not any(i in text for i in identities if i)
    candidates = {str(i) for i in ids}
    for ballot in published:
        assert set(ballot) == {"receipt", "weight", "choices"}
        assert set(ballot["choices"]) <= candidates
        assert re.fullmatch(r"[A-Z2-9]{4}(-[A-Z2-9]{4}){3}", ballot["receipt"])
    naive: Counter = Counter()
    for ballot in published:
        for c in ballot["choices"]:
            naive[c] += ballot["weight"]
    counted = tally(data)["contests"][1]["counts"]
    assert {k: v for k, v in counted.items() if v} == dict(naive)
