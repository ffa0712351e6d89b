"""Operations that change events and registrations.

Each public function is one transaction and checks its own rules (``RuleViolation``
otherwise). The event's row is locked (SELECT … FOR UPDATE on PostgreSQL; on SQLite the
site's IMMEDIATE transactions take the write lock at BEGIN) before seats are counted, so
two people registering at once for the last seat are served one after the other: one
gets the seat, the other the waitlist. Fees are invoiced through the dues ledger
(``isoc.members.services.issue_invoice``); a waitlisted person is never invoiced.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from isoc.events import rules
from isoc.events.models import (
    Event,
    EventChange,
    EventFunding,
    EventRefund,
    Registration,
    RegistrationChange,
)
from isoc.members import models as m
from isoc.members import services as ledger
from isoc.members.services import RuleViolation
from isoc.members.status import Status

State = Registration.State


def _locked_event(event: Event) -> Event:
    return Event.objects.select_for_update().get(pk=event.pk)


def _log(registration: Registration, before: str, after: str, actor, note: str = "", at: datetime | None = None) -> None:
    RegistrationChange.objects.create(registration=registration, from_state=before, to_state=after, actor=actor,
                                      note=note[:300], at=at or timezone.now())


def _notify(registration: Registration, kind: str) -> None:
    """Mail the person once the transaction has committed (never for a rolled-back change)."""
    from isoc.events.tasks import send_registration_mail

    transaction.on_commit(lambda: send_registration_mail.delay(registration.pk, kind))


def is_active_member(person: m.Person, at: datetime) -> bool:
    membership = person.current_membership()
    return membership is not None and membership.status(at) == Status.ACTIVE


def _take_seat(registration: Registration, event: Event, actor, at: datetime, note: str) -> None:
    """Give ``registration`` a seat: confirmed at once for a free event; for a paid one,
    awaiting payment of an invoice issued now."""
    before = registration.state
    if event.is_paid:
        registration.invoice = ledger.issue_invoice(
            person=registration.person, description=(_("Registration for %(event)s") % {"event": event.title})[:300],
            amount=event.fee, currency=event.currency, at=at, is_demo=event.is_demo)
        registration.state = State.AWAITING_PAYMENT
    else:
        registration.state = State.CONFIRMED
    registration.waitlisted_at = None
    registration.save(update_fields=["state", "invoice", "waitlisted_at"])
    _log(registration, before, registration.state, actor, note, at)


@transaction.atomic
def register(event: Event, person: m.Person, *, actor: m.Person | None = None, at: datetime | None = None,
             notify: bool = True) -> Registration:
    """Register ``person`` for ``event``: a seat while one is free, else the waitlist.
    ``notify=False`` sends no mail (demo data)."""
    event = _locked_event(event)
    now = at or timezone.now()
    if not event.published:
        raise RuleViolation(_("This event is not open for registration."), code="not_published")
    if person.erased_at or not person.is_active:
        raise RuleViolation(_("This account is closed."), code="account_closed")
    if event.cancelled_at is not None:
        raise RuleViolation(_("This event was cancelled."), code="event_cancelled")
    phase = event.window.phase(now)
    if phase == rules.Phase.NOT_YET_OPEN:
        raise RuleViolation(_("Registration has not opened yet."), code="not_open")
    if phase == rules.Phase.CLOSED:
        raise RuleViolation(_("Registration is closed."), code="closed")
    if phase == rules.Phase.MEMBERS_ONLY and not is_active_member(person, now):
        raise RuleViolation(_("Registration is open to members only until %(date)s (UTC).")
                            % {"date": f"{event.public_open_at:%Y-%m-%d %H:%M}"}, code="members_only")
    if event.registrations.filter(person=person).exclude(state=State.CANCELLED).exists():
        raise RuleViolation(_("You are already registered for this event."), code="already_registered")
    placement = rules.place(event.capacity, event.seats_taken(), event.waiting())
    registration = Registration.objects.create(event=event, person=person, state=State.WAITLISTED, created_at=now,
                                               waitlisted_at=now, is_demo=event.is_demo)
    if placement == rules.Placement.SEAT:
        registration.state = ""  # history reads "— → confirmed", not "waitlisted → confirmed"
        _take_seat(registration, event, actor or person, now, "registered")
        if notify:
            _notify(registration, "confirmed" if registration.state == State.CONFIRMED else "awaiting_payment")
    else:
        _log(registration, "", State.WAITLISTED, actor or person, "event full", now)
        if notify:
            _notify(registration, "waitlisted")
    return registration


def _promote(event: Event, actor, at: datetime) -> list[Registration]:
    """Seat the head of the waitlist while seats are free. ``event`` must be locked."""
    count = rules.promotions(event.capacity, event.seats_taken(), event.waiting())
    promoted = list(event.registrations.filter(state=State.WAITLISTED).order_by("waitlisted_at", "id")[:count])
    for registration in promoted:
        _take_seat(registration, event, actor, at, "promoted from the waitlist")
        _notify(registration, "promoted")
    return promoted


@transaction.atomic
def cancel(registration: Registration, *, actor: m.Person | None = None, reason: str = "",
           at: datetime | None = None) -> Registration:
    """Cancel a registration. A seat it held goes to the next person on the waitlist, who
    is told by email; an unpaid invoice is voided (a paid fee is not refunded here: the
    secretariat issues a credit note when its refund policy allows)."""
    event = _locked_event(registration.event)
    registration = Registration.objects.select_for_update().get(pk=registration.pk)
    now = at or timezone.now()
    if registration.state == State.CANCELLED:
        raise RuleViolation(_("This registration is already cancelled."), code="already_cancelled")
    if now >= event.starts_at:
        raise RuleViolation(_("The event has begun; a registration can no longer be cancelled."), code="event_started")
    before = registration.state
    registration.state = State.CANCELLED
    registration.cancelled_at = now
    registration.save(update_fields=["state", "cancelled_at"])
    _log(registration, before, State.CANCELLED, actor, reason or "cancelled", now)
    if before == State.AWAITING_PAYMENT and registration.invoice_id:
        ledger.void_invoice(registration.invoice, reason=_("Event registration cancelled."), actor=actor)
    if before in Registration.HOLDS_SEAT:
        _promote(event, actor, now)
    _notify(registration, "cancelled")
    return registration


@transaction.atomic
def set_capacity(event: Event, capacity: int, *, actor: m.Person | None = None) -> list[Registration]:
    """Change an event's capacity; more seats go to the waitlist at once. Lowering it
    below the seats already given is refused (nobody loses a seat they hold)."""
    event = _locked_event(event)
    if capacity < 0:
        raise RuleViolation(_("Capacity cannot be negative."), "capacity")
    taken = event.seats_taken()
    if capacity < taken:
        raise RuleViolation(_("%(n)s seats are already taken; capacity cannot go below that.") % {"n": taken},
                            "capacity", code="below_taken")
    event.capacity = capacity
    event.save(update_fields=["capacity"])
    return _promote(event, actor, timezone.now())


def confirm_payment(invoice: m.Invoice, at: datetime, actor) -> Registration | None:
    """The ledger settled ``invoice``: confirm the registration it is for. Runs inside
    ``record_payment``'s transaction (through the ``invoice_paid`` signal)."""
    registration = Registration.objects.select_for_update().filter(invoice=invoice).first()
    if registration is None or registration.state != State.AWAITING_PAYMENT:
        return None  # an invoice for something else, or paid after a cancellation
    registration.state = State.CONFIRMED
    registration.save(update_fields=["state"])
    _log(registration, State.AWAITING_PAYMENT, State.CONFIRMED, actor, f"{invoice.number} paid", at)
    _notify(registration, "confirmed")
    return registration


