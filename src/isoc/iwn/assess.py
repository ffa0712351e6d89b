"""Answers → an impact report, without Django.

For each critical property and enabler the report says one of three things:

- ``may_harm``: at least one answer signals a possible harm; the reasons of those
  questions are given (a harm signalled outweighs any uncertainty elsewhere in the part);
- ``not_enough_information``: no harm signalled, but more than the questionnaire's
  ``unknown_share`` of the part's applicable questions are unanswered or "not sure";
- ``no_harm``: no harm signalled and enough questions answered.

"Not applicable" answers leave a question out of the count: a part whose questions all
do not apply signals no harm. The overall verdict is "may harm" when any part may be
harmed, otherwise "not enough information" when any part lacks it, otherwise "no harm".
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from isoc.iwn.questionnaire.model import (
    ANSWERS,
    NOT_APPLICABLE,
    NOT_SURE,
    Part,
    Question,
    Questionnaire,
)

MAY_HARM, NO_HARM, NOT_ENOUGH = "may_harm", "no_harm", "not_enough_information"
VERDICTS = (MAY_HARM, NOT_ENOUGH, NO_HARM)
MAX_ANSWERS = 1000  # far more than any edition has questions: a bigger mapping is hostile


class InvalidAnswers(ValueError):
    """Answers that do not fit the questionnaire; ``errors`` is [(question key, problem)]
    where the problem is one of "unknown question", "unknown answer", "not a mapping"."""

    def __init__(self, errors: list[tuple[str, str]]):
        super().__init__("; ".join(f"{k}: {p}" for k, p in errors[:10]))
        self.errors = errors


@dataclass(frozen=True)
class Finding:
    part: Part
    verdict: str
    harms: tuple[Question, ...]  # the questions whose answers signal a harm, in order
    answered: int  # yes or no
    unsure: int  # "not sure" or unanswered
    applicable: int  # questions not answered "not applicable"


@dataclass(frozen=True)
class Report:
    version: str
    verdict: str
    findings: tuple[Finding, ...]
    answered: int
    total: int

    def with_verdict(self, verdict: str) -> list[Finding]:
        return [f for f in self.findings if f.verdict == verdict]

    @property
    def counts(self) -> dict[str, int]:
        return {v: sum(1 for f in self.findings if f.verdict == v) for v in VERDICTS}


def validate(questionnaire: Questionnaire, answers: object) -> dict[str, str]:
    """The answers as a plain dict, or ``InvalidAnswers`` naming every question key that
    is unknown and every answer that is not one of yes/no/not_sure/na. An empty answer
    ("") means unanswered and is dropped."""
    if not isinstance(answers, Mapping):
        raise InvalidAnswers([("", "not a mapping")])
    if len(answers) > MAX_ANSWERS:
        raise InvalidAnswers([("", "too many answers")])
    errors: list[tuple[str, str]] = []
    clean: dict[str, str] = {}
    for key, value in answers.items():
        if not isinstance(key, str) or key not in questionnaire.questions:
            errors.append((str(key)[:80], "unknown question"))
        elif value in ("", None):
            continue
        elif not isinstance(value, str) or value not in ANSWERS:
            errors.append((key, "unknown answer"))
        else:
            clean[key] = value
    if errors:
        raise InvalidAnswers(errors)
    return clean


def finding(questionnaire: Questionnaire, part: Part, answers: Mapping[str, str]) -> Finding:
    """One part's verdict from already valid answers."""
    harms: list[Question] = []
    applicable = unsure = 0
    for q in part.questions:  # one pass: this runs for every part of every report
        given = answers.get(q.key, NOT_SURE)  # unanswered counts as not sure
        if given in q.harm_if and q.key in answers:
            harms.append(q)
        if given != NOT_APPLICABLE:
            applicable += 1
            if given == NOT_SURE:
                unsure += 1
    answered = applicable - unsure
    if harms:
        verdict = MAY_HARM
    elif applicable and unsure > questionnaire.unknown_share * applicable:
        verdict = NOT_ENOUGH
    else:
        verdict = NO_HARM
    return Finding(part, verdict, tuple(harms), answered, unsure, applicable)


def report(questionnaire: Questionnaire, answers: object) -> Report:
    """The report for ``answers`` (validated first: ``InvalidAnswers`` if they do not fit)."""
    clean = validate(questionnaire, answers)
    findings = tuple(finding(questionnaire, part, clean) for part in questionnaire.parts)
    if any(f.verdict == MAY_HARM for f in findings):
        verdict = MAY_HARM
    elif any(f.verdict == NOT_ENOUGH for f in findings):
        verdict = NOT_ENOUGH
    else:
        verdict = NO_HARM
    return Report(questionnaire.version, verdict, findings, answered=len(clean), total=len(questionnaire.questions))
