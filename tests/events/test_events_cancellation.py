"""Cancelling a whole event: every registration state, the ledger (invoices voided, paid
fees owed back), the notice mailed in each attendee's language with an iCalendar
cancellation, all or nothing, refused twice; then the API, the .ics and the CLI."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import icalendar
import pytest
from django.utils import timezone
from typer.testing import CliRunner

from isoc.events import ics, services
from isoc.events.models import Event, EventChange, EventRefund, Registration
from isoc.members import models as m
from isoc.members import services as ledger
from isoc.members.services import RuleViolation
from isoc.site.cli import app

S = Registration.State
pytestmark = pytest.mark.django_db
REASON = "The venue flooded; we are sorry."


def refused(code, call, *args, **kwargs) -> RuleViolation:
    with pytest.raises(RuleViolation) as info:
        call(*args, **kwargs)
    assert info.value.code == code, info.value.message
    return info.value


def calendar_part(mail):
    """The text/calendar part of a mail, as (content type parameters, parsed calendar)."""
    (part,) = [a for a in mail.attachments if not isinstance(a, tuple) and a.get_content_type() == "text/calendar"]
    return dict(part.get_params()), icalendar.Calendar.from_ical(part.get_payload(decode=True))


@pytest.fixture
def paid_event(make_event, new_person):
    """A paid event (capacity 2) with a paid seat, a seat awaiting payment, one person on
    the waitlist, and one who already left the waitlist."""
    event = make_event(capacity=2, fee=Decimal("40.00"), currency="USD", title="Encryption Day")
    paid = services.register(event, new_person(), notify=False)
    ledger.record_payment(paid.invoice, amount="40.00", reference="BANK-1")
    unpaid = services.register(event, new_person(), notify=False)
    waiting = services.register(event, new_person(), notify=False)
    gone = services.register(event, new_person(), notify=False)
    services.cancel(gone)
    for r in (paid, unpaid, waiting, gone):
        r.refresh_from_db()
    assert [r.state for r in (paid, unpaid, waiting, gone)] == [S.CONFIRMED, S.AWAITING_PAYMENT, S.WAITLISTED,
                                                                   S.CANCELLED]
    return event, paid, unpaid, waiting, gone


def test_cancelling_an_event_cancels_every_live_registration_with_history(
        paid_event, staff, mailoutbox, django_capture_on_commit_callbacks):
    event, paid, unpaid, waiting, gone = paid_event
    gone_history = list(gone.history.values_list("pk", flat=True))
    at = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        done = services.cancel_event(event, actor=staff, reason=f"  {REASON}\n", at=at)
    event.refresh_from_db()
    assert (event.cancelled_at, event.cancelled_by, event.cancellation_reason) == (at, staff, REASON)
    assert event.status == "cancelled" and event.phase() == "closed"
    assert list(event.history.values_list("from_status", "to_status", "actor", "note")) == [
        ("scheduled", "cancelled", staff.pk, REASON)]
    for r, before in ((paid, S.CONFIRMED), (unpaid, S.AWAITING_PAYMENT), (waiting, S.WAITLISTED)):
        r.refresh_from_db()
        assert r.state == S.CANCELLED and r.cancelled_at == at
        last = r.history.last()
        assert (last.from_state, last.to_state, last.actor, last.at) == (before, S.CANCELLED, staff, at)
        assert REASON in last.note
    assert list(gone.history.values_list("pk", flat=True)) == gone_history  # already cancelled: untouched
    assert {state: [r.pk for r in regs] for state, regs in done.cancelled.items()} == {
        S.CONFIRMED: [paid.pk], S.AWAITING_PAYMENT: [unpaid.pk], S.WAITLISTED: [waiting.pk]}
    # Nobody was seated from the waitlist, so nobody new was invoiced.
    assert m.Invoice.objects.count() == 2  # the two seats' only
    assert done.notified == 3


def test_the_ledger_voids_open_seat_invoices_and_owes_paid_fees_back(paid_event, staff):
    event, paid, unpaid, waiting, _gone = paid_event
    done = services.cancel_event(event, actor=staff, reason=REASON)
    unpaid.invoice.refresh_from_db()
    paid.invoice.refresh_from_db()
    assert unpaid.invoice.state == "void" and unpaid.invoice.balance() == 0
    (note,) = unpaid.invoice.credit_notes.all()
    assert note.issued_by == staff and note.number.startswith("CRN-")
    assert paid.invoice.state == "paid"  # the ledger keeps the payment; the refund is owed beside it
    (refund,) = EventRefund.objects.all()
    assert (refund.registration, refund.invoice, refund.amount, refund.currency) == (
        paid, paid.invoice, Decimal("40.00"), "USD")
    assert refund.is_due and list(services.refunds_due()) == [refund]
    assert [i.pk for i in done.voided] == [unpaid.invoice.pk] and done.refunds == [refund]
    assert waiting.invoice is None


def test_a_part_paid_seat_is_voided_for_the_rest_and_the_part_owed_back(make_event, new_person, staff):
    event = make_event(capacity=1, fee=Decimal("40.00"), currency="EUR")
    seat = services.register(event, new_person())
    ledger.record_payment(seat.invoice, amount="15.00", reference="BANK-2")
    services.cancel_event(event, actor=staff, reason=REASON)
    seat.invoice.refresh_from_db()
    assert seat.invoice.state == "settled" and seat.invoice.balance() == 0
    assert EventRefund.objects.get().amount == Decimal("15.00")


def test_each_attendee_is_told_in_their_language_with_a_calendar_cancellation(
        paid_event, staff, mailoutbox, django_capture_on_commit_callbacks):
    event, paid, unpaid, waiting, gone = paid_event
    for person, language in ((paid.person, "fr"), (unpaid.person, "es"), (waiting.person, "et")):
        person.preferred_language = language
        person.save(update_fields=["preferred_language"])
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel_event(event, actor=staff, reason=REASON)
    by_person = {msg.to[0]: msg for msg in mailoutbox}
    assert set(by_person) == {paid.person.email, unpaid.person.email, waiting.person.email}  # not gone's
    assert by_person[paid.person.email].subject == "Annulé : Encryption Day"
    assert by_person[unpaid.person.email].subject == "Cancelado: Encryption Day"
    assert by_person[waiting.person.email].subject == "Tühistatud: Encryption Day"
    assert REASON in by_person[paid.person.email].body
    assert "40,00\xa0$US" in by_person[paid.person.email].body  # the refund, in French money format
    assert unpaid.invoice.number in by_person[unpaid.person.email].body
    for mail in by_person.values():
        params, cal = calendar_part(mail)
        assert params.get("method") == "CANCEL"
        assert cal["METHOD"] == "CANCEL"
        (vevent,) = cal.walk("VEVENT")
        assert vevent["STATUS"] == "CANCELLED" and vevent["SEQUENCE"] == 1
        assert vevent["UID"] == f"event-{event.pk}@isoc"  # the UID of the .ics they were sent
        assert str(vevent["ATTENDEE"]) == f"mailto:{mail.to[0]}"
        assert str(vevent["ORGANIZER"]).startswith("mailto:")


def test_the_english_notice(paid_event, staff, mailoutbox, django_capture_on_commit_callbacks):
    event, paid, unpaid, *_ = paid_event
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel_event(event, actor=staff, reason=REASON)
    mail = next(msg for msg in mailoutbox if msg.to == [paid.person.email])
    assert mail.subject == "Cancelled: Encryption Day"
    assert "You paid $40.00: it will be refunded" in mail.body and "Was to start:" in mail.body
    mail = next(msg for msg in mailoutbox if msg.to == [unpaid.person.email])
    assert f"Invoice {unpaid.invoice.number} is voided: there is nothing to pay." in mail.body


def test_cancelling_twice_is_refused_and_so_is_registering_or_funding(paid_event, staff, new_person):
    event = paid_event[0]
    services.cancel_event(event, actor=staff, reason=REASON)
    refused("already_cancelled", services.cancel_event, event, actor=staff, reason="again")
    assert EventChange.objects.count() == 1
    error = refused("event_cancelled", services.register, event, new_person())
    assert error.message == "This event was cancelled."
    refused("event_cancelled", services.grant_funding, event, amount="10", currency="USD", actor=staff)


def test_a_failure_midway_leaves_nothing_changed(make_event, new_person, staff, monkeypatch, mailoutbox,
                                                 django_capture_on_commit_callbacks):
    event = make_event(capacity=2, fee=Decimal("40.00"))
    first, second = (services.register(event, new_person(), notify=False) for _ in range(2))
    waiting = services.register(event, new_person(), notify=False)
    real_void, calls = ledger.void_invoice, []

    def void_then_fail(invoice, **kwargs):
        calls.append(invoice.pk)
        if len(calls) == 2:
            raise RuntimeError("the ledger is unavailable")
        return real_void(invoice, **kwargs)

    monkeypatch.setattr(services.ledger, "void_invoice", void_then_fail)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        services.cancel_event(event, actor=staff, reason=REASON)
    assert len(calls) == 2  # the first invoice was voided before the failure…
    event.refresh_from_db()
    assert event.cancelled_at is None and event.cancellation_reason == "" and not event.history.exists()
    for r, state in ((first, S.AWAITING_PAYMENT), (second, S.AWAITING_PAYMENT), (waiting, S.WAITLISTED)):
        r.refresh_from_db()
        assert r.state == state and r.history.count() == 1
    assert not m.CreditNote.objects.exists()  # …and that was rolled back too
    assert first.invoice.state == "open" and second.invoice.state == "open"
    assert mailoutbox == []


def test_who_may_cancel(make_event, new_person, staff):
    free = make_event()
    organizer, stranger = new_person(), new_person()
    free.organizers.add(organizer)
    assert not services.may_cancel_event(free, stranger) and services.may_cancel_event(free, organizer)
    refused("forbidden", services.cancel_event, free, actor=stranger, reason=REASON)
    refused("forbidden", services.cancel_event, free, actor=None, reason=REASON)
    # An organizer may not cancel once money is involved: that is the secretariat's.
    paid = make_event(fee=Decimal("10.00"))
    paid.organizers.add(organizer)
    assert services.may_cancel_event(paid, organizer)  # nobody invoiced yet
    services.register(paid, new_person(), notify=False)
    assert not services.may_cancel_event(paid, organizer) and services.may_cancel_event(paid, staff)
    refused("forbidden", services.cancel_event, paid, actor=organizer, reason=REASON)
    services.cancel_event(free, actor=organizer, reason=REASON)
    free.refresh_from_db()
    assert free.cancelled_by == organizer


def test_the_reason_is_required_and_a_past_event_cannot_be_cancelled(make_event, staff):
    event = make_event()
    assert refused("rule", services.cancel_event, event, actor=staff, reason="  ").field == "reason"
    assert refused("rule", services.cancel_event, event, actor=staff, reason="x" * 301).field == "reason"
    refused("event_over", services.cancel_event, event, actor=staff, reason=REASON, at=event.ends_at)
    event.refresh_from_db()
    assert event.cancelled_at is None


def test_a_refund_paid_back_is_recorded_once_by_staff(paid_event, staff, new_person):
    services.cancel_event(paid_event[0], actor=staff, reason=REASON)
    refund = EventRefund.objects.get()
    refused("forbidden", services.record_refund, refund, reference="X", actor=new_person())
    assert refused("rule", services.record_refund, refund, reference=" ", actor=staff).field == "reference"
    services.record_refund(refund, reference="BANK-OUT-7", actor=staff)
    refund.refresh_from_db()
    assert not refund.is_due and (refund.refunded_by, refund.reference) == (staff, "BANK-OUT-7")
    assert list(services.refunds_due()) == []
    refused("already_refunded", services.record_refund, refund, reference="again", actor=staff)


def test_the_preview_counts_what_cancelling_would_touch(paid_event):
    preview = services.cancellation_preview(paid_event[0])
    assert (preview.confirmed, preview.awaiting_payment, preview.waitlisted, preview.paid) == (1, 1, 1, 1)


# --- what the world sees ---------------------------------------------------------------


def test_the_ics_api_and_listing_show_the_cancellation(client, make_event, staff):
    event = make_event(title="Community Networks Summit")
    before = icalendar.Calendar.from_ical(client.get(f"/events/{event.slug}/calendar.ics").content).walk("VEVENT")[0]
    assert before["STATUS"] == "CONFIRMED" and before["SEQUENCE"] == 0
    assert client.get(f"/api/v1/events/{event.slug}").json()["status"] == "scheduled"
    services.cancel_event(event, actor=staff, reason=REASON)
    for url in (f"/events/{event.slug}/calendar.ics", f"/api/v1/events/{event.slug}.ics"):
        cal = icalendar.Calendar.from_ical(client.get(url).content)
        (vevent,) = cal.walk("VEVENT")
        assert cal["METHOD"] == "PUBLISH" and vevent["STATUS"] == "CANCELLED" and vevent["SEQUENCE"] == 1
        assert vevent["UID"] == before["UID"]
    detail = client.get(f"/api/v1/events/{event.slug}").json()
    assert (detail["status"], detail["cancelled"], detail["cancellation_reason"]) == ("cancelled", True, REASON)
    assert detail["cancelled_at"] is not None and detail["registration_phase"] == "closed"
    (listed,) = client.get("/api/v1/events/").json()["items"]
    assert listed["status"] == "cancelled"
    listing = client.get("/events/").content.decode()
    assert "Community Networks Summit" in listing and "<strong>Cancelled</strong>" in listing
    assert "The event was cancelled: registration is closed." in listing
    page = client.get(event.get_absolute_url()).content.decode()
    assert "This event was cancelled." in page and REASON in page
    assert "The event was cancelled: registration is closed." in page and "Sign in to register" not in page
    assert 'data-testid="seats"' not in page  # no seats to offer


def test_registering_through_the_api_after_cancelling_is_a_409(client, make_event, staff, new_person,
                                                               assert_error_shape):
    event = make_event()
    services.cancel_event(event, actor=staff, reason=REASON)
    client.force_login(new_person())
    response = client.post(f"/api/v1/events/{event.slug}/registration")
    assert response.status_code == 409 and response.json()["detail"] == "This event was cancelled."
    assert_error_shape(response.json())


def test_a_cancel_message_must_name_the_organizer():
    start = timezone.now()
    entry = ics.CalendarEntry("e-9@isoc", "x", start, start + timedelta(hours=1), cancelled=True)
    with pytest.raises(ValueError, match="organizer"):
        ics.calendar([entry], method="CANCEL")
    with pytest.raises(ValueError, match="method"):
        ics.calendar([entry], method="REQUEST")


# --- isoc events cancel ------------------------------------------------------------------


def run(*args):
    return CliRunner().invoke(app, ["events", "cancel", *args])


def test_the_cancel_command_pretends_unless_told_to_commit(paid_event, staff, mailoutbox,
                                                           django_capture_on_commit_callbacks):
    event, paid, unpaid, waiting, _gone = paid_event
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        result = run(event.slug, "--reason", REASON, "--by", staff.email)
    assert result.exit_code == 0, result.output
    assert f"(dry run) {event.slug}: would cancel the event (by {staff.email}) and 3 registrations" in result.output
    assert f"void {unpaid.invoice.number}" in result.output
    assert f"refund owed: 40.00 USD to {paid.person.email}" in result.output
    assert "Nothing changed: run again with --commit" in result.output
    event.refresh_from_db()
    assert event.cancelled_at is None and not EventRefund.objects.exists() and not m.CreditNote.objects.exists()
    waiting.refresh_from_db()
    assert waiting.state == S.WAITLISTED and mailoutbox == []

    with django_capture_on_commit_callbacks(execute=True):
        result = run(event.slug, "--reason", REASON, "--by", staff.email.upper(), "--commit")
    assert result.exit_code == 0, result.output
    assert f"{event.slug}: cancelled the event" in result.output and "3 attendees are being emailed." in result.output
    event.refresh_from_db()
    assert event.cancelled_by == staff and event.cancellation_reason == REASON
    assert {msg.to[0] for msg in mailoutbox} == {paid.person.email, unpaid.person.email, waiting.person.email}

    again = run(event.slug, "--reason", REASON, "--by", staff.email, "--commit")
    assert again.exit_code == 1 and "refused: This event was already cancelled." in again.output


def test_the_cancel_command_refuses_bad_input(make_event, staff, new_person):
    event = make_event()
    assert run("no-such-event", "--reason", REASON, "--by", staff.email).exit_code == 2
    assert run(event.slug, "--reason", REASON, "--by", "nobody@example.net").exit_code == 2
    member = new_person()
    result = run(event.slug, "--reason", REASON, "--by", member.email, "--commit")
    assert result.exit_code == 1 and "refused: Only the secretariat" in result.output
    result = run(event.slug, "--reason", " ", "--by", staff.email, "--commit")
    assert result.exit_code == 1 and "Say why" in result.output
    event.refresh_from_db()
    assert event.cancelled_at is None
    assert Event.objects.filter(cancelled_at__isnull=False).count() == 0
