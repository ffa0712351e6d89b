"""The lapse job (``services.lapse_due``, the ``isoc lapse`` command and the Celery task):
expired memberships lapse, renewal reminders are queued 30 and 7 days before the end,
and a second run changes nothing."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from typer.testing import CliRunner

from isoc.members import models as m
from isoc.members import services
from isoc.members.tasks import lapse_memberships

YEAR = services.TERM_LENGTH


def snapshot():
    """Everything the lapse job may change."""
    return (
        list(m.IndividualMembership.objects.order_by("pk").values_list("pk", "closed_at", "cancelled_at")),
        list(m.MembershipEvent.objects.order_by("pk").values_list("pk", "kind")),
        list(m.RenewalReminder.objects.order_by("pk").values_list("pk", "term_id", "days_before")),
        list(m.CreditNote.objects.order_by("pk").values_list("number", "amount")),
        list(m.MembershipTerm.objects.order_by("pk").values_list("pk", "voided_at")),
    )


def test_an_expired_membership_lapses_once(sustaining_member, t0, memberships_ok):
    end = t0 + YEAR
    assert services.lapse_due(at=end - timedelta(seconds=1)).lapsed == []
    report = services.lapse_due(at=end + timedelta(days=2))
    assert report.lapsed == [sustaining_member.pk]
    sustaining_member.refresh_from_db()
    assert sustaining_member.closed_at == end
    assert sustaining_member.status(end + timedelta(days=2)) == "lapsed"
    assert sustaining_member.status(end - timedelta(seconds=1)) == "active"
    assert sustaining_member.events.filter(kind="lapsed", from_status="active", to_status="lapsed").count() == 1
    assert sustaining_member.person.current_membership() is None
    before = snapshot()
    again = services.lapse_due(at=end + timedelta(days=2))
    assert (again.lapsed, again.reminders) == ([], [])
    assert snapshot() == before
    memberships_ok()


def test_the_lapse_job_voids_a_renewal_nobody_paid(sustaining_member, t0, clock, ledger_ok):
    clock.set(t0 + YEAR - timedelta(days=10))
    renewal = services.renew(sustaining_member).invoice
    services.lapse_due(at=t0 + YEAR + timedelta(days=1))
    renewal.refresh_from_db()
    assert renewal.state == "void"
    assert renewal.credit_notes.get().amount == renewal.amount
    ledger_ok()


def test_members_in_good_standing_do_not_lapse(sustaining_member, other_person, new_person, t0, clock, pay):
    free = services.join(other_person, "global", at=t0)
    pending = services.join(new_person(), "sustaining", at=t0)
    clock.set(t0 + timedelta(days=300))
    pay(services.renew(sustaining_member).invoice, at=t0 + timedelta(days=300))
    report = services.lapse_due(at=t0 + YEAR + timedelta(days=30))
    assert report.lapsed == []
    for membership in (sustaining_member, free, pending):
        membership.refresh_from_db()
        assert membership.closed_at is None
    assert sustaining_member.status(t0 + YEAR + timedelta(days=30)) == "active"


def test_reminders_are_queued_thirty_and_seven_days_before_the_end(sustaining_member, t0):
    end = t0 + YEAR
    term = sustaining_member.terms.get()
    assert services.lapse_due(at=end - timedelta(days=31)).reminders == []
    assert services.lapse_due(at=end - timedelta(days=30)).reminders == [(term.pk, 30)]
    assert services.lapse_due(at=end - timedelta(days=20)).reminders == []
    assert services.lapse_due(at=end - timedelta(days=7)).reminders == [(term.pk, 7)]
    before = snapshot()
    assert services.lapse_due(at=end - timedelta(days=7)).reminders == []
    assert services.lapse_due(at=end - timedelta(days=1)).reminders == []
    assert snapshot() == before
    assert sorted(term.reminders.values_list("days_before", flat=True)) == [7, 30]


def test_a_first_run_inside_the_last_week_queues_both_reminders_once(sustaining_member, t0):
    report = services.lapse_due(at=t0 + YEAR - timedelta(days=3))
    assert sorted(days for _, days in report.reminders) == [7, 30]
    assert services.lapse_due(at=t0 + YEAR - timedelta(days=2)).reminders == []


def test_no_reminder_once_the_next_year_is_invoiced_or_a_downgrade_is_scheduled(
    sustaining_member, other_person, t0, clock, pay
):
    clock.set(t0)
    other = services.join(other_person, "sustaining", at=t0)
    pay(other.terms.get().invoice, at=t0)
    clock.set(t0 + timedelta(days=300))
    services.renew(sustaining_member)
    services.downgrade(other)
    report = services.lapse_due(at=t0 + YEAR - timedelta(days=5))
    assert report.reminders == []
    assert not m.RenewalReminder.objects.exists()


def test_global_members_get_no_reminders(global_member, t0):
    assert services.lapse_due(at=t0 + YEAR - timedelta(days=5)).reminders == []


def test_a_queued_reminder_is_mailed_to_the_member(sustaining_member, t0, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.lapse_due(at=t0 + YEAR - timedelta(days=30))
    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert mail.to == ["ada@example.org"]
    assert "30 days" in mail.subject
    assert "Dear Ada Lovelace" in mail.body and "/members/" in mail.body
    assert m.RenewalReminder.objects.get().sent_at is not None


def test_a_dry_run_reports_and_changes_nothing(sustaining_member, t0):
    before = snapshot()
    report = services.lapse_due(at=t0 + YEAR + timedelta(days=1), commit=False)
    assert report.lapsed == [sustaining_member.pk]
    assert snapshot() == before


def _expired_member(person, pay):
    """A sustaining member whose paid year ended a month ago (real time: the command and
    the task ask the clock)."""
    start = timezone.now() - YEAR - timedelta(days=31)
    membership = services.join(person, "sustaining", at=start)
    pay(membership.terms.get().invoice, at=start)
    return membership


def test_the_isoc_lapse_command(person, pay):
    from isoc.site.cli import app

    membership = _expired_member(person, pay)
    runner = CliRunner()
    dry = runner.invoke(app, ["lapse", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "would have: 1 memberships lapsed" in dry.output
    membership.refresh_from_db()
    assert membership.closed_at is None
    done = runner.invoke(app, ["lapse"])
    assert done.exit_code == 0 and "1 memberships lapsed" in done.output
    membership.refresh_from_db()
    assert membership.closed_at is not None
    again = runner.invoke(app, ["lapse"])
    assert "0 memberships lapsed, 0 renewal reminders queued" in again.output


def test_the_celery_task(person, pay):
    membership = _expired_member(person, pay)
    assert lapse_memberships.delay().get() == "1 memberships lapsed, 0 renewal reminders queued"
    membership.refresh_from_db()
    assert membership.status() == "lapsed" and membership.closed_at is not None
    assert lapse_memberships.delay().get().startswith("0 memberships lapsed")
