"""Real concurrent requests for the last seat: many people press "register" at the same
instant through the API, each in its own thread with its own database connection. The
event row's lock (FOR UPDATE on PostgreSQL; IMMEDIATE transactions on SQLite) lets one
have the seat; everyone else is waitlisted, unpaid. Run with DATABASE_URL pointing at
PostgreSQL to exercise row locking (CI runs both)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client

from isoc.events import services
from isoc.events.models import Registration
from isoc.members import models as m
from race_helpers import race

pytestmark = pytest.mark.django_db(transaction=True)
THREADS = 8


@pytest.fixture
def queued_mail(monkeypatch) -> list[tuple[int, str]]:
    """The mails the services queue, recorded instead of run: Celery's eager mode keeps a
    process-wide "inside a task" flag that threads running tasks at once leave set, which
    breaks later tests' task calls. What is sent is tested in the services' tests."""
    from isoc.events import tasks

    queued: list[tuple[int, str]] = []
    monkeypatch.setattr(tasks.send_registration_mail, "delay", lambda rid, kind: queued.append((rid, kind)))
    return queued


def _clients(people) -> list[Client]:
    clients = []
    for p in people:
        c = Client()
        c.force_login(p)
        clients.append(c)
    return clients


@pytest.mark.parametrize("fee", [Decimal("0.00"), Decimal("30.00")])
def test_concurrent_requests_for_the_last_seat_never_oversell(threaded_db, make_event, new_person, fee, queued_mail):
    event = make_event(capacity=3, fee=fee)
    for _ in range(2):
        services.register(event, new_person())
    clients = _clients([new_person() for _ in range(THREADS)])
    results = race(lambda i: clients[i].post(f"/api/v1/events/{event.slug}/registration"), n=THREADS)
    assert all(not isinstance(r, Exception) for r in results), results
    assert [r.status_code for r in results] == [201] * THREADS
    states = sorted(r.json()["state"] for r in results)
    seat = "awaiting_payment" if fee else "confirmed"
    assert states == [seat] + ["waitlisted"] * (THREADS - 1)
    assert event.registrations.filter(state__in=Registration.HOLDS_SEAT).count() == 3
    positions = sorted(r.json()["waitlist_position"] for r in results if r.json()["state"] == "waitlisted")
    assert positions == list(range(1, THREADS))
    assert m.Invoice.objects.count() == (3 if fee else 0)  # nobody on the waitlist was invoiced
    kinds = sorted(kind for _, kind in queued_mail)
    assert kinds == sorted([seat] * 3 + ["waitlisted"] * (THREADS - 1))


def test_concurrent_cancellations_promote_each_waiting_person_once(threaded_db, make_event, new_person, queued_mail):
    event = make_event(capacity=THREADS)
    seated = [services.register(event, new_person()) for _ in range(THREADS)]
    waiting = [services.register(event, new_person()) for _ in range(THREADS // 2)]
    results = race(lambda i: services.cancel(Registration.objects.get(pk=seated[i].pk)), n=THREADS)
    assert all(isinstance(r, Registration) for r in results), results
    assert event.registrations.filter(state=Registration.State.CONFIRMED).count() == THREADS // 2
    for r in waiting:
        r.refresh_from_db()
        assert r.state == Registration.State.CONFIRMED
        assert r.history.filter(to_state="confirmed").count() == 1
    assert sorted(rid for rid, kind in queued_mail if kind == "promoted") == sorted(r.pk for r in waiting)
