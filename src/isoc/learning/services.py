"""Operations of the learning platform. Each public function that changes state is one
transaction and checks its own rules, raising ``LearningError`` (a ``RuleViolation``, so
the API turns it into a 409 and pages into a form error). Enrolment status changes leave
an ``EnrolmentChange``; publishing leaves a ``CourseVersion``; a certificate keeps who
revoked it, when and why.
"""

from __future__ import annotations

import hashlib
import mimetypes
import secrets
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from isoc.learning import certificates, completion, folder, quiz
from isoc.learning.models import (
    Certificate,
    Choice,
    Cohort,
    Course,
    CourseFile,
    CourseVersion,
    Enrolment,
    EnrolmentChange,
    Lesson,
    LessonView,
    Module,
    Question,
    Quiz,
    QuizAttempt,
    Resource,
)
from isoc.members.services import RuleViolation
from isoc.site.ops.files import write_atomically

Status = Enrolment.Status

# The grader's (Django-free, English) refusals, as learners read them.
ANSWER_MESSAGES = {
    "Choose among the choices shown.": gettext_lazy("Choose among the choices shown."),
    "Choose exactly one answer.": gettext_lazy("Choose exactly one answer."),
    "Give one answer.": gettext_lazy("Give one answer."),
    "Write your answer as text.": gettext_lazy("Write your answer as text."),
    "Answers must be given per question.": gettext_lazy("Answers must be given per question."),
    "An answer was given to a question that is not in this attempt.":
        gettext_lazy("An answer was given to a question that is not in this attempt."),
    quiz.TOO_LONG: gettext_lazy("Keep the answer under 5000 characters."),
}


class LearningError(RuleViolation):
    """A learning rule refused the operation."""


def _is_staff(person) -> bool:
    return bool(person is not None and getattr(person, "is_authenticated", False) and person.is_staff)


def _require_staff(actor) -> None:
    if not _is_staff(actor):
        raise LearningError(_("Only the secretariat can do this."), code="forbidden")


# --- files ---------------------------------------------------------------------------------


def files_root() -> Path:
    return Path(settings.DATA_DIR) / "learning" / "files"


def file_path(f: CourseFile) -> Path:
    return files_root() / f.sha256[:2] / f.sha256


def _store_file(course: Course, name: str, content: bytes) -> CourseFile:
    suffix = Path(name).suffix.lower()
    kind = CourseFile.Kind.IMAGE if suffix in folder.IMAGE_TYPES else CourseFile.Kind.RESOURCE
    content_type = {**folder.IMAGE_TYPES, **folder.RESOURCE_TYPES}.get(suffix) or mimetypes.guess_type(name)[0]
    digest = hashlib.sha256(content).hexdigest()
    target = files_root() / digest[:2] / digest
    if not target.exists():
        # A temporary name of this writer's own, renamed over the target: two imports of the
        # same file never write into one half-written file (both bring the same bytes), and a
        # full or read-only disk leaves no partial file and names the path.
        write_atomically(target, lambda tmp: tmp.write_bytes(content))
    f, _created = CourseFile.objects.update_or_create(
        course=course, name=name, defaults={"kind": kind, "sha256": digest, "size": len(content),
                                            "content_type": content_type or "application/octet-stream"})
    return f


_sizes: dict[str, tuple[int, int] | None] = {}


def image_sizes(course: Course) -> dict[str, tuple[int, int]]:
    """The course's images' width and height by name (read once per file content)."""
    from isoc.learning.render import image_size

    out = {}
    for f in course.files.filter(kind=CourseFile.Kind.IMAGE):
        if f.sha256 not in _sizes:
            path = file_path(f)
            _sizes[f.sha256] = image_size(f.name, path.read_bytes()) if path.exists() else None
        if _sizes[f.sha256]:
            out[f.name] = _sizes[f.sha256]
    return out


# --- the draft and published versions --------------------------------------------------


