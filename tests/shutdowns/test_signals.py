"""Signals in Parquet and the detection service that stores candidate outages."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pytest

from isoc.pulse.models import Dataset, DataSource
from isoc.shutdowns.detect import VERSION
from isoc.shutdowns.models import DetectedOutage, Signal
from isoc.shutdowns.signals import read_series, run_detection, store_series

pytestmark = pytest.mark.django_db
DAY, HOUR, STEP = 86400, 3600, 300
T0 = 1_700_000_000 // DAY * DAY


@pytest.fixture(autouse=True)
def data_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    return tmp_path


@pytest.fixture
def dataset():
    source = DataSource.objects.create(slug="test-source", name="Test", publisher="Test", licence="CC0")
    return Dataset.objects.create(source=source, slug="test-signals", title="Test signals", kind=Dataset.Kind.SIGNAL,
                                  origin="generated", importer="test", importer_version="1")


def series(days=14, level=500.0, seed=0, drop=None):
    t = T0 + np.arange(0, days * DAY, STEP, dtype=np.int64)
    rng = np.random.default_rng(seed)
    v = level * (1 + 0.05 * np.sin(2 * np.pi * t / DAY)) * (1 + rng.normal(0, 0.01, t.size))
    if drop:
        v[(t >= drop[0]) & (t < drop[1])] *= 0.2
    return t, v


def test_store_and_read_a_window(dataset, data_dir):
    t, v = series(days=3)
    v[10] = np.nan
    sig = store_series(dataset, "DE", "bgp", t, v)
    assert (data_dir / sig.parquet_path).is_file()
    assert sig.points == t.size and sig.resolution_seconds == STEP
    assert sig.starts_at == datetime.fromtimestamp(int(t[0]), tz=UTC)
    rt, rv = read_series(sig)
    assert np.array_equal(rt, t)
    np.testing.assert_array_equal(rv, v)  # NaN stays NaN
    start = datetime.fromtimestamp(int(t[100]), tz=UTC)
    wt, wv = read_series(sig, start, int(t[110]))
    assert wt.tolist() == t[100:110].tolist()
    # Storing again replaces the points and keeps one row.
    sig2 = store_series(dataset, "DE", "bgp", t[:50], v[:50])
    assert sig2.pk == sig.pk and Signal.objects.count() == 1
    assert read_series(sig2)[0].size == 50


def test_unknown_kind_is_refused(dataset):
    with pytest.raises(ValueError, match="unknown signal kind"):
        store_series(dataset, "DE", "carrier-pigeons", [0], [1.0])


def test_run_detection_stores_candidates_linked_to_the_signals_and_is_idempotent(dataset):
    drop = (T0 + 10 * DAY, T0 + 10 * DAY + 4 * HOUR)
    bgp = store_series(dataset, "EG", "bgp", *series(drop=drop, seed=1))
    probing = store_series(dataset, "EG", "active-probing", *series(drop=drop, seed=2, level=80))
    store_series(dataset, "FR", "bgp", *series(seed=3))
    store_series(dataset, "EG", "bgp", *series(drop=(T0 + 12 * DAY, T0 + 12 * DAY + HOUR), seed=4), asn=8452)

    found = run_detection()
    assert len(found) == 2
    national = DetectedOutage.objects.get(country_id="EG", asn=None)
    assert (national.starts_at, national.ends_at) == (datetime.fromtimestamp(drop[0], tz=UTC), datetime.fromtimestamp(drop[1], tz=UTC))
    assert set(national.signals.all()) == {bgp, probing}
    assert set(national.severity) == {"bgp", "active-probing"}
    assert national.score == pytest.approx(national.severity["bgp"]["severity"] * national.severity["active-probing"]["severity"], rel=1e-3)
    assert national.detector_version == VERSION and national.state == DetectedOutage.State.NEW
    network = DetectedOutage.objects.get(country_id="EG", asn=8452)
    assert network.ends_at - network.starts_at == (datetime.fromtimestamp(HOUR, tz=UTC) - datetime.fromtimestamp(0, tz=UTC))

    national.state = DetectedOutage.State.DISMISSED
    national.save()
    again = run_detection()
    assert len(again) == 2 and DetectedOutage.objects.count() == 2
    national.refresh_from_db()
    assert national.state == DetectedOutage.State.DISMISSED  # review survives a re-run

    assert run_detection(country="FR") == []
    assert len(run_detection(country="EG", end=datetime.fromtimestamp(T0 + 11 * DAY, tz=UTC))) == 1