def release_voided(invoice: m.Invoice, actor, reason: str) -> Registration | None:
    """Staff voided the open invoice of a registration awaiting payment: the seat is
    released to the waitlist. Runs inside ``void_invoice``'s transaction."""
    registration = Registration.objects.filter(invoice=invoice, state=State.AWAITING_PAYMENT).first()
    if registration is None:
        return None
    event = _locked_event(registration.event)
    registration.state = State.CANCELLED
    registration.cancelled_at = timezone.now()
    registration.save(update_fields=["state", "cancelled_at"])
    _log(registration, State.AWAITING_PAYMENT, State.CANCELLED, actor, f"invoice voided: {reason}")
    _promote(event, actor, timezone.now())
    _notify(registration, "cancelled")
    return registration


def live_registration(event: Event, person) -> Registration | None:
    if not getattr(person, "is_authenticated", False):
        return None
    return event.registrations.filter(person=person).exclude(state=State.CANCELLED).first()


def waitlist_position(registration: Registration) -> int | None:
    """1 for the head of the waitlist."""
    if registration.state != State.WAITLISTED:
        return None
    ahead = registration.event.registrations.filter(state=State.WAITLISTED).filter(
        waitlisted_at__lt=registration.waitlisted_at).count()
    same = registration.event.registrations.filter(
        state=State.WAITLISTED, waitlisted_at=registration.waitlisted_at, id__lt=registration.id).count()
    return ahead + same + 1