def draft_spec(course: Course) -> folder.CourseSpec:
    """The course as staff are editing it (the draft rows), in the folder's terms."""
    modules = []
    for m in course.modules.prefetch_related("lessons__resources", "quiz__questions__choices"):
        lessons = [folder.LessonSpec(key=lesson.key, title=lesson.title, file=lesson.file or f"lessons/{lesson.key}.md",
                                     body=lesson.body, video=lesson.video,
                                     resources=[folder.ResourceSpec(r.title, r.file) for r in lesson.resources.all()])
                   for lesson in m.lessons.all()]
        q = getattr(m, "quiz", None) if hasattr(m, "quiz") else None
        quiz_spec = None
        if q is not None:
            questions = []
            for question in q.questions.all():
                item = {"kind": question.kind, "prompt": question.prompt, "explanation": question.explanation,
                        "points": question.points}
                if question.kind in ("single", "multiple"):
                    item["choices"] = [{"text": c.text, "correct": c.correct} for c in question.choices.all()]
                if question.kind == "short":
                    item["accept"] = list(question.accept)
                questions.append(item)
            quiz_spec = folder.QuizSpec(file=q.file or f"quizzes/{m.key}.yaml", title=q.title, questions=questions,
                                        pass_mark=q.pass_mark, max_attempts=q.max_attempts, draw=q.draw)
        modules.append(folder.ModuleSpec(key=m.key, title=m.title, lessons=lessons, quiz=quiz_spec))
    return folder.CourseSpec(
        slug=course.slug, language=course.language, title=course.title, summary=course.summary, topic=course.topic,
        level=course.level, estimated_hours=course.estimated_hours, version=course.published_version,
        enrolment=course.enrolment, pass_mark=course.pass_mark, modules=modules,
        completion={"lessons": course.require_all_lessons, "quizzes": course.require_quizzes})


_spec_cache: dict[tuple, folder.CourseSpec] = {}


def published_spec(course: Course) -> folder.CourseSpec | None:
    """The version learners see, or None when the course was never published."""
    version = course.current_version()
    if version is None:
        return None
    # A version never changes once published. The key is more than the primary key: a
    # rolled-back transaction can hand the same id to another version later.
    key = (version.pk, version.course_id, version.number, version.published_at)
    if key not in _spec_cache:
        if len(_spec_cache) > 500:
            _spec_cache.clear()
        _spec_cache[key] = folder.from_json(version.content)
    return _spec_cache[key]


def _write_draft(course: Course, spec: folder.CourseSpec) -> None:
    """Replace the draft rows with ``spec``."""
    course.modules.all().delete()
    for i, m in enumerate(spec.modules):
        module = Module.objects.create(course=course, key=m.key, title=m.title, order=i)
        for j, lesson in enumerate(m.lessons):
            row = Lesson.objects.create(module=module, key=lesson.key, title=lesson.title, order=j, body=lesson.body,
                                        file=lesson.file, video=lesson.video)
            Resource.objects.bulk_create([Resource(lesson=row, title=r.title, file=r.file, order=k)
                                          for k, r in enumerate(lesson.resources)])
        if m.quiz is not None:
            q = Quiz.objects.create(module=module, file=m.quiz.file, title=m.quiz.title, pass_mark=m.quiz.pass_mark,
                                    max_attempts=m.quiz.max_attempts, draw=m.quiz.draw)
            for k, item in enumerate(m.quiz.questions):
                question = Question.objects.create(quiz=q, order=k, kind=item["kind"], prompt=item["prompt"],
                                                   explanation=item.get("explanation", ""),
                                                   points=item.get("points", 1), accept=item.get("accept", []))
                Choice.objects.bulk_create([Choice(question=question, order=n, text=c["text"], correct=c["correct"])
                                            for n, c in enumerate(item.get("choices", []))])


def _check_publishable(spec: folder.CourseSpec) -> None:
    if not spec.lessons():
        raise LearningError(_("A course needs at least one lesson before it is published."), code="empty")
    for m in spec.modules:
        if not m.lessons:
            raise LearningError(_("The module “%(m)s” has no lesson.") % {"m": m.title}, code="empty")
        if m.quiz is not None:
            for i, q in enumerate(m.quiz.questions):
                try:
                    folder.check_question(q, m.quiz.file, f"questions[{i}].")
                except folder.FolderError as exc:
                    raise LearningError(str(exc), code="invalid_quiz") from None


