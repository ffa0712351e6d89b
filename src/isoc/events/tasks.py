"""Celery tasks of the events app: mail to attendees."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from isoc.site import l10n

KINDS = ("confirmed", "awaiting_payment", "waitlisted", "promoted", "cancelled")


@shared_task(name="isoc.events.tasks.send_registration_mail")
def send_registration_mail(registration_id: int, kind: str) -> bool:
    """Tell the person what happened to their registration, in their language and time
    zone; a seat that is confirmed comes with the event as an .ics attachment."""
    from isoc.events.calendar import event_ics
    from isoc.events.models import Registration
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
        subject = render_to_string("events/email/subject.txt", context).strip()
        body = render_to_string("events/email/registration.txt", context)
    message = EmailMessage(subject, body, None, [person.email])
    if registration.state == Registration.State.CONFIRMED and kind in ("confirmed", "promoted"):
        message.attach(f"{event.slug}.ics", event_ics(event), "text/calendar")
    message.send()
    return True


@shared_task(name="isoc.events.tasks.release_overdue")
def release_overdue() -> int:
    """Daily: give unpaid seats whose hold ran out to the waitlist."""
    from isoc.events.services import release_overdue as release

    return len(release())
