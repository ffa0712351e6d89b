"""Outage detection in measurement signals: a moving-median detector after IODA's
published method (written from its description; no IODA code is used).

No Django here: the functions take and return NumPy arrays and dataclasses, so they
are testable without a database and usable as a library.

The method, per series
======================

1. **Grid.** Points are placed on a regular grid of ``step`` seconds (``config.step``,
   or the median spacing of the timestamps). Missing points, NaN and ±inf are *missing*:
   they never alert, and they do not count towards the history.
2. **Prediction.** The prediction for a point is the median of the *cleaned* history:
   the valid values in the window ``[t - history, t)`` (``history`` default 7 days).
   No prediction (so no alert) until the history holds at least ``warmup`` worth of
   valid points (default 1 hour); after a long gap the same rule applies again.
3. **Ratio.** ``ratio = value / prediction``. A point *alerts* when the prediction is
   positive and ``value < warning × prediction`` (``warning`` default 0.8). Comparing
   with a product, not a quotient, keeps the result exactly invariant under scaling by
   a power of two, and under any positive scaling up to rounding.
4. **In-painting.** An alerting point enters the history as the prediction, not as its
   measured value, so that an outage does not drag the median down and become the new
   normal. An in-painting run lasts while points keep alerting (missing points do not
   end it); when it reaches ``inpaint_limit`` (default 7 days), in-painting stops and
   the run's points go back to their measured values: the history is then the new
   level, which the detector learns, and alerts stop.
5. **Alert windows.** Consecutive alerting points form a window; missing points inside
   a window are bridged if the gap is at most ``max_gap`` (default 1 hour). A window
   is reported when it lasts at least ``min_duration`` (default 15 minutes).
6. **Severity.** For a window: ``drop %`` = 100 × mean over its alerting points of
   ``1 − ratio`` (clipped to 0–100), ``minutes`` = its duration, ``severity`` =
   ``drop % × minutes``. The level is *critical* when the mean ratio is below
   ``critical`` (default 0.5), otherwise *warning*.

Across sources (:func:`detect_country`)
=======================================

Windows of the sources of one country (or network) that overlap or touch in time (or
are at most ``merge_gap`` apart) are merged into one :class:`OutageWindow`. Its per-source
severity is the sum over that source's windows in it, and its **score is the product
of the severities of the sources that alerted**: agreement between independent signals
multiplies, and a window seen by a single source is scored by that source alone.

Speed
=====

The prediction is computed for long stretches at once with bottleneck's
``move_median`` (a double heap, O(log W) per point). In-painting makes the
prediction depend on earlier decisions, so from the first alerting point the detector
steps point by point, keeping a sorted history window, until a valid point no longer
alerts; then it goes back to the vectorized median. Alerts are rare, so the
sequential part is small.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import bottleneck as bn
import numpy as np

__all__ = ["DetectorConfig", "Alert", "SourceSeverity", "OutageWindow", "detect_series", "detect_country", "VERSION"]

VERSION = "1"

DAY = 86400


@dataclass(frozen=True)
class DetectorConfig:
    """The detector's parameters; times in seconds."""

    history: int = 7 * DAY
    warmup: int = 3600
    warning: float = 0.8
    critical: float = 0.5
    min_duration: int = 15 * 60
    inpaint_limit: int = 7 * DAY
    max_gap: int = 3600
    merge_gap: int = 0
    step: int | None = None

    def __post_init__(self) -> None:
        if not 0 < self.critical <= self.warning:
            raise ValueError("need 0 < critical <= warning")
        if self.history <= 0 or self.warmup < 0 or self.min_duration < 0 or self.inpaint_limit < 0:
            raise ValueError("history must be positive; warmup, min_duration, inpaint_limit not negative")
        if self.step is not None and self.step <= 0:
            raise ValueError("step must be positive")


@dataclass(frozen=True)
class Alert:
    """One alert window of one series. ``start`` and ``end`` are Unix seconds (UTC);
    ``end`` is exclusive (the last alerting point's time + step)."""

    start: int
    end: int
    level: str
    drop_pct: float
    minutes: float
    severity: float
    mean_ratio: float
    points: int


@dataclass(frozen=True)
class SourceSeverity:
    drop_pct: float
    minutes: float
    severity: float
    level: str


@dataclass(frozen=True)
class OutageWindow:
    """Alert windows of one or more sources merged in time, with the product score."""

    start: int
    end: int
    level: str
    score: float
    sources: dict[str, SourceSeverity] = field(default_factory=dict)


# --------------------------------------------------------------------------- grid