@transaction.atomic
def publish(course: Course, *, actor=None, note: str = "", number: int | None = None) -> CourseVersion:
    """Freeze the draft as the next published version; learners see it from now on."""
    course = Course.objects.select_for_update().get(pk=course.pk)
    spec = draft_spec(course)
    _check_publishable(spec)
    last = course.versions.aggregate(n=Max("number"))["n"] or 0
    number = max(last + 1, number or 0)
    spec.version = number
    version = CourseVersion.objects.create(course=course, number=number, content=spec.to_json(), published_by=actor,
                                           note=note[:300])
    course.published_version, course.status = number, Course.Status.PUBLISHED
    course.save(update_fields=["published_version", "status"])
    return version


def import_course(path: str | Path, *, publish_it: bool = False, actor=None, is_demo: bool = False) -> Course:
    """Import a course folder as the draft of the course with its slug and language
    (created if new). Checked whole before anything is stored: a malformed folder raises
    ``LearningError`` naming the file and field, and the database is unchanged. With
    ``publish_it``, the draft is then published as the folder's ``version`` (or the next
    number) unless that version with the same content is already published."""
    languages = tuple(code for code, _name in settings.LANGUAGES)
    try:
        spec, files = folder.read_folder(path, languages=languages)
    except folder.FolderError as exc:
        raise LearningError(str(exc), field=f"{exc.file}: {exc.field}" if exc.field else exc.file,
                            code="malformed_folder") from None
    with transaction.atomic():
        course, created = Course.objects.select_for_update().get_or_create(
            slug=spec.slug, language=spec.language,
            defaults={"title": spec.title, "topic": spec.topic, "level": spec.level, "is_demo": is_demo})
        for attr in ("title", "summary", "topic", "level", "estimated_hours", "enrolment", "pass_mark"):
            setattr(course, attr, getattr(spec, attr))
        course.require_all_lessons = spec.completion["lessons"]
        course.require_quizzes = spec.completion["quizzes"]
        course.save()
        _write_draft(course, spec)
        for name, content in files.items():
            _store_file(course, name, content)
        if publish_it:
            current = course.current_version()
            same = current is not None and _same_content(current.content, draft_spec(course).to_json())
            if not same:
                publish(course, actor=actor, note=f"imported from {Path(path).name}", number=spec.version)
        course.refresh_from_db()
    return course


def _same_content(a: dict, b: dict) -> bool:
    return {**a, "version": 0} == {**b, "version": 0}


def export_course(course: Course, path: str | Path) -> Path:
    """Write the course's draft (with its files) as a course folder."""
    spec = draft_spec(course)
    files = {f.name: file_path(f).read_bytes() for f in course.files.all() if file_path(f).exists()}
    return folder.write_folder(spec, files, path)


# --- authoring (staff) ----------------------------------------------------------------------


@transaction.atomic
def create_course(*, actor, slug: str, language: str, title: str, topic: str, level: str, summary: str = "",
                  enrolment: str = "open", estimated_hours: int = 1, pass_mark: int = 70) -> Course:
    _require_staff(actor)
    if not folder.SLUG_RE.match(slug or ""):
        raise LearningError(_("Use lowercase letters, digits and hyphens."), "slug")
    if language not in dict(settings.LANGUAGES):
        raise LearningError(_("Not a language of the site."), "language")
    if Course.objects.filter(slug=slug, language=language).exists():
        raise LearningError(_("A course with this slug already exists in this language."), "slug", code="exists")
    return Course.objects.create(slug=slug, language=language, title=title.strip()[:200], topic=topic, level=level,
                                 summary=summary, enrolment=enrolment, estimated_hours=estimated_hours,
                                 pass_mark=pass_mark)


def _unique_key(existing: set[str], title: str) -> str:
    key = folder.slugify(title)
    base, n = key, 2
    while key in existing:
        key, n = f"{base}-{n}", n + 1
    return key


