"""The retention schedule: records older than each rule's limit go, younger ones stay; a
dry run counts and changes nothing; a second run removes nothing; the CLI and the daily
task apply the same schedule; the README lists every rule (the privacy notice)."""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from typer.testing import CliRunner

from isoc.site import retention

README = (Path(__file__).resolve().parents[2] / "README.md").read_text()


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _days_ago(n: int):
    return timezone.now() - timedelta(days=n)


def _sign_ups():
    """An unconfirmed sign-up 40 days old (goes), one 10 days old (stays), and a 40-day-old
    account that confirmed its address (stays)."""
    from allauth.account.models import EmailAddress

    from isoc.members.models import Person

    made = {}
    for key, days, verified in (("old", 40, False), ("young", 10, False), ("confirmed", 40, True)):
        p = Person.objects.create_user(email=f"{key}@example.net", password="x")
        Person.objects.filter(pk=p.pk).update(date_joined=_days_ago(days))
        EmailAddress.objects.create(user=p, email=p.email, verified=verified, primary=True)
        made[key] = p.pk
    return made


def _sign_ins():
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    for days in (100, 10):
        common = {"username": f"u{days}@example.net", "ip_address": "192.0.2.1", "user_agent": "t",
                  "http_accept": "*/*", "path_info": "/accounts/login/"}
        for model, extra in ((AccessLog, {}), (AccessFailureLog, {}), (AccessAttempt, {"failures_since_start": 3})):
            row = model.objects.create(**common, **extra)
            model.objects.filter(pk=row.pk).update(attempt_time=_days_ago(days))  # set on creation: aged here


def _sessions():
    from django.contrib.sessions.backends.db import SessionStore
    from django.contrib.sessions.models import Session

    for key, expires in (("expired", _days_ago(1)), ("live", timezone.now() + timedelta(days=1))):
        store = SessionStore()
        store["k"] = key
        store.create()
        Session.objects.filter(session_key=store.session_key).update(expire_date=expires)


def _fellowship_applications(make_person):
    """A draft and a submitted application of a call closed two years ago, a draft of a call
    closed last month, and a call of six years ago with one applicant not accepted and one
    accepted fellow."""
    from tests.fellowships.conftest import ANSWERS, FORM, RUBRIC, pdf

    from isoc.fellowships import services as fs
    from isoc.fellowships.models import Application, Call, Decision, Programme
    from isoc.fellowships.seed import seed

    seed()
    programme = Programme.objects.get(slug="next-generation-leaders")
    track = programme.tracks.create(slug="open", name="Open")
    made = {}

    def call(slug, closed_days_ago):
        closes = _days_ago(closed_days_ago)
        return Call.objects.create(programme=programme, slug=slug, year=closes.year, title=slug,
                                   opens_at=closes - timedelta(days=30), closes_at=closes, time_zone="UTC",
                                   status=Call.Status.PUBLISHED, form=FORM, rubric=RUBRIC, places=2)

    def apply(c, who, submit=False):
        # Applying is possible only while a call runs: write it "then" (at its opening).
        at = c.opens_at + timedelta(days=1)
        app = fs.save_draft(c, who, track=track, answers=ANSWERS, at=at,
                            profile=fs.Profile(birth_date=date(2000, 1, 1), country="KE", gender="woman"))
        fs.upload_document(app, "cv", SimpleUploadedFile("cv.pdf", pdf()), actor=who, at=at)
        return fs.submit(app, actor=who, at=at) if submit else app

    two_years, last_month, six_years = call("c-2y", 730), call("c-1m", 30), call("c-6y", 6 * 365)
    made["old_draft"] = apply(two_years, make_person("a1@example.net")).pk
    made["old_submitted"] = apply(two_years, make_person("a2@example.net"), submit=True).pk
    made["young_draft"] = apply(last_month, make_person("a3@example.net")).pk
    made["not_accepted"] = apply(six_years, make_person("a4@example.net"), submit=True).pk
    fellow = apply(six_years, make_person("a5@example.net"), submit=True)
    Decision.objects.create(application=fellow, outcome="accepted", reason="Ranked first.")
    made["fellow"] = fellow.pk
    made["paths"] = {pk: Application.objects.get(pk=pk).documents.get().file.path for pk in
                     (made["old_draft"], made["young_draft"])}
    return made


def _registrations(make_person):
    """A waitlisted and a confirmed registration of an event that ended three years ago;
    a waitlisted one of an event last month."""
    from isoc.events.models import Event, Registration

    made = {}
    for slug, days in (("old", 3 * 365), ("recent", 30)):
        starts = _days_ago(days)
        event = Event.objects.create(slug=slug, title=slug, time_zone="UTC", starts_at=starts,
                                     ends_at=starts + timedelta(hours=2), capacity=1,
                                     members_open_at=starts - timedelta(days=20),
                                     public_open_at=starts - timedelta(days=10), closes_at=starts,
                                     fee=Decimal("0"), currency="USD")
        for state in ("confirmed", "waitlisted"):
            r = Registration.objects.create(event=event, person=make_person(f"{slug}-{state}@example.net"),
                                            state=state)
            made[f"{slug}_{state}"] = r.pk
    return made


