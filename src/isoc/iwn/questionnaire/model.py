"""The shape of a questionnaire: steps of parts (a critical property or an enabler), each
with a few yes/no questions and, per question, the answers that signal a possible harm."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

YES, NO, NOT_SURE, NOT_APPLICABLE = "yes", "no", "not_sure", "na"
# Every answer a question accepts, in the order the form offers them.
ANSWERS: tuple[str, ...] = (YES, NO, NOT_SURE, NOT_APPLICABLE)


@dataclass(frozen=True)
class Question:
    key: str  # "<part key>.<n>": stable within an edition, the form field's name
    text: str  # English; translated by the shell
    harm_if: frozenset[str]  # the answers that signal a possible harm
    reason: str  # why such an answer may harm the part, shown in the report


@dataclass(frozen=True)
class Part:
    key: str
    kind: str  # "property" (a critical property) or "enabler"
    title: str
    explanation: str
    questions: tuple[Question, ...]


@dataclass(frozen=True)
class Step:
    key: str
    title: str
    intro: str
    parts: tuple[Part, ...]


@dataclass(frozen=True)
class Questionnaire:
    version: str
    steps: tuple[Step, ...]
    # More than this share of a part's applicable questions unanswered or "not sure", and
    # no harm signalled: the report says there is not enough information.
    unknown_share: float = 0.5

    @cached_property
    def parts(self) -> tuple[Part, ...]:
        return tuple(p for s in self.steps for p in s.parts)

    @cached_property
    def questions(self) -> dict[str, Question]:
        """Every question by key, in questionnaire order."""
        return {q.key: q for p in self.parts for q in p.questions}

    def part_of(self, question_key: str) -> Part:
        for part in self.parts:
            if any(q.key == question_key for q in part.questions):
                return part
        raise KeyError(question_key)


def question(key: str, text: str, harm_if: str | tuple[str, ...], reason: str) -> Question:
    answers = (harm_if,) if isinstance(harm_if, str) else harm_if
    assert set(answers) <= set(ANSWERS), answers
    return Question(key, text, frozenset(answers), reason)
