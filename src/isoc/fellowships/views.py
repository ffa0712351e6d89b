"""Fellowship pages: programmes and calls (public), applying over several visits, the
applicant's own applications, endorsing, the reviewer's queue and review form, the
secretariat's selection page, the scoring methodology and the alumni directory. Every
change goes through ``services``; a refusal is shown on the form (400 for bad input,
409 for a rule), never a 500."""

from __future__ import annotations

import re
from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from isoc.fellowships import forms, services
from isoc.fellowships.models import Application, Call, Document, Programme
from isoc.members.models import Person

State = Application.State


def _public_call(request, slug: str) -> Call:
    call = get_object_or_404(Call.objects.select_related("programme"), slug=slug)
    if call.status == Call.Status.DRAFT and not request.user.is_staff:
        raise Http404
    return call


def _own_application(request, pk: int) -> Application:
    """The applicant's own application (staff see every one); anyone else: 404, so that
    applications cannot be discovered by number."""
    application = get_object_or_404(Application.objects.select_related("call__programme", "track", "applicant"), pk=pk)
    if application.applicant_id != request.user.pk and not request.user.is_staff:
        raise Http404
    return application


def _staff(request) -> None:
    if not request.user.is_staff:
        raise PermissionDenied(_("Only the secretariat can do this."))


# --- public pages ---------------------------------------------------------------------------


def index(request):
    calls = services.public_calls()
    now = timezone.now()
    return render(request, "fellowships/index.html", {
        "programmes": Programme.objects.prefetch_related("tracks"),
        "open_calls": [c for c in calls if c.is_open(now)],
        "past_calls": [c for c in calls if not c.is_open(now)][:10],
    })


def programme(request, slug: str):
    programme = get_object_or_404(Programme, slug=slug)
    return render(request, "fellowships/programme.html", {
        "programme": programme, "tracks": [(t, services.track_rules(t)) for t in programme.tracks.select_related("prerequisite_course")],
        "calls": services.public_calls().filter(programme=programme),
    })


def call(request, slug: str):
    call = _public_call(request, slug)
    mine = (Application.objects.filter(call=call, applicant=request.user).first()
            if request.user.is_authenticated else None)
    return render(request, "fellowships/call.html", {
        "call": call, "is_open": call.is_open(), "phase": call.phase(), "mine": mine,
        "tracks": [(t, services.track_rules(t)) for t in call.programme.tracks.select_related("prerequisite_course")],
        "fields": call.application_form().fields,
    })


def methodology(request):
    return render(request, "fellowships/methodology.html")


def alumni(request):
    # Filters typed into an address are only used when well formed (PostgreSQL refuses
    # NUL bytes; anything else simply matches nothing).
    programme_slug = request.GET.get("programme", "")
    programme_slug = programme_slug if re.fullmatch(r"[-a-zA-Z0-9_]{1,100}", programme_slug) else ""
    country = request.GET.get("country", "").upper()
    country = country if re.fullmatch(r"[A-Z]{2}", country) else ""
    year_text = request.GET.get("year", "")
    year = int(year_text) if year_text.isdigit() and len(year_text) == 4 else None
    rows = services.alumni(programme=programme_slug, year=year, country=country)
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    return render(request, "fellowships/alumni.html", {
        "page": page, "programmes": Programme.objects.all(), "programme": programme_slug, "country": country,
        "year": year or "", "years": sorted({c.year for c in services.public_calls()}, reverse=True),
    })


# --- applying -------------------------------------------------------------------------------------


def _profile(form: forms.ApplicationForm) -> tuple[services.Profile, list[tuple[str, str]]]:
    errors = []
    text = (form.cleaned_data.get("birth_date") or "").strip()
    birth = None
    if text:
        try:
            birth = date.fromisoformat(text)
        except ValueError:
            errors.append(("birth_date", _("Enter a date as YYYY-MM-DD.")))
    return services.Profile(birth_date=birth, country=(form.cleaned_data.get("country") or "").upper()[:2],
                            gender=form.cleaned_data.get("gender") or ""), errors


def _apply_page(request, call: Call, form, application, status: int = 200):
    return render(request, "fellowships/apply.html", {
        "call": call, "form": form, "application": application, "is_open": call.is_open(),
        "documents": {d.field: d for d in application.documents.all()} if application else {},
        "reasons": services.ineligibility(application) if application else [],
    }, status=status)


