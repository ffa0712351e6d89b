"""``/api/v1/elections/``: elections with their calendar, candidates (with petition
support and the forum), challenges, published ballots and results; read-only (no
``from __future__ import annotations``: Ninja reads the annotations)."""

from datetime import datetime
from typing import Any

from django.http import Http404
from ninja import Path, Router, Schema
from ninja.pagination import paginate

from isoc.elections import models as em
from isoc.elections import queries
from isoc.elections import services as es
from isoc.site.pagination import Page

router = Router(tags=["elections"])


class ContestOut(Schema):
    electorate: str
    electorate_name: str
    kind: str
    seats: int
    roll_units: int
    roll_weight: int


class ElectionOut(Schema):
    slug: str
    title: str
    state: str
    method: str
    is_demo: bool
    calendar: dict[str, datetime]
    certified_at: datetime | None
    contests: list[ContestOut]


class QuestionOut(Schema):
    question: str
    asked_at: datetime
    answer: str
    answered_at: datetime | None


class CandidateOut(Schema):
    id: int
    electorate: str
    name: str
    status: str
    statement: str
    petition_support: int | None  # distinct supporting voters, while petitioning
    petition_threshold: int | None
    forum: list[QuestionOut]


class ChallengeOut(Schema):
    filed_at: datetime
    grounds: str
    decision: str  # "" while undecided, "upheld" or "dismissed"
    reasons: str
    decided_at: datetime | None


SLUG = r"^[-a-zA-Z0-9_]+$"


def _election(slug: str) -> em.Election:
    e = em.Election.objects.filter(slug=slug).exclude(state=em.State.DRAFT).first()
    if e is None:
        raise Http404
    return e


def _out(e: em.Election) -> dict:
    contests = []
    for c in e.contests.select_related("electorate"):
        roll = queries.roll(c, closed=e.closed)
        contests.append({"electorate": c.electorate.slug, "electorate_name": c.electorate.name,
                         "kind": c.electorate.kind, "seats": c.seats, "roll_units": roll["units"],
                         "roll_weight": roll["weight"]})
    return {"slug": e.slug, "title": e.title, "state": e.state, "method": e.method, "is_demo": e.is_demo,
            "calendar": dict(queries.calendar(e)), "certified_at": e.certified_at, "contests": contests}


@router.get("", response=list[ElectionOut], url_name="elections")
@paginate(Page)
def list_elections(request):
    """Elections, the latest first (drafts are not public)."""
    return [_out(e) for e in queries.elections()]


@router.get("{slug}", response=ElectionOut, url_name="election")
def get_election(request, slug: str):
    """One election: stage, method, calendar, contests with their frozen electorate's size."""
    return _out(_election(slug))


@router.get("{slug}/candidates", response=list[CandidateOut], url_name="election_candidates")
def election_candidates(request, slug: str):
    """Candidates (and nominees on the slate or petitioning) with statements, petition support and the forum."""
    e = _election(slug)
    rows = []
    for c in queries.with_support(list(queries.contests(e))):
        for n in c.shown:
            petitioning = n.support is not None
            rows.append({"id": n.pk, "electorate": c.electorate.slug, "name": n.name, "status": n.status,
                         "statement": n.statement, "petition_support": n.support,
                         "petition_threshold": c.electorate.petition_threshold if petitioning else None,
                         "forum": [{"question": q.question, "asked_at": q.asked_at, "answer": q.answer,
                                    "answered_at": q.answered_at} for q in n.questions.all()]})
    return rows


@router.get("{slug}/challenges", response=list[ChallengeOut], url_name="election_challenges")
def election_challenges(request, slug: str = Path(..., max_length=50, pattern=SLUG)):
    """Challenges to the certified result with their decisions and reasons (who filed them is not published)."""
    return list(queries.challenges(_election(slug)))


@router.get("{slug}/ballots", response=dict[str, Any], url_name="election_ballots")
def election_ballots(request, slug: str):
    """The anonymised ballots after the close, in the file format ``isoc elections tally`` reads."""
    return es.published_ballots(_election(slug))


@router.get("{slug}/results", response=dict[str, Any], url_name="election_results")
def election_results(request, slug: str):
    """The count (as ``tally`` computes it) with each contest's turnout."""
    e = _election(slug)
    if not e.closed:
        from django.utils.translation import gettext as _

        from isoc.members.services import RuleViolation

        raise RuleViolation(_("Results are published when voting has closed."), code="not_closed")
    turnout = {r["electorate"].slug: {"units": r["roll"]["units"], "voted_units": r["roll"]["voted_units"],
                                      "weight": r["roll"]["weight"], "voted_weight": r["roll"]["voted_weight"]}
               for r in queries.results(e)}
    return {"state": e.state, "certified_at": e.certified_at.isoformat() if e.certified_at else None,
            "results": e.results, "turnout": turnout}
