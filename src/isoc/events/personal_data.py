"""Personal data in events: registrations, waitlist places, their history and refunds
(see isoc.site.personal_data).

Erasure cancels the person's registrations for events that have not begun (through
``services.cancel``, so a freed seat goes to the waitlist as usual). Every registration
row stays, pointing at the account's pseudonym: past attendance counts, seat counts,
invoices and refunds are financial and event records that must stay whole; the
pseudonym names nobody."""

from __future__ import annotations

from django.utils import timezone

from isoc.events.models import EventRefund, Registration, RegistrationChange
from isoc.site.personal_data import anonymise, detach, not_personal

_KEPT = "kept, linked to the pseudonym: seat and attendance counts, invoices and refunds must stay whole"

COVERS = {
    "events.Event": detach("cancelled_by", "organizers", why="an event is public; only its organisers and who cancelled it are people"),
    "events.Session": not_personal("a programme slot; its speakers are named as published in the programme"),
    "events.Registration": anonymise(_KEPT + "; registrations for events not yet begun are cancelled"),
    "events.RegistrationChange": anonymise(_KEPT, "actor"),
    "events.EventFunding": detach("granted_by"),
    "events.EventChange": detach("actor"),
    "events.EventRefund": anonymise(_KEPT + " (a refund owed is a debt to the pseudonymised account)", "refunded_by"),
}


def _at(value):
    return value.isoformat() if value else None


def export(person) -> dict:
    registrations = Registration.objects.filter(person=person).select_related("event", "invoice").order_by("pk")
    refunds = {r.registration_id: r for r in EventRefund.objects.filter(registration__person=person)}
    changes: dict[int, list] = {}
    for c in RegistrationChange.objects.filter(registration__person=person).order_by("at", "pk"):
        changes.setdefault(c.registration_id, []).append(
            {"at": _at(c.at), "from": c.from_state, "to": c.to_state, "note": c.note})
    return {"registrations": [
        {"event": r.event.title, "event_slug": r.event.slug, "starts_at": _at(r.event.starts_at), "state": r.state,
         "created_at": _at(r.created_at), "waitlisted_at": _at(r.waitlisted_at), "cancelled_at": _at(r.cancelled_at),
         "invoice": r.invoice.number if r.invoice else None,
         "refund": ({"amount": str(refunds[r.pk].amount), "currency": refunds[r.pk].currency,
                     "refunded_at": _at(refunds[r.pk].refunded_at)} if r.pk in refunds else None),
         "history": changes.get(r.pk, [])}
        for r in registrations
    ]}


def erase(person, actor) -> dict:
    from isoc.events import services

    now = timezone.now()
    cancelled = 0
    upcoming = Registration.objects.filter(person=person, event__starts_at__gt=now).exclude(
        state=Registration.State.CANCELLED)
    for registration in upcoming.order_by("pk"):
        services.cancel(registration, actor=actor, reason="account erased", at=now)
        cancelled += 1
    return {"registrations_cancelled": cancelled}
