"""iCalendar (RFC 5545) for events, with the ``icalendar`` library (no Django import).

Start and end are written in the event's own time zone (``DTSTART;TZID=…``) with the
matching VTIMEZONE, so calendar programs show the local time of the venue and convert
it correctly; an event in UTC is written with the ``Z`` suffix and needs no VTIMEZONE.

A cancelled event keeps its UID, gets ``STATUS:CANCELLED`` and a higher ``SEQUENCE``, so a
calendar that imported it replaces it. The notice mailed to attendees is an iTIP
(RFC 5546) ``METHOD:CANCEL`` message, which also names the organizer and the attendee:
mail programs read it as "remove this event" rather than as a new event to add.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar

PRODID = "-//Internet Society//isoc events//EN"


@dataclass(frozen=True)
class CalendarEntry:
    uid: str
    title: str
    starts_at: datetime  # aware
    ends_at: datetime  # aware
    time_zone: str = "UTC"
    description: str = ""
    location: str = ""
    url: str = ""
    stamp: datetime = field(default_factory=lambda: datetime.now(UTC))
    cancelled: bool = False
    sequence: int = 0  # the revision: a calendar keeps the entry with the highest
    organizer: str = ""  # an email address; required by METHOD:CANCEL
    organizer_name: str = ""
    attendees: tuple[str, ...] = ()  # email addresses


def _at(value: datetime, zone: str) -> datetime:
    if value.tzinfo is None:
        raise ValueError("times must be timezone-aware")
    if zone in ("UTC", "Etc/UTC"):
        return value.astimezone(UTC)
    return value.astimezone(ZoneInfo(zone))


def calendar(entries: list[CalendarEntry], *, name: str = "", method: str = "PUBLISH") -> bytes:
    """A VCALENDAR holding one VEVENT per entry, ready to serve as ``text/calendar``.
    ``method`` is ``PUBLISH`` (a feed or a download) or ``CANCEL`` (a cancellation notice)."""
    if method not in ("PUBLISH", "CANCEL"):
        raise ValueError(f"unsupported iCalendar method {method!r}")
    if method == "CANCEL" and any(not e.organizer or not e.cancelled for e in entries):
        raise ValueError("a CANCEL message names the organizer of cancelled entries only")
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", method)
    if name:
        cal.add("x-wr-calname", name)
    for entry in entries:
        event = icalendar.Event()
        event.add("uid", entry.uid)
        event.add("dtstamp", entry.stamp.astimezone(UTC))
        event.add("dtstart", _at(entry.starts_at, entry.time_zone))
        event.add("dtend", _at(entry.ends_at, entry.time_zone))
        event.add("summary", entry.title)
        if entry.description:
            event.add("description", entry.description)
        if entry.location:
            event.add("location", entry.location)
        if entry.url:
            event.add("url", entry.url)
        event.add("status", "CANCELLED" if entry.cancelled else "CONFIRMED")
        event.add("sequence", entry.sequence)
        if entry.organizer:
            event.add("organizer", icalendar.vCalAddress(f"mailto:{entry.organizer}"),
                      parameters={"CN": entry.organizer_name} if entry.organizer_name else None)
        for attendee in entry.attendees:
            event.add("attendee", icalendar.vCalAddress(f"mailto:{attendee}"))
        cal.add_component(event)
    if entries:
        # Transitions around the events only: a year either side, not 1970 to 2038.
        first = min(e.starts_at for e in entries).astimezone(UTC).date() - timedelta(days=366)
        last = max(e.ends_at for e in entries).astimezone(UTC).date() + timedelta(days=366)
        cal.add_missing_timezones(first_date=first, last_date=last)
    return cal.to_ical()
