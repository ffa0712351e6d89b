"""Demo learning data: every course folder under ``demo_courses/`` imported and published,
two cohorts per course (one finished, one running) with demo facilitators, and about
2,000 demo enrolments over the demo people in every state: active at various points,
completed with certificates, withdrawn, and quiz attempts failed (some later passed).

Courses go through ``services.import_course``. Enrolments and their progress are
written in bulk (2,000 learners through the services one lesson at a time would take
minutes), but every row is what the services would have written: attempts are drawn and
graded by ``isoc.learning.quiz``, each status change has its ``EnrolmentChange`` and each
completion its certificate with a real code. Everything is marked ``is_demo``;
``remove`` deletes it all.
"""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from isoc.learning import certificates, quiz, services
from isoc.learning.models import (
    Certificate,
    Cohort,
    Course,
    Enrolment,
    EnrolmentChange,
    LessonView,
    QuizAttempt,
)

FOLDERS = Path(__file__).resolve().parent / "demo_courses"
ENROLMENTS = 2000


def remove() -> None:
    """Delete the demo learning data (before the demo people it refers to)."""
    demo = Enrolment.objects.filter(is_demo=True)
    Certificate.objects.filter(enrolment__in=demo).delete()
    QuizAttempt.objects.filter(enrolment__in=demo).delete()
    LessonView.objects.filter(enrolment__in=demo).delete()
    EnrolmentChange.objects.filter(enrolment__in=demo).delete()
    demo.delete()
    Cohort.objects.filter(is_demo=True).delete()
    for course in Course.objects.filter(is_demo=True):
        if not course.enrolments.exists():  # a real learner's enrolment keeps the course
            course.delete()


def import_folders(folders: Path = FOLDERS) -> list[Course]:
    courses = []
    for path in sorted(p for p in folders.iterdir() if (p / "course.yaml").is_file()):
        course = services.import_course(path, publish_it=True, is_demo=True)
        if not course.is_demo and not course.enrolments.exclude(is_demo=True).exists():
            Course.objects.filter(pk=course.pk).update(is_demo=True)
        courses.append(course)
    return courses


def _answers(questions: list[dict], rng: random.Random, right: bool) -> dict:
    out = {}
    for i, q in enumerate(questions):
        good = right or rng.random() < 0.3
        if q["kind"] in ("single", "multiple"):
            correct = [k for k, c in enumerate(q["choices"]) if c["correct"]]
            wrong = [k for k in range(len(q["choices"])) if k not in correct] or correct
            out[str(i)] = correct if good else [rng.choice(wrong)]
        elif q["kind"] == "short":
            out[str(i)] = q["accept"][0] if good else "I am not sure"
        else:
            out[str(i)] = "A demo learner's answer, written for the demo."
    return out


def _attempt(enrolment, key, q, spec, number, at, rng, *, passing: bool) -> QuizAttempt:
    seed = rng.getrandbits(48)
    questions = quiz.draw(q.questions, q.draw, seed)
    clean, grade = quiz.grade(questions, _answers(questions, rng, passing))
    points = dict(grade.points)
    for i in grade.awaiting:  # open answers: graded by a facilitator in the demo too
        points[str(i)] = questions[i].get("points", 1) if passing else 0
    score = quiz.score(questions, points)
    pass_mark = q.pass_mark if q.pass_mark is not None else spec.pass_mark
    return QuizAttempt(enrolment=enrolment, quiz=key, number=number, version=enrolment.course.published_version,
                       seed=seed, questions=questions, answers=clean, state=QuizAttempt.State.GRADED,
                       pass_mark=pass_mark, points=points, score=score, passed=quiz.passed(score, pass_mark),
                       started_at=at, submitted_at=at + timedelta(minutes=12), graded_at=at + timedelta(minutes=12),
                       feedback={str(i): "Clear and to the point." for i in grade.awaiting} if passing else {})


