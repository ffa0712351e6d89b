"""Demo elections, labelled demo, one at each stage a visitor can take part in:

* certified a few days ago, its challenge period running, with published ballots, two
  staff approvals and two challenges (one dismissed with reasons, one undecided);
* voting open, with the candidate forum's questions and answers;
* petitions open, the slate published and the other nominees gathering support;
* nominations open, a few nominations received.

Voters are the demo organization members' representatives, active sustaining members
and, where the chapters demo exists, chapter delegates. Every step goes through the
services, on a clock set to the step's date."""

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
PETITIONS = "bot-demo-petitions"
NOMINATIONS = "bot-demo-nominations"
STATEMENT = "A demo candidate statement: what I would bring to the Board."


@contextmanager
def _clock(when: datetime):
    """The services read ``timezone.now()``; the demo replays each step at its date."""
    real = timezone.now
    timezone.now = lambda: when
    try:
        yield
    finally:
        timezone.now = real


def _demo_person(email: str, first_name: str, last_name: str, *, staff: bool = False):
    from isoc.members.models import Person

    person, _ = Person.objects.get_or_create(email=email, defaults={
        "first_name": first_name, "last_name": last_name, "is_staff": staff, "is_demo": True,
        "password": make_password(None)})
    return person


def _staff(n: int):
    from isoc.members.models import Person

    staff = list(Person.objects.filter(is_staff=True, is_active=True).order_by("pk")[:n])
    while len(staff) < n:
        i = len(staff) + 1
        staff.append(_demo_person(f"returning-officer-{i}@demo.isoc.example", "Returning", f"Officer {i}", staff=True))
    return staff


def remove() -> None:
    em.Term.objects.filter(is_demo=True).delete()
    em.Election.objects.filter(is_demo=True).delete()


def _nominate(e: em.Election, per_contest, *, with_accounts: bool) -> None:
    """``per_contest(contest)`` nominees in each contest; the first of each with a demo
    account, when asked, so the forum's answers come from the candidate's own account."""
    for contest in e.contests.select_related("electorate"):
        for i in range(per_contest(contest)):
            email = f"candidate-{e.slug}-{contest.electorate.slug}-{i + 1}@demo.isoc.example"
            name = f"Demo Candidate {contest.electorate.name} {i + 1}"
            person = _demo_person(email, "Demo Candidate", f"{contest.electorate.name} {i + 1}") \
                if with_accounts and i == 0 else None
            es.nominate(contest, name=name, email=email, statement=STATEMENT, person=person)


def _voters(contest: em.Contest):
    return [r.voter for r in contest.roll.filter(voter__isnull=False).select_related("voter").order_by("pk")]


def _to_petitions(e: em.Election, staff) -> None:
    """Nominations close; the slate holds as many nominees as seats, the rest petition."""
    es.close_nominations(e, staff[0])
    slate = []
    for contest in e.contests.all():
        slate += list(contest.nominations.order_by("pk")[:contest.seats])
    es.publish_slate(e, slate, staff[0])


def _gather_support(e: em.Election, rng: random.Random) -> None:
    for contest in e.contests.select_related("electorate"):
        voters = _voters(contest)
        for n, share in zip(contest.nominations.filter(status=em.Nomination.Status.PETITION).order_by("pk"),
                            (1.0, 0.4), strict=False):
            wanted = min(len(voters), round(contest.electorate.petition_threshold * share))
            for voter in rng.sample(voters, wanted):
                es.sign_petition(n, voter)


def _forum(e: em.Election) -> None:
    """Each contest's first candidate is asked a question by a voter and answers it."""
    for contest in e.contests.all():
        voters = _voters(contest)
        candidate = es.candidates(contest).filter(person__isnull=False).first()
        if not voters or candidate is None:
            continue
        post = es.ask_question(candidate, voters[0], "How would you involve chapters in the Board's work?")
        es.answer_question(post, candidate.person, "By listening first: regular open calls with chapter leaders "
                                                   "(demo answer).")


