"""Every registration rule, the happy and the unhappy paths, with history and mail."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import icalendar
import pytest
from django.utils import timezone

from isoc.events import services
from isoc.events.models import Registration
from isoc.members import models as m
from isoc.members import services as ledger
from isoc.members.services import RuleViolation

S = Registration.State
pytestmark = pytest.mark.django_db


def refused(code, call, *args, **kwargs) -> RuleViolation:
    with pytest.raises(RuleViolation) as info:
        call(*args, **kwargs)
    assert info.value.code == code, info.value.message
    return info.value


def test_free_event_seats_then_waitlists_without_invoices(make_event, new_person):
    event = make_event(capacity=2)
    a, b, c, d = (services.register(event, new_person()) for _ in range(4))
    assert [r.state for r in (a, b, c, d)] == [S.CONFIRMED, S.CONFIRMED, S.WAITLISTED, S.WAITLISTED]
    assert event.seats_taken() == 2 and event.waiting() == 2
    assert [services.waitlist_position(r) for r in (c, d)] == [1, 2]
    assert m.Invoice.objects.count() == 0
    assert list(c.history.values_list("from_state", "to_state")) == [("", "waitlisted")]
    assert list(a.history.values_list("from_state", "to_state")) == [("", "confirmed")]


def test_cancelling_a_seat_promotes_the_head_of_the_waitlist_and_mails_them(
        make_event, new_person, mailoutbox, django_capture_on_commit_callbacks):
    event = make_event(capacity=1)
    first = services.register(event, new_person())
    second = services.register(event, new_person())
    third = services.register(event, new_person())
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel(first, actor=first.person)
    second.refresh_from_db()
    third.refresh_from_db()
    assert (second.state, third.state) == (S.CONFIRMED, S.WAITLISTED)
    assert services.waitlist_position(third) == 1
    assert list(second.history.values_list("from_state", "to_state")) == [("", "waitlisted"), ("waitlisted", "confirmed")]
    to_second = [msg for msg in mailoutbox if second.person.email in msg.to]
    assert len(to_second) == 1 and "now yours" in to_second[0].subject
    (name, content, mimetype), = to_second[0].attachments
    assert mimetype == "text/calendar" and name.endswith(".ics")
    assert icalendar.Calendar.from_ical(content).walk("VEVENT")[0]["SUMMARY"] == event.title
    assert any(first.person.email in msg.to and "cancelled" in msg.subject for msg in mailoutbox)


def test_leaving_the_waitlist_promotes_nobody(make_event, new_person):
    event = make_event(capacity=1)
    seated = services.register(event, new_person())
    waiting = services.register(event, new_person())
    later = services.register(event, new_person())
    services.cancel(waiting)
    seated.refresh_from_db()
    later.refresh_from_db()
    assert (seated.state, later.state) == (S.CONFIRMED, S.WAITLISTED)
    assert services.waitlist_position(later) == 1


def test_a_waitlisted_person_is_never_invoiced_for_a_paid_event(make_event, new_person):
    event = make_event(capacity=1, fee=Decimal("25.00"), currency="EUR")
    seated = services.register(event, new_person())
    waiting = services.register(event, new_person())
    assert seated.state == S.AWAITING_PAYMENT
    assert seated.invoice.amount == Decimal("25.00") and seated.invoice.currency == "EUR"
    assert seated.invoice.number.startswith("INV-")
    assert waiting.state == S.WAITLISTED and waiting.invoice is None
    assert m.Invoice.objects.count() == 1


def test_paying_the_invoice_through_the_ledger_confirms_the_seat(
        make_event, new_person, staff, mailoutbox, django_capture_on_commit_callbacks):
    event = make_event(capacity=1, fee=Decimal("40.00"))
    registration = services.register(event, new_person())
    with django_capture_on_commit_callbacks(execute=True):
        ledger.record_payment(registration.invoice, amount="40.00", reference="BANK-1", actor=staff)
    registration.refresh_from_db()
    assert registration.state == S.CONFIRMED
    assert registration.history.last().note.endswith("paid")
    assert registration.history.last().actor == staff
    confirmed = [msg for msg in mailoutbox if "confirmed" in msg.subject]
    assert len(confirmed) == 1 and confirmed[0].attachments


def test_a_part_payment_does_not_confirm(make_event, new_person):
    event = make_event(capacity=1, fee=Decimal("40.00"))
    registration = services.register(event, new_person())
    ledger.record_payment(registration.invoice, amount="10.00", reference="BANK-1")
    registration.refresh_from_db()
    assert registration.state == S.AWAITING_PAYMENT


def test_cancelling_an_unpaid_seat_voids_the_invoice_and_invoices_the_promoted(make_event, new_person):
    event = make_event(capacity=1, fee=Decimal("40.00"))
    first = services.register(event, new_person())
    second = services.register(event, new_person())
    services.cancel(first)
    first.invoice.refresh_from_db()
    assert first.invoice.state == "void"
    second.refresh_from_db()
    assert second.state == S.AWAITING_PAYMENT and second.invoice.balance() == Decimal("40.00")


def test_staff_voiding_the_invoice_releases_the_seat(make_event, new_person, staff):
    event = make_event(capacity=1, fee=Decimal("40.00"))
    first = services.register(event, new_person())
    second = services.register(event, new_person())
    ledger.void_invoice(first.invoice, reason="not paid in time", actor=staff)
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.state == S.CANCELLED and second.state == S.AWAITING_PAYMENT
    assert "invoice voided" in first.history.last().note


def test_a_paid_fee_is_kept_on_cancellation(make_event, new_person):
    event = make_event(capacity=1, fee=Decimal("40.00"))
    registration = services.register(event, new_person())
    ledger.record_payment(registration.invoice, amount="40.00", reference="BANK-1")
    services.cancel(registration)
    registration.invoice.refresh_from_db()
    assert registration.invoice.state == "paid" and m.CreditNote.objects.count() == 0


def test_members_priority_window(make_event, new_person, new_member):
    now = timezone.now()
    event = make_event(members_open_at=now - timedelta(days=1), public_open_at=now + timedelta(days=2))
    error = refused("members_only", services.register, event, new_person())
    assert "members only" in error.message
    assert services.register(event, new_member()).state == S.CONFIRMED


def test_a_pending_sustaining_member_is_not_yet_a_member(make_event, new_person):
    now = timezone.now()
    event = make_event(members_open_at=now - timedelta(days=1), public_open_at=now + timedelta(days=2))
    person = new_person()
    ledger.join(person, "sustaining")  # awaiting the first payment
    refused("members_only", services.register, event, person)


def test_not_yet_open_closed_cancelled_unpublished(make_event, new_member):
    now = timezone.now()
    early = make_event(members_open_at=now + timedelta(days=1), public_open_at=now + timedelta(days=2))
    refused("not_open", services.register, early, new_member())
    closed = make_event(starts_at=now + timedelta(days=5), closes_at=now - timedelta(hours=1),
                        public_open_at=now - timedelta(days=2))
    refused("closed", services.register, closed, new_member())
    cancelled = make_event(cancelled_at=now)
    refused("event_cancelled", services.register, cancelled, new_member())
    hidden = make_event(published=False)
    refused("not_published", services.register, hidden, new_member())


def test_one_live_registration_per_person_but_may_come_back_after_cancelling(make_event, new_person):
    event = make_event(capacity=5)
    person = new_person()
    first = services.register(event, person)
    refused("already_registered", services.register, event, person)
    services.cancel(first)
    refused("already_cancelled", services.cancel, first)
    again = services.register(event, person)
    assert again.pk != first.pk and again.state == S.CONFIRMED


def test_no_cancellation_once_the_event_has_begun(make_event, new_person):
    event = make_event()
    registration = services.register(event, new_person())
    refused("event_started", services.cancel, registration, at=event.starts_at + timedelta(minutes=1))


def test_closed_accounts_cannot_register(make_event, new_person):
    person = new_person()
    person.is_active = False
    person.save()
    refused("account_closed", services.register, make_event(), person)


def test_more_capacity_seats_the_waitlist_in_order_and_less_than_taken_is_refused(make_event, new_person):
    event = make_event(capacity=1)
    regs = [services.register(event, new_person()) for _ in range(4)]
    promoted = services.set_capacity(event, 3)
    assert [r.pk for r in promoted] == [regs[1].pk, regs[2].pk]
    error = refused("below_taken", services.set_capacity, event, 2)
    assert error.field == "capacity"
    event.refresh_from_db()
    assert event.capacity == 3


def test_a_refusal_leaves_nothing_behind(make_event, new_person):
    event = make_event(cancelled_at=timezone.now())
    with pytest.raises(RuleViolation):
        services.register(event, new_person())
    assert Registration.objects.count() == 0


def test_the_attendee_list_lists_seats_then_the_waitlist_in_order(make_event, new_person):
    from isoc.events.queries import ATTENDEE_COLUMNS, attendee_rows

    event = make_event(capacity=1)
    people = [new_person(first_name=f"P{i}") for i in range(3)]
    regs = [services.register(event, p) for p in people]
    services.cancel(regs[0])
    rows = [dict(zip(ATTENDEE_COLUMNS, r, strict=True)) for r in attendee_rows(event)]
    assert [(r["first_name"], r["state"], r["waitlist_position"]) for r in rows] == [
        ("P1", "confirmed", None), ("P2", "waitlisted", 1)]


def test_unpaid_seats_past_due_go_to_the_waitlist(make_event, new_person, mailoutbox, django_capture_on_commit_callbacks,
                                                  monkeypatch):
    event = make_event(capacity=1, fee=Decimal("40.00"), starts_at=timezone.now() + timedelta(days=90))
    holder = services.register(event, new_person())
    waiting = services.register(event, new_person())
    assert services.release_overdue() == []  # not yet due
    later = timezone.now() + timedelta(days=31)
    monkeypatch.setattr(timezone, "now", lambda: later)  # a month on, the invoice unpaid
    assert services.release_overdue(commit=False) == [holder.pk]
    holder.refresh_from_db()
    assert holder.state == S.AWAITING_PAYMENT  # the dry run changed nothing
    with django_capture_on_commit_callbacks(execute=True):
        assert services.release_overdue() == [holder.pk]
    holder.refresh_from_db()
    waiting.refresh_from_db()
    assert holder.state == S.CANCELLED and holder.invoice.state == "void"
    assert waiting.state == S.AWAITING_PAYMENT and waiting.invoice.state == "open"
    assert any(waiting.person.email in msg.to and "now yours" in msg.subject for msg in mailoutbox)
    assert services.release_overdue() == []  # the new holder's invoice was just issued


def test_the_release_command(make_event, new_person):
    from typer.testing import CliRunner

    from isoc.site.cli import app

    event = make_event(capacity=1, fee=Decimal("40.00"))
    services.register(event, new_person())
    result = CliRunner().invoke(app, ["events", "release-unpaid", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "would have: released 0 unpaid seats" in result.output
