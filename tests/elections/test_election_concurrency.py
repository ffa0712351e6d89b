"""Double voting by simultaneous requests: real threads, each with its own connection,
posting the ballot form at the same instant. One unit ends with one ballot and one
participation row, whatever the interleaving (row lock on PostgreSQL, IMMEDIATE
transactions on SQLite, unique constraints behind both)."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from election_helpers import T0, make_community, run_until

from isoc.elections import models as em
from isoc.elections import services as es
from race_helpers import race

pytestmark = pytest.mark.django_db(transaction=True)
THREADS = 6


def test_simultaneous_ballots_of_one_delegate_leave_one_ballot(threaded_db, new_person, staff, clock):
    community = make_community(new_person, staff, clock)
    election = es.create_election(slug="race", title="Race", nominations_open=T0, actor=staff)
    run_until(election, "voting", staff, clock)
    delegate = community.delegates[0]
    roll = em.RollEntry.objects.get(voter=delegate)
    ids = list(es.candidates(roll.contest).values_list("pk", flat=True))

    def vote(i: int):
        client = Client()
        client.force_login(delegate)
        response = client.post(f"/elections/{election.slug}/ballot/", {"roll": roll.pk, "choice": [ids[i % 3]]})
        # From the page itself: the test client's captured contexts are shared between threads.
        found = re.search(r'id="receipt">([A-Z0-9-]+)<', response.content.decode())
        return response.status_code, found.group(1) if found else None

    results = race(vote, n=THREADS)
    errors = [r for r in results if isinstance(r, Exception)]
    assert not errors, errors
    # Every submission succeeded (each one replaced the one before it)...
    assert [status for status, _ in results] == [200] * THREADS, results
    receipts = [receipt for _, receipt in results]
    ballots = list(em.Ballot.objects.filter(contest=roll.contest))
    assert len(ballots) == 1 and ballots[0].receipt in receipts
    participation = em.Participation.objects.get(roll=roll)
    assert participation.submissions == len(receipts)
    assert em.Participation.objects.count() == 1


def test_two_different_units_voting_at_once_both_count(threaded_db, new_person, staff, clock):
    community = make_community(new_person, staff, clock)
    election = es.create_election(slug="race2", title="Race", nominations_open=T0, actor=staff)
    run_until(election, "voting", staff, clock)
    contest = election.contests.get(electorate__slug="organizations")
    pick = es.candidates(contest).first().pk
    results = race(lambda i: es.cast_ballot(contest, community.representatives[i], [pick]), n=3)
    assert all(isinstance(r, str) for r in results), results
    assert contest.ballots.count() == 3 and em.Participation.objects.count() == 3
