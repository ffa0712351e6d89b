"""Operations on impact assessments: create, change details, save answers, delete.

Each is one transaction, checks its own rules (``RuleViolation`` with ``field`` naming
the input otherwise) and leaves an ``AssessmentEvent``. The questionnaire and the rules
of the report are in the Django-free ``questionnaire`` and ``assess`` modules.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Iterable, Mapping

from django.db import transaction
from django.utils.translation import gettext as _

from isoc.iwn import assess
from isoc.iwn.models import PROPOSAL_MAX, TITLE_MAX, Assessment, AssessmentEvent
from isoc.iwn.questionnaire import CURRENT, Questionnaire, edition
from isoc.members.services import RuleViolation
from isoc.pulse.models import Country

__all__ = ["RuleViolation", "create_assessment", "update_details", "save_answers", "delete_assessment", "may_edit",
           "report_of", "questionnaire_of", "hash_token"]

Kind = AssessmentEvent.Kind


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def _user(actor):
    return actor if actor is not None and getattr(actor, "is_authenticated", False) else None


def _text(value: object, field: str, limit: int, *, required: bool) -> str:
    text = value.strip() if isinstance(value, str) else ""
    if required and not text:
        raise RuleViolation(_("This field is required."), field, code="required")
    if len(text) > limit:
        raise RuleViolation(_("Keep this under %(limit)d characters (it has %(length)d).")
                            % {"limit": limit, "length": len(text)}, field, code="too_long")
    if "\x00" in text:
        raise RuleViolation(_("This text contains a character that cannot be stored."), field, code="invalid")
    return text


def _country(code: object) -> Country | None:
    if code in ("", None):
        return None
    # Only two ASCII letters reach the query (a NUL byte would be refused by PostgreSQL).
    valid = isinstance(code, str) and re.fullmatch(r"[A-Za-z]{2}", code)
    country = Country.objects.filter(code=code.upper()).first() if valid else None
    if country is None:
        raise RuleViolation(_("Choose a country from the list."), "country", code="invalid")
    return country


def questionnaire_of(assessment: Assessment) -> Questionnaire:
    return edition(assessment.questionnaire_version)


def report_of(assessment: Assessment) -> assess.Report:
    return assess.report(questionnaire_of(assessment), assessment.answers)


def may_edit(assessment: Assessment, user, edit_token: str | None) -> bool:
    """The owner (signed in) may edit; anyone else only with the edit token."""
    if assessment.owner_id and getattr(user, "is_authenticated", False) and user.pk == assessment.owner_id:
        return True
    if not isinstance(edit_token, str) or not edit_token or not assessment.edit_token_hash:
        return False
    return hmac.compare_digest(hash_token(edit_token), assessment.edit_token_hash)


@transaction.atomic
def create_assessment(*, title: str, proposal: str = "", country: str | None = None, language: str = "en",
                      owner=None, is_demo: bool = False) -> tuple[Assessment, str]:
    """A new assessment on the current questionnaire, and its edit token (shown once:
    only its hash is kept)."""
    edit_token = secrets.token_urlsafe(24)
    assessment = Assessment.objects.create(
        title=_text(title, "title", TITLE_MAX, required=True), proposal=_text(proposal, "proposal", PROPOSAL_MAX,
                                                                              required=False),
        country=_country(country), language=(language or "en")[:10], owner=_user(owner),
        questionnaire_version=CURRENT.version, share_token=secrets.token_urlsafe(18),
        edit_token_hash=hash_token(edit_token), is_demo=is_demo)
    AssessmentEvent.objects.create(assessment=assessment, kind=Kind.CREATED, actor=_user(owner))
    return assessment, edit_token


@transaction.atomic
def update_details(assessment: Assessment, *, title: str, proposal: str = "", country: str | None = None,
                   actor=None) -> Assessment:
    assessment = Assessment.objects.select_for_update().get(pk=assessment.pk)
    new = {"title": _text(title, "title", TITLE_MAX, required=True),
           "proposal": _text(proposal, "proposal", PROPOSAL_MAX, required=False), "country": _country(country)}
    changed = [f for f, v in new.items() if getattr(assessment, f) != v]
    if changed:
        for f, v in new.items():
            setattr(assessment, f, v)
        assessment.save()
        AssessmentEvent.objects.create(assessment=assessment, kind=Kind.DETAILS, actor=_user(actor), changed=changed)
    return assessment


@transaction.atomic
def save_answers(assessment: Assessment, answers: Mapping[str, object], *, questions: Iterable[str] | None = None,
                 actor=None) -> Assessment:
    """Merge ``answers`` into the assessment. ``questions`` names the questions the form
    showed (one step): those left out of ``answers`` or answered "" become unanswered.
    Refused whole (``RuleViolation`` naming the first bad question) when an answer or a
    question is unknown, so nothing is half-saved."""
    assessment = Assessment.objects.select_for_update().get(pk=assessment.pk)
    questionnaire = questionnaire_of(assessment)
    try:
        clean = assess.validate(questionnaire, answers)
    except assess.InvalidAnswers as exc:
        key, problem = exc.errors[0]
        message = (_("This answer is not one of yes, no, not sure or not applicable.") if problem == "unknown answer"
                   else _("There is no such question in this questionnaire."))
        raise RuleViolation(message, key or "answers", code="invalid") from exc
    shown = set(answers) | set(questions or ())
    unknown = [k for k in shown if k not in questionnaire.questions]
    if unknown:
        raise RuleViolation(_("There is no such question in this questionnaire."), str(unknown[0])[:80], code="invalid")
    merged = {k: v for k, v in assessment.answers.items() if k not in shown}
    merged.update(clean)
    ordered = {k: merged[k] for k in questionnaire.questions if k in merged}
    changed = [k for k in questionnaire.questions if assessment.answers.get(k) != ordered.get(k)]
    if changed:
        assessment.answers = ordered
        assessment.save(update_fields=["answers", "updated_at"])
        AssessmentEvent.objects.create(assessment=assessment, kind=Kind.ANSWERS, actor=_user(actor), changed=changed)
    return assessment


@transaction.atomic
def delete_assessment(assessment: Assessment, actor=None) -> None:
    """Delete the assessment and its history (the author's choice: nothing is kept)."""
    Assessment.objects.filter(pk=assessment.pk).delete()


def owned_by(person):
    return Assessment.objects.filter(owner=person).select_related("country")