@transaction.atomic
def generate(*, seed: int = 2026, reset: bool = False, count: int = ENROLMENTS, now: datetime | None = None) -> dict:
    """Import the demo courses and create the demo cohorts and enrolments (once: nothing is
    added when demo enrolments exist, unless ``reset``)."""
    from isoc.members.models import Person

    if reset:
        remove()
    courses = import_folders()
    if Enrolment.objects.filter(is_demo=True).exists() or not courses:
        return {"courses": len(courses), "cohorts": 0, "enrolments": 0, "certificates": 0}
    rng = random.Random(seed)
    now = now or timezone.now()
    people = list(Person.objects.filter(is_demo=True, is_active=True, erased_at__isnull=True).order_by("pk"))
    if not people:
        return {"courses": len(courses), "cohorts": 0, "enrolments": 0, "certificates": 0}
    today = now.date()
    cohorts: dict[int, list[Cohort]] = {}
    for i, course in enumerate(courses):
        past = Cohort.objects.create(course=course, name=f"{course.title}: cohort 1 (demo)",
                                     starts_on=today - timedelta(days=200), ends_on=today - timedelta(days=140),
                                     is_demo=True)
        running = Cohort.objects.create(course=course, name=f"{course.title}: cohort 2 (demo)",
                                        starts_on=today - timedelta(days=20), ends_on=today + timedelta(days=40),
                                        is_demo=True)
        for cohort in (past, running):
            cohort.facilitators.add(people[(i * 2 + (cohort is running)) % len(people)])
        cohorts[course.pk] = [past, running]
    # Members-only courses take demo people whose individual membership is active now.
    members = ({p.pk for p in people if services.is_active_member(p, now)}
               if any(c.enrolment == Course.Enrolment.MEMBERS for c in courses) else set())
    key = settings.SECRET_KEY.encode()
    enrolments, changes, views, attempts, certs = [], [], [], [], []
    pairs = set()
    specs = {course.pk: services.published_spec(course) for course in courses}  # one query each, not one per learner
    tries = 0
    while len(enrolments) < count and tries < count * 5:
        tries += 1
        person, course = rng.choice(people), rng.choice(courses)
        if (person.pk, course.pk) in pairs or (course.enrolment == Course.Enrolment.MEMBERS
                                                and person.pk not in members):
            continue
        pairs.add((person.pk, course.pk))
        spec = specs[course.pk]
        enrolled = now - timedelta(days=rng.randint(1, 540), hours=rng.randint(0, 23))
        cohort = None
        if course.enrolment == Course.Enrolment.COHORT or rng.random() < 0.25:
            cohort = cohorts[course.pk][1 if enrolled > now - timedelta(days=20) else 0]
        roll = rng.random()
        status = ("completed" if roll < 0.38 else "withdrawn" if roll < 0.50 else "active")
        e = Enrolment(person=person, course=course, cohort=cohort, status=status, enrolled_at=enrolled, is_demo=True)
        lessons = [lesson.key for lesson in spec.lessons()]
        seen = len(lessons) if status == "completed" else rng.randint(0, len(lessons))
        e.last_lesson = lessons[seen - 1] if seen else ""
        e._seen = lessons[:seen]
        e._plan = (spec, status)
        if status == "completed":
            e.completed_at = min(now, enrolled + timedelta(days=rng.randint(3, 60)))
        enrolments.append(e)
    Enrolment.objects.bulk_create(enrolments, batch_size=500)
    for e in enrolments:
        spec, status = e._plan
        changes.append(EnrolmentChange(enrolment=e, at=e.enrolled_at, from_status="", to_status="active",
                                       note="enrolled (demo)"))
        views.extend(LessonView(enrolment=e, lesson=k, first_seen_at=e.enrolled_at + timedelta(hours=n + 1))
                     for n, k in enumerate(e._seen))
        for qkey, q in spec.quizzes():
            at = e.enrolled_at + timedelta(days=1)
            if status == "completed":
                number = 1
                if rng.random() < 0.25:  # failed once first
                    attempts.append(_attempt(e, qkey, q, spec, number, at, rng, passing=False))
                    number += 1
                attempts.append(_attempt(e, qkey, q, spec, number, at + timedelta(hours=2), rng, passing=True))
            elif len(e._seen) == len(spec.lessons()) or rng.random() < 0.3:
                attempts.append(_attempt(e, qkey, q, spec, 1, at, rng, passing=False))
        if status == "completed":
            changes.append(EnrolmentChange(enrolment=e, at=e.completed_at, from_status="active", to_status="completed",
                                           note="completion rule met (demo)"))
            certs.append(Certificate(enrolment=e, code=certificates.new_code(key), learner_name=e.person.display_name,
                                     course_title=e.course.title, issued_at=e.completed_at))
        elif status == "withdrawn":
            changes.append(EnrolmentChange(enrolment=e, at=e.enrolled_at + timedelta(days=rng.randint(1, 30)),
                                           from_status="active", to_status="withdrawn", note="withdrawn (demo)"))
    EnrolmentChange.objects.bulk_create(changes, batch_size=1000)
    LessonView.objects.bulk_create(views, batch_size=1000)
    QuizAttempt.objects.bulk_create(attempts, batch_size=500)
    Certificate.objects.bulk_create(certs, batch_size=500)
    # Active learners whose demo attempts happened to pass everything: complete them as
    # the services would (so no active enrolment silently meets the completion rule). Only
    # those who saw every lesson and passed every quiz the rule asks for can have met it:
    # the service (a transaction and several queries each) decides for them alone.
    passed = {(a.enrolment.pk, a.quiz) for a in attempts if a.passed}
    for e in enrolments:
        spec, status = e._plan
        if status != "active":
            continue
        lessons_done = not spec.completion["lessons"] or len(e._seen) == len(spec.lessons())
        quizzes_done = not spec.completion["quizzes"] or all((e.pk, k) in passed for k, _ in spec.quizzes())
        if lessons_done and quizzes_done:
            services.check_completion(e, at=min(now, e.enrolled_at + timedelta(days=2)))
    return {"courses": len(courses), "cohorts": 2 * len(courses),
            "enrolments": Enrolment.objects.filter(is_demo=True).count(),
            "certificates": Certificate.objects.filter(enrolment__is_demo=True).count()}


def running_cohort(course: Course) -> Cohort | None:
    return course.cohorts.filter(ends_on__gte=date.today()).order_by("starts_on").first()
