"""Detected outages are candidates: staff accept one as a draft event or dismiss it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
from typer.testing import CliRunner

from isoc.members.services import RuleViolation
from isoc.pulse.models import Dataset, DataSource
from isoc.shutdowns import services
from isoc.shutdowns.models import DetectedOutage, Evidence, ReviewState
from isoc.shutdowns.signals import run_detection, store_series
from isoc.site.cli import app

START = datetime(2026, 1, 1, tzinfo=UTC)


@pytest.fixture
def dropped_signal(db, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    source = DataSource.objects.create(slug="test", name="Test", publisher="Test", licence="test")
    dataset = Dataset.objects.create(source=source, slug="test-signal", title="Test signal", kind="signal",
                                     origin="generated", importer="test", importer_version="1")
    step = 300
    t = np.arange(int(START.timestamp()), int((START + timedelta(days=10)).timestamp()), step, dtype=np.int64)
    v = np.full(t.shape, 1000.0)
    drop = (t >= int((START + timedelta(days=9)).timestamp())) & (t < int((START + timedelta(days=9, hours=3)).timestamp()))
    v[drop] = 100.0  # a 90 % drop for three hours on day nine
    return store_series(dataset, "EE", "active-probing", t, v)


def test_detection_finds_the_drop_and_accepting_it_makes_a_draft_event(dropped_signal, staff):
    found = run_detection()
    assert len(found) == 1
    detection = found[0]
    assert detection.country_id == "EE"
    assert abs((detection.starts_at - (START + timedelta(days=9))).total_seconds()) <= 600
    event = services.accept_detection(detection, staff)
    assert event.review_state == ReviewState.DRAFT
    assert not event.meets_pulse_rule  # a signal shows a drop, not intent
    assert Evidence.objects.get(event=event).signal == dropped_signal
    detection.refresh_from_db()
    assert detection.state == DetectedOutage.State.ACCEPTED and detection.event == event
    with pytest.raises(RuleViolation):
        services.accept_detection(detection, staff)


def test_rerunning_detection_keeps_the_staff_decision(dropped_signal, staff):
    detection = run_detection()[0]
    services.dismiss_detection(detection, staff)
    again = run_detection()
    assert [d.pk for d in again] == [detection.pk]
    assert again[0].state == DetectedOutage.State.DISMISSED


def test_only_staff_review_detections(dropped_signal, person):
    detection = run_detection()[0]
    with pytest.raises(RuleViolation):
        services.accept_detection(detection, person)
    with pytest.raises(RuleViolation):
        services.dismiss_detection(detection, None)


def test_isoc_detect_reports_the_windows(dropped_signal):
    result = CliRunner().invoke(app, ["detect", "--country", "ee"])
    assert result.exit_code == 0, result.output
    assert "1 outage windows detected (1 awaiting review)" in result.output
    bad = CliRunner().invoke(app, ["detect", "--from", "yesterday"])
    assert bad.exit_code == 2


def test_admin_accept_action(dropped_signal, staff_client):
    detection = run_detection()[0]
    response = staff_client.post("/admin/shutdowns/detectedoutage/",
                                 {"action": "accept", "_selected_action": [detection.pk]})
    assert response.status_code == 302
    detection.refresh_from_db()
    assert detection.state == DetectedOutage.State.ACCEPTED
