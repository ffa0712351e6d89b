"""Reads shared by the pages and the API."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from isoc.events.models import Event, Registration

ATTENDEE_COLUMNS = ("registration", "state", "first_name", "last_name", "email", "country", "organization",
                    "registered_at", "waitlist_position", "invoice", "invoice_state")


def _counted(events: QuerySet[Event]) -> QuerySet[Event]:
    """Each event with ``taken`` (seats held) and ``waiting_count`` counted in the same query."""
    return events.annotate(
        taken=Count("registrations", filter=Q(registrations__state__in=Registration.HOLDS_SEAT)),
        waiting_count=Count("registrations", filter=Q(registrations__state=Registration.State.WAITLISTED)))


def _when(events: QuerySet[Event], when: str) -> QuerySet[Event]:
    """Upcoming (not yet ended) soonest first, or past latest first."""
    now = timezone.now()
    if when == "upcoming":
        return events.filter(ends_at__gte=now).order_by("starts_at", "id")
    return events.filter(ends_at__lt=now).order_by("-starts_at", "-id")


def listed(*, when: str = "upcoming", scope: str = "", mode: str = "") -> QuerySet[Event]:
    """Published events, upcoming (not yet ended) soonest first, or past latest first;
    each with ``taken`` (seats held) and ``waiting_count`` counted in the same query."""
    events = _when(_counted(Event.objects.filter(published=True).select_related("chapter")), when)
    if scope:
        events = events.filter(scope=scope)
    if mode:
        events = events.filter(mode=mode)
    return events


def organized_by(chapter, *, when: str = "", published_only: bool = True) -> QuerySet[Event]:
    """The events a chapter runs (chapter events name it as their ``chapter``), with
    ``taken`` and ``waiting_count``: ``when`` "upcoming" (soonest first) or "past" (latest
    first), else all of them, latest first. The chapter's page shows the published ones;
    its officer dashboard, with ``published_only=False``, drafts and cancelled ones too."""
    events = _counted(Event.objects.filter(chapter=chapter))
    if published_only:
        events = events.filter(published=True)
    if when in ("upcoming", "past"):
        return _when(events, when)
    return events.order_by("-starts_at", "-id")


def attendee_rows(event: Event) -> list[tuple]:
    """Everyone registered and not cancelled: seat holders first, then the waitlist in order."""
    rows = []
    live = event.registrations.exclude(state=Registration.State.CANCELLED).select_related("person", "invoice")
    seated = [r for r in live if r.state in Registration.HOLDS_SEAT]
    waiting = sorted((r for r in live if r.state == Registration.State.WAITLISTED),
                     key=lambda r: (r.waitlisted_at, r.pk))
    for position, r in [(None, r) for r in seated] + list(enumerate(waiting, start=1)):
        p = r.person
        rows.append((r.pk, r.state, p.first_name, p.last_name, p.email, p.country, p.organization, r.created_at,
                     position, r.invoice.number if r.invoice else "", r.invoice.state if r.invoice else ""))
    return rows