def may_export_attendees(event: Event, person) -> bool:
    return bool(getattr(person, "is_authenticated", False)
                and (person.is_staff or event.organizers.filter(pk=person.pk).exists()))


@transaction.atomic
def grant_funding(event: Event, *, amount: Decimal | str, currency: str, actor: m.Person, purpose: str = "",
                  at: datetime | None = None) -> EventFunding:
    """Record the Internet Society's funding of an event (secretariat only). Funding for a
    chapter-run event is refused while the chapter may not receive event funding: in
    formation, not in good standing, in rejuvenation or de-chartered."""
    from isoc.chapters.services import may_receive_event_funding

    if actor is None or not actor.is_staff:
        raise RuleViolation(_("Only the secretariat can do this."), code="forbidden")
    event = _locked_event(event)
    now = at or timezone.now()
    try:
        value = Decimal(str(amount)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError) as exc:
        raise RuleViolation(_("Not an amount of money: %(v)s") % {"v": amount}, "amount") from exc
    if not value.is_finite() or value <= 0 or value >= Decimal("1e10"):
        raise RuleViolation(_("The amount must be more than zero."), "amount")
    if event.cancelled_at is not None:
        raise RuleViolation(_("This event was cancelled."), code="event_cancelled")
    if event.chapter_id is not None and not may_receive_event_funding(event.chapter, now):
        raise RuleViolation(
            _("%(chapter)s may not receive event funding now (state: %(state)s); only a chapter in good standing can.")
            % {"chapter": event.chapter.name, "state": event.chapter.get_state_display()},
            code="chapter_not_eligible")
    return EventFunding.objects.create(event=event, amount=value, currency=currency, granted_at=now, granted_by=actor,
                                       purpose=purpose[:300])


def overdue(at: datetime | None = None):
    """Registrations awaiting payment whose seat hold has run out: the invoice is past its
    due date, or registration has closed."""
    from django.db.models import Q

    now = at or timezone.now()
    return Registration.objects.filter(state=State.AWAITING_PAYMENT).filter(
        Q(invoice__due_on__lt=now.date()) | Q(event__closes_at__lte=now)).order_by("pk")


def release_overdue(*, at: datetime | None = None, commit: bool = True) -> list[int]:
    """Void the open invoice of every overdue seat hold, which cancels the registration
    and seats the next person on the waitlist (each in its own transaction, through the
    ledger's ``invoice_voided``). Idempotent. With ``commit=False`` only lists them."""
    released = []
    for registration in overdue(at).select_related("invoice"):
        if commit:
            with transaction.atomic():
                ledger.void_invoice(registration.invoice, reason=_("Event seat released: the fee was not paid in time."))
        released.append(registration.pk)
    return released


# --- cancelling a whole event ------------------------------------------------------------


def may_cancel_event(event: Event, person) -> bool:
    """The secretariat may cancel any event. An organizer may cancel an event that involves
    no money (no registration of it was ever invoiced): they run it and are the first to
    know it cannot happen. Voiding invoices and owing refunds commits the Internet
    Society's money, so for a paid event that stays with the secretariat, as funding does."""
    if not getattr(person, "is_authenticated", False) or not person.is_active:
        return False
    if person.is_staff:
        return True
    return (event.organizers.filter(pk=person.pk).exists()
            and not event.registrations.filter(invoice__isnull=False).exists())


@dataclass
class Cancellation:
    """What cancelling an event did (or, in a dry run, would do)."""

    event: Event
    cancelled: dict[str, list[Registration]] = field(default_factory=dict)  # by the state they were in
    voided: list[m.Invoice] = field(default_factory=list)
    refunds: list[EventRefund] = field(default_factory=list)

    @property
    def notified(self) -> int:
        return sum(len(regs) for regs in self.cancelled.values())


