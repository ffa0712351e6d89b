"""Celery tasks of the members app."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from isoc.site import l10n


@shared_task(name="isoc.members.tasks.lapse_memberships")
def lapse_memberships() -> str:
    from isoc.members.services import lapse_due

    return str(lapse_due())


@shared_task(name="isoc.members.tasks.send_renewal_reminder")
def send_renewal_reminder(reminder_id: int) -> bool:
    from isoc.members.models import RenewalReminder

    reminder = RenewalReminder.objects.select_related("term__membership__person").get(pk=reminder_id)
    if reminder.sent_at:
        return False
    person = reminder.term.membership.person
    # The person's language and time zone, whoever (or whatever job) triggered the mail.
    language = person.preferred_language or settings.LANGUAGE_CODE
    zone = l10n.valid_time_zone(person.time_zone) or "UTC"
    with translation.override(language):
        context = {
            "person": person, "reminder": reminder, "term": reminder.term,
            "ends": l10n.instant(reminder.term.ends_at, zone, language),
            "renew_url": settings.SITE_URL + reverse("members:home"),
        }
        subject = render_to_string("members/email/renewal_reminder_subject.txt", context).strip()
        body = render_to_string("members/email/renewal_reminder.txt", context)
    send_mail(subject, body, None, [person.email])
    reminder.sent_at = timezone.now()
    reminder.save(update_fields=["sent_at"])
    return True
