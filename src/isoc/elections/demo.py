"""Demo elections, labelled demo: one certified (last year's, with published ballots and
two staff approvals) and one with voting open. Voters are the demo organization members'
representatives, active sustaining members and, where the chapters demo exists, chapter
delegates. Every step goes through the services, on a clock set to the step's date."""

from __future__ import annotations

import random
from contextlib import contextmanager
from datetime import datetime, timedelta

from django.contrib.auth.hashers import make_password
from django.utils import timezone

from isoc.elections import calendar
from isoc.elections import models as em
from isoc.elections import services as es

CERTIFIED = "bot-demo-certified"
IN_PROGRESS = "bot-demo-voting"


@contextmanager
def _clock(when: datetime):
    """The services read ``timezone.now()``; the demo replays each step at its date."""
    real = timezone.now
    timezone.now = lambda: when
    try:
        yield
    finally:
        timezone.now = real


def _staff(n: int):
    from isoc.members.models import Person

    staff = list(Person.objects.filter(is_staff=True, is_active=True).order_by("pk")[:n])
    while len(staff) < n:
        person, _ = Person.objects.get_or_create(
            email=f"returning-officer-{len(staff) + 1}@demo.isoc.example",
            defaults={"first_name": "Returning", "last_name": f"Officer {len(staff) + 1}", "is_staff": True,
                      "is_demo": True, "password": make_password(None)})
        staff.append(person)
    return staff


def remove() -> None:
    em.Term.objects.filter(is_demo=True).delete()
    em.Election.objects.filter(is_demo=True).delete()


def _run(slug: str, title: str, opens: datetime, rng: random.Random, staff, *, close: bool) -> em.Election:
    dates = calendar.default_calendar(opens)
    with _clock(opens - timedelta(days=1)):
        e = es.create_election(slug=slug, title=title, nominations_open=opens, actor=staff[0], is_demo=True)
    with _clock(opens):
        es.open_nominations(e, staff[0])
        for contest in e.contests.select_related("electorate"):
            for i in range(contest.seats + 2):
                es.nominate(contest, name=f"Demo Candidate {contest.electorate.name} {i + 1}",
                            email=f"candidate-{slug}-{contest.electorate.slug}-{i + 1}@demo.isoc.example",
                            statement="A demo candidate statement: what I would bring to the Board.")
    with _clock(dates["nominations_close"]):
        es.close_nominations(e, staff[0])
        es.publish_slate(e, list(em.Nomination.objects.filter(contest__election=e)), staff[0])
    with _clock(dates["petitions_close"]):
        es.close_petitions(e, staff[0])
        for n in em.Nomination.objects.filter(contest__election=e)[:2]:
            post = em.ForumPost.objects.create(nomination=n, question="How would you involve chapters?",
                                               answer="By listening first (demo answer).")
            post.asked_at = post.answered_at = timezone.now()
            post.save()
    voting_at = dates["voting_opens"] + timedelta(days=1)
    with _clock(dates["voting_opens"]):
        es.open_voting(e, staff[0])
    with _clock(voting_at):
        for contest in e.contests.all():
            ids = list(es.candidates(contest).values_list("pk", flat=True))
            for roll in contest.roll.filter(voter__isnull=False).order_by("pk"):
                if rng.random() < 0.6:
                    es.cast_ballot(contest, roll.voter, rng.sample(ids, rng.randint(1, contest.seats)), unit=roll.unit)
    if close:
        with _clock(dates["voting_closes"]):
            es.close_voting(e, staff[0])
        with _clock(dates["voting_closes"] + timedelta(days=1)):
            es.approve_certification(e, staff[0])
            es.approve_certification(e, staff[1])
    return e


def generate(reset: bool = False, seed: int = 2026) -> dict:
    """Create the demo elections (idempotent unless ``reset``)."""
    if reset:
        remove()
    if em.Election.objects.filter(is_demo=True).exists():
        return {"elections": 0}
    from isoc.elections.seed import seed as seed_electorates

    seed_electorates()
    rng = random.Random(seed)
    staff = _staff(2)
    now = timezone.now().replace(microsecond=0)
    _run(CERTIFIED, "Board of Trustees election (demo, certified)", now - timedelta(days=200), rng, staff, close=True)
    # Voting opened three days ago: nominations opened that long before it.
    opens = now - (calendar.default_calendar(now)["voting_opens"] - now) - timedelta(days=3)
    _run(IN_PROGRESS, "Board of Trustees election (demo, voting open)", opens, rng, staff, close=False)
    for i, seat in enumerate(em.Seat.objects.filter(electorate__kind=em.ElectorateKind.APPOINTED)):
        if not seat.terms.exists():
            es.appoint(seat, holder=f"Demo Appointed Trustee {i + 1}", starts_at=now - timedelta(days=365 * (i % 3)),
                       is_demo=True)
    return {"elections": 2}