@transaction.atomic
def save_module(course: Course, *, actor, title: str, module: Module | None = None) -> Module:
    _require_staff(actor)
    title = " ".join((title or "").split())
    if not title:
        raise LearningError(_("A module needs a title."), "title")
    if module is None:
        keys = set(course.modules.values_list("key", flat=True))
        order = (course.modules.aggregate(n=Max("order"))["n"] or 0) + 1
        return Module.objects.create(course=course, key=_unique_key(keys, title), title=title[:200], order=order)
    module.title = title[:200]
    module.save(update_fields=["title"])
    return module


@transaction.atomic
def save_lesson(module: Module, *, actor, title: str, body: str, video: str = "", lesson: Lesson | None = None) -> Lesson:
    _require_staff(actor)
    title = " ".join((title or "").split())
    if not title:
        raise LearningError(_("A lesson needs a title."), "title")
    if video and not video.startswith(("http://", "https://")):
        raise LearningError(_("A video link is an http(s) address."), "video")
    if lesson is None:
        keys = set(Lesson.objects.filter(module__course=module.course).values_list("key", flat=True))
        order = (module.lessons.aggregate(n=Max("order"))["n"] or 0) + 1
        return Lesson.objects.create(module=module, key=_unique_key(keys, title), title=title[:200], body=body,
                                     video=video, order=order)
    lesson.title, lesson.body, lesson.video = title[:200], body, video
    lesson.save(update_fields=["title", "body", "video"])
    return lesson


def _reorder(rows, ordered_ids: list[int], what: str) -> None:
    current = {r.pk: r for r in rows}
    if sorted(current) != sorted(ordered_ids):
        raise LearningError(_("The new order must name every %(what)s exactly once.") % {"what": what}, code="order")
    for i, pk in enumerate(ordered_ids):
        if current[pk].order != i:
            current[pk].order = i
            current[pk].save(update_fields=["order"])


@transaction.atomic
def reorder_modules(course: Course, ordered_ids: list[int], *, actor) -> None:
    _require_staff(actor)
    _reorder(list(course.modules.select_for_update()), ordered_ids, "module")


@transaction.atomic
def reorder_lessons(module: Module, ordered_ids: list[int], *, actor) -> None:
    _require_staff(actor)
    _reorder(list(module.lessons.select_for_update()), ordered_ids, "lesson")


def moved(ids: list[int], pk: int, delta: int) -> list[int]:
    """``ids`` with ``pk`` moved ``delta`` places (for the up/down buttons)."""
    if pk not in ids:
        raise LearningError(_("Not part of this course."), code="order")
    i = ids.index(pk)
    j = max(0, min(len(ids) - 1, i + delta))
    ids = list(ids)
    ids.insert(j, ids.pop(i))
    return ids


# --- enrolment -----------------------------------------------------------------------------


def is_active_member(person, at: datetime) -> bool:
    from isoc.members.status import Status as MembershipStatus

    membership = person.current_membership()
    return membership is not None and membership.status(at) == MembershipStatus.ACTIVE


def _log(enrolment: Enrolment, before: str, after: str, actor, note: str = "", at: datetime | None = None) -> None:
    EnrolmentChange.objects.create(enrolment=enrolment, from_status=before, to_status=after, actor=actor,
                                   note=note[:300], at=at or timezone.now())


def enrolment_refusal(person, course: Course, cohort: Cohort | None = None, at: datetime | None = None) -> str | None:
    """Why ``person`` may not enrol now (None when they may). Shared by the page, which
    says it before the learner tries, and ``enrol``."""
    now = at or timezone.now()
    if course.status != Course.Status.PUBLISHED or not course.published_version:
        return _("This course is not published.")
    if cohort is not None:
        if cohort.course_id != course.pk:
            return _("This cohort belongs to another course.")
        if cohort.ends_on < now.date():
            return _("This cohort has ended.")
    if course.enrolment == Course.Enrolment.COHORT and cohort is None:
        return _("This course is taught in cohorts: enrol through a cohort.")
    if course.enrolment == Course.Enrolment.MEMBERS and not is_active_member(person, now):
        return _("This course is open to Internet Society members with an active membership.")
    return None


