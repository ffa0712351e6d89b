"""Personal data in the Internet Way of Networking impact assessments (see
isoc.site.personal_data): the assessments a person owns. Anonymous assessments (no
owner) name nobody; the retention schedule removes them when left untouched for years.

Erasure deletes the person's own assessments with their history: they are drafts of the
person's own analysis, and a shared link to one stops working."""

from __future__ import annotations

from isoc.iwn.models import Assessment
from isoc.site.personal_data import delete, detach

COVERS = {
    "iwn.Assessment": delete(),
    "iwn.AssessmentEvent": detach("actor", why="the history of someone else's assessment"),
}


def export(person) -> dict:
    return {"assessments": [
        {"title": a.title, "proposal": a.proposal, "country": a.country_id, "answers": a.answers,
         "language": a.language, "created_at": a.created_at.isoformat(), "updated_at": a.updated_at.isoformat()}
        for a in Assessment.objects.filter(owner=person).order_by("pk")
    ]}


def erase(person, actor) -> dict:
    mine = Assessment.objects.filter(owner=person)
    count = mine.count()
    mine.delete()
    return {"assessments_deleted": count}
