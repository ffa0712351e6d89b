"""The isoc command line, run in-process against the test database."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta

import pytest
from django.utils import timezone
from typer.testing import CliRunner

from isoc.site.cli import app

runner = CliRunner()


def test_help_lists_every_command():
    result = subprocess.run([sys.executable, "-m", "isoc.site.cli", "--help"], capture_output=True, text=True,
                            env={**os.environ, "COLUMNS": "200"}, timeout=60)
    assert result.returncode == 0
    for command in ("serve", "migrate", "demo", "createstaff", "lapse", "token"):
        assert command in result.stdout


def test_createstaff_makes_a_staff_account_that_can_use_the_admin(db, client):
    result = runner.invoke(app, ["createstaff", "ops@example.org", "--password", "a-long-staff-password-1"])
    assert result.exit_code == 0, result.output
    from isoc.members.models import Person

    staff = Person.objects.get(email="ops@example.org")
    assert staff.is_staff and not staff.is_superuser
    assert staff.groups.filter(name="staff").exists()
    client.force_login(staff)
    assert client.get("/admin/members/invoice/").status_code == 200


def test_createstaff_refuses_a_weak_password_and_a_bad_email(db):
    weak = runner.invoke(app, ["createstaff", "ops@example.org", "--password", "123"])
    assert weak.exit_code == 2
    bad = runner.invoke(app, ["createstaff", "not-an-email", "--password", "a-long-staff-password-1"])
    assert bad.exit_code == 2
    from isoc.members.models import Person

    assert not Person.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_lapse_twice_changes_nothing_the_second_time(person):
    from isoc.members import services
    from isoc.members.models import IndividualMembership, MembershipEvent

    long_ago = timezone.now() - timedelta(days=800)
    membership = services.join(person, "sustaining", at=long_ago)
    invoice = person.invoices.get()
    services.record_payment(invoice, amount=invoice.amount, reference="B1", received_at=long_ago)
    first = runner.invoke(app, ["lapse"])
    assert first.exit_code == 0, first.output
    assert "1 memberships lapsed" in first.output
    events = MembershipEvent.objects.count()
    second = runner.invoke(app, ["lapse"])
    assert "0 memberships lapsed, 0 renewal reminders queued" in second.output
    assert MembershipEvent.objects.count() == events
    assert IndividualMembership.objects.get(pk=membership.pk).closed_at is not None


@pytest.mark.django_db(transaction=True)
def test_lapse_dry_run_changes_nothing(person):
    from isoc.members import services
    from isoc.members.models import IndividualMembership

    long_ago = timezone.now() - timedelta(days=800)
    membership = services.join(person, "sustaining", at=long_ago)
    invoice = person.invoices.get()
    services.record_payment(invoice, amount=invoice.amount, reference="B1", received_at=long_ago)
    result = runner.invoke(app, ["lapse", "--dry-run"])
    assert "(dry run) would have: 1 memberships lapsed" in result.output
    assert IndividualMembership.objects.get(pk=membership.pk).closed_at is None


def test_token_create_prints_a_key_that_authenticates(db, person, client):
    result = runner.invoke(app, ["token", "create", person.email, "--name", "ci"])
    assert result.exit_code == 0, result.output
    key = result.output.strip().splitlines()[-1]
    response = client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert response.status_code == 200
    assert response.json()["email"] == person.email


def test_token_create_for_unknown_person_fails(db):
    result = runner.invoke(app, ["token", "create", "nobody@example.org"])
    assert result.exit_code == 2