@transaction.atomic
def enrol(person, course: Course, *, cohort: Cohort | None = None, actor=None, at: datetime | None = None,
          is_demo: bool = False) -> Enrolment:
    """Enrol ``person`` in ``course`` (in ``cohort`` if given). Open courses take anyone
    signed in; members-only courses need an active individual membership; cohort courses
    need a cohort of the course that has not ended. A withdrawn learner may enrol again
    and keeps their progress."""
    now = at or timezone.now()
    course = Course.objects.select_for_update().get(pk=course.pk)
    refusal = enrolment_refusal(person, course, cohort, now)
    if refusal:
        raise LearningError(refusal, "cohort" if cohort is not None else None, code="not_eligible")
    existing = Enrolment.objects.select_for_update().filter(person=person, course=course).first()
    if existing is not None:
        if existing.status != Status.WITHDRAWN:
            raise LearningError(_("You are already enrolled in this course."), code="already_enrolled")
        existing.status, existing.cohort = Status.ACTIVE, cohort or existing.cohort
        existing.save(update_fields=["status", "cohort"])
        _log(existing, Status.WITHDRAWN, Status.ACTIVE, actor or person, "enrolled again", now)
        return existing
    try:
        with transaction.atomic():
            enrolment = Enrolment.objects.create(person=person, course=course, cohort=cohort, enrolled_at=now,
                                                 is_demo=is_demo)
    except IntegrityError:
        raise LearningError(_("You are already enrolled in this course."), code="already_enrolled") from None
    _log(enrolment, "", Status.ACTIVE, actor or person, "enrolled", now)
    return enrolment


@transaction.atomic
def withdraw(enrolment: Enrolment, *, actor=None, reason: str = "", at: datetime | None = None) -> Enrolment:
    enrolment = Enrolment.objects.select_for_update().get(pk=enrolment.pk)
    if enrolment.status != Status.ACTIVE:
        raise LearningError(_("Only an active enrolment can be withdrawn."), code="not_active")
    enrolment.status = Status.WITHDRAWN
    enrolment.save(update_fields=["status"])
    _log(enrolment, Status.ACTIVE, Status.WITHDRAWN, actor, reason or "withdrawn", at)
    return enrolment


def has_completed(person, course: Course) -> bool:
    """True when ``person`` completed any language version of ``course`` (same slug)."""
    if person is None or not getattr(person, "pk", None):
        return False
    return Enrolment.objects.filter(person=person, course__slug=course.slug, status=Status.COMPLETED).exists()


def enrolment_of(person, course: Course) -> Enrolment | None:
    if not getattr(person, "is_authenticated", False):
        return None
    return Enrolment.objects.filter(person=person, course=course).select_related("course", "cohort").first()


# --- progress --------------------------------------------------------------------------------


def _lesson_keys(spec: folder.CourseSpec) -> list[str]:
    return [lesson.key for lesson in spec.lessons()]


def progress_of(enrolment: Enrolment, spec: folder.CourseSpec | None = None) -> completion.Progress:
    spec = spec or published_spec(enrolment.course)
    seen = set(enrolment.views.values_list("lesson", flat=True))
    passed = set(enrolment.attempts.filter(passed=True).values_list("quiz", flat=True))
    return completion.progress(_lesson_keys(spec), [k for k, _q in spec.quizzes()], seen, passed, spec.completion)


@transaction.atomic
def record_lesson_seen(enrolment: Enrolment, lesson_key: str, *, at: datetime | None = None) -> Certificate | None:
    """The learner opened a lesson: it counts as seen, and "resume" comes back to it.
    Returns the certificate if this completed the course."""
    enrolment = Enrolment.objects.select_for_update().get(pk=enrolment.pk)
    if enrolment.status == Status.WITHDRAWN:
        raise LearningError(_("You withdrew from this course; enrol again to continue."), code="withdrawn")
    spec = published_spec(enrolment.course)
    if lesson_key not in _lesson_keys(spec):
        raise LearningError(_("No such lesson in this course."), code="no_lesson")
    LessonView.objects.get_or_create(enrolment=enrolment, lesson=lesson_key,
                                     defaults={"first_seen_at": at or timezone.now()})
    if enrolment.last_lesson != lesson_key:
        enrolment.last_lesson = lesson_key
        enrolment.save(update_fields=["last_lesson"])
    return _complete_if_done(enrolment, at)