def to_seconds(timestamps) -> np.ndarray:
    """Unix seconds (int64) from datetime64 values or numbers of seconds."""
    t = np.asarray(timestamps)
    if t.size == 0:
        return np.zeros(0, dtype=np.int64)
    if np.issubdtype(t.dtype, np.datetime64):
        return t.astype("datetime64[s]").astype(np.int64)
    if np.issubdtype(t.dtype, np.integer):
        return t.astype(np.int64, copy=False)
    t = t.astype(np.float64)
    return np.round(t).astype(np.int64)


def regularize(timestamps, values, step: int | None = None) -> tuple[int, int, np.ndarray]:
    """Place points on a regular grid: (t0, step, values) with NaN where missing.

    Duplicate grid slots keep the last point given. A spacing so irregular that the grid
    would be more than 10× the number of points (and over a million slots) is coarsened
    to keep memory bounded.
    """
    t = to_seconds(timestamps)
    v = np.asarray(values, dtype=np.float64).ravel()
    if t.shape != v.shape:
        raise ValueError(f"timestamps ({t.size}) and values ({v.size}) differ in length")
    if t.size == 0:
        return 0, int(step or 300), np.zeros(0)
    d = np.diff(t)
    if not (d >= 0).all():
        order = np.argsort(t, kind="stable")
        t, v = t[order], v[order]
        d = np.diff(t)
    if not np.isfinite(v).all():
        v = np.where(np.isfinite(v), v, np.nan)
    if step is None:
        pos = d[d > 0]
        step = int(np.median(pos)) if pos.size else 300
    step = max(1, int(step))
    t0 = int(t[0])
    if (d == step).all():
        return t0, step, v.copy()  # already a regular grid: the common case
    span = int(t[-1]) - t0
    limit = max(10 * t.size, 1_000_000)
    if span // step + 1 > limit:
        step = span // (limit - 1) + 1
    idx = (t - t0 + step // 2) // step
    grid = np.full(int(idx[-1]) + 1, np.nan)
    grid[idx] = v  # later duplicates overwrite earlier ones
    return t0, step, grid


# ------------------------------------------------------------------ the detector


def _median(win: list[float]) -> float:
    n = len(win)
    h = n // 2
    return win[h] if n % 2 else (win[h - 1] + win[h]) / 2.0


def predict(v: np.ndarray, window: int, min_count: int, warning: float, inpaint_points: int) -> tuple[np.ndarray, np.ndarray]:
    """The prediction and the alerting mask of a gridded series (NaN = missing), with
    in-painting. See the module docstring for the rules."""
    n = v.size
    W = max(1, int(window))
    mc = max(1, min(int(min_count), W))
    pred = np.full(n, np.nan)
    alert = np.zeros(n, dtype=bool)
    if n == 0:
        return pred, alert
    # clean[j + W] is the cleaned value of point j; the first W slots are empty history.
    clean = np.concatenate([np.full(W, np.nan), v])
    k = 0
    chunk = n
    while k < n:
        end = min(n, k + chunk)
        m = bn.move_median(clean[k : end + W - 1], W, min_count=mc)
        p = m[W - 1 :]
        vv = v[k:end]
        with np.errstate(invalid="ignore"):
            cond = (p > 0) & (vv < warning * p)
        hits = np.flatnonzero(cond)
        if hits.size == 0:
            pred[k:end] = p
            k = end
            chunk = n
            continue
        a = k + int(hits[0])
        pred[k:a] = p[: a - k]
        k = _sequential(v, clean, pred, alert, a, W, mc, warning, inpaint_points)
        chunk = max(4 * W, 4096)
    return pred, alert


def _sequential(v, clean, pred, alert, j, W, mc, warning, inpaint_points) -> int:
    """Step point by point from alerting point j until a valid point does not alert;
    return the index after it."""
    n = v.size
    hist = clean[j : j + W]
    win = np.sort(hist[~np.isnan(hist)]).tolist()
    run_start = j
    inpainting = True
    while j < n:
        if inpainting and j - run_start >= inpaint_points:
            # The outage has lasted the in-painting limit: give the run its measured
            # values back, so that the history learns the new level.
            inpainting = False
            clean[run_start + W : j + W] = v[run_start:j]
            hist = clean[j : j + W]
            win = np.sort(hist[~np.isnan(hist)]).tolist()
        med = _median(win) if len(win) >= mc else math.nan
        x = float(v[j])
        pred[j] = med
        is_alert = med > 0 and x < warning * med  # False for NaN x or NaN med
        done = False
        if is_alert:
            alert[j] = True
            new = med if inpainting else x
        else:
            new = x
            if x == x:
                done = True
        clean[j + W] = new
        old = float(clean[j])
        if old == old:
            del win[bisect.bisect_left(win, old)]
        if new == new:
            bisect.insort(win, new)
        j += 1
        if done:
            break
    return j


def _windows(alert: np.ndarray, v: np.ndarray, max_gap_points: int) -> list[tuple[int, int]]:
    """Runs of alerting points [a, b] (inclusive), bridging gaps of only-missing points."""
    if not alert.any():
        return []
    a = alert.astype(np.int8)
    d = np.diff(np.concatenate([[0], a, [0]]))
    starts = np.flatnonzero(d == 1)
    ends = np.flatnonzero(d == -1) - 1
    runs: list[list[int]] = []
    for s, e in zip(starts.tolist(), ends.tolist(), strict=True):
        if runs:
            ps, pe = runs[-1]
            gap = s - pe - 1
            if gap <= max_gap_points and np.isnan(v[pe + 1 : s]).all():
                runs[-1][1] = e
                continue
        runs.append([s, e])
    return [(s, e) for s, e in runs]


def detect_series(timestamps, values, config: DetectorConfig | None = None) -> list[Alert]:
    """Alert windows of one series. ``timestamps``: datetime64 or Unix seconds; ``values``:
    numbers (NaN/inf = missing). Never raises on empty, constant, zero or gappy input."""
    cfg = config or DetectorConfig()
    t0, step, v = regularize(timestamps, values, cfg.step)
    if v.size == 0:
        return []
    W = max(1, -(-cfg.history // step))
    mc = max(1, -(-cfg.warmup // step))
    inpaint_points = -(-cfg.inpaint_limit // step)
    pred, alert = predict(v, W, mc, cfg.warning, inpaint_points)
    out: list[Alert] = []
    for s, e in _windows(alert, v, cfg.max_gap // step):
        duration = (e - s + 1) * step
        if duration < cfg.min_duration:
            continue
        sel = alert[s : e + 1]
        ratio = v[s : e + 1][sel] / pred[s : e + 1][sel]
        mean_ratio = float(np.mean(ratio))
        drop = float(np.clip(100.0 * np.mean(1.0 - ratio), 0.0, 100.0))
        minutes = duration / 60.0
        out.append(
            Alert(
                start=t0 + s * step,
                end=t0 + (e + 1) * step,
                level="critical" if mean_ratio < cfg.critical else "warning",
                drop_pct=drop,
                minutes=minutes,
                severity=drop * minutes,
                mean_ratio=mean_ratio,
                points=int(sel.sum()),
            )
        )
    return out


def merge_alerts(alerts_by_source: Mapping[str, Sequence[Alert]], merge_gap: int = 0) -> list[OutageWindow]:
    """Merge alert windows of several sources that overlap in time into scored windows."""
    items = sorted((a.start, a.end, name, a) for name, alerts in alerts_by_source.items() for a in alerts)
    groups: list[tuple[int, int, list[tuple[str, Alert]]]] = []
    for start, end, name, a in items:
        if groups and start <= groups[-1][1] + merge_gap:
            gs, ge, members = groups[-1]
            groups[-1] = (gs, max(ge, end), members + [(name, a)])
        else:
            groups.append((start, end, [(name, a)]))
    out: list[OutageWindow] = []
    for gs, ge, members in groups:
        per: dict[str, list[Alert]] = {}
        for name, a in members:
            per.setdefault(name, []).append(a)
        sources: dict[str, SourceSeverity] = {}
        for name, alerts in sorted(per.items()):
            minutes = sum(a.minutes for a in alerts)
            severity = sum(a.severity for a in alerts)
            sources[name] = SourceSeverity(
                drop_pct=severity / minutes if minutes else 0.0,
                minutes=minutes,
                severity=severity,
                level="critical" if any(a.level == "critical" for a in alerts) else "warning",
            )
        score = math.prod(s.severity for s in sources.values())
        level = "critical" if any(s.level == "critical" for s in sources.values()) else "warning"
        out.append(OutageWindow(start=gs, end=ge, level=level, score=score, sources=sources))
    return out


def detect_country(series_by_source: Mapping[str, tuple], config: DetectorConfig | None = None) -> list[OutageWindow]:
    """Run :func:`detect_series` on each source's ``(timestamps, values)`` and merge the
    windows across sources (per-source severity, product score)."""
    cfg = config or DetectorConfig()
    alerts = {name: detect_series(t, v, cfg) for name, (t, v) in series_by_source.items()}
    return merge_alerts(alerts, cfg.merge_gap)
