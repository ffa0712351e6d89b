"""The IWN questionnaire, one versioned module per edition (Django-free).

An assessment keeps the version it was answered with, so a later edition of the
questions never re-reads old answers against questions they were not given to.
``CURRENT`` is the edition new assessments use.
"""

from __future__ import annotations

from isoc.iwn.questionnaire import iwn_2026_1
from isoc.iwn.questionnaire.model import ANSWERS, Part, Question, Questionnaire, Step

EDITIONS: dict[str, Questionnaire] = {q.version: q for q in (iwn_2026_1.QUESTIONNAIRE,)}
CURRENT: Questionnaire = iwn_2026_1.QUESTIONNAIRE


def edition(version: str) -> Questionnaire:
    """The questionnaire of ``version``; KeyError for an unknown one."""
    return EDITIONS[version]


__all__ = ["ANSWERS", "CURRENT", "EDITIONS", "Part", "Question", "Questionnaire", "Step", "edition"]
