"""The questionnaire and reports in the reader's language, as plain dicts for the pages,
the PDF and the API (one shape for all three)."""

from __future__ import annotations

from collections.abc import Mapping

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from isoc.iwn import assess
from isoc.iwn.questionnaire import ANSWERS, Part, Questionnaire, Step


def tr(text: str) -> str:
    """A questionnaire text (marked in its edition's module) in the reader's language."""
    return translation.gettext(text)


def answer_labels() -> dict[str, str]:
    return {"yes": pgettext("iwn answer", "Yes"), "no": pgettext("iwn answer", "No"),
            "not_sure": pgettext("iwn answer", "Not sure"), "na": pgettext("iwn answer", "Not applicable")}


def verdict_labels() -> dict[str, str]:
    return {assess.MAY_HARM: _("May harm"), assess.NO_HARM: _("No harm signalled"),
            assess.NOT_ENOUGH: _("Not enough information")}


def kind_label(kind: str) -> str:
    return _("Critical property") if kind == "property" else _("Enabler")


def part(p: Part, answers: Mapping[str, str] | None = None) -> dict:
    labels = answer_labels()
    return {"key": p.key, "kind": p.kind, "kind_label": kind_label(p.kind), "title": tr(p.title),
            "explanation": tr(p.explanation),
            "questions": [{"key": q.key, "text": tr(q.text), "harm_if": sorted(q.harm_if), "reason": tr(q.reason),
                           "answer": (answers or {}).get(q.key, ""),
                           "answer_label": labels.get((answers or {}).get(q.key, ""), _("Not answered"))}
                          for q in p.questions]}


def step(s: Step, answers: Mapping[str, str] | None = None) -> dict:
    return {"key": s.key, "title": tr(s.title), "intro": tr(s.intro), "parts": [part(p, answers) for p in s.parts]}


def questionnaire(q: Questionnaire) -> dict:
    labels = answer_labels()
    return {"version": q.version, "answers": [{"value": a, "label": labels[a]} for a in ANSWERS],
            "steps": [step(s) for s in q.steps]}


def report(r: assess.Report, answers: Mapping[str, str]) -> dict:
    verdicts = verdict_labels()
    findings = []
    for f in r.findings:
        shown = part(f.part, answers)
        findings.append({**shown, "verdict": f.verdict, "verdict_label": verdicts[f.verdict],
                         "reasons": [tr(q.reason) for q in f.harms], "answered": f.answered, "unsure": f.unsure,
                         "applicable": f.applicable})
    counts = r.counts
    return {"version": r.version, "verdict": r.verdict, "verdict_label": verdicts[r.verdict],
            "answered": r.answered, "total": r.total, "counts": counts,
            "harmed": [f for f in findings if f["verdict"] == assess.MAY_HARM],
            "unknown": [f for f in findings if f["verdict"] == assess.NOT_ENOUGH],
            "findings": findings}
