"""Personal data in chapters: memberships and officer terms (see isoc.site.personal_data).

A chapter's standing is computed from its dated membership and officer history, so
erasure keeps those rows (linked to the account's pseudonym, which names nobody) and
ends the open ones today: deleting them would rewrite the chapter's past standing."""

from __future__ import annotations

from django.db.models import Q
from django.utils import timezone

from isoc.chapters import models as cm
from isoc.site.personal_data import anonymise, detach, not_personal

_HISTORY = "kept, linked to the pseudonym: a chapter's standing (member counts, required roles) is computed from it"

COVERS = {
    "chapters.RegionalBureau": not_personal("an Internet Society office, named by its region"),
    "chapters.Chapter": detach("overlap_approved_by", why="the chapter is an organisation; only the approver is a person"),
    "chapters.ChapterMembership": anonymise(_HISTORY + "; open memberships end on erasure"),
    "chapters.OfficerTerm": anonymise(_HISTORY + "; open terms end on erasure", "appointed_by"),
    "chapters.OfficerChange": anonymise(_HISTORY, "actor"),
    "chapters.ChapterTransition": detach("actor"),
    "chapters.AnnualReport": detach("filed_by"),
}


def _day(value):
    return value.isoformat() if value else None


def export(person) -> dict:
    return {
        "memberships": [
            {"chapter": ms.chapter.name, "joined_at": _day(ms.joined_at), "left_at": _day(ms.left_at)}
            for ms in cm.ChapterMembership.objects.filter(person=person).select_related("chapter").order_by("pk")
        ],
        "officer_terms": [
            {"chapter": t.chapter.name, "role": t.role, "starts_on": _day(t.starts_on), "ends_on": _day(t.ends_on)}
            for t in cm.OfficerTerm.objects.filter(person=person).select_related("chapter").order_by("pk")
        ],
    }


def erase(person, actor) -> dict:
    """End the person's open memberships and terms today, with an officer-history row
    naming the erasing actor; the rows stay, pointing at the pseudonym."""
    from isoc.chapters.services import _record

    now = timezone.now()
    today = now.date()
    # A term that has not started yet never happened: it goes (its history rows with it).
    withdrawn, _ = cm.OfficerTerm.objects.filter(person=person, starts_on__gt=today).delete()
    ended_terms = 0
    open_terms = cm.OfficerTerm.objects.select_for_update().filter(person=person).filter(
        Q(ends_on__isnull=True) | Q(ends_on__gt=today))
    for term in open_terms:
        previous, term.ends_on = term.ends_on, today
        term.save(update_fields=["ends_on"])
        _record(term, cm.OfficerChange.Kind.ENDED, at=now, actor=actor, previous_ends_on=previous)
        ended_terms += 1
    left = cm.ChapterMembership.objects.filter(person=person, left_at__isnull=True).update(left_at=now)
    return {"officer_terms_withdrawn": withdrawn, "officer_terms_ended": ended_terms, "memberships_ended": left}
