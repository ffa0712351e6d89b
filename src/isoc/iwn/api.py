"""IWN assessment API: the questionnaire, a saved report by its share token, and the
evaluation of answers without saving. Public; texts in the request's language."""

from django.shortcuts import get_object_or_404
from ninja import Path, Router, Schema
from ninja.errors import HttpError, ValidationError

from isoc.iwn import assess, present, services
from isoc.iwn.models import Assessment
from isoc.iwn.questionnaire import CURRENT, EDITIONS

router = Router(tags=["impact assessment"])
TOKEN = r"^[A-Za-z0-9_-]{8,64}$"


class AnswerChoice(Schema):
    value: str
    label: str


class IwnQuestionOut(Schema):
    key: str
    text: str
    harm_if: list[str]
    reason: str


class PartOut(Schema):
    key: str
    kind: str
    title: str
    explanation: str
    questions: list[IwnQuestionOut]


class StepOut(Schema):
    key: str
    title: str
    intro: str
    parts: list[PartOut]


class QuestionnaireOut(Schema):
    version: str
    answers: list[AnswerChoice]
    steps: list[StepOut]


class FindingOut(Schema):
    key: str
    kind: str
    title: str
    verdict: str
    verdict_label: str
    reasons: list[str]
    answered: int
    unsure: int
    applicable: int


class ReportOut(Schema):
    version: str
    verdict: str
    verdict_label: str
    answered: int
    total: int
    counts: dict[str, int]
    findings: list[FindingOut]


class SavedReportOut(ReportOut):
    title: str
    proposal: str
    country: str | None
    answers: dict[str, str]
    is_demo: bool


class EvaluateIn(Schema):
    answers: dict[str, str]
    version: str = CURRENT.version


@router.get("questionnaire", response=QuestionnaireOut, summary="The current questionnaire: properties, enablers, questions")
def questionnaire(request, version: str = CURRENT.version):
    if version not in EDITIONS:
        raise HttpError(404, "No such questionnaire edition.")
    return present.questionnaire(EDITIONS[version])


@router.get("reports/{share_token}", response=SavedReportOut, summary="A saved assessment's report, by its share token")
def saved_report(request, share_token: str = Path(..., pattern=TOKEN)):
    a = get_object_or_404(Assessment, share_token=share_token)
    shown = present.report(services.report_of(a), a.answers)
    return {**shown, "title": a.title, "proposal": a.proposal, "country": a.country_id, "answers": a.answers,
            "is_demo": a.is_demo}


@router.post("evaluate", response=ReportOut, summary="The report for answers given, without saving them")
def evaluate(request, payload: EvaluateIn):
    if payload.version not in EDITIONS:
        raise HttpError(422, "No such questionnaire edition.")
    try:
        report = assess.report(EDITIONS[payload.version], payload.answers)
    except assess.InvalidAnswers as exc:
        # The site's handler turns this into the shared error shape, one entry per bad answer.
        raise ValidationError([{"loc": ["answers", k] if k else ["answers"], "msg": problem}
                               for k, problem in exc.errors[:50]]) from exc
    return present.report(report, payload.answers)