@login_required
def apply(request, slug: str):
    """The application form: saved as a draft on every visit, submitted when ready."""
    call = _public_call(request, slug)
    application = Application.objects.filter(call=call, applicant=request.user).first()
    if application is not None and application.state != State.DRAFT:
        return redirect(application.get_absolute_url())
    if request.method != "POST":
        initial = forms.ApplicationForm.initial_for(application) if application else {}
        return _apply_page(request, call, forms.ApplicationForm(call, initial=initial), application)
    form = forms.ApplicationForm(call, request.POST, request.FILES)
    if not form.is_valid():
        return _apply_page(request, call, form, application, 400)
    track = call.programme.tracks.filter(slug=form.cleaned_data.get("track") or "").first()
    if track is None:
        form.add_error("track", _("Choose one of this programme's tracks."))
        return _apply_page(request, call, form, application, 400)
    profile, errors = _profile(form)
    for field, message in errors:
        form.add_service_error(field, message)
    if errors:
        return _apply_page(request, call, form, application, 400)
    try:
        application = services.save_draft(call, request.user, track=track, profile=profile, answers=form.answers())
    except services.FormRefused as exc:
        for field, message in exc.errors:
            form.add_service_error(field, message)
        return _apply_page(request, call, form, application, 400)
    except services.RuleViolation as exc:
        form.add_service_error(exc.field, exc.message)
        return _apply_page(request, call, form, application, 409)
    refused = False
    for field, upload in form.uploads():
        try:
            services.upload_document(application, field, upload, actor=request.user)
        except services.RuleViolation as exc:
            form.add_service_error(exc.field or field, exc.message)
            refused = True
    if refused:
        messages.warning(request, _("Your answers are saved; a file was refused (see below)."))
        return _apply_page(request, call, form, application, 400)
    if request.POST.get("action") == "submit":
        try:
            services.submit(application, actor=request.user)
        except services.FormRefused as exc:
            for field, message in exc.errors:
                form.add_service_error(field, message)
            messages.warning(request, _("Your answers are saved, but the application is not submitted yet."))
            return _apply_page(request, call, form, application, 400)
        except services.Ineligible as exc:
            messages.warning(request, _("Your answers are saved, but the application is not submitted yet."))
            form.add_error(None, exc.message)
            return _apply_page(request, call, form, application, 409)
        except services.RuleViolation as exc:
            form.add_service_error(exc.field, exc.message)
            return _apply_page(request, call, form, application, 409)
        messages.success(request, _("Your application is submitted. You can follow its status here."))
        return redirect(application.get_absolute_url())
    messages.success(request, _("Your draft is saved. Come back any time before the deadline."))
    return redirect("fellowships:apply", slug=call.slug)


@login_required
def my_applications(request):
    applications = (Application.objects.filter(applicant=request.user)
                    .select_related("call__programme", "track").order_by("-created_at"))
    return render(request, "fellowships/my_applications.html", {
        "rows": [(a, services.told_decision(a)) for a in applications],
    })


@login_required
def application(request, pk: int):
    application = _own_application(request, pk)
    onboarding = getattr(application, "onboarding", None)
    travel = None
    if onboarding is not None and application.call.programme.asks_travel:
        travel = forms.TravelForm(initial={
            "arrival_date": onboarding.arrival_date, "departure_date": onboarding.departure_date,
            "passport_country": onboarding.passport_country or application.country,
            "visa_needed": onboarding.visa_needed})
    return _application_page(request, application, travel=travel)


def _application_page(request, application: Application, *, travel=None, status: int = 200):
    onboarding = getattr(application, "onboarding", None)
    return render(request, "fellowships/application.html", {
        "application": application, "call": application.call,
        "decision": services.told_decision(application),
        "history": _visible_history(request, application),
        "documents": application.documents.all(),
        "endorsements": application.endorsements.select_related("chapter"),
        "reasons": services.ineligibility(application) if application.state == State.DRAFT else [],
        "onboarding": onboarding, "travel": travel,
        "course": onboarding.enrolled_course if onboarding else None,
        "alumni": getattr(application, "alumni", None),
        "withdrawable": application.state in services.WITHDRAWABLE,
        "endorse_url": request.build_absolute_uri(reverse("fellowships:endorse", args=[application.pk])),
    }, status=status)


DECIDED = (State.ACCEPTED, State.WAITLISTED, State.DECLINED)


def _visible_history(request, application: Application) -> list:
    """State changes; the applicant sees a decision only once they have been told it
    (staff may revise one before notifying)."""
    changes = [c for c in application.history.select_related("actor") if c.from_state != c.to_state]
    if request.user.is_staff and request.user.pk != application.applicant_id:
        return changes
    told = services.told_decision(application)
    cutoff = told.notified_at if told else None
    return [c for c in changes if c.to_state not in DECIDED or (cutoff is not None and c.at <= cutoff)]


def _redirect_back(application: Application):
    return redirect(application.get_absolute_url())


