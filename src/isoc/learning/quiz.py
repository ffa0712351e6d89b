"""Quiz questions, the random draw and the grading of an attempt. No Django.

A question is plain data as ``folder.check_question`` returns it. Answers come from a
form or JSON, so anything may arrive: ``grade`` either returns a ``Grade`` or raises
``AnswerError`` with a message a learner can act on — never anything else.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

MAX_ANSWER_CHARS = 5000
TOO_LONG = "Keep the answer under 5000 characters."


class AnswerError(ValueError):
    """An answer that cannot be graded; ``index`` is the question it concerns."""

    def __init__(self, index: int | None, message: str):
        super().__init__(message)
        self.index, self.message = index, message


def draw(questions: list[dict], count: int | None, seed: int) -> list[dict]:
    """The questions of one attempt: ``count`` drawn from the bank with ``seed`` (all of
    them, shuffled, when ``count`` is None). The same seed always draws the same ones, so
    the attempt stores only the seed and its copy of them survives a reload."""
    rng = random.Random(seed)
    n = len(questions) if count is None else max(1, min(count, len(questions)))
    return [dict(q) for q in rng.sample(questions, n)]


def normalise(text: str) -> str:
    """Short answers are compared case- and whitespace-insensitively."""
    return " ".join(str(text).split()).casefold()


def _indices(value: Any, n: int, index: int) -> set[int]:
    values = value if isinstance(value, list | tuple | set) else [value]
    out = set()
    for v in values:
        if isinstance(v, bool):
            raise AnswerError(index, "Choose among the choices shown.")
        try:
            k = int(str(v).strip())
        except (TypeError, ValueError):
            raise AnswerError(index, "Choose among the choices shown.") from None
        if not 0 <= k < n:
            raise AnswerError(index, "Choose among the choices shown.")
        out.add(k)
    return out


def clean_answers(questions: list[dict], answers: Any) -> dict[str, Any]:
    """Check raw answers (question index as text → value) and return them normalised:
    choice indices as sorted lists, texts stripped. Unanswered questions are allowed
    (they score nothing); an answer to a question that does not exist is an error."""
    if answers is None:
        answers = {}
    if not isinstance(answers, dict):
        raise AnswerError(None, "Answers must be given per question.")
    clean: dict[str, Any] = {}
    for key, value in answers.items():
        try:
            i = int(str(key))
        except ValueError:
            raise AnswerError(None, "Answers must be given per question.") from None
        if not 0 <= i < len(questions) or str(i) != str(key).strip():
            raise AnswerError(None, "An answer was given to a question that is not in this attempt.")
        q = questions[i]
        if value in (None, "", []):
            continue
        if q["kind"] == "single":
            chosen = _indices(value, len(q["choices"]), i)
            if len(chosen) != 1:
                raise AnswerError(i, "Choose exactly one answer.")
            clean[str(i)] = sorted(chosen)
        elif q["kind"] == "multiple":
            clean[str(i)] = sorted(_indices(value, len(q["choices"]), i))
        else:
            if isinstance(value, list | tuple):
                if len(value) != 1:
                    raise AnswerError(i, "Give one answer.")
                value = value[0]
            if not isinstance(value, str | int | float) or isinstance(value, bool):
                raise AnswerError(i, "Write your answer as text.")
            text = str(value).strip()
            if len(text) > MAX_ANSWER_CHARS:
                raise AnswerError(i, TOO_LONG)
            if "\x00" in text:
                raise AnswerError(i, "Write your answer as text.")
            clean[str(i)] = text
    return clean


@dataclass
class Grade:
    points: dict[str, int]  # question index → points awarded (automatically graded ones)
    awaiting: list[int] = field(default_factory=list)  # open questions a facilitator must grade
    possible: int = 0

    @property
    def complete(self) -> bool:
        return not self.awaiting


def auto_points(q: dict, answer: Any) -> int | None:
    """Points for one answer, or None for an open question (a facilitator grades it)."""
    if q["kind"] == "open":
        return None
    if answer in (None, "", []):
        return 0
    if q["kind"] in ("single", "multiple"):
        right = {k for k, c in enumerate(q["choices"]) if c["correct"]}
        return q.get("points", 1) if set(answer) == right else 0
    accepted = {normalise(a) for a in q.get("accept", [])}
    return q.get("points", 1) if normalise(answer) in accepted else 0


def grade(questions: list[dict], answers: Any) -> tuple[dict[str, Any], Grade]:
    """Check ``answers`` and grade what can be graded automatically. Returns the cleaned
    answers and the grade; raises ``AnswerError`` for answers that make no sense."""
    clean = clean_answers(questions, answers)
    result = Grade(points={}, possible=sum(q.get("points", 1) for q in questions))
    for i, q in enumerate(questions):
        pts = auto_points(q, clean.get(str(i)))
        if pts is None:
            result.awaiting.append(i)
        else:
            result.points[str(i)] = pts
    return clean, result


def score(questions: list[dict], points: dict[str, int]) -> Decimal:
    """The percentage (two decimals) of the attempt's possible points."""
    possible = sum(q.get("points", 1) for q in questions)
    if possible == 0:
        return Decimal("100.00")
    got = sum(int(points.get(str(i), 0)) for i in range(len(questions)))
    return (Decimal(100) * got / possible).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def passed(score_percent: Decimal, pass_mark: int) -> bool:
    return score_percent >= pass_mark


def public_view(q: dict) -> dict:
    """A question as the learner sees it before submitting: no correct flags, no accepted
    answers, no explanation."""
    out = {"kind": q["kind"], "prompt": q["prompt"], "points": q.get("points", 1)}
    if q.get("choices"):
        out["choices"] = [c["text"] for c in q["choices"]]
    return out
