"""Helpers shared by the elections tests and the browser test (a module with its own
name: several test folders have a ``conftest``)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

T0 = datetime(2031, 1, 5, 12, 0, tzinfo=UTC)  # the call for nominations opens


class Clock:
    def __init__(self, monkeypatch):
        self._monkeypatch = monkeypatch

    def set(self, when: datetime) -> datetime:
        from django.utils import timezone

        self._monkeypatch.setattr(timezone, "now", lambda: when)
        return when


def _paid(invoice, at):
    from isoc.members import services as ms

    invoice.refresh_from_db()
    ms.record_payment(invoice, amount=invoice.balance(), reference="REF-1", received_at=at)


def make_community(new_person, staff, clock) -> SimpleNamespace:
    """Built 60 days before T0, so every unit is eligible at the cut-off (T0 + 30 days)."""
    from isoc.chapters import services as cs
    from isoc.members import models as mm
    from isoc.members import services as ms

    at = clock.set(T0 - timedelta(days=60))
    chapters, delegates = [], []
    for country, name in (("EE", "Estonia Chapter"), ("FI", "Finland Chapter")):
        chapter = cs.form_chapter(name=name, actor=staff, community=cs.Community(country=country), at=at)
        people = [new_person() for _ in range(25)]
        for p in people:
            ms.join(p, "global", at=at)
            cs.join(p, chapter, at=at)
        cs.charter(chapter, actor=staff, reason="Charter approved.", at=at)
        for p, role in zip(people, ["chair", "secretary", "treasurer", "voting-delegate"], strict=False):
            cs.appoint_officer(chapter, p, role, starts_on=at.date(), actor=staff)
        chapters.append(chapter)
        delegates.append(people[3])
    # In formation: never in good standing, though it has a delegate.
    forming = cs.form_chapter(name="Latvia Chapter", actor=staff, community=cs.Community(country="LV"), at=at)
    outsider = new_person()
    ms.join(outsider, "global", at=at)
    cs.join(outsider, forming, at=at)
    cs.appoint_officer(forming, outsider, "voting-delegate", starts_on=at.date(), actor=staff)

    organizations, representatives = [], []
    for rank in (1, 3, 6):
        rep = new_person()
        tier = mm.OrganizationTier.objects.get(rank=rank)
        org = ms.join_organization(rep, legal_name=f"Org of tier {rank}", country="DE", tier=tier, at=at)
        _paid(org.terms.get().invoice, at)
        organizations.append(org)
        representatives.append(rep)
    sustaining = []
    for _ in range(3):
        p = new_person()
        _paid(ms.join(p, "sustaining", at=at).terms.get().invoice, at)
        sustaining.append(p)
    return SimpleNamespace(chapters=chapters, delegates=delegates, forming=forming, outsider=outsider,
                           organizations=organizations, representatives=representatives, sustaining=sustaining)


def run_until(election, stage: str, staff, clock, *, nominees: int = 3, method_slate=None):
    """Drive ``election`` through the calendar to ``stage`` with ``nominees`` nominations
    per contest (all on the slate)."""
    from isoc.elections import models as em
    from isoc.elections import services as es

    order = ["nominations", "slate", "petitions", "forum", "voting", "tallied"]
    clock.set(election.nominations_open)
    es.open_nominations(election, staff)
    if stage == "nominations":
        return election
    for contest in election.contests.all():
        for i in range(nominees):
            es.nominate(contest, name=f"Nominee {contest.electorate.slug} {i}",
                        email=f"n{i}-{contest.electorate.slug}@example.com", statement="I will serve.")
    clock.set(election.nominations_close)
    es.close_nominations(election, staff)
    if stage == "slate":
        return election
    es.publish_slate(election, list(em.Nomination.objects.filter(contest__election=election)), staff)
    if stage == "petitions":
        return election
    clock.set(election.petitions_close)
    es.close_petitions(election, staff)
    if stage == "forum":
        return election
    clock.set(election.voting_opens)
    es.open_voting(election, staff)
    assert stage in order
    return election