def resume_lesson(enrolment: Enrolment, spec: folder.CourseSpec) -> str | None:
    """Where "resume" goes: the first lesson not yet seen after the last one opened, else
    the last one opened, else the first lesson."""
    keys = _lesson_keys(spec)
    if not keys:
        return None
    seen = set(enrolment.views.values_list("lesson", flat=True))
    start = keys.index(enrolment.last_lesson) if enrolment.last_lesson in keys else 0
    for key in keys[start:] + keys[:start]:
        if key not in seen:
            return key
    return enrolment.last_lesson if enrolment.last_lesson in keys else keys[0]


# --- quizzes -------------------------------------------------------------------------------


def quiz_of(spec: folder.CourseSpec, quiz_key: str) -> folder.QuizSpec:
    for key, q in spec.quizzes():
        if key == quiz_key:
            return q
    raise LearningError(_("No such quiz in this course."), code="no_quiz")


def attempts_left(enrolment: Enrolment, quiz_key: str, q: folder.QuizSpec) -> int | None:
    if q.max_attempts is None:
        return None
    used = enrolment.attempts.filter(quiz=quiz_key).exclude(state=QuizAttempt.State.IN_PROGRESS).count()
    return max(0, q.max_attempts - used)


@transaction.atomic
def start_attempt(enrolment: Enrolment, quiz_key: str, *, at: datetime | None = None, seed: int | None = None) -> QuizAttempt:
    """The learner's attempt at a quiz: the one in progress if there is one (a reload shows
    the same questions), else a new one with questions drawn from the bank — refused when
    the attempts are used up, the quiz is passed or one is awaiting grading."""
    enrolment = Enrolment.objects.select_for_update().get(pk=enrolment.pk)
    if enrolment.status == Status.WITHDRAWN:
        raise LearningError(_("You withdrew from this course; enrol again to continue."), code="withdrawn")
    spec = published_spec(enrolment.course)
    q = quiz_of(spec, quiz_key)
    attempts = enrolment.attempts.filter(quiz=quiz_key)
    current = attempts.filter(state=QuizAttempt.State.IN_PROGRESS).first()
    if current is not None:
        return current
    if attempts.filter(passed=True).exists():
        raise LearningError(_("You have passed this quiz already."), code="passed")
    if attempts.filter(state=QuizAttempt.State.AWAITING_GRADING).exists():
        raise LearningError(_("Your last attempt is waiting for a facilitator to grade it."), code="awaiting")
    if attempts_left(enrolment, quiz_key, q) == 0:
        raise LearningError(_("You have used all %(n)s attempts at this quiz.") % {"n": q.max_attempts},
                            code="no_attempts_left")
    seed = secrets.randbits(48) if seed is None else seed
    number = (attempts.aggregate(n=Max("number"))["n"] or 0) + 1
    return QuizAttempt.objects.create(
        enrolment=enrolment, quiz=quiz_key, number=number, version=enrolment.course.published_version, seed=seed,
        questions=quiz.draw(q.questions, q.draw, seed), pass_mark=q.pass_mark if q.pass_mark is not None else spec.pass_mark,
        started_at=at or timezone.now())


def _finish(attempt: QuizAttempt, points: dict[str, int], at: datetime) -> None:
    attempt.points = points
    attempt.score = quiz.score(attempt.questions, points)
    attempt.passed = quiz.passed(attempt.score, attempt.pass_mark)
    attempt.state = QuizAttempt.State.GRADED
    attempt.graded_at = at