def _assessments(make_person):
    from isoc.iwn import services as iwn
    from isoc.iwn.models import Assessment

    made = {}
    for key, days, owner in (("old_anonymous", 4 * 365, None), ("young_anonymous", 30, None),
                             ("old_owned", 4 * 365, make_person("owner@example.net"))):
        a, _token = iwn.create_assessment(title=key, owner=owner)
        Assessment.objects.filter(pk=a.pk).update(updated_at=_days_ago(days))
        made[key] = a.pk
    return made


@pytest.fixture
def aged(db, make_person):
    return {"sign_ups": _sign_ups(), "sign_ins": _sign_ins(), "sessions": _sessions(),
            "applications": _fellowship_applications(make_person), "registrations": _registrations(make_person),
            "assessments": _assessments(make_person)}


@pytest.fixture
def make_person(request):
    root = Path(__file__).resolve().parents[1] / "conftest.py"
    return request.config.pluginmanager.get_plugin(str(root)).make_person


EXPECTED = {"unverified-sign-ups": 1, "sign-in-records": 1, "failed-sign-ins": 1, "lockouts": 1,
            "expired-sessions": 1, "abandoned-fellowship-drafts": 1, "old-fellowship-applications": 1,
            "unseated-event-registrations": 1, "anonymous-iwn-assessments": 1}


def _state():
    """Every table the schedule touches, row ids only."""
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog
    from django.contrib.sessions.models import Session

    from isoc.events.models import Registration
    from isoc.fellowships.models import Application, Document
    from isoc.iwn.models import Assessment
    from isoc.members.models import Person

    return {m.__name__: sorted(m.objects.values_list("pk", flat=True))
            for m in (Person, AccessLog, AccessFailureLog, AccessAttempt, Session, Application, Document,
                      Registration, Assessment)}


def test_dry_run_counts_per_rule_and_changes_nothing(aged):
    before = _state()
    assert retention.run(dry_run=True) == EXPECTED
    assert _state() == before


def test_old_records_go_young_ones_stay_and_a_second_run_removes_nothing(aged, django_capture_on_commit_callbacks):
    import os

    from isoc.events.models import Registration
    from isoc.fellowships.models import Application
    from isoc.iwn.models import Assessment
    from isoc.members.models import Person

    with django_capture_on_commit_callbacks(execute=True):
        assert retention.run() == EXPECTED
    people = set(Person.objects.values_list("pk", flat=True))
    assert aged["sign_ups"]["old"] not in people
    assert {aged["sign_ups"]["young"], aged["sign_ups"]["confirmed"]} <= people
    apps_left = set(Application.objects.values_list("pk", flat=True))
    a = aged["applications"]
    assert apps_left.isdisjoint({a["old_draft"], a["not_accepted"]})
    assert {a["young_draft"], a["old_submitted"], a["fellow"]} <= apps_left  # submitted: kept five years
    assert not os.path.exists(a["paths"][a["old_draft"]]) and os.path.exists(a["paths"][a["young_draft"]])
    r = aged["registrations"]
    left = set(Registration.objects.values_list("pk", flat=True))
    assert r["old_waitlisted"] not in left
    assert {r["old_confirmed"], r["recent_waitlisted"], r["recent_confirmed"]} <= left  # attendance stays
    s = aged["assessments"]
    assert set(Assessment.objects.values_list("pk", flat=True)) == {s["young_anonymous"], s["old_owned"]}
    # Idempotent: nothing left to remove.
    assert retention.run() == dict.fromkeys(EXPECTED, 0)


def test_a_limit_can_be_changed_in_settings(aged, settings):
    settings.ISOC_RETENTION_DAYS = {"unverified-sign-ups": 5}
    assert retention.run(dry_run=True)["unverified-sign-ups"] == 2  # the 10-day-old one too


def test_cli_reports_per_rule_and_dry_run_changes_nothing(aged):
    from isoc.site.cli import app

    before = _state()
    dry = CliRunner().invoke(app, ["retention", "run", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "unverified-sign-ups: would remove 1 (older than 30 days)" in dry.output
    assert _state() == before
    done = CliRunner().invoke(app, ["retention", "run"])
    assert done.exit_code == 0 and "old-fellowship-applications: removed 1" in done.output
    again = CliRunner().invoke(app, ["retention", "run"])
    assert re.findall(r"removed (\d+)", again.output) == ["0"] * len(retention.SCHEDULE)


def test_the_daily_task_applies_the_schedule(aged):
    entry = settings.CELERY_BEAT_SCHEDULE["apply-retention-schedule-daily"]
    assert entry["task"] == retention.apply_retention.name
    assert retention.apply_retention.delay().get() == EXPECTED


def test_the_privacy_notice_lists_every_rule_with_its_limit():
    section = README.split("## Personal data", 1)[1].split("\n## ", 1)[0]
    for rule in retention.SCHEDULE:
        assert f"`{rule.name}`" in section, f"the README's retention table misses {rule.name}"
