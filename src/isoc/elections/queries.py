"""Read queries shared by the pages and the API, so both show the same thing."""

from __future__ import annotations

from django.db.models import Count, Prefetch, QuerySet, Sum

from isoc.elections import models as em


def elections() -> QuerySet[em.Election]:
    return em.Election.objects.exclude(state=em.State.DRAFT).order_by("-voting_opens")


def calendar(election: em.Election) -> list[tuple[str, object]]:
    """(step, when) in order, for the election page and the API."""
    return [
        ("nominations_open", election.nominations_open),
        ("nominations_close", election.nominations_close),
        ("cutoff", election.cutoff),
        ("slate_published", election.slate_published),
        ("petitions_close", election.petitions_close),
        ("voting_opens", election.voting_opens),
        ("voting_closes", election.voting_closes),
        ("seating", election.seating),
    ]


SHOWN = [em.Nomination.Status.CANDIDATE, em.Nomination.Status.SLATE, em.Nomination.Status.PETITION]


def contests(election: em.Election) -> QuerySet[em.Contest]:
    """Contests with the nominees the public sees (``shown``: on the slate, petitioning,
    candidates, with their forum) and how many nominations were received (``received``)."""
    nominations = em.Nomination.objects.filter(status__in=SHOWN).prefetch_related("questions").order_by("name", "pk")
    return election.contests.select_related("electorate").annotate(received=Count("nominations")).prefetch_related(
        Prefetch("nominations", queryset=nominations, to_attr="shown"))


def with_support(contests: list[em.Contest]) -> list[em.Contest]:
    """Set ``support`` (distinct supporting voters, as the count at the close counts them)
    on every petitioning nominee of ``contests``."""
    from isoc.elections.services import petition_support

    for contest in contests:
        for n in contest.shown:
            n.support = petition_support(n) if n.status == em.Nomination.Status.PETITION else None
    return contests


def petitions(election: em.Election, person=None) -> list[dict]:
    """Per contest with petitioners: the threshold, each petitioner's distinct support, and
    for ``person`` whether they are on the contest's roll, support each petition, may
    still support it (a voter of several units supports once per unit), or petition."""
    from isoc.elections.services import petition_support

    signed_in = person is not None and person.is_authenticated
    out = []
    for contest in election.contests.select_related("electorate"):
        petitioners = list(contest.nominations.filter(status=em.Nomination.Status.PETITION).order_by("name", "pk"))
        if not petitioners:
            continue
        units = set(contest.roll.filter(voter=person).values_list("pk", flat=True)) if signed_in else set()
        signed = {}
        for nomination_id, roll_id in em.PetitionSignature.objects.filter(
                nomination__in=petitioners, roll__in=units).values_list("nomination", "roll"):
            signed.setdefault(nomination_id, set()).add(roll_id)
        rows = []
        for n in petitioners:
            mine = signed_in and n.person_id == person.pk
            rows.append({"nomination": n, "support": petition_support(n), "mine": mine,
                         "supported": bool(signed.get(n.pk)),
                         "may_support": bool(units - signed.get(n.pk, set())) and not mine})
        out.append({"contest": contest, "threshold": contest.electorate.petition_threshold, "on_roll": bool(units),
                    "petitioners": rows})
    return out


def challenges(election: em.Election) -> QuerySet[em.Challenge]:
    """Challenges to the result with their decisions; who filed them is not published."""
    return election.challenges.order_by("filed_at", "pk")


def roll(contest: em.Contest, *, closed: bool) -> dict:
    """The published electorate: chapters and organizations by name (after the close,
    with whether each voted); sustaining members as counts only."""
    entries = contest.roll.annotate(voted=Count("participation")).order_by("label", "pk")
    totals = entries.aggregate(units=Count("pk"), weight=Sum("weight"))
    voted = entries.filter(participation__isnull=False).aggregate(units=Count("pk"), weight=Sum("weight"))
    named = contest.electorate.kind != em.ElectorateKind.SUSTAINING
    return {
        "frozen": contest.roll_frozen_at is not None,
        "units": totals["units"] or 0,
        "weight": totals["weight"] or 0,
        "voted_units": (voted["units"] or 0) if closed else None,
        "voted_weight": (voted["weight"] or 0) if closed else None,
        "entries": [{"name": e.label, "weight": e.weight, "voted": bool(e.voted) if closed else None}
                    for e in entries] if named else [],
    }


def results(election: em.Election) -> list[dict]:
    """Per contest: counts by candidate with names, the elected, and the turnout."""
    if not election.results:
        return []
    names = dict(em.Nomination.objects.filter(contest__election=election).values_list("pk", "name"))
    out = []
    by_slug = {c.electorate.slug: c for c in election.contests.select_related("electorate")}
    for r in election.results["contests"]:
        contest = by_slug[r["electorate"]]
        people = roll(contest, closed=True)
        rows = sorted(r["counts"].items(), key=lambda kv: (-float(kv[1]), names.get(int(kv[0]), "")))
        out.append({
            "contest": contest,
            "electorate": contest.electorate,
            "seats": r["seats"],
            "method": r["method"],
            "ballots": r["ballots"],
            "weight": r["weight"],
            "quota": r["quota"],
            "candidates": [{"id": int(k), "name": names.get(int(k), k), "votes": v, "elected": k in r["elected"]}
                           for k, v in rows],
            "elected": [names.get(int(k), k) for k in r["elected"]],
            "roll": people,
            "turnout": (people["voted_units"] / people["units"]) if people["units"] else None,
            "rounds": len(r["rounds"]),
        })
    return out