@transaction.atomic
def cancel_event(event: Event, *, actor: m.Person, reason: str, at: datetime | None = None) -> Cancellation:
    """Cancel a whole event. Every live registration (confirmed, awaiting payment,
    waitlisted) is cancelled with its history; the open invoice of a seat is voided through
    the ledger; money already paid for a seat becomes an ``EventRefund`` owed to the
    attendee (the ledger cannot refund: the secretariat pays it back and records it with
    ``record_refund``). Each attendee is emailed, in their language, with an iCalendar
    cancellation. Registration is refused from then on. All or nothing: one transaction."""
    event = _locked_event(event)
    now = at or timezone.now()
    if not may_cancel_event(event, actor):
        raise RuleViolation(_("Only the secretariat, or an organizer of an event without fees, can cancel it."),
                            code="forbidden")
    if event.cancelled_at is not None:
        raise RuleViolation(_("This event was already cancelled."), code="already_cancelled")
    if now >= event.ends_at:
        raise RuleViolation(_("This event has already taken place; it cannot be cancelled."), code="event_over")
    reason = " ".join((reason or "").split())
    if not reason:
        raise RuleViolation(_("Say why the event is cancelled: attendees are told."), "reason")
    if len(reason) > 300:
        raise RuleViolation(_("Keep the reason under 300 characters."), "reason")
    event.cancelled_at, event.cancelled_by, event.cancellation_reason = now, actor, reason
    event.save(update_fields=["cancelled_at", "cancelled_by", "cancellation_reason"])
    EventChange.objects.create(event=event, at=now, actor=actor, from_status=Event.Status.SCHEDULED,
                               to_status=Event.Status.CANCELLED, note=reason)
    done = Cancellation(event)
    # (of self: PostgreSQL cannot lock the nullable side of the join to the invoice)
    live = event.registrations.select_for_update(of=("self",)).exclude(state=State.CANCELLED).select_related("invoice")
    for registration in live.order_by("pk"):
        before = registration.state
        registration.state = State.CANCELLED
        registration.cancelled_at = now
        registration.save(update_fields=["state", "cancelled_at"])
        _log(registration, before, State.CANCELLED, actor, f"event cancelled: {reason}", now)
        done.cancelled.setdefault(before, []).append(registration)
        if registration.invoice_id:
            _settle_seat_invoice(registration, actor, now, done)
        _notify(registration, "event_cancelled")
    return done


def _settle_seat_invoice(registration: Registration, actor, now: datetime, done: Cancellation) -> None:
    """Void what is still due on the seat's invoice (the registration is already cancelled,
    so the ledger's ``invoice_voided`` seats nobody), and owe back what was paid."""
    invoice = registration.invoice
    if invoice.balance() > 0:
        ledger.void_invoice(invoice, reason=_("Event cancelled."), actor=actor)
        done.voided.append(invoice)
    paid = invoice.paid_total().quantize(Decimal("0.01"))  # SQLite sums decimals to Decimal("40")
    if paid > 0:
        done.refunds.append(EventRefund.objects.create(registration=registration, invoice=invoice, amount=paid,
                                                       currency=invoice.currency, due_since=now))


@transaction.atomic
def record_refund(refund: EventRefund, *, reference: str, actor: m.Person, at: datetime | None = None) -> EventRefund:
    """The secretariat paid a refund back: record when, by whom, and the transfer's reference."""
    if actor is None or not actor.is_staff:
        raise RuleViolation(_("Only the secretariat can do this."), code="forbidden")
    refund = EventRefund.objects.select_for_update().get(pk=refund.pk)
    if refund.refunded_at is not None:
        raise RuleViolation(_("This refund was already recorded."), code="already_refunded")
    reference = (reference or "").strip()
    if not reference:
        raise RuleViolation(_("A refund needs the bank or provider reference."), "reference")
    refund.refunded_at, refund.refunded_by, refund.reference = at or timezone.now(), actor, reference[:200]
    refund.save(update_fields=["refunded_at", "refunded_by", "reference"])
    return refund


def refunds_due():
    """Every refund still owed, oldest first: the secretariat's list."""
    return EventRefund.objects.filter(refunded_at__isnull=True).select_related(
        "registration__person", "registration__event", "invoice").order_by("due_since", "pk")


@dataclass(frozen=True)
class CancellationPreview:
    """What cancelling the event now would touch, for the confirmation page."""

    confirmed: int
    awaiting_payment: int
    waitlisted: int
    paid: int  # seats whose fee was (partly) paid: each becomes a refund owed


def cancellation_preview(event: Event) -> CancellationPreview:
    live = list(event.registrations.exclude(state=State.CANCELLED).select_related("invoice"))
    return CancellationPreview(
        confirmed=sum(r.state == State.CONFIRMED for r in live),
        awaiting_payment=sum(r.state == State.AWAITING_PAYMENT for r in live),
        waitlisted=sum(r.state == State.WAITLISTED for r in live),
        paid=sum(1 for r in live if r.invoice_id and r.invoice.paid_total() > 0),
    )
