"""Demo signals: stored, labelled, with published demo events the detector agrees with."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from isoc.pulse.models import Dataset
from isoc.shutdowns.demo_signals import Outage, generate_demo_signals
from isoc.shutdowns.models import DetectedOutage, ShutdownEvent, Signal
from isoc.shutdowns.tasks import detect_outages

pytestmark = pytest.mark.django_db
END = datetime(2026, 3, 1, tzinfo=UTC)


def test_demo_signals_events_and_detection(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    start = END - timedelta(days=20) + timedelta(days=12, hours=3)
    outage = Outage("IR", start, start + timedelta(hours=6), factor=0.1)
    counts = generate_demo_signals(["IR", "ET"], days=20, seed=1, outages=[outage], end=END)
    assert counts["signals"] == 6 and counts["events"] == 1
    assert Dataset.objects.get(slug="demo-shutdown-signals").is_demo
    event = ShutdownEvent.objects.get()
    assert event.is_demo and event.review_state == "published" and event.meets_pulse_rule
    assert event.evidence.filter(signal__kind=Signal.Kind.BGP).exists()

    assert detect_outages.delay().get()["detected"] == 1
    found = DetectedOutage.objects.get()
    assert found.country_id == "IR" and (found.starts_at, found.ends_at) == (outage.start, outage.end)
    assert found.signals.count() == 3

    # Again: same signals, the demo event replaced, not doubled.
    generate_demo_signals(["IR", "ET"], days=20, seed=1, outages=[outage], end=END)
    assert ShutdownEvent.objects.count() == 1 and Signal.objects.count() == 6
