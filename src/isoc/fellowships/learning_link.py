"""The one place fellowships ask the learning platform anything: whether a person
completed a course, and enrolling an accepted fellow into one."""

from __future__ import annotations

from isoc.learning import services as learning
from isoc.learning.models import Course


def has_completed(person, course: Course | None) -> bool:
    """Whether ``person`` completed ``course`` (any of its language versions)."""
    return course is not None and learning.has_completed(person, course)


def enrol(person, course: Course, language: str = "", is_demo: bool = False) -> tuple[Course | None, str]:
    """Enrol ``person`` in ``course`` — the version in their language when there is one.
    Returns the course enrolled in (already being enrolled counts), or None and why not:
    a refusal (unpublished, members only…) must not undo an acceptance."""
    version = Course.objects.filter(slug=course.slug, language=language, status=Course.Status.PUBLISHED).first()
    version = version or course
    try:
        learning.enrol(person, version, actor=person, is_demo=is_demo)
    except learning.LearningError as exc:
        if exc.code == "already_enrolled":
            return version, ""
        return None, exc.message
    return version, ""
