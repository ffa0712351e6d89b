"""The retention schedule: how long isoc keeps personal data it no longer needs, and the
job that enforces it (``isoc retention run``, and the daily Celery task below).

Each rule names what it removes, after how many days (``settings.ISOC_RETENTION_DAYS``
may change a limit), and does it in one transaction. A dry run counts what would go and
changes nothing; running twice removes nothing the second time. The README's "Personal
data" section is the privacy notice that lists these rules; a test keeps the two in step.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from celery import shared_task
from django.conf import settings
from django.db import transaction
from django.db.models import ProtectedError
from django.utils import timezone


@dataclass(frozen=True)
class Rule:
    name: str
    what: str  # one line for the privacy notice
    days: int  # the default limit; settings.ISOC_RETENTION_DAYS[name] overrides it
    select: Callable[[datetime], object]  # cutoff -> the queryset of what goes
    remove: Callable[[object], int] | None = None  # how it goes (default: delete)


def _unverified_sign_ups(cutoff):
    """Accounts whose address was never confirmed, never signed in, with nothing else."""
    from allauth.account.models import EmailAddress

    from isoc.members.models import Person

    return (Person.objects.filter(date_joined__lt=cutoff, last_login__isnull=True, erased_at__isnull=True,
                                  is_staff=False, is_superuser=False, is_demo=False)
            .exclude(pk__in=EmailAddress.objects.filter(verified=True).values("user_id"))
            .filter(memberships__isnull=True, invoices__isnull=True))


def _remove_people(people) -> int:
    """Delete each account; one that something kept points at is erased instead."""
    from isoc.members.services import erase_person

    n = 0
    for person in list(people):
        try:
            with transaction.atomic():
                person.delete()
        except ProtectedError:
            erase_person(person)
        n += 1
    return n


def _sign_in_records(cutoff):
    from axes.models import AccessLog

    return AccessLog.objects.filter(attempt_time__lt=cutoff)


def _failed_sign_ins(cutoff):
    from axes.models import AccessFailureLog

    return AccessFailureLog.objects.filter(attempt_time__lt=cutoff)


def _lockouts(cutoff):
    from axes.models import AccessAttempt

    return AccessAttempt.objects.filter(attempt_time__lt=cutoff)


def _expired_sessions(cutoff):
    from django.contrib.sessions.models import Session

    return Session.objects.filter(expire_date__lt=cutoff)


def _abandoned_applications(cutoff):
    """Drafts never submitted, of calls that closed before the cutoff."""
    from isoc.fellowships.models import Application

    return Application.objects.filter(state="draft", call__closes_at__lt=cutoff, is_demo=False)


def _old_applications(cutoff):
    """Applications that did not lead to a fellowship, of calls closed before the cutoff.
    Accepted fellows' applications stay: the alumni and the programme's record rest on them."""
    from isoc.fellowships.models import Application

    return (Application.objects.filter(call__closes_at__lt=cutoff, is_demo=False)
            .exclude(decisions__outcome="accepted"))


def _remove_applications(applications) -> int:
    from isoc.fellowships.models import Document
    from isoc.site.personal_data import delete_file_after_commit

    rows = list(applications.values_list("pk", flat=True))
    for document in Document.objects.filter(application_id__in=rows):
        delete_file_after_commit(document.file.storage, document.file.name)
    applications.model.objects.filter(pk__in=rows).delete()
    return len(rows)


def _unseated_registrations(cutoff):
    """Cancelled and waitlisted registrations of events that ended before the cutoff: they
    never were attendance, hold no payment, and no count rests on them."""
    from isoc.events.models import Registration

    return Registration.objects.filter(event__ends_at__lt=cutoff, state__in=("cancelled", "waitlisted"),
                                       invoice__isnull=True, is_demo=False).filter(refund__isnull=True)


def _anonymous_assessments(cutoff):
    from isoc.iwn.models import Assessment

    return Assessment.objects.filter(owner__isnull=True, updated_at__lt=cutoff, is_demo=False)


def _delete(queryset) -> int:
    rows = list(queryset.values_list("pk", flat=True))
    queryset.model.objects.filter(pk__in=rows).delete()
    return len(rows)


SCHEDULE: tuple[Rule, ...] = (
    Rule("unverified-sign-ups", "Accounts whose address was never confirmed and that never signed in", 30,
         _unverified_sign_ups, _remove_people),
    Rule("sign-in-records", "Records of successful sign-ins (address, IP address, browser)", 90, _sign_in_records),
    Rule("failed-sign-ins", "Records of failed sign-ins", 90, _failed_sign_ins),
    Rule("lockouts", "Sign-in lockouts (address, IP address) after repeated failures", 90, _lockouts),
    Rule("expired-sessions", "Sessions after they expire", 0, _expired_sessions),
    Rule("abandoned-fellowship-drafts", "Fellowship application drafts never submitted, after the call closed", 365,
         _abandoned_applications, _remove_applications),
    Rule("old-fellowship-applications", "Fellowship applications not accepted, with their files and reviews, "
         "after the call closed", 5 * 365, _old_applications, _remove_applications),
    Rule("unseated-event-registrations", "Cancelled and waitlisted registrations (no payment) after the event",
         2 * 365, _unseated_registrations),
    Rule("anonymous-iwn-assessments", "Impact assessments without an owner, left untouched", 3 * 365,
         _anonymous_assessments),
)


def limit(rule: Rule) -> int:
    return int(getattr(settings, "ISOC_RETENTION_DAYS", {}).get(rule.name, rule.days))


def run(*, dry_run: bool = False, at: datetime | None = None) -> dict[str, int]:
    """Apply every rule; returns how many records each removed (or would remove)."""
    now = at or timezone.now()
    report: dict[str, int] = {}
    for rule in SCHEDULE:
        cutoff = now - timedelta(days=limit(rule))
        with transaction.atomic():
            found = rule.select(cutoff)
            report[rule.name] = found.count() if dry_run else (rule.remove or _delete)(found)
    return report


@shared_task(name="isoc.site.retention.apply_retention")
def apply_retention() -> dict[str, int]:
    """The daily job (CELERY_BEAT_SCHEDULE): the same as ``isoc retention run``."""
    return run()
