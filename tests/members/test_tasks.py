"""Celery tasks: the scheduled lapse job and renewal reminder emails (eager by default)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from isoc.members import services
from isoc.members.models import RenewalReminder
from isoc.members.tasks import lapse_memberships


def _paid_sustaining(person, paid_days_ago: int):
    at = timezone.now() - timedelta(days=paid_days_ago)
    membership = services.join(person, "sustaining", at=at)
    invoice = person.invoices.get()
    services.record_payment(invoice, amount=invoice.amount, reference="BANK-REF", received_at=at)
    return membership


def test_the_beat_schedule_runs_the_lapse_task_daily(settings):
    from isoc.site.celery import app

    entry = settings.CELERY_BEAT_SCHEDULE["lapse-memberships-daily"]
    assert entry["task"] in app.tasks
    assert entry["schedule"] == 24 * 3600


@pytest.mark.django_db(transaction=True)
def test_reminder_30_days_before_the_end_is_mailed_once(person):
    _paid_sustaining(person, paid_days_ago=365 - 20)  # ends in 20 days
    mail.outbox.clear()
    result = lapse_memberships.delay().get()
    assert "1 renewal reminders queued" in result
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [person.email]
    assert "30 days" in message.subject
    assert "/members/" in message.body
    assert RenewalReminder.objects.get().sent_at is not None
    # Again: nothing new is queued or sent.
    assert "0 renewal reminders queued" in lapse_memberships.delay().get()
    assert len(mail.outbox) == 1


@pytest.mark.django_db(transaction=True)
def test_both_reminders_when_the_end_is_within_a_week(person):
    _paid_sustaining(person, paid_days_ago=365 - 3)
    mail.outbox.clear()
    lapse_memberships.delay().get()
    assert sorted(RenewalReminder.objects.values_list("days_before", flat=True)) == [7, 30]
    assert len(mail.outbox) == 2


@pytest.mark.django_db(transaction=True)
def test_no_reminder_once_the_renewal_is_invoiced(person):
    membership = _paid_sustaining(person, paid_days_ago=365 - 20)
    services.renew(membership)
    mail.outbox.clear()
    lapse_memberships.delay().get()
    assert not RenewalReminder.objects.exists()
    assert mail.outbox == []


@pytest.mark.django_db(transaction=True)
def test_no_reminder_far_from_the_end(person):
    _paid_sustaining(person, paid_days_ago=10)
    lapse_memberships.delay().get()
    assert not RenewalReminder.objects.exists()
