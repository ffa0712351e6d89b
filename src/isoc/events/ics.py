"""iCalendar (RFC 5545) for events, with the ``icalendar`` library (no Django import).

Start and end are written in the event's own time zone (``DTSTART;TZID=…``) with the
matching VTIMEZONE, so calendar programs show the local time of the venue and convert
it correctly; an event in UTC is written with the ``Z`` suffix and needs no VTIMEZONE.
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


def _at(value: datetime, zone: str) -> datetime:
    if value.tzinfo is None:
        raise ValueError("times must be timezone-aware")
    if zone in ("UTC", "Etc/UTC"):
        return value.astimezone(UTC)
    return value.astimezone(ZoneInfo(zone))


def calendar(entries: list[CalendarEntry], *, name: str = "") -> bytes:
    """A VCALENDAR holding one VEVENT per entry, ready to serve as ``text/calendar``."""
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
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
        cal.add_component(event)
    if entries:
        # Transitions around the events only: a year either side, not 1970 to 2038.
        first = min(e.starts_at for e in entries).astimezone(UTC).date() - timedelta(days=366)
        last = max(e.ends_at for e in entries).astimezone(UTC).date() + timedelta(days=366)
        cal.add_missing_timezones(first_date=first, last_date=last)
    return cal.to_ical()