@transaction.atomic
def submit_attempt(attempt: QuizAttempt, answers, *, actor=None, at: datetime | None = None) -> QuizAttempt:
    """Grade the learner's answers. Choice and short-answer questions are graded at once;
    an attempt with open questions waits for a facilitator. Answers that make no sense are
    refused (``LearningError`` naming the question) and the attempt stays open."""
    now = at or timezone.now()
    attempt = QuizAttempt.objects.select_for_update(of=("self",)).select_related("enrolment__course").get(pk=attempt.pk)
    if actor is not None and attempt.enrolment.person_id != actor.pk:
        raise LearningError(_("This is not your attempt."), code="forbidden")
    if attempt.state != QuizAttempt.State.IN_PROGRESS:
        raise LearningError(_("This attempt was already submitted."), code="submitted")
    try:
        clean, result = quiz.grade(attempt.questions, answers)
    except quiz.AnswerError as exc:
        field = f"q{exc.index}" if exc.index is not None else None
        raise LearningError(str(ANSWER_MESSAGES.get(exc.message, exc.message)), field, code="bad_answer") from None
    attempt.answers, attempt.submitted_at = clean, now
    if result.complete:
        _finish(attempt, result.points, now)
    else:
        attempt.points, attempt.state = result.points, QuizAttempt.State.AWAITING_GRADING
    attempt.save()
    if attempt.passed:
        _complete_if_done(attempt.enrolment, now)
    return attempt


def may_grade(person, attempt: QuizAttempt) -> bool:
    """Staff, or a facilitator of the learner's cohort."""
    if _is_staff(person):
        return True
    cohort = attempt.enrolment.cohort
    return bool(getattr(person, "is_authenticated", False) and cohort is not None
                and cohort.facilitators.filter(pk=person.pk).exists())


def grading_queue(person):
    """Attempts awaiting grading that ``person`` may grade, oldest first."""
    qs = QuizAttempt.objects.filter(state=QuizAttempt.State.AWAITING_GRADING).select_related(
        "enrolment__course", "enrolment__person", "enrolment__cohort").order_by("submitted_at", "pk")
    if _is_staff(person):
        return qs
    return qs.filter(enrolment__cohort__facilitators=person)


@transaction.atomic
def grade_attempt(attempt: QuizAttempt, *, actor, points: dict, feedback: dict | None = None,
                  at: datetime | None = None) -> QuizAttempt:
    """A facilitator grades the open answers of an attempt (0..the question's points each)
    and may leave feedback on any question. Completes the course if this was the last step."""
    now = at or timezone.now()
    attempt = QuizAttempt.objects.select_for_update(of=("self",)).select_related("enrolment__cohort").get(pk=attempt.pk)
    if not may_grade(actor, attempt):
        raise LearningError(_("Only the learner's facilitators or the secretariat can grade this."), code="forbidden")
    if attempt.state != QuizAttempt.State.AWAITING_GRADING:
        raise LearningError(_("This attempt is not awaiting grading."), code="not_awaiting")
    awarded = dict(attempt.points)
    for i, q in enumerate(attempt.questions):
        if q["kind"] != "open":
            continue
        raw = points.get(str(i), points.get(i))
        try:
            value = int(str(raw).strip())
        except (TypeError, ValueError):
            raise LearningError(_("Give points for every open answer."), f"points_{i}", code="points") from None
        if not 0 <= value <= q.get("points", 1):
            raise LearningError(_("Points must be from 0 to %(n)s.") % {"n": q.get("points", 1)}, f"points_{i}",
                                code="points")
        awarded[str(i)] = value
    notes = {str(k): str(v).strip()[:2000] for k, v in (feedback or {}).items() if str(v).strip()}
    attempt.feedback, attempt.graded_by = notes, actor
    _finish(attempt, awarded, now)
    attempt.save()
    if attempt.passed:
        _complete_if_done(attempt.enrolment, now)
    return attempt


# --- completion and certificates -------------------------------------------------------------


def _complete_if_done(enrolment: Enrolment, at: datetime | None = None) -> Certificate | None:
    """Inside a transaction: complete the enrolment and issue its certificate when the
    course's rule is met. Idempotent."""
    enrolment.refresh_from_db()
    if enrolment.status == Status.COMPLETED:
        return getattr(enrolment, "certificate", None) or issue_certificate(enrolment)
    if enrolment.status != Status.ACTIVE or not progress_of(enrolment).complete:
        return None
    now = at or timezone.now()
    enrolment.status, enrolment.completed_at = Status.COMPLETED, now
    enrolment.save(update_fields=["status", "completed_at"])
    _log(enrolment, Status.ACTIVE, Status.COMPLETED, None, "completion rule met", now)
    certificate = issue_certificate(enrolment, at=now)
    transaction.on_commit(lambda: _mail_certificate(certificate.pk))
    return certificate


