"""Personal data in elections (see isoc.site.personal_data), without breaking ballot secrecy.

What an election holds about a person: their voter-roll entries and the fact that they
voted (``Participation``), their candidacies and their forum questions, seats they held,
challenges they filed and certifications they approved. Never a ballot: a ``Ballot``
has no link to a voter, so neither the export nor the erasure ever touches one.

Erasure keeps every row that a tally, a turnout or a petition count rests on (roll
entries, participations, signatures, nominations): they stay, with the name, address and
account link removed, so the recount of a contest gives the same result after erasure."""

from __future__ import annotations

from django.db.models import Q

from isoc.elections import models as em
from isoc.site.personal_data import anonymise, detach, not_personal

_TALLY = "kept without name or account: tallies, turnout and petition counts rest on it"

COVERS = {
    "elections.Electorate": not_personal("a class of voters (chapters, organisations, members); "
                                         "appointed_by names the appointing body"),
    "elections.ElectionEvent": detach("actor"),
    "elections.Nomination": anonymise(_TALLY + " (ballots and results name the nomination by id)"),
    "elections.RollEntry": anonymise(_TALLY),
    "elections.ForumPost": detach("asked_by", why="the public question stays, asked by nobody"),
    "elections.Ballot": not_personal("secret: no link to a voter, unit or participation; the receipt is a random code"),
    "elections.CertificationApproval": anonymise(
        "kept, linked to the pseudonym: a certified election must show its approvals were given"),
    "elections.Term": anonymise("kept without name or account: the Board's seats must stay filled in its history"),
    "elections.Challenge": detach("filed_by", "decided_by", why="the challenge is part of the election's record"),
    "elections.Participation": not_personal("reached only through a roll entry, which erasure anonymises"),
    "elections.PetitionSignature": not_personal("reached only through a roll entry, which erasure anonymises"),
}


def _at(value):
    return value.isoformat() if value else None


def _nominations(person):
    """Their candidacies: with their account, or under their address (anyone may be nominated)."""
    return em.Nomination.objects.filter(Q(person=person) | Q(email__iexact=person.email))


def export(person) -> dict:
    rolls = em.RollEntry.objects.filter(voter=person).select_related("contest__election", "contest__electorate")
    return {
        "voter_roll": [
            {"election": r.contest.election.title, "electorate": r.contest.electorate.name, "unit": r.label,
             "weight": r.weight,
             "voted_at": _at(getattr(r, "participation", None) and r.participation.voted_at)}
            for r in rolls.order_by("pk")
        ],
        "nominations": [
            {"election": n.contest.election.title, "name": n.name, "email": n.email, "status": n.status,
             "statement": n.statement, "submitted_at": _at(n.submitted_at)}
            for n in _nominations(person).select_related("contest__election").order_by("pk")
        ],
        "questions_asked": [
            {"election": p.nomination.contest.election.title, "question": p.question, "asked_at": _at(p.asked_at)}
            for p in em.ForumPost.objects.filter(asked_by=person).select_related("nomination__contest__election")
            .order_by("pk")
        ],
        "seats_held": [
            {"seat": str(t.seat), "starts_at": _at(t.starts_at), "ends_at": _at(t.ends_at)}
            for t in em.Term.objects.filter(person=person).select_related("seat__electorate").order_by("pk")
        ],
        "challenges_filed": [
            {"election": c.election.title, "grounds": c.grounds, "filed_at": _at(c.filed_at), "decision": c.decision}
            for c in em.Challenge.objects.filter(filed_by=person).select_related("election").order_by("pk")
        ],
    }


def erase(person, actor) -> dict:
    """Remove the person's name, address and account from every row a count rests on.
    A roll entry of a person (unit ``person:<id>``) loses its label; a chapter's or an
    organisation's entry keeps the unit's name and loses only its delegate."""
    rolls = 0
    for roll in em.RollEntry.objects.select_for_update().filter(voter=person):
        roll.voter = None
        if roll.unit.startswith("person:"):
            roll.label = f"Erased voter {roll.pk}"
        roll.save(update_fields=["voter", "label"])
        rolls += 1
    nominations = 0
    for nomination in _nominations(person).select_for_update():
        nomination.person = None
        nomination.name = f"Erased candidate {nomination.pk}"
        nomination.email = f"erased-{nomination.pk}@erased.invalid"  # unique per contest
        nomination.statement = ""
        nomination.save(update_fields=["person", "name", "email", "statement"])
        nominations += 1
    terms = em.Term.objects.filter(person=person).update(person=None, holder="Erased member")
    return {"roll_entries_anonymised": rolls, "nominations_anonymised": nominations, "terms_anonymised": terms}
