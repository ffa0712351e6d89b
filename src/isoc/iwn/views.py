"""Impact assessment pages: the introduction, starting an assessment, the guided
questionnaire (one step per property or group of enablers, saved at every step), the
report (read-only for anyone with its link), its PDF, and "my assessments".

Who may edit: the signed-in owner, or whoever holds the edit token. An anonymous author
gets the edit link once, on the first step; it is also kept in their session, so they
can come back from the same browser. Every change goes through ``services``; a refusal
is shown on the form (400), never a 500."""

from __future__ import annotations

import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from isoc.iwn import present, report_pdf, services
from isoc.iwn.models import PROPOSAL_MAX, TITLE_MAX, Assessment
from isoc.iwn.questionnaire import CURRENT
from isoc.members.countries import COUNTRY_CHOICES

SESSION_TOKENS = "iwn_edit_tokens"  # share token -> edit token, for anonymous authors
SESSION_NEW = "iwn_new_edit_link"  # the share token whose edit link is still to be shown once
MAX_SESSION_TOKENS = 50
TOKEN = re.compile(r"[A-Za-z0-9_-]{8,64}")


def _remember(request, assessment: Assessment, edit_token: str) -> None:
    tokens = dict(request.session.get(SESSION_TOKENS, {}))
    tokens.pop(assessment.share_token, None)
    tokens[assessment.share_token] = edit_token
    request.session[SESSION_TOKENS] = dict(list(tokens.items())[-MAX_SESSION_TOKENS:])


def _session_token(request, assessment: Assessment) -> str | None:
    return request.session.get(SESSION_TOKENS, {}).get(assessment.share_token)


def _token_shape(token: str) -> None:
    """Tokens are URL-safe base64; anything else (a NUL byte, which PostgreSQL refuses in
    a query) is an unknown assessment."""
    if not TOKEN.fullmatch(token):
        raise Http404


def _shared(share_token: str) -> Assessment:
    _token_shape(share_token)
    return get_object_or_404(Assessment.objects.select_related("country", "owner"), share_token=share_token)


def _editable(request, share_token: str) -> Assessment:
    """The assessment, if this reader may edit it; 403 otherwise (the share link is read-only)."""
    assessment = _shared(share_token)
    if not services.may_edit(assessment, request.user, _session_token(request, assessment)):
        raise PermissionDenied(_("Only the author of this assessment can change it."))
    return assessment


def _edit_url(request, assessment: Assessment, edit_token: str) -> str:
    return request.build_absolute_uri(reverse("iwn:claim", args=[assessment.share_token, edit_token]))


def _details_context(values: dict, error=None) -> dict:
    return {"values": values, "countries": COUNTRY_CHOICES, "error": error, "title_max": TITLE_MAX,
            "proposal_max": PROPOSAL_MAX}


# --- public pages -------------------------------------------------------------------------


def index(request):
    tokens = request.session.get(SESSION_TOKENS, {})
    in_session = Assessment.objects.filter(share_token__in=list(tokens))[:20] if tokens else []
    return render(request, "iwn/index.html", {"questionnaire": present.questionnaire(CURRENT),
                                              "in_session": in_session})


def new(request):
    values = {"title": "", "proposal": "", "country": ""}
    if request.method == "POST":
        values = {k: request.POST.get(k, "") for k in values}
        try:
            assessment, edit_token = services.create_assessment(
                title=values["title"], proposal=values["proposal"], country=values["country"],
                language=translation.get_language() or "en", owner=request.user)
        except services.RuleViolation as exc:
            return render(request, "iwn/new.html", _details_context(values, exc), status=400)
        _remember(request, assessment, edit_token)
        if not request.user.is_authenticated:
            request.session[SESSION_NEW] = assessment.share_token
        return redirect("iwn:step", assessment.share_token, 1)
    return render(request, "iwn/new.html", _details_context(values))


