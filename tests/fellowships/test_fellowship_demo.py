"""The demo: a call open now with drafts and submitted applications, a call decided last
year with reviews, decisions and alumni, all labelled demo; reset removes them; the CLI
ranks and notifies."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from isoc.fellowships import demo
from isoc.fellowships import services as fs
from isoc.fellowships.models import Application, Call, Decision, Document, Review

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_data(settings, tmp_path):
    from isoc.chapters import demo as chapters_demo
    from isoc.members import demo as members_demo

    settings.MEDIA_ROOT = tmp_path / "media"
    members_demo.generate(people=150, organizations=3, seed=7, password="x")
    chapters_demo.generate(seed=7)
    return demo.generate(seed=7)


def test_the_demo_has_an_open_call_and_a_decided_one(demo_data):
    assert demo_data["calls"] == 2 and demo_data["applications"] == 46 and demo_data["alumni"] > 0
    open_call = Call.objects.get(is_demo=True, status="published")
    past = Call.objects.get(is_demo=True, status="decided")
    assert open_call.is_open() and "(demo)" in open_call.title and "(demo)" in past.title
    states = set(open_call.applications.values_list("state", flat=True))
    assert {"draft", "submitted", "under_review"} <= states
    assert set(past.applications.values_list("state", flat=True)) == {"onboarded", "waitlisted", "declined"}
    reviewed = Review.objects.filter(assignment__application__call=past)
    assert reviewed.count() >= 36 and reviewed.values("assignment__application").distinct().count() == 24
    assert not Decision.objects.filter(application__call=past, notified_at__isnull=True).exists()
    assert fs.alumni().filter(application__is_demo=True).count() == demo_data["alumni"]
    assert fs.selection(past).accepted == past.places == 8
    # No reviewer reviewed an application they are conflicted on.
    for review in Review.objects.select_related("assignment__application", "assignment__reviewer"):
        assert not fs.conflicts(review.assignment.reviewer, review.assignment.application)
    assert demo.generate(seed=7)["calls"] == 0  # idempotent


def test_reset_removes_the_demo_and_its_files(demo_data, settings):
    paths = [settings.MEDIA_ROOT / d.file.name for d in Document.objects.filter(application__is_demo=True)]
    assert paths and all(p.exists() for p in paths)
    demo.remove()
    assert not Call.objects.filter(is_demo=True).exists() and not Application.objects.filter(is_demo=True).exists()
    assert not any(p.exists() for p in paths)
    assert demo.generate(seed=7, reset=True)["calls"] == 2


def test_the_cli_ranks_and_notifies(demo_data, staff, django_capture_on_commit_callbacks, mailoutbox):
    from isoc.site.cli import app

    runner = CliRunner()
    past = Call.objects.get(is_demo=True, status="decided")
    result = runner.invoke(app, ["fellowships", "rank", past.slug])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert "24 submitted applications" in lines[0] and lines[2].split()[0] == "1"
    assert "selected 8 of 8 places" in result.output
    assert runner.invoke(app, ["fellowships", "rank", "no-such-call"]).exit_code == 2
    open_call = Call.objects.get(is_demo=True, status="published")
    app_ = open_call.applications.filter(state="under_review").first()
    fs.record_decision(app_, outcome="declined", reason="Demo.", actor=staff)
    result = runner.invoke(app, ["fellowships", "notify", open_call.slug])
    assert result.exit_code == 0 and "(dry run) would tell" in result.output and "1 applicants would be" in result.output
    assert Decision.objects.get(application=app_).notified_at is None
    with django_capture_on_commit_callbacks(execute=True):
        result = runner.invoke(app, ["fellowships", "notify", open_call.slug, "--commit"])
    assert result.exit_code == 0 and "1 applicants are being emailed" in result.output
    assert Decision.objects.get(application=app_).notified_at is not None
    assert [m.to for m in mailoutbox] == [[app_.applicant.email]]
