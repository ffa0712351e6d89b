"""`isoc demo`'s events: 50, all marked demo, with registrations made by the services
(seats never above capacity, some waitlists); idempotent; removable before the members'
demo is reset."""

from __future__ import annotations

import pytest

from isoc.events import demo
from isoc.events.models import Event, Registration

pytestmark = pytest.mark.django_db


def test_demo_events(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    from isoc.members import demo as members_demo

    members_demo.generate(people=60, organizations=2, seed=7)
    report = demo.generate(seed=7)
    assert report["events"] == 50 == Event.objects.filter(is_demo=True).count()
    assert report["registrations"] == Registration.objects.filter(is_demo=True).count() > 0
    assert not Event.objects.filter(is_demo=False).exists()
    for event in Event.objects.all():
        assert event.seats_taken() <= event.capacity
        assert all(s.event.starts_at <= s.starts_at and s.ends_at <= event.ends_at for s in event.sessions.all())
    assert Registration.objects.filter(state="waitlisted").exists()
    assert Event.objects.exclude(fee=0).exists() and Event.objects.filter(fee=0).exists()
    assert len(set(Event.objects.values_list("time_zone", flat=True))) >= 5
    assert demo.generate(seed=7) == {"events": 0, "registrations": 0}
    # A cancelled demo event leaves refunds owed (they point at registrations and invoices):
    # removing the demo removes them first.
    from isoc.events import services
    from isoc.members import services as ledger
    from isoc.members.models import Person

    seat = Registration.objects.filter(state="awaiting_payment").first()
    ledger.record_payment(seat.invoice, amount=seat.invoice.amount, reference="DEMO-1")
    staff = Person.objects.create_user(email="staff@example.org", password="x", is_staff=True)
    services.cancel_event(seat.event, actor=staff, reason="Demo cancellation.")
    assert seat.event.registrations.filter(refund__isnull=False).exists()
    # What `isoc demo --reset` does: events first, then the members' demo can go.
    demo.remove()
    members_demo.delete_demo()
    assert not Event.objects.exists() and not Registration.objects.exists()