def claim(request, share_token: str, edit_token: str):
    """The edit link: keeps the token in this browser's session and opens the first step.
    A wrong token is a 404, like an unknown assessment, so tokens cannot be probed."""
    assessment = _shared(share_token)
    _token_shape(edit_token)
    if not services.may_edit(assessment, None, edit_token):
        raise Http404
    _remember(request, assessment, edit_token)
    return redirect("iwn:step", assessment.share_token, 1)


def step(request, share_token: str, number: int):
    assessment = _editable(request, share_token)
    steps = services.questionnaire_of(assessment).steps
    if not 1 <= number <= len(steps):
        raise Http404
    current = steps[number - 1]
    keys = [q.key for p in current.parts for q in p.questions]
    answers = dict(assessment.answers)
    error = None
    if request.method == "POST":
        posted = {k: request.POST.get(k, "") for k in keys}
        try:
            services.save_answers(assessment, posted, questions=keys, actor=request.user)
        except services.RuleViolation as exc:
            error = exc
            answers.update(posted)
        else:
            action = request.POST.get("action", "next")
            if action == "back" and number > 1:
                return redirect("iwn:step", share_token, number - 1)
            if action == "next" and number < len(steps):
                return redirect("iwn:step", share_token, number + 1)
            if action in ("next", "finish"):
                return redirect("iwn:report", share_token)
            messages.success(request, _("Your answers are saved."))
            return redirect("iwn:step", share_token, number)
    edit_link = None
    if request.session.get(SESSION_NEW) == share_token:
        token = _session_token(request, assessment)
        edit_link = _edit_url(request, assessment, token) if token else None
        del request.session[SESSION_NEW]
    return render(request, "iwn/step.html", {
        "assessment": assessment, "step": present.step(current, answers), "number": number, "total": len(steps),
        "steps": [(i, present.step(s)["title"]) for i, s in enumerate(steps, 1)],
        "answer_choices": present.questionnaire(CURRENT)["answers"], "error": error, "edit_link": edit_link,
    }, status=400 if error else 200)


def details(request, share_token: str):
    assessment = _editable(request, share_token)
    values = {"title": assessment.title, "proposal": assessment.proposal,
              "country": assessment.country_id or ""}
    if request.method == "POST":
        values = {k: request.POST.get(k, "") for k in values}
        try:
            services.update_details(assessment, actor=request.user, **values)
        except services.RuleViolation as exc:
            return render(request, "iwn/details.html", {**_details_context(values, exc), "assessment": assessment},
                          status=400)
        messages.success(request, _("The details are saved."))
        return redirect("iwn:report", share_token)
    return render(request, "iwn/details.html", {**_details_context(values), "assessment": assessment})


def _report_context(request, assessment: Assessment) -> dict:
    return {"assessment": assessment, "report": present.report(services.report_of(assessment), assessment.answers)}


def report(request, share_token: str):
    assessment = _shared(share_token)
    can_edit = services.may_edit(assessment, request.user, _session_token(request, assessment))
    return render(request, "iwn/report.html", {**_report_context(request, assessment), "can_edit": can_edit,
                                               "share_url": request.build_absolute_uri(assessment.get_absolute_url())})


def report_as_pdf(request, share_token: str):
    assessment = _shared(share_token)
    pdf = report_pdf.render_pdf(report_pdf.render_html(_report_context(request, assessment)))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{report_pdf.file_name(assessment)}"'
    return response


@require_POST
def delete(request, share_token: str):
    assessment = _editable(request, share_token)
    services.delete_assessment(assessment, actor=request.user)
    tokens = dict(request.session.get(SESSION_TOKENS, {}))
    if tokens.pop(share_token, None) is not None:
        request.session[SESSION_TOKENS] = tokens
    messages.success(request, _("The assessment is deleted."))
    return redirect("iwn:mine" if request.user.is_authenticated else "iwn:index")


@login_required
def mine(request):
    return render(request, "iwn/mine.html", {"assessments": services.owned_by(request.user)})
