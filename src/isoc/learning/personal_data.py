"""Personal data in learning: enrolments, progress, quiz attempts and certificates
(see isoc.site.personal_data).

Erasure deletes the person's progress and quiz answers everywhere, and enrolments that
did not end in a certificate. A completed enrolment with a certificate stays, linked to
the account's pseudonym, and the certificate keeps its code, course and date with the
learner's name replaced: someone holding the code can still see that such a certificate
was issued, but it no longer says to whom (a certificate that vanished would look forged;
one that still named the person would defeat the erasure). ``learners_trained`` counts
stay right."""

from __future__ import annotations

from isoc.learning.models import Certificate, Enrolment, EnrolmentChange, LessonView, QuizAttempt
from isoc.site.personal_data import anonymise, delete, detach, not_personal

ERASED_LEARNER = "Erased learner"

COVERS = {
    "learning.CourseVersion": detach("published_by"),
    "learning.CourseFile": not_personal("a course's own file; the name is the file's"),
    "learning.Cohort": detach("facilitators", why="a cohort of a course; only its facilitators are people"),
    "learning.Enrolment": anonymise("kept, linked to the pseudonym, only when it ended in a certificate "
                                    "(learner counts, the certificate's record); others are deleted"),
    "learning.EnrolmentChange": delete("actor"),
    "learning.LessonView": delete(),
    "learning.QuizAttempt": delete("graded_by"),
    "learning.Certificate": anonymise("kept with the learner's name replaced: its code must not look forged",
                                      "revoked_by"),
}


def _at(value):
    return value.isoformat() if value else None


def export(person) -> dict:
    enrolments = Enrolment.objects.filter(person=person).select_related("course", "cohort").order_by("pk")
    views: dict[int, list] = {}
    for v in LessonView.objects.filter(enrolment__person=person).order_by("first_seen_at", "pk"):
        views.setdefault(v.enrolment_id, []).append({"lesson": v.lesson, "first_seen_at": _at(v.first_seen_at)})
    attempts: dict[int, list] = {}
    for a in QuizAttempt.objects.filter(enrolment__person=person).order_by("pk"):
        attempts.setdefault(a.enrolment_id, []).append(
            {"quiz": a.quiz, "number": a.number, "state": a.state, "answers": a.answers, "score": a.score,
             "passed": a.passed, "feedback": a.feedback, "started_at": _at(a.started_at),
             "submitted_at": _at(a.submitted_at)})
    certificates = {c.enrolment_id: c for c in Certificate.objects.filter(enrolment__person=person)}
    history: dict[int, list] = {}
    for c in EnrolmentChange.objects.filter(enrolment__person=person).order_by("at", "pk"):
        history.setdefault(c.enrolment_id, []).append({"at": _at(c.at), "from": c.from_status, "to": c.to_status})
    return {"enrolments": [
        {"course": e.course.title, "cohort": e.cohort.name if e.cohort else None, "status": e.status,
         "enrolled_at": _at(e.enrolled_at), "completed_at": _at(e.completed_at),
         "lessons_seen": views.get(e.pk, []), "quiz_attempts": attempts.get(e.pk, []),
         "certificate": ({"code": certificates[e.pk].code, "issued_at": _at(certificates[e.pk].issued_at),
                          "revoked_at": _at(certificates[e.pk].revoked_at)} if e.pk in certificates else None),
         "history": history.get(e.pk, [])}
        for e in enrolments
    ]}


def erase(person, actor) -> dict:
    mine = Enrolment.objects.filter(person=person)
    attempts, _ = QuizAttempt.objects.filter(enrolment__in=mine).delete()
    views, _ = LessonView.objects.filter(enrolment__in=mine).delete()
    EnrolmentChange.objects.filter(enrolment__in=mine).delete()
    certified = Certificate.objects.filter(enrolment__person=person)
    renamed = certified.update(learner_name=ERASED_LEARNER)
    deleted, _ = mine.exclude(pk__in=certified.values("enrolment_id")).delete()
    return {"quiz_attempts_deleted": attempts, "lesson_views_deleted": views, "enrolments_deleted": deleted,
            "certificates_anonymised": renamed}
