"""The completion rule of a course. No Django.

A course is completed when (unless the course relaxes it in ``completion``) every lesson
of the published version has been seen and every quiz has a passed, fully graded attempt.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Progress:
    lessons_total: int
    lessons_seen: int
    quizzes_total: int
    quizzes_passed: int
    missing: tuple[str, ...]  # what still stands between the learner and completion, as keys

    @property
    def complete(self) -> bool:
        return not self.missing

    @property
    def percent(self) -> int:
        total = self.lessons_total + self.quizzes_total
        done = self.lessons_seen + self.quizzes_passed
        return 100 if total == 0 else int(100 * done / total)


def progress(lesson_keys: list[str], quiz_keys: list[str], seen: set[str], passed: set[str],
             rule: dict | None = None) -> Progress:
    """Where a learner stands. ``rule`` is the course's ``completion`` ({lessons, quizzes})."""
    rule = rule or {"lessons": True, "quizzes": True}
    unseen = [k for k in lesson_keys if k not in seen]
    unpassed = [k for k in quiz_keys if k not in passed]
    missing = tuple((["lesson:" + k for k in unseen] if rule.get("lessons", True) else [])
                    + (["quiz:" + k for k in unpassed] if rule.get("quizzes", True) else []))
    return Progress(lessons_total=len(lesson_keys), lessons_seen=len(lesson_keys) - len(unseen),
                    quizzes_total=len(quiz_keys), quizzes_passed=len(quiz_keys) - len(unpassed), missing=missing)
