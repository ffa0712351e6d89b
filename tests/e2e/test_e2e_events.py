"""A visitor finds a full event, signs in from its page, registers and is waitlisted
(nothing charged); the attendee holding the last seat cancels in another browser; the
visitor is promoted automatically, sees the seat as theirs and gets the email with the
event as an .ics attachment. And the secretariat cancels an event from its page: the
attendee is told in their language with a calendar cancellation."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import icalendar
import pytest
from e2e_ui import make_person, sign_in, submit_login
from playwright.sync_api import expect


@pytest.mark.e2e
def test_waitlisted_visitor_is_promoted_when_a_seat_is_freed(page, new_page, mailbox):
    from django.utils import timezone

    from isoc.events import services
    from isoc.events.models import Event

    now = timezone.now()
    starts = now + timedelta(days=14)
    event = Event.objects.create(
        slug="ndss-side-meeting", title="Routing Security Workshop", time_zone="America/Lima", starts_at=starts,
        ends_at=starts + timedelta(hours=3), capacity=1, members_open_at=now - timedelta(days=9),
        public_open_at=now - timedelta(days=2), closes_at=starts, fee=Decimal("0.00"))
    holder = make_person("holder@example.net", first_name="Radia", last_name="Perlman")
    services.register(event, holder, notify=False)
    make_person("visitor@example.net", first_name="Jon", last_name="Postel")

    # The visitor finds the event, sees it is full, and signs in from its page.
    page.goto("/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Events").click()
    page.get_by_role("link", name="Routing Security Workshop").click()
    expect(page.get_by_test_id("seats")).to_contain_text("0 of 1 free")
    expect(page.get_by_text("America/Lima").first).to_be_visible()
    page.get_by_role("link", name="Sign in to register").click()
    submit_login(page, "visitor@example.net", "correct-horse-battery-staple")
    expect(page).to_have_url(re.compile(r"/events/ndss-side-meeting/$"))

    # Full: the button says so, and registering puts them on the waitlist, uncharged.
    page.get_by_role("button", name="Join the waitlist").click()
    expect(page.get_by_role("status")).to_contain_text("you are on the waitlist. Nothing has been charged.")
    expect(page.get_by_test_id("registration-state")).to_contain_text("You are on the waitlist, number 1")
    assert "waitlist" in str(mailbox.last_to("visitor@example.net")["Subject"])

    # The attendee with the seat cancels, in their own browser.
    other = new_page()
    sign_in(other, "holder@example.net")
    other.goto("/events/ndss-side-meeting/")
    other.get_by_role("button", name="Cancel my registration").click()
    expect(other.get_by_role("status")).to_contain_text("Your registration is cancelled.")

    # The visitor now holds the seat, and was told by email with the .ics attached.
    page.reload()
    expect(page.get_by_test_id("registration-state")).to_contain_text("your place is confirmed")
    mail = mailbox.last_to("visitor@example.net")
    assert "A seat at Routing Security Workshop is now yours" in str(mail["Subject"])
    assert "Someone cancelled" in mailbox.body(mail)
    (attachment,) = [part for part in mail.iter_attachments() if part.get_content_type() == "text/calendar"]
    (vevent,) = icalendar.Calendar.from_ical(attachment.get_payload(decode=True)).walk("VEVENT")
    assert str(vevent["SUMMARY"]) == "Routing Security Workshop"
    assert vevent["DTSTART"].params["TZID"] == "America/Lima"
    assert vevent.decoded("DTSTART") == event.starts_at.replace(microsecond=0)


@pytest.mark.e2e
def test_staff_cancel_an_event_and_the_attendee_is_told(page, new_page, mailbox):
    """The secretariat cancels an event from its page (the confirmation box must be
    ticked); the attendee's calendar gets a METHOD:CANCEL, the page says why."""
    from django.utils import timezone

    from isoc.events import services
    from isoc.events.models import Event

    now = timezone.now()
    starts = now + timedelta(days=10)
    event = Event.objects.create(
        slug="ipv6-clinic", title="IPv6 Deployment Clinic", time_zone="Europe/Tallinn", starts_at=starts,
        ends_at=starts + timedelta(hours=2), capacity=5, members_open_at=now - timedelta(days=9),
        public_open_at=now - timedelta(days=2), closes_at=starts, fee=Decimal("0.00"))
    attendee = make_person("attendee@example.net", first_name="Vint", last_name="Cerf", preferred_language="et")
    services.register(event, attendee, notify=False)
    make_person("staff@example.net", staff=True, first_name="Sam", last_name="Staff")

    sign_in(page, "staff@example.net")
    page.goto("/events/ipv6-clinic/")
    page.get_by_role("link", name="Cancel this event").click()
    expect(page.get_by_test_id("preview")).to_contain_text("1 confirmed registration is cancelled")
    page.get_by_label("Reason").fill("The venue is closed.")
    page.get_by_role("button", name="Cancel the event").click()
    expect(page.locator(".errorlist").first).to_be_visible()  # the box was not ticked: nothing done
    page.get_by_label("I understand").check()
    page.get_by_role("button", name="Cancel the event").click()
    expect(page.get_by_role("status")).to_contain_text("1 attendees are being told by email")
    expect(page.get_by_test_id("cancelled")).to_contain_text("Sam Staff")

    page.get_by_role("link", name="IPv6 Deployment Clinic").click()
    expect(page.get_by_test_id("event-cancelled")).to_contain_text("The venue is closed.")
    mail = mailbox.last_to("attendee@example.net")
    assert str(mail["Subject"]) == "Tühistatud: IPv6 Deployment Clinic"
    (part,) = [p for p in mail.iter_attachments() if p.get_content_type() == "text/calendar"]
    assert part.get_param("method") == "CANCEL"
    cal = icalendar.Calendar.from_ical(part.get_payload(decode=True))
    assert cal["METHOD"] == "CANCEL" and cal.walk("VEVENT")[0]["STATUS"] == "CANCELLED"
