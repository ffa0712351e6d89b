"""The moving-median detector on constructed series with known answers, and its
properties (no database)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from isoc.shutdowns.detect import DetectorConfig, detect_country, detect_series, predict

STEP = 300
DAY = 86400
HOUR = 3600


def diurnal(days: int, *, level: float = 1000.0, amplitude: float = 0.1, noise: float = 0.01, seed: int = 0):
    t = np.arange(0, days * DAY, STEP, dtype=np.int64)
    rng = np.random.default_rng(seed)
    v = level * (1 + amplitude * np.sin(2 * np.pi * t / DAY)) * (1 + rng.normal(0, noise, t.size))
    return t, v


def drop(t, v, start, end, factor):
    v = v.copy()
    v[(t >= start) & (t < end)] *= factor
    return v


def test_a_clean_drop_alerts_exactly_over_the_drop():
    t, v = diurnal(14)
    start, end = 9 * DAY + 3 * HOUR, 9 * DAY + 7 * HOUR
    alerts = detect_series(t, drop(t, v, start, end, 0.2))
    assert [(a.start, a.end) for a in alerts] == [(start, end)]
    a = alerts[0]
    assert a.level == "critical"
    assert a.minutes == 240
    assert 75 < a.drop_pct < 85
    assert a.severity == pytest.approx(a.drop_pct * a.minutes)
    # The clean series raises nothing.
    assert detect_series(t, v) == []


def test_a_moderate_drop_is_a_warning_and_short_blips_are_below_min_duration():
    t, v = diurnal(10)
    v2 = drop(t, v, 8 * DAY, 8 * DAY + 2 * HOUR, 0.65)
    v2 = drop(t, v2, 9 * DAY, 9 * DAY + 2 * STEP, 0.1)  # 10 minutes < 15-minute minimum
    alerts = detect_series(t, v2)
    assert [(a.start, a.end, a.level) for a in alerts] == [(8 * DAY, 8 * DAY + 2 * HOUR, "warning")]
    shorter = detect_series(t, v2, DetectorConfig(min_duration=0))
    assert [(a.start, a.end) for a in shorter][-1] == (9 * DAY, 9 * DAY + 2 * STEP)


def test_a_slow_decline_does_not_alert():
    # Halving over 30 days: each day is ~2% below the last, and the median follows.
    t, v = diurnal(30)
    v = v * np.linspace(1.0, 0.5, t.size)
    assert detect_series(t, v) == []


def test_no_alert_during_warm_up():
    t, v = diurnal(3)
    # The series starts low then recovers: nothing to compare with in the first hour.
    v = drop(t, v, 0, 40 * 60, 0.1)
    assert detect_series(t, v, DetectorConfig(min_duration=0)) == []


def test_a_long_outage_alerts_for_the_inpainting_limit_then_the_new_level_is_learnt():
    t, v = diurnal(40)
    start = 10 * DAY
    v2 = drop(t, v, start, 30 * DAY, 0.3)
    alerts = detect_series(t, v2)
    assert [(a.start, a.end) for a in alerts] == [(start, start + 7 * DAY)]
    # Without in-painting the outage pollutes the median sooner: after half the history
    # window the low values are the median and the alert stops.
    no_inpaint = detect_series(t, v2, DetectorConfig(inpaint_limit=0))
    assert len(no_inpaint) == 1
    assert no_inpaint[0].start == start
    assert no_inpaint[0].end - start == pytest.approx(3.5 * DAY, abs=2 * HOUR)
    # A limit shorter than half the history: once in-painting stops the history still
    # holds more normal than low values, so the alert goes on until the low values are
    # half the window, as without in-painting.
    short = detect_series(t, v2, DetectorConfig(inpaint_limit=2 * DAY))
    assert len(short) == 1
    assert short[0].end - start == pytest.approx(3.5 * DAY, abs=2 * HOUR)


def test_missing_data_does_not_alert_and_does_not_hide_a_drop():
    t, v = diurnal(14)
    gappy = v.copy()
    gappy[(t >= 5 * DAY) & (t < 6 * DAY)] = np.nan  # a day of NaN
    keep = ~((t >= 8 * DAY) & (t < 8 * DAY + 12 * HOUR))  # half a day with no points at all
    assert detect_series(t[keep], gappy[keep]) == []
    # Gaps inside a drop are bridged (up to max_gap), and the drop is still found.
    dropped = drop(t, gappy, 10 * DAY, 10 * DAY + 3 * HOUR, 0.2)
    dropped[(t >= 10 * DAY + HOUR) & (t < 10 * DAY + HOUR + 30 * 60)] = np.nan
    alerts = detect_series(t[keep], dropped[keep])
    assert [(a.start, a.end) for a in alerts] == [(10 * DAY, 10 * DAY + 3 * HOUR)]
    assert alerts[0].points == 36 - 6


def test_datetime64_timestamps_give_the_same_answer():
    t, v = diurnal(10)
    v2 = drop(t, v, 8 * DAY, 8 * DAY + HOUR, 0.1)
    as_dt = t.astype("datetime64[s]")
    assert detect_series(as_dt, v2) == detect_series(t, v2)


def test_multi_source_agreement_multiplies_and_a_single_source_is_scored_alone():
    t, v = diurnal(14, seed=1)
    _, w = diurnal(14, seed=2, level=50)
    _, x = diurnal(14, seed=3, level=7000)
    both = (9 * DAY, 9 * DAY + 4 * HOUR)
    bgp = drop(t, v, *both, 0.3)
    probing = drop(t, w, both[0] + HOUR, both[1] + HOUR, 0.5)  # overlaps, shifted
    traffic = drop(t, x, 12 * DAY, 12 * DAY + 2 * HOUR, 0.1)  # alone, later
    windows = detect_country({"bgp": (t, bgp), "active-probing": (t, probing), "traffic": (t, traffic)})
    assert len(windows) == 2
    first, second = windows
    assert (first.start, first.end) == (both[0], both[1] + HOUR)
    assert set(first.sources) == {"bgp", "active-probing"}
    assert first.score == pytest.approx(first.sources["bgp"].severity * first.sources["active-probing"].severity)
    assert first.sources["bgp"].minutes == 240
    assert set(second.sources) == {"traffic"}
    assert second.score == pytest.approx(second.sources["traffic"].severity)
    assert second.level == "critical"


def test_config_levels_are_configurable():
    t, v = diurnal(10)
    v2 = drop(t, v, 8 * DAY, 8 * DAY + HOUR, 0.7)
    assert detect_series(t, v2, DetectorConfig(warning=0.6, critical=0.5)) == []
    assert detect_series(t, v2, DetectorConfig(warning=0.8, critical=0.75))[0].level == "critical"
    with pytest.raises(ValueError):
        DetectorConfig(warning=0.5, critical=0.8)


# ------------------------------------------------------------------------ properties


def reference_predict(v, W, mc, warning, limit):
    """The method written as plainly as possible, point by point, to check the fast one."""
    n = len(v)
    clean = list(v)
    pred = [math.nan] * n
    alert = [False] * n
    run_start, inpainting = -1, False
    for j in range(n):
        if run_start >= 0 and inpainting and j - run_start >= limit:
            inpainting = False
            clean[run_start:j] = v[run_start:j]
        hist = [x for x in clean[max(0, j - W) : j] if not math.isnan(x)]
        med = float(np.median(hist)) if len(hist) >= mc else math.nan
        pred[j] = med
        x = v[j]
        if med > 0 and x < warning * med:
            alert[j] = True
            if run_start < 0:
                run_start, inpainting = j, True
            clean[j] = med if inpainting else x
        elif not math.isnan(x):
            run_start = -1
    return np.array(pred), np.array(alert)


values = st.one_of(
    st.floats(min_value=0, max_value=1e6, allow_nan=False),
    st.just(float("nan")),
    st.just(0.0),
    st.floats(min_value=0.5, max_value=2.0),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(values, max_size=120), st.integers(1, 20), st.integers(1, 8), st.integers(0, 30))
def test_fast_prediction_equals_the_plain_point_by_point_method(vals, W, mc, limit):
    v = np.array(vals, dtype=float)
    pred, alert = predict(v, W, mc, 0.8, limit)
    rpred, ralert = reference_predict(list(v), W, min(mc, W), 0.8, limit)
    assert alert.tolist() == ralert.tolist()
    np.testing.assert_allclose(pred, rpred, equal_nan=True)


series = st.lists(
    st.tuples(st.integers(0, 40 * 86400), st.one_of(values, st.just(float("inf")), st.just(-5.0))),
    max_size=300,
)
small_config = DetectorConfig(history=6 * HOUR, warmup=HOUR, min_duration=0, inpaint_limit=12 * HOUR, step=STEP)


@settings(max_examples=200, deadline=None)
@given(series)
def test_never_crashes_on_nan_gaps_empty_constant_or_zero_input(points):
    t = np.array([p[0] for p in points], dtype=np.int64)
    v = np.array([p[1] for p in points], dtype=float)
    for cfg in (None, small_config):
        alerts = detect_series(t, v, cfg)
        for a in alerts:
            assert a.start < a.end and a.points >= 1 and 0 <= a.drop_pct <= 100
        assert detect_series(t, np.zeros_like(v), cfg) == []
        assert detect_series(t, np.full_like(v, 42.0), cfg) == []
        assert detect_series(t, np.full_like(v, np.nan), cfg) == []
    assert detect_series([], []) == []


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.one_of(st.floats(min_value=1, max_value=1e4), st.just(float("nan")), st.just(0.0)), min_size=1, max_size=400),
    st.sampled_from([2.0**-10, 0.25, 0.5, 2.0, 8.0, 1024.0]),
)
def test_scaling_a_series_does_not_change_what_it_flags(vals, k):
    # Powers of two scale floating-point numbers exactly, so the comparison
    # value < 0.8 × median is decided the same way for the scaled series.
    v = np.array(vals)
    t = np.arange(v.size) * STEP
    base = detect_series(t, v, small_config)
    scaled = detect_series(t, v * k, small_config)
    assert [(a.start, a.end, a.level, a.points) for a in base] == [(a.start, a.end, a.level, a.points) for a in scaled]


def test_scaling_by_any_positive_constant_keeps_the_windows_on_realistic_series():
    t, v = diurnal(14)
    v2 = drop(t, v, 9 * DAY, 9 * DAY + 5 * HOUR, 0.4)
    base = [(a.start, a.end) for a in detect_series(t, v2)]
    for k in (0.001, 3.7, 12345.6):
        assert [(a.start, a.end) for a in detect_series(t, v2 * k)] == base
