"""Learning API: the catalog, one course with its contents, and certificate verification.
Misshapen input is a 422, an unknown course a 404 (the shared error shape)."""

from datetime import datetime
from typing import Literal

from django.http import Http404
from ninja import Path, Query, Router, Schema
from ninja.pagination import paginate

from isoc.learning import folder, queries, services
from isoc.learning.models import Course
from isoc.site.apiparams import SLUG
from isoc.site.pagination import LazyRows, Page

router = Router(tags=["learning"])

LanguageCode = Literal["", "en", "fr", "es", "et"]
Topic = Literal["", *folder.TOPICS]  # type: ignore[valid-type]
Level = Literal["", *folder.LEVELS]  # type: ignore[valid-type]


class CourseOut(Schema):
    slug: str
    language: str
    title: str
    summary: str
    topic: str
    level: str
    estimated_hours: int
    enrolment: str
    version: int
    translations: list[str]
    is_demo: bool
    url: str


class LessonOut(Schema):
    key: str
    title: str
    video: str


class ModuleOut(Schema):
    title: str
    lessons: list[LessonOut]
    quiz: str | None


class CourseDetailOut(CourseOut):
    modules: list[ModuleOut]


class VerificationOut(Schema):
    state: Literal["valid", "revoked", "unknown", "mistyped"]
    name: str | None
    course: str | None
    issued_at: datetime | None


def _course_out(c: Course) -> dict:
    return {"slug": c.slug, "language": c.language, "title": c.title, "summary": c.summary, "topic": c.topic,
            "level": c.level, "estimated_hours": c.estimated_hours, "enrolment": c.enrolment,
            "version": c.published_version, "is_demo": c.is_demo, "url": c.get_absolute_url(),
            "translations": list(c.translations().values_list("language", flat=True))}


@router.get("courses", response=list[CourseOut], summary="Published courses, filtered by language, topic and level")
@paginate(Page)
def courses(request, language: LanguageCode = "", topic: Topic = "", level: Level = ""):
    return LazyRows(queries.catalog(language=language, topic=topic, level=level),
                    lambda page: [_course_out(c) for c in page])


@router.get("courses/{language}/{slug}", response=CourseDetailOut, summary="One published course with its contents")
def course(request, language: str = Path(..., pattern=r"^[a-z]{2}$"),
           slug: str = Path(..., max_length=120, pattern=SLUG)):
    c = Course.objects.filter(slug=slug, language=language, status=Course.Status.PUBLISHED).first()
    spec = services.published_spec(c) if c else None
    if spec is None:
        raise Http404
    return {**_course_out(c), "modules": [
        {"title": m.title, "lessons": [{"key": lesson.key, "title": lesson.title, "video": lesson.video}
                                       for lesson in m.lessons],
         "quiz": m.quiz.title if m.quiz else None} for m in spec.modules]}


@router.get("certificates/verify", response=VerificationOut,
            summary="Verify a certificate code: valid (with name, course, date), revoked, unknown or mistyped")
def verify(request, code: str = Query(..., min_length=1, max_length=64)):
    result = services.verify(code)
    valid = result.state == "valid"
    return {"state": result.state, "name": result.name if valid else None, "course": result.course if valid else None,
            "issued_at": result.issued_at if valid else None}