@transaction.atomic
def check_completion(enrolment: Enrolment, *, at: datetime | None = None) -> Certificate | None:
    return _complete_if_done(enrolment, at)


def _key() -> bytes:
    return settings.SECRET_KEY.encode()


@transaction.atomic
def issue_certificate(enrolment: Enrolment, *, at: datetime | None = None) -> Certificate:
    """The certificate of a completed enrolment: issued once; asking again returns it."""
    enrolment = Enrolment.objects.select_for_update(of=("self",)).select_related("person", "course").get(pk=enrolment.pk)
    existing = Certificate.objects.filter(enrolment=enrolment).first()
    if existing is not None:
        return existing
    if enrolment.status != Status.COMPLETED:
        raise LearningError(_("Only a completed course earns a certificate."), code="not_completed")
    while True:
        code = certificates.new_code(_key())
        if not Certificate.objects.filter(code=code).exists():
            break
    return Certificate.objects.create(enrolment=enrolment, code=code, learner_name=enrolment.person.display_name,
                                      course_title=enrolment.course.title,
                                      issued_at=at or enrolment.completed_at or timezone.now())


@transaction.atomic
def revoke_certificate(certificate: Certificate, *, actor, reason: str, at: datetime | None = None) -> Certificate:
    _require_staff(actor)
    certificate = Certificate.objects.select_for_update().get(pk=certificate.pk)
    if certificate.revoked_at is not None:
        raise LearningError(_("This certificate is already revoked."), code="already_revoked")
    reason = " ".join((reason or "").split())
    if not reason:
        raise LearningError(_("Say why the certificate is revoked."), "reason")
    certificate.revoked_at, certificate.revoked_by, certificate.revoked_reason = at or timezone.now(), actor, reason[:300]
    certificate.save(update_fields=["revoked_at", "revoked_by", "revoked_reason"])
    return certificate


@dataclass(frozen=True)
class Verification:
    """What the public verification page may say: nothing but the state, and for a valid
    certificate the name, course and date."""

    state: str  # valid | revoked | unknown | mistyped
    code: str = ""
    name: str = ""
    course: str = ""
    issued_at: datetime | None = None


def verify(text: str) -> Verification:
    code = certificates.normalise(text or "")
    if code is None:
        return Verification("mistyped")
    certificate = Certificate.objects.filter(code=code).first()
    if certificate is None:
        return Verification("unknown" if certificates.well_formed(code, _key()) else "mistyped", code)
    if certificate.revoked_at is not None:
        return Verification("revoked", code)
    return Verification("valid", code, certificate.learner_name, certificate.course_title, certificate.issued_at)


def _mail_certificate(certificate_id: int) -> None:
    from django.core.mail import send_mail
    from django.urls import reverse
    from django.utils import translation

    certificate = Certificate.objects.select_related("enrolment__person").get(pk=certificate_id)
    person = certificate.enrolment.person
    if not person.email or getattr(person, "erased_at", None) or certificate.enrolment.is_demo:
        return
    with translation.override(person.preferred_language or settings.LANGUAGE_CODE):
        subject = _("Your certificate: %(course)s") % {"course": certificate.course_title}
        body = _("Congratulations, you completed “%(course)s”.\n\nDownload your certificate: %(url)s\n"
                 "Verification code: %(code)s\n") % {
            "course": certificate.course_title, "code": certificate.code,
            "url": reverse("learning:certificate_pdf", args=[certificate.code])}
    send_mail(subject, body, None, [person.email])


# --- counts -----------------------------------------------------------------------------------


def learners_trained() -> int:
    """People with at least one completed course (each counted once, demo included, since
    the home page of a demo site shows demo data)."""
    return Enrolment.objects.filter(status=Status.COMPLETED).values("person").distinct().count()
