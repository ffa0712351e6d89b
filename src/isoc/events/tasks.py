"""Celery tasks of the events app: mail to attendees."""

from __future__ import annotations

from email.mime.text import MIMEText

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from isoc.site import l10n

KINDS = ("confirmed", "awaiting_payment", "waitlisted", "promoted", "cancelled", "event_cancelled")


@shared_task(name="isoc.events.tasks.send_registration_mail")
def send_registration_mail(registration_id: int, kind: str) -> bool:
    """Tell the person what happened to their registration, in their language and time
    zone; a seat that is confirmed comes with the event as an .ics attachment, and the
    notice that the event is cancelled with an iCalendar cancellation (METHOD:CANCEL)."""
    from isoc.events.calendar import event_ics
    from isoc.events.models import EventRefund, Registration
    from isoc.members.payments import provider_for

    if kind not in KINDS:
        raise ValueError(f"unknown registration mail {kind!r}")
    registration = Registration.objects.select_related("event", "person", "invoice").get(pk=registration_id)
    person, event = registration.person, registration.event
    if person.erased_at:
        return False
    language = person.preferred_language or settings.LANGUAGE_CODE
    zone = l10n.valid_time_zone(person.time_zone) or event.time_zone
    with translation.override(language):
        context = {
            "person": person, "event": event, "registration": registration, "kind": kind,
            "starts_local": l10n.instant(event.starts_at, event.time_zone, language),
            "starts_reader": l10n.instant(event.starts_at, zone, language) if zone != event.time_zone else "",
            "event_url": settings.SITE_URL + reverse("events:detail", args=[event.slug]),
            "invoice_url": settings.SITE_URL + registration.invoice.get_absolute_url() if registration.invoice else "",
            "instructions": provider_for("bank_transfer").instructions(registration.invoice)
            if registration.invoice and kind in ("awaiting_payment", "promoted") else "",
        }
        if kind == "event_cancelled":
            refund = EventRefund.objects.filter(registration=registration).first()
            context["refund"] = l10n.money(refund.amount, refund.currency, language) if refund else ""
            context["voided_invoice"] = registration.invoice.number if registration.invoice and not refund else ""
        subject = render_to_string("events/email/subject.txt", context).strip()
        body = render_to_string("events/email/registration.txt", context)
    message = EmailMessage(subject, body, None, [person.email])
    if registration.state == Registration.State.CONFIRMED and kind in ("confirmed", "promoted"):
        message.attach(f"{event.slug}.ics", event_ics(event), "text/calendar")
    if kind == "event_cancelled":
        message.attach(_cancellation_part(event, person.email))
    message.send()
    return True


def _cancellation_part(event, email: str) -> MIMEText:
    """The cancellation as ``text/calendar; method=CANCEL``: the method parameter on the
    part is what mail programs look for to offer "remove from calendar" (RFC 6047)."""
    from isoc.events.calendar import cancellation_ics

    part = MIMEText(cancellation_ics(event, email).decode(), "calendar", "utf-8")
    part.set_param("method", "CANCEL")
    part.add_header("Content-Disposition", "attachment", filename=f"{event.slug}-cancelled.ics")
    return part


@shared_task(name="isoc.events.tasks.release_overdue")
def release_overdue() -> int:
    """Daily: give unpaid seats whose hold ran out to the waitlist."""
    from isoc.events.services import release_overdue as release

    return len(release())
