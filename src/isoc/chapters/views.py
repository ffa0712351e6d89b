"""Chapter pages: the world map and list by bureau, a chapter's page (about, officers,
upcoming and recent events, join, member count, standing and history), the officer
dashboard (officers with their appointment and end forms and history, events with their
registrations, members, CSV export, annual reports) and the annual report form. The API
(``api.py``) shares ``queries``; the events come from ``isoc.events.queries``."""

from __future__ import annotations

import csv

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import HttpResponse, HttpResponseForbidden
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from isoc.chapters import forms, queries, services
from isoc.chapters import models as cm
from isoc.events import queries as event_queries
from isoc.members.services import RuleViolation
from isoc.shutdowns import worldmap_points
from isoc.shutdowns.views import MAP_HEIGHT, map_legend, world_map


def index(request):
    chapters = list(queries.public_chapters())
    counts = queries.member_counts(chapters)
    by_bureau = {b: [] for b in cm.RegionalBureau.objects.all()}
    groups = []
    for c in chapters:
        c.member_count = counts.get(c.pk, 0)
        if c.is_standing_group:
            groups.append(c)
        elif c.bureau_id is not None:
            by_bureau.setdefault(c.bureau, []).append(c)
    per_country = queries.chapters_per_country(chapters)
    return render(request, "chapters/index.html", {
        "by_bureau": list(by_bureau.items()), "groups": groups, "total": len(chapters) - len(groups),
        "map": world_map(per_country, get_language(), lambda code: f"#country-{code.lower()}"),
        "map_size": (worldmap_points.WIDTH, MAP_HEIGHT), "legend": map_legend(),
        "api_url": reverse("api-1:chapters"),
    })


# How many events the chapter's page lists: the soonest upcoming and the latest past ones.
UPCOMING_SHOWN, PAST_SHOWN = 10, 5


def chapter(request, slug: str):
    c = get_object_or_404(cm.Chapter.objects.select_related("bureau"), slug=slug)
    user = request.user
    standing = services.standing(c)
    upcoming = list(event_queries.organized_by(c, when="upcoming")[:UPCOMING_SHOWN + 1])
    return render(request, "chapters/chapter.html", {
        "upcoming": upcoming[:UPCOMING_SHOWN], "more_upcoming": len(upcoming) > UPCOMING_SHOWN,
        "past": event_queries.organized_by(c, when="past")[:PAST_SHOWN],
        "chapter": c, "standing": standing, "reasons": services.reasons(standing),
        "officers": services.officer_terms(c).order_by("role", "starts_on"),
        "member_count": services.member_count(c), "is_member": services.is_member(user, c),
        "can_manage": services.can_manage(user, c), "history": c.transitions.select_related("actor", "appeal_of"),
        "funding": services.may_receive_event_funding(c),
    })


@login_required
@require_POST
def join(request, slug: str):
    c = get_object_or_404(cm.Chapter, slug=slug)
    try:
        services.join(request.user, c)
    except RuleViolation as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Welcome to %(name)s.") % {"name": c.name})
    return redirect(c.get_absolute_url())


@login_required
@require_POST
def leave(request, slug: str):
    c = get_object_or_404(cm.Chapter, slug=slug)
    try:
        services.leave(request.user, c)
    except RuleViolation as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("You have left %(name)s.") % {"name": c.name})
    return redirect(c.get_absolute_url())


def _managed(request, slug: str) -> cm.Chapter | HttpResponse:
    c = get_object_or_404(cm.Chapter.objects.select_related("bureau"), slug=slug)
    if not services.can_manage(request.user, c):
        return HttpResponseForbidden(_("Only this chapter's officers and the secretariat can open this page."))
    return c


# The dashboard lists at most this many of the chapter's events and officer changes (newest first).
EVENTS_SHOWN = HISTORY_SHOWN = 100


@login_required
def dashboard(request, slug: str):
    c = _managed(request, slug)
    if isinstance(c, HttpResponse):
        return c
    return _dashboard(request, c)


def _dashboard(request, c: cm.Chapter, *, appoint: forms.AppointOfficerForm | None = None,
               ending: forms.EndTermForm | None = None, status: int = 200) -> HttpResponse:
    """The officer dashboard; after a refused appointment or ending, with that form's
    errors (and what was typed) and a 4xx status."""
    standing = services.standing(c)
    memberships = c.memberships.filter(left_at__isnull=True).select_related("person").order_by(
        "person__last_name", "person__first_name", "pk")
    manage_officers = services.may_manage_officers(request.user, c)
    today = timezone.localdate()
    terms = list(c.officer_terms.filter(Q(ends_on__isnull=True) | Q(ends_on__gte=today))
                 .select_related("person", "appointed_by").order_by("role", "starts_on"))
    if manage_officers:
        for t in terms:
            t.end_form = ending if ending is not None and ending.term.pk == t.pk else forms.EndTermForm(term=t)
    return render(request, "chapters/dashboard.html", {
        "chapter": c, "standing": standing, "reasons": services.reasons(standing),
        "memberships": memberships[:200], "member_count": memberships.count(),
        "isoc_member_count": services.isoc_member_count(c),
        "officers": terms, "manage_officers": manage_officers,
        "appoint_form": (appoint or forms.AppointOfficerForm(chapter=c)) if manage_officers else None,
        "officer_history": c.officer_changes.select_related("person", "actor")[:HISTORY_SHOWN],
        "events": event_queries.organized_by(c, published_only=False)[:EVENTS_SHOWN], "now": timezone.now(),
        "reports": c.annual_reports.select_related("filed_by"), "due": services.report_due(c),
    }, status=status)


