"""The one place fellowships ask the learning platform anything: whether a person
completed a course, and enrolling an accepted fellow into one. Courses are named by slug
(a course's translations share it)."""

from __future__ import annotations


def _learning():
    from django.apps import apps

    if not apps.is_installed("isoc.learning"):
        return None
    from isoc.learning import services

    return services


def course_title(slug: str) -> str:
    """The course's title for messages (the slug while the course is unknown)."""
    if not slug:
        return ""
    learning = _learning()
    if learning is None:
        return slug
    from isoc.learning.models import Course

    course = Course.objects.filter(slug=slug).order_by("pk").first()
    return course.title if course else slug


def has_completed(person, slug: str) -> bool:
    """Whether ``person`` completed the course ``slug`` (in any of its languages)."""
    learning = _learning()
    if learning is None or not slug:
        return False
    from isoc.learning.models import Course

    return any(learning.has_completed(person, course) for course in Course.objects.filter(slug=slug))


def enrol(person, slug: str, language: str = "en") -> bool:
    """Enrol ``person`` into course ``slug`` (their language's version, else any);
    False when the course does not exist (yet): onboarding says so."""
    learning = _learning()
    if learning is None or not slug:
        return False
    from isoc.learning.models import Course

    courses = Course.objects.filter(slug=slug)
    course = courses.filter(language=language).first() or courses.order_by("pk").first()
    if course is None:
        return False
    learning.enrol(person, course)
    return True
