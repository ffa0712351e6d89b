"""Event pages: the list, an event with its agenda and registration, the .ics, and the
attendee list for organizers. Every change goes through ``services``."""

from __future__ import annotations

import csv
from datetime import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from isoc.events import queries, rules, services
from isoc.events.calendar import event_ics
from isoc.events.models import Event, Registration


def _event(request, slug: str) -> Event:
    event = get_object_or_404(Event, slug=slug)
    if not event.published and not request.user.is_staff:
        raise Http404
    return event


def index(request):
    when = request.GET.get("when", "upcoming")
    scope = request.GET.get("scope", "")
    mode = request.GET.get("mode", "")
    events = queries.listed(when=when if when in ("upcoming", "past") else "upcoming",
                            scope=scope if scope in Event.Scope.values else "",
                            mode=mode if mode in Event.Mode.values else "")
    page = Paginator(events, 20).get_page(request.GET.get("page"))
    return render(request, "events/index.html", {
        "page": page, "when": when, "scope": scope, "mode": mode,
        "scopes": Event.Scope.choices, "modes": Event.Mode.choices,
    })


def detail(request, slug: str):
    event = _event(request, slug)
    registration = services.live_registration(event, request.user)
    now = timezone.now()
    phase = event.phase(now)
    member = request.user.is_authenticated and services.is_active_member(request.user, now)
    return render(request, "events/detail.html", {
        "event": event,
        "sessions": event.sessions.all(),
        "registration": registration,
        "position": services.waitlist_position(registration) if registration else None,
        "history": registration.history.all() if registration else [],
        "phase": phase,
        "may_register": phase == rules.Phase.OPEN or (phase == rules.Phase.MEMBERS_ONLY and member),
        "seats_left": event.seats_left(),
        "waiting": event.waiting(),
        "may_export": services.may_export_attendees(event, request.user),
    })


@login_required
@require_POST
def register(request, slug: str):
    event = _event(request, slug)
    try:
        registration = services.register(event, request.user, actor=request.user)
    except services.RuleViolation as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, {
            Registration.State.CONFIRMED: _("You are registered. A confirmation is on its way by email."),
            Registration.State.AWAITING_PAYMENT: _("A seat is held for you until the invoice is paid."),
            Registration.State.WAITLISTED: _("The event is full: you are on the waitlist. Nothing has been charged."),
        }[registration.state])
    return redirect(event.get_absolute_url())


@login_required
@require_POST
def cancel(request, slug: str):
    event = _event(request, slug)
    registration = services.live_registration(event, request.user)
    if registration is None:
        messages.error(request, _("You have no registration for this event."))
    else:
        try:
            services.cancel(registration, actor=request.user, reason="cancelled by the attendee")
        except services.RuleViolation as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Your registration is cancelled."))
    return redirect(event.get_absolute_url())


def ics(request, slug: str):
    event = _event(request, slug)
    response = HttpResponse(event_ics(event), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{event.slug}.ics"'
    return response


def _cell(value) -> str:
    if isinstance(value, datetime):
        value = value.isoformat()
    text = "" if value is None else str(value)
    # Cells starting with = + - @ are formulas to a spreadsheet: neutralise them.
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


@login_required
def attendees(request, slug: str):
    event = _event(request, slug)
    if not services.may_export_attendees(event, request.user):
        raise Http404  # not 403: do not confirm who may see it
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{event.slug}-attendees.csv"'
    writer = csv.writer(response)
    writer.writerow(queries.ATTENDEE_COLUMNS)
    for row in queries.attendee_rows(event):
        writer.writerow([_cell(v) for v in row])
    return response
