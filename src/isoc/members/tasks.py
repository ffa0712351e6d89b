"""Celery tasks of the members app."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import timezone, translation


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
    with translation.override(person.preferred_language or settings.LANGUAGE_CODE):
        context = {"person": person, "reminder": reminder, "term": reminder.term, "site_url": settings.SITE_URL}
        subject = render_to_string("members/email/renewal_reminder_subject.txt", context).strip()
        body = render_to_string("members/email/renewal_reminder.txt", context)
    send_mail(subject, body, None, [person.email])
    reminder.sent_at = timezone.now()
    reminder.save(update_fields=["sent_at"])
    return True
