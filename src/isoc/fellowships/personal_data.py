"""Personal data in fellowships: applications (with their uploaded files, onboarding and
alumni listing), and what a reviewer or endorsing officer wrote about someone else's
application (see isoc.site.personal_data).

Erasure deletes the person's applications in every state, with their documents (the
files leave the disk after the erasure commits), the reviews of them, their decision,
onboarding and alumni listing: a past call's counts of applicants drop by one, which is
not a record the Society must keep. What the person wrote as a reviewer (scores,
comments) or as an endorsing officer stays, linked to the account's pseudonym, because
it ranks and supports *other* people's applications; the export gives it to them."""

from __future__ import annotations

from isoc.fellowships.models import (
    AlumniProfile,
    Application,
    ApplicationChange,
    ConflictDeclaration,
    Decision,
    Document,
    Endorsement,
    Onboarding,
    ReviewAssignment,
)
from isoc.site.personal_data import (
    anonymise,
    delete,
    delete_file_after_commit,
    not_personal,
)

_OTHERS = "kept, linked to the pseudonym: it ranks or supports someone else's application"

COVERS = {
    "fellowships.Programme": not_personal("a fellowship programme"),
    "fellowships.Track": not_personal("a programme's track"),
    "fellowships.Call": not_personal("a call for applications"),
    "fellowships.Application": delete(),
    "fellowships.ApplicationChange": delete("actor"),
    "fellowships.Document": delete(why="the file on disk is removed after the erasure commits"),
    "fellowships.Endorsement": anonymise(_OTHERS),
    "fellowships.ConflictDeclaration": delete(),
    "fellowships.ReviewAssignment": anonymise(_OTHERS, "assigned_by"),
    "fellowships.Decision": delete("decided_by"),
    "fellowships.Onboarding": delete(why="an accepted fellow's travel details, with the application"),
    "fellowships.AlumniProfile": delete(why="with the application"),
}


def _at(value):
    return value.isoformat() if value else None


def _onboarding(o: Onboarding | None) -> dict | None:
    if o is None:
        return None
    return {"started_at": _at(o.started_at), "arrival_date": _at(o.arrival_date),
            "departure_date": _at(o.departure_date), "passport_country": o.passport_country,
            "visa_needed": o.visa_needed, "travel_confirmed_at": _at(o.travel_confirmed_at)}


def export(person) -> dict:
    applications = Application.objects.filter(applicant=person).select_related("call", "track").order_by("pk")
    documents: dict[int, list] = {}
    for d in Document.objects.filter(application__applicant=person).order_by("pk"):
        documents.setdefault(d.application_id, []).append(
            {"field": d.field, "name": d.original_name, "kind": d.kind, "size": d.size, "sha256": d.sha256,
             "uploaded_at": _at(d.uploaded_at)})
    decisions = {d.application_id: d for d in Decision.objects.filter(application__applicant=person)}
    onboarding = {o.application_id: o for o in Onboarding.objects.filter(application__applicant=person)}
    alumni = {a.application_id: a for a in AlumniProfile.objects.filter(application__applicant=person)}
    history: dict[int, list] = {}
    for c in ApplicationChange.objects.filter(application__applicant=person).order_by("at", "pk"):
        history.setdefault(c.application_id, []).append({"at": _at(c.at), "from": c.from_state, "to": c.to_state})
    reviews = ReviewAssignment.objects.filter(reviewer=person).select_related("application__call").order_by("pk")
    return {
        "applications": [
            {"call": a.call.title, "track": a.track.name, "state": a.state, "birth_date": _at(a.birth_date),
             "country": a.country, "gender": a.gender, "answers": a.answers, "created_at": _at(a.created_at),
             "submitted_at": _at(a.submitted_at), "documents": documents.get(a.pk, []),
             "decision": ({"outcome": decisions[a.pk].outcome, "decided_at": _at(decisions[a.pk].decided_at)}
                          if a.pk in decisions else None),
             "onboarding": _onboarding(onboarding.get(a.pk)),
             "alumni_listed": alumni[a.pk].listed if a.pk in alumni else None,
             "history": history.get(a.pk, [])}
            for a in applications
        ],
        # What they wrote about others: the application's number, never the applicant's name.
        "reviews_written": [
            {"call": r.application.call.title, "application": r.application_id, "assigned_at": _at(r.assigned_at),
             "scores": r.review.scores if hasattr(r, "review") else None,
             "comment": r.review.comment if hasattr(r, "review") else None}
            for r in reviews
        ],
        "conflicts_declared": [
            {"application": c.application_id, "reason": c.reason, "at": _at(c.at)}
            for c in ConflictDeclaration.objects.filter(reviewer=person).order_by("pk")
        ],
        "endorsements_given": [
            {"application": e.application_id, "chapter": e.chapter.name, "statement": e.statement, "at": _at(e.at)}
            for e in Endorsement.objects.filter(endorsed_by=person).select_related("chapter").order_by("pk")
        ],
    }


def erase(person, actor) -> dict:
    mine = Application.objects.filter(applicant=person)
    files = 0
    for document in Document.objects.filter(application__in=mine):
        delete_file_after_commit(document.file.storage, document.file.name)
        files += 1
    conflicts, _ = ConflictDeclaration.objects.filter(reviewer=person).delete()
    applications = mine.count()
    mine.delete()
    return {"applications_deleted": applications, "documents_deleted": files, "conflicts_deleted": conflicts}
