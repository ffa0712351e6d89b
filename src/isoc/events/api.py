"""Events API: the list, one event with its agenda, its .ics, and registering or
cancelling for the signed-in person. Rules are the services'; refusals are 409s."""


import re
from datetime import datetime
from decimal import Decimal
from typing import Literal

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext
from ninja import Field, Router, Schema
from ninja.pagination import paginate

from isoc.events import queries, services
from isoc.events.calendar import event_ics
from isoc.events.models import Event, Registration
from isoc.members.api import AUTH
from isoc.site.apiparams import SLUG
from isoc.site.pagination import LazyRows, Page

router = Router(tags=["events"])


class SessionOut(Schema):
    title: str
    starts_at: datetime
    ends_at: datetime
    room: str
    speakers: str


class EventOut(Schema):
    slug: str
    title: str
    summary: str
    scope: str
    chapter: str | None
    region: str
    mode: str
    venue: str
    city: str
    country: str
    time_zone: str
    starts_at: datetime
    ends_at: datetime
    members_open_at: datetime
    public_open_at: datetime
    closes_at: datetime
    registration_phase: str
    capacity: int
    seats_left: int
    waiting: int
    fee: Decimal
    currency: str
    cancelled: bool
    status: Literal["scheduled", "cancelled"]
    cancelled_at: datetime | None
    cancellation_reason: str
    is_demo: bool
    url: str
    ics: str


class EventDetailOut(EventOut):
    description: str
    sessions: list[SessionOut]


class FundingIn(Schema):
    amount: Decimal
    currency: str = Field(..., pattern=r"^[A-Z]{3}$")
    purpose: str = Field("", max_length=300)


class FundingOut(Schema):
    event: str
    amount: Decimal
    currency: str
    granted_at: datetime
    purpose: str


class RegistrationOut(Schema):
    event: str
    state: str
    created_at: datetime
    waitlist_position: int | None
    invoice: str | None


def _event_out(e: Event, taken: int | None = None, waiting: int | None = None) -> dict:
    taken = e.seats_taken() if taken is None else taken
    waiting = e.waiting() if waiting is None else waiting
    return {
        **{f: getattr(e, f) for f in ("slug", "title", "summary", "scope", "region", "mode", "venue", "city", "country",
                                      "time_zone", "starts_at", "ends_at", "members_open_at", "public_open_at",
                                      "closes_at", "capacity", "fee", "currency", "is_demo", "status", "cancelled_at",
                                      "cancellation_reason")},
        "registration_phase": e.phase(), "seats_left": max(0, e.capacity - taken), "waiting": waiting,
        "chapter": e.chapter.slug if e.chapter_id else None, "cancelled": e.is_cancelled,
        "url": e.get_absolute_url(), "ics": f"/api/v1/events/{e.slug}.ics",
    }


def _published(slug: str) -> Event:
    if not re.fullmatch(SLUG, slug):
        raise Http404
    return get_object_or_404(Event, slug=slug, published=True)


def _registration_out(r: Registration) -> dict:
    return {"event": r.event.slug, "state": r.state, "created_at": r.created_at,
            "waitlist_position": services.waitlist_position(r), "invoice": r.invoice.number if r.invoice else None}


@router.get("", response=list[EventOut], summary="Published events (upcoming soonest first, or past)")
@paginate(Page)
def events(request, when: Literal["upcoming", "past"] = "upcoming", scope: Literal["", "global", "regional", "chapter"] = "",
           mode: Literal["", "online", "in_person", "hybrid"] = ""):
    return LazyRows(queries.listed(when=when, scope=scope, mode=mode),
                    lambda page: [_event_out(e, e.taken, e.waiting_count) for e in page])


# Declared before "{slug}" so that "x.ics" is not read as a slug.
@router.get("{slug}.ics", summary="One event as iCalendar (text/calendar)")
def event_calendar(request, slug: str):
    event = _published(slug)
    response = HttpResponse(event_ics(event), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{event.slug}.ics"'
    return response


@router.get("{slug}", response=EventDetailOut, summary="One published event with its agenda")
def event(request, slug: str):
    e = _published(slug)
    return {**_event_out(e), "description": e.description,
            "sessions": [{"title": s.title, "starts_at": s.starts_at, "ends_at": s.ends_at, "room": s.room,
                          "speakers": s.speakers} for s in e.sessions.all()]}


@router.get("{slug}/registration", response=RegistrationOut, auth=AUTH, summary="Your registration for an event")
def my_registration(request, slug: str):
    registration = services.live_registration(_published(slug), request.user)
    if registration is None:
        raise Http404
    return _registration_out(registration)


@router.post("{slug}/registration", response={201: RegistrationOut}, auth=AUTH,
             summary="Register: a seat while one is free (paid events: an invoice), else the waitlist")
def register(request, slug: str):
    registration = services.register(_published(slug), request.user, actor=request.user)
    return 201, _registration_out(registration)


@router.delete("{slug}/registration", response=RegistrationOut, auth=AUTH,
               summary="Cancel your registration; its seat goes to the next on the waitlist")
def cancel(request, slug: str):
    event = _published(slug)
    registration = services.live_registration(event, request.user)
    if registration is None:
        raise services.RuleViolation(gettext("You have no registration for this event."), code="not_registered")
    return _registration_out(services.cancel(registration, actor=request.user, reason="cancelled through the API"))


@router.get("{slug}/attendees", response=list[dict], auth=AUTH, summary="The attendee list (organizers and staff)")
def attendees(request, slug: str):
    event = _published(slug)
    if not services.may_export_attendees(event, request.user):
        from ninja.errors import HttpError

        raise HttpError(403, "Organizers and staff only.")
    return [dict(zip(queries.ATTENDEE_COLUMNS, row, strict=True)) for row in queries.attendee_rows(event)]


@router.post("{slug}/funding", response={201: FundingOut}, auth=AUTH,
             summary="Grant funding to an event (staff); refused for a chapter that may not receive it")
def grant_funding(request, slug: str, payload: FundingIn):
    event = _published(slug)
    grant = services.grant_funding(event, amount=payload.amount, currency=payload.currency, actor=request.user,
                                   purpose=payload.purpose)
    return 201, {"event": event.slug, "amount": grant.amount, "currency": grant.currency,
                 "granted_at": grant.granted_at, "purpose": grant.purpose}