def _act(request, action, done: str, then):
    """A button that asks a service for one thing: the service's refusal, or ``done``,
    is shown as a message on the page the applicant is sent back to (``then``)."""
    try:
        action()
    except services.RuleViolation as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done)
    return then


@login_required
@require_POST
def withdraw(request, pk: int):
    application = _own_application(request, pk)
    return _act(request, lambda: services.withdraw(application, actor=request.user),
                _("Your application is withdrawn."), _redirect_back(application))


@login_required
@require_POST
def remove_document(request, pk: int, doc: int):
    application = _own_application(request, pk)
    document = get_object_or_404(Document, pk=doc, application=application)
    return _act(request, lambda: services.remove_document(document, actor=request.user),
                _("The file is removed."), redirect("fellowships:apply", slug=application.call.slug))


@login_required
def document(request, pk: int, doc: int):
    """A document, for its applicant, the secretariat, and reviewers assigned to it and
    not conflicted (under a blind review, with a file name that reveals nothing)."""
    application = get_object_or_404(Application.objects.select_related("call"), pk=pk)
    document = get_object_or_404(Document, pk=doc, application=application)
    own = request.user.pk == application.applicant_id or request.user.is_staff
    if not own and services.assignment_for(request.user, application.pk) is None:
        raise Http404
    blind = not own and application.call.blind_review
    name = f"{document.field}.{document.kind}" if blind else document.original_name
    content_type = {"pdf": "application/pdf", "png": "image/png", "jpeg": "image/jpeg",
                    "txt": "text/plain; charset=utf-8"}[document.kind]
    response = FileResponse(document.file.open("rb"), as_attachment=True, filename=name, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
def endorse(request, pk: int):
    """A chapter officer endorses an applicant (who sends them the link)."""
    application = get_object_or_404(Application.objects.select_related("call__programme", "track", "applicant"),
                                    pk=pk)
    chapters = list(services.endorsing_chapters(request.user))
    if not chapters or application.state not in (State.DRAFT, State.SUBMITTED, State.UNDER_REVIEW):
        raise Http404  # only officers see who applied, and only while it can be endorsed
    form = forms.EndorseForm(chapters, request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            chapter = next(c for c in chapters if str(c.pk) == form.cleaned_data["chapter"])
            try:
                services.endorse(application, chapter, officer=request.user,
                                 statement=form.cleaned_data["statement"])
            except services.RuleViolation as exc:
                form.add_error("chapter" if exc.field == "chapter" else None, exc.message)
                status = 409
            else:
                messages.success(request, _("Your chapter's endorsement is recorded."))
                return redirect("fellowships:endorse", pk=application.pk)
        else:
            status = 400
    return render(request, "fellowships/endorse.html", {
        "application": application, "form": form,
        "done": application.endorsements.filter(chapter__in=chapters).select_related("chapter"),
    }, status=status)


@login_required
@require_POST
def onboard(request, pk: int):
    application = _own_application(request, pk)
    return _act(request, lambda: services.onboard(application, actor=request.user),
                _("Welcome! Your onboarding has started."), _redirect_back(application))


@login_required
@require_POST
def travel(request, pk: int):
    application = _own_application(request, pk)
    form = forms.TravelForm(request.POST)
    if not form.is_valid():
        return _application_page(request, application, travel=form, status=400)
    data = form.cleaned_data
    try:
        services.confirm_travel(application, person=request.user, arrival=data["arrival_date"],
                                departure=data["departure_date"], passport_country=data["passport_country"] or "",
                                visa_needed=data["visa_needed"])
    except services.RuleViolation as exc:
        form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        return _application_page(request, application, travel=form, status=409)
    messages.success(request, _("Your travel details are confirmed."))
    return _redirect_back(application)


@login_required
@require_POST
def alumni_listing(request, pk: int):
    application = _own_application(request, pk)
    listed = request.POST.get("listed") == "1"
    done = (_("You are listed in the alumni directory.") if listed
            else _("You are no longer listed in the alumni directory."))
    return _act(request, lambda: services.set_alumni_listing(application, person=request.user, listed=listed),
                done, _redirect_back(application))


# --- reviewing ----------------------------------------------------------------------------------


@login_required
def review_queue(request):
    assignments = services.review_queue(request.user)
    return render(request, "fellowships/review_queue.html", {"assignments": assignments})


def _review_page(request, assignment, *, form=None, conflict=None, status: int = 200):
    application = assignment.application
    call = application.call
    review = getattr(assignment, "review", None)
    if form is None:
        initial = {f"score_{k}": v for k, v in (review.scores if review else {}).items()}
        initial["comment"] = review.comment if review else ""
        form = forms.ReviewForm(call, initial=initial)
    form_fields = {f.name: f for f in call.application_form().fields}
    answers = [(form_fields[k], v) for k, v in application.answers.items() if k in form_fields]
    return render(request, "fellowships/review.html", {
        "assignment": assignment, "application": application, "call": call, "blind": call.blind_review,
        "answers": answers, "documents": application.documents.all(), "review": review, "form": form,
        "conflict": conflict or forms.ConflictForm(),
        "endorsements": application.endorsements.select_related("chapter") if not call.blind_review else [],
    }, status=status)


def _assignment(request, pk: int):
    assignment = services.assignment_for(request.user, pk)
    if assignment is None:
        raise Http404  # not assigned, or conflicted: the application is not even confirmed to exist
    return assignment


@login_required
def review(request, pk: int):
    assignment = _assignment(request, pk)
    if request.method != "POST":
        return _review_page(request, assignment)
    form = forms.ReviewForm(assignment.application.call, request.POST)
    if not form.is_valid():
        return _review_page(request, assignment, form=form, status=400)
    try:
        services.submit_review(assignment, reviewer=request.user, scores=form.scores(),
                               comment=form.cleaned_data.get("comment") or "")
    except services.RuleViolation as exc:
        form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        return _review_page(request, assignment, form=form, status=409 if exc.code != "rule" else 400)
    messages.success(request, _("Your review is saved."))
    return redirect("fellowships:review_queue")


@login_required
@require_POST
def declare_conflict(request, pk: int):
    assignment = _assignment(request, pk)
    form = forms.ConflictForm(request.POST)
    if not form.is_valid():
        return _review_page(request, assignment, conflict=form, status=400)
    services.declare_conflict(assignment.application, reviewer=request.user, reason=form.cleaned_data["reason"])
    messages.success(request, _("Your conflict is recorded; the application is no longer yours to review."))
    return redirect("fellowships:review_queue")


# --- the secretariat's selection page ------------------------------------------------------------


def _manage_page(request, call: Call, *, errors: dict | None = None, status: int = 200):
    rows = services.ranking(call)
    errors = errors or {}
    return render(request, "fellowships/manage.html", {
        "call": call, "rows": [(r, errors.get(("assign", r.application.pk)) or forms.AssignForm(
            prefix=f"a{r.application.pk}"), errors.get(("decide", r.application.pk)) or forms.DecisionForm(
            prefix=f"d{r.application.pk}")) for r in rows],
        "selection": services.selection(call), "pending": sum(
            1 for r in rows if r.decision and r.decision.notified_at is None),
        "drafts": call.applications.filter(state=State.DRAFT).count(),
    }, status=status)


@login_required
def manage(request, slug: str):
    _staff(request)
    return _manage_page(request, _public_call(request, slug))


@login_required
@require_POST
def assign(request, slug: str, pk: int):
    _staff(request)
    call = _public_call(request, slug)
    application = get_object_or_404(Application, pk=pk, call=call)
    form = forms.AssignForm(request.POST, prefix=f"a{pk}")
    if not form.is_valid():
        return _manage_page(request, call, errors={("assign", pk): form}, status=400)
    reviewer = Person.objects.filter(email__iexact=form.cleaned_data["reviewer"], is_active=True).first()
    if reviewer is None:
        form.add_error("reviewer", _("No account has this email address."))
        return _manage_page(request, call, errors={("assign", pk): form}, status=400)
    try:
        services.assign_reviewer(application, reviewer, actor=request.user)
    except services.RuleViolation as exc:
        form.add_error("reviewer", exc.message)
        return _manage_page(request, call, errors={("assign", pk): form}, status=409)
    messages.success(request, _("The reviewer is assigned."))
    return redirect("fellowships:manage", slug=call.slug)


@login_required
@require_POST
def decide(request, slug: str, pk: int):
    _staff(request)
    call = _public_call(request, slug)
    application = get_object_or_404(Application, pk=pk, call=call)
    form = forms.DecisionForm(request.POST, prefix=f"d{pk}")
    if not form.is_valid():
        return _manage_page(request, call, errors={("decide", pk): form}, status=400)
    try:
        services.record_decision(application, outcome=form.cleaned_data["outcome"],
                                 reason=form.cleaned_data["reason"], actor=request.user)
    except services.RuleViolation as exc:
        form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        return _manage_page(request, call, errors={("decide", pk): form}, status=409)
    messages.success(request, _("The decision is recorded. Applicants are told when you notify them."))
    return redirect("fellowships:manage", slug=call.slug)


@login_required
@require_POST
def notify(request, slug: str):
    _staff(request)
    call = _public_call(request, slug)
    told = services.notify(call, actor=request.user)
    messages.success(request, _("%(n)s applicants are being told their decision by email.") % {"n": len(told)})
    return redirect("fellowships:manage", slug=call.slug)
