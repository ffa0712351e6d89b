"""An event as iCalendar: the model side of ``ics``."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse

from isoc.events import ics
from isoc.events.models import Event


def entry(event: Event) -> ics.CalendarEntry:
    url = settings.SITE_URL + reverse("events:detail", args=[event.slug])
    where = ", ".join(p for p in (event.venue, event.city, event.get_country_display() if event.country else "") if p)
    if event.is_online and not where:
        where = url
    return ics.CalendarEntry(
        uid=f"event-{event.pk}@isoc", title=event.title, starts_at=event.starts_at, ends_at=event.ends_at,
        time_zone=event.time_zone, description="\n\n".join(p for p in (event.summary, url) if p), location=where,
        url=url, stamp=event.created_at, cancelled=event.cancelled_at is not None,
    )


def event_ics(event: Event) -> bytes:
    return ics.calendar([entry(event)], name=event.title)
