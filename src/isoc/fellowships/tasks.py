"""Celery tasks of the fellowships app: the decision mail."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation


@shared_task(name="isoc.fellowships.tasks.send_decision_mail")
def send_decision_mail(decision_id: int) -> bool:
    """Tell an applicant the decision on their application, in their language."""
    from isoc.fellowships.models import Decision

    decision = Decision.objects.select_related("application__applicant", "application__call__programme").get(
        pk=decision_id)
    application = decision.application
    person = application.applicant
    if person.erased_at or not person.is_active:
        return False
    with translation.override(person.preferred_language or settings.LANGUAGE_CODE):
        context = {"person": person, "application": application, "call": application.call, "decision": decision,
                   "url": settings.SITE_URL + reverse("fellowships:application", args=[application.pk])}
        subject = render_to_string("fellowships/email/decision_subject.txt", context).strip()
        body = render_to_string("fellowships/email/decision.txt", context)
    EmailMessage(subject, body, None, [person.email]).send()
    return True