def _run(slug: str, title: str, opens: datetime, rng: random.Random, staff, *, until: str) -> em.Election:
    """An election from its call for nominations to the stage ``until`` (nominations,
    petitions, voting or certified), each step at its date."""
    dates = calendar.default_calendar(opens)
    with _clock(opens - timedelta(days=1)):
        e = es.create_election(slug=slug, title=title, nominations_open=opens, actor=staff[0], is_demo=True)
    with _clock(opens):
        es.open_nominations(e, staff[0])
    with _clock(opens + timedelta(days=3)):
        _nominate(e, (lambda c: 2) if until == "nominations" else (lambda c: c.seats + 2),
                  with_accounts=until != "nominations")
    if until == "nominations":
        return e
    with _clock(dates["nominations_close"]):
        _to_petitions(e, staff)
    with _clock(dates["slate_published"] + timedelta(days=2)):
        _gather_support(e, rng)
    if until == "petitions":
        return e
    with _clock(dates["petitions_close"]):
        es.close_petitions(e, staff[0])
    with _clock(dates["petitions_close"] + timedelta(days=2)):
        _forum(e)
    with _clock(dates["voting_opens"]):
        es.open_voting(e, staff[0])
    with _clock(dates["voting_opens"] + timedelta(days=1)):
        for contest in e.contests.all():
            ids = list(es.candidates(contest).values_list("pk", flat=True))
            for roll in contest.roll.filter(voter__isnull=False).order_by("pk"):
                if rng.random() < 0.6:
                    es.cast_ballot(contest, roll.voter, rng.sample(ids, rng.randint(1, contest.seats)), unit=roll.unit)
    if until == "voting":
        return e
    with _clock(dates["voting_closes"]):
        es.close_voting(e, staff[0])
    certified = dates["voting_closes"] + timedelta(days=1)
    with _clock(certified):
        es.approve_certification(e, staff[0])
        es.approve_certification(e, staff[1])
    challenger = next((v for c in e.contests.all() for v in _voters(c)), staff[0])
    with _clock(certified + timedelta(days=1)):
        dismissed = es.file_challenge(e, challenger, "The roll left out a chapter that was in good standing at the "
                                                     "cut-off (demo).")
        es.decide_challenge(dismissed, staff[1], em.Challenge.Decision.DISMISSED,
                            "The chapter's annual report was overdue at the cut-off, so it was not in good standing "
                            "(demo).")
        es.file_challenge(e, challenger, "Two ballots carry the same receipt code (demo).")
    return e


def _opening(now: datetime, step: str, ago: timedelta) -> datetime:
    """When nominations must open for ``step`` of the default calendar to fall ``ago`` before now."""
    return now - (calendar.default_calendar(now)[step] - now) - ago


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
    # Certified four days ago (the day after voting closed): the challenge period runs on.
    _run(CERTIFIED, "Board of Trustees election (demo, certified)", _opening(now, "voting_closes", timedelta(days=5)),
         rng, staff, until="certified")
    _run(IN_PROGRESS, "Board of Trustees election (demo, voting open)", _opening(now, "voting_opens", timedelta(days=3)),
         rng, staff, until="voting")
    _run(PETITIONS, "Board of Trustees election (demo, petitions open)",
         _opening(now, "slate_published", timedelta(days=5)), rng, staff, until="petitions")
    _run(NOMINATIONS, "Board of Trustees election (demo, nominations open)", now - timedelta(days=10), rng, staff,
         until="nominations")
    for i, seat in enumerate(em.Seat.objects.filter(electorate__kind=em.ElectorateKind.APPOINTED)):
        if not seat.terms.exists():
            es.appoint(seat, holder=f"Demo Appointed Trustee {i + 1}", starts_at=now - timedelta(days=365 * (i % 3)),
                       is_demo=True)
    return {"elections": 4}
