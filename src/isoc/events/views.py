"""Event pages: the list, an event with its agenda and registration, the .ics, the
attendee list for organizers, and the secretariat's pages: funding, cancelling the event
and the refunds it leaves owed. Every change goes through ``services``."""

from __future__ import annotations

import csv
from datetime import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from isoc.events import forms, queries, rules, services
from isoc.events.calendar import event_ics
from isoc.events.models import Event, EventRefund, Registration


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
        "may_cancel": services.may_cancel_event(event, request.user),
        "funding": event.funding.select_related("granted_by") if request.user.is_staff else [],
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


def _refused(form, exc: services.RuleViolation) -> None:
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)


@login_required
def funding(request, slug: str):
    """The secretariat grants funding to an event and sees the grants so far."""
    event = _event(request, slug)
    if not request.user.is_staff:
        raise PermissionDenied(_("Only the secretariat can grant event funding."))
    form = forms.FundingForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.grant_funding(event, actor=request.user, **form.cleaned_data)
            except services.RuleViolation as exc:
                _refused(form, exc)
                status = 409
            else:
                messages.success(request, _("The funding is recorded."))
                return redirect("events:funding", slug=event.slug)
        else:
            status = 400
    eligible = None
    if event.chapter_id:
        from isoc.chapters.services import may_receive_event_funding

        eligible = may_receive_event_funding(event.chapter)
    return render(request, "events/funding.html", {
        "event": event, "form": form, "grants": event.funding.select_related("granted_by"), "eligible": eligible,
    }, status=status)


def _cancellation_page(request, event: Event, *, form=None, refund_forms=None, status: int = 200):
    refunds = EventRefund.objects.filter(registration__event=event).select_related(
        "registration__person", "invoice", "refunded_by").order_by("due_since", "pk") if request.user.is_staff else []
    refund_forms = refund_forms or {}
    return render(request, "events/cancellation.html", {
        "event": event,
        "form": form or forms.CancelEventForm(),
        "preview": None if event.is_cancelled else services.cancellation_preview(event),
        "history": event.history.select_related("actor"),
        "refunds": [(r, refund_forms.get(r.pk) or forms.RefundForm(prefix=f"refund-{r.pk}")) for r in refunds],
    }, status=status)


@login_required
def cancellation(request, slug: str):
    """Cancel the whole event (the secretariat; an organizer for an event without fees),
    and afterwards: when, by whom, why, and the refunds owed."""
    event = _event(request, slug)
    if not (services.may_cancel_event(event, request.user) or request.user.is_staff):
        raise PermissionDenied(_("Only the secretariat, or an organizer of an event without fees, can cancel it."))
    if request.method != "POST":
        return _cancellation_page(request, event)
    form = forms.CancelEventForm(request.POST)
    if not form.is_valid():
        return _cancellation_page(request, event, form=form, status=400)
    try:
        done = services.cancel_event(event, actor=request.user, reason=form.cleaned_data["reason"])
    except services.RuleViolation as exc:
        _refused(form, exc)
        event.refresh_from_db()
        return _cancellation_page(request, event, form=form, status=409 if exc.code != "forbidden" else 403)
    messages.success(request, _("The event is cancelled; %(n)s attendees are being told by email.")
                     % {"n": done.notified})
    return redirect("events:cancellation", slug=event.slug)


@login_required
@require_POST
def record_refund(request, slug: str, pk: int):
    """The secretariat records that it paid a refund back."""
    event = _event(request, slug)
    if not request.user.is_staff:
        raise PermissionDenied(_("Only the secretariat can record a refund."))
    refund = get_object_or_404(EventRefund, pk=pk, registration__event=event)
    form = forms.RefundForm(request.POST, prefix=f"refund-{refund.pk}")
    if not form.is_valid():
        return _cancellation_page(request, event, refund_forms={refund.pk: form}, status=400)
    try:
        services.record_refund(refund, reference=form.cleaned_data["reference"], actor=request.user)
    except services.RuleViolation as exc:
        _refused(form, exc)
        return _cancellation_page(request, event, refund_forms={refund.pk: form}, status=409)
    messages.success(request, _("The refund is recorded."))
    return redirect("events:cancellation", slug=event.slug)
