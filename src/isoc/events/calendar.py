"""An event as iCalendar: the model side of ``ics``."""

from __future__ import annotations

from email.utils import parseaddr

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _

from isoc.events import ics
from isoc.events.models import Event


def entry(event: Event, **extra) -> ics.CalendarEntry:
    url = settings.SITE_URL + reverse("events:detail", args=[event.slug])
    where = ", ".join(p for p in (event.venue, event.city, event.get_country_display() if event.country else "") if p)
    if event.is_online and not where:
        where = url
    return ics.CalendarEntry(
        uid=f"event-{event.pk}@isoc", title=event.title, starts_at=event.starts_at, ends_at=event.ends_at,
        time_zone=event.time_zone, description="\n\n".join(p for p in (event.summary, url) if p), location=where,
        url=url, stamp=event.cancelled_at or event.created_at, cancelled=event.is_cancelled,
        # Cancelling is the only change after publication that calendars must pick up.
        sequence=1 if event.is_cancelled else 0, **extra,
    )


def event_ics(event: Event) -> bytes:
    return ics.calendar([entry(event)], name=event.title)


def cancellation_ics(event: Event, attendee_email: str) -> bytes:
    """The iTIP cancellation mailed to one attendee of a cancelled event: the same UID as
    the .ics they were sent, so their calendar drops the event."""
    organizer = parseaddr(settings.DEFAULT_FROM_EMAIL)[1] or "events@isoc.invalid"
    return ics.calendar([entry(event, organizer=organizer, organizer_name=_("Internet Society"),
                               attendees=(attendee_email,))], name=event.title, method="CANCEL")