def _officers_managed(request, slug: str) -> cm.Chapter | HttpResponse:
    """The chapter whose officers the signed-in person may change (its chair, or staff)."""
    c = _managed(request, slug)
    if isinstance(c, HttpResponse):
        return c
    if not services.may_manage_officers(request.user, c):
        return HttpResponseForbidden(_("Only this chapter's chair and the secretariat can change its officers."))
    return c


def _refused(form, exc: RuleViolation) -> int:
    """Put a service's refusal on the form; the status to answer with."""
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)
    return 403 if exc.code == "forbidden" else 409


@login_required
@require_POST
def appoint_officer(request, slug: str):
    c = _officers_managed(request, slug)
    if isinstance(c, HttpResponse):
        return c
    form = forms.AppointOfficerForm(request.POST, chapter=c)
    if not form.is_valid():
        return _dashboard(request, c, appoint=form, status=400)
    data = form.cleaned_data
    try:
        term = services.appoint_officer(c, data["person"], data["role"], starts_on=data["starts_on"],
                                        ends_on=data["ends_on"], actor=request.user)
    except RuleViolation as exc:
        return _dashboard(request, c, appoint=form, status=_refused(form, exc))
    messages.success(request, _("%(name)s is appointed %(role)s.")
                     % {"name": term.person.display_name, "role": term.get_role_display()})
    return redirect(reverse("chapters:dashboard", args=[c.slug]) + "#officers-heading")


@login_required
@require_POST
def end_officer_term(request, slug: str, term: int):
    c = _officers_managed(request, slug)
    if isinstance(c, HttpResponse):
        return c
    # The term must be this chapter's: the address names the chapter whose rights were checked.
    officer_term = get_object_or_404(cm.OfficerTerm.objects.select_related("person"), pk=term, chapter=c)
    form = forms.EndTermForm(request.POST, term=officer_term)
    if not form.is_valid():
        return _dashboard(request, c, ending=form, status=400)
    try:
        services.end_officer_term(officer_term, ends_on=form.cleaned_data["ends_on"], actor=request.user)
    except RuleViolation as exc:
        return _dashboard(request, c, ending=form, status=_refused(form, exc))
    messages.success(request, _("The term of %(name)s as %(role)s ends on %(day)s.")
                     % {"name": officer_term.person.display_name, "role": officer_term.get_role_display(),
                        "day": date_format(form.cleaned_data["ends_on"])})
    return redirect(reverse("chapters:dashboard", args=[c.slug]) + "#officers-heading")


@login_required
def members_csv(request, slug: str):
    c = _managed(request, slug)
    if isinstance(c, HttpResponse):
        return c
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{c.slug}-members.csv"'
    w = csv.writer(response)
    w.writerow(["first_name", "last_name", "email", "country", "joined_at"])
    for ms in c.memberships.filter(left_at__isnull=True).select_related("person").order_by("joined_at", "pk"):
        p = ms.person
        # Formula-safe: a cell a spreadsheet would evaluate gets a leading apostrophe.
        w.writerow([_cell(p.first_name), _cell(p.last_name), _cell(p.email), p.country, ms.joined_at.isoformat()])
    return response


def _cell(text: str) -> str:
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


@login_required
def file_report(request, slug: str):
    c = _managed(request, slug)
    if isinstance(c, HttpResponse):
        return c
    now = timezone.now()
    filed = set(c.annual_reports.values_list("year", flat=True))
    first = c.chartered_at.year if c.chartered_at else now.year - 1
    years = [y for y in range(now.year - 1, max(first, now.year - 3) - 1, -1) if y not in filed]
    form = forms.AnnualReportForm(request.POST if request.method == "POST" else None, years=years)
    if request.method == "POST" and form.is_valid():
        try:
            services.file_annual_report(c, actor=request.user, **form.cleaned_data)
        except RuleViolation as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("The annual report was filed. Thank you."))
            return redirect("chapters:dashboard", slug=c.slug)
    return render(request, "chapters/report_form.html", {"chapter": c, "form": form, "years": years})
