"""The .ics (parsed back), the pages, the API (one error shape) and the attendee export."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest

from isoc.events import ics, services

pytestmark = pytest.mark.django_db


def test_ics_is_in_the_events_zone_with_its_vtimezone():
    start = datetime(2031, 3, 29, 23, 30, tzinfo=UTC)  # 02:30 in Nairobi the next day
    data = ics.calendar([ics.CalendarEntry("e-1@isoc", "Chapter meetup", start, start + timedelta(hours=2),
                                           "Africa/Nairobi", location="Nairobi")])
    cal = icalendar.Calendar.from_ical(data)
    (event,) = cal.walk("VEVENT")
    assert event["DTSTART"].params["TZID"] == "Africa/Nairobi"
    assert event.decoded("DTSTART") == start  # the same instant
    assert event.decoded("DTSTART").astimezone(ZoneInfo("Africa/Nairobi")).hour == 2
    assert [tz["TZID"] for tz in cal.walk("VTIMEZONE")] == ["Africa/Nairobi"]
    assert event["UID"] == "e-1@isoc" and str(event["SUMMARY"]) == "Chapter meetup"


def test_ics_across_a_daylight_saving_change_keeps_the_instant():
    start = datetime(2031, 3, 30, 0, 30, tzinfo=UTC)  # Paris springs forward at 01:00 UTC that day
    data = ics.calendar([ics.CalendarEntry("e-2@isoc", "x", start, start + timedelta(hours=3), "Europe/Paris")])
    event = icalendar.Calendar.from_ical(data).walk("VEVENT")[0]
    # (same-zone datetimes subtract as wall clocks in Python: compare in UTC)
    assert event.decoded("DTEND").astimezone(UTC) - event.decoded("DTSTART").astimezone(UTC) == timedelta(hours=3)
    assert event.decoded("DTSTART").hour == 1 and event.decoded("DTEND").hour == 5
    assert event.decoded("DTEND").utcoffset() == timedelta(hours=2)


def test_ics_in_utc_has_no_vtimezone():
    start = datetime(2031, 1, 1, tzinfo=UTC)
    data = ics.calendar([ics.CalendarEntry("e-3@isoc", "x", start, start + timedelta(hours=1), "UTC")])
    assert b"DTSTART:20310101T000000Z" in data and b"VTIMEZONE" not in data


def test_naive_times_are_refused():
    with pytest.raises(ValueError):
        ics.calendar([ics.CalendarEntry("x", "x", datetime(2031, 1, 1), datetime(2031, 1, 2))])


def test_the_event_ics_page_and_api(client, make_event):
    event = make_event(title="Global Summit")
    for url in (f"/events/{event.slug}/calendar.ics", f"/api/v1/events/{event.slug}.ics"):
        response = client.get(url)
        assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
        (vevent,) = icalendar.Calendar.from_ical(response.content).walk("VEVENT")
        assert vevent.decoded("DTSTART") == event.starts_at.replace(microsecond=0) and str(vevent["SUMMARY"]) == "Global Summit"


def test_pages_show_the_event_in_its_zone_and_the_readers(client, make_event):
    event = make_event(title="Regional forum", starts_at=datetime(2031, 6, 1, 7, tzinfo=UTC))
    listing = client.get("/events/?when=upcoming")
    assert "Regional forum" in listing.content.decode()
    page = client.get(event.get_absolute_url()).content.decode()
    assert "Africa/Nairobi" in page and "10:00" in page  # 07:00 UTC in Nairobi
    assert "Sign in to register" in page


def test_register_and_cancel_through_the_pages(client, make_event, new_person):
    event = make_event(capacity=1)
    services.register(event, new_person())
    person = new_person()
    client.force_login(person)
    response = client.post(f"/events/{event.slug}/register/", follow=True)
    assert "you are on the waitlist" in response.content.decode()
    assert "number 1" in response.content.decode()
    response = client.post(f"/events/{event.slug}/cancel/", follow=True)
    assert "Your registration is cancelled." in response.content.decode()
    assert client.get(f"/events/{event.slug}/register/").status_code == 405


def test_attendee_export_is_for_organizers_and_staff_only(client, make_event, new_person, staff):
    event = make_event()
    attendee = new_person(first_name="=HYPERLINK(1)")
    services.register(event, attendee)
    url = f"/events/{event.slug}/attendees.csv"
    client.force_login(attendee)
    assert client.get(url).status_code == 404
    assert client.get(f"/api/v1/events/{event.slug}/attendees").status_code == 403
    organizer = new_person()
    event.organizers.add(organizer)
    client.force_login(organizer)
    rows = list(csv.reader(io.StringIO(client.get(url).content.decode())))
    assert rows[0][:3] == ["registration", "state", "first_name"]
    assert rows[1][2] == "'=HYPERLINK(1)"  # formula-safe
    client.force_login(staff)
    assert client.get(f"/api/v1/events/{event.slug}/attendees").json()[0]["email"] == attendee.email


def test_api_list_detail_register_cancel(client, make_event, new_person, assert_error_shape):
    event = make_event(capacity=1)
    event.sessions.create(title="Opening", starts_at=event.starts_at, ends_at=event.starts_at + timedelta(hours=1))
    body = client.get("/api/v1/events/").json()
    assert body["count"] == 1 and body["items"][0]["seats_left"] == 1
    detail = client.get(f"/api/v1/events/{event.slug}").json()
    assert detail["sessions"][0]["title"] == "Opening" and detail["registration_phase"] == "open"
    response = client.post(f"/api/v1/events/{event.slug}/registration")
    assert response.status_code == 401
    assert_error_shape(response.json())
    client.force_login(new_person())
    first = client.post(f"/api/v1/events/{event.slug}/registration")
    assert first.status_code == 201 and first.json()["state"] == "confirmed"
    again = client.post(f"/api/v1/events/{event.slug}/registration")
    assert again.status_code == 409 and "already registered" in again.json()["detail"]
    assert_error_shape(again.json())
    client.force_login(new_person())
    waiting = client.post(f"/api/v1/events/{event.slug}/registration").json()
    assert waiting["state"] == "waitlisted" and waiting["waitlist_position"] == 1 and waiting["invoice"] is None
    assert client.get(f"/api/v1/events/{event.slug}/registration").json()["state"] == "waitlisted"
    listed = client.get("/api/v1/events/").json()["items"][0]
    assert (listed["seats_left"], listed["waiting"]) == (0, 1)
    assert client.delete(f"/api/v1/events/{event.slug}/registration").json()["state"] == "cancelled"
    missing = client.delete(f"/api/v1/events/{event.slug}/registration")
    assert missing.status_code == 409
    assert client.get("/api/v1/events/no-such-event").status_code == 404
    assert client.get("/api/v1/events/?scope=bogus").status_code == 422
