"""Geometry of the charts on the shutdowns pages, computed here and drawn as SVG by the
templates (so the pages show their charts without JavaScript). No Django import.

``line_chart`` lays out one time series with its alert windows shaded; ``bar_chart``
lays out counts by category. Both return plain dataclasses with coordinates in the
SVG's user units; the template writes the labels (translated, localized).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta


def to_epoch(value) -> float:
    """Seconds since 1970 (UTC) from a datetime, NumPy datetime64, pandas Timestamp or number."""
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.timestamp()
    if hasattr(value, "timestamp") and callable(value.timestamp):  # pandas.Timestamp
        return float(value.timestamp())
    if hasattr(value, "astype") and "datetime64" in str(getattr(value, "dtype", "")):
        return float(value.astype("datetime64[ms]").astype("int64")) / 1000.0
    return float(value)


def from_epoch(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, tz=UTC)


def _finite(v) -> bool:
    try:
        return v is not None and math.isfinite(float(v))
    except (TypeError, ValueError):
        return False


def downsample(times: Sequence[float], values: Sequence[float], buckets: int) -> list[tuple[float, float | None]]:
    """At most ``buckets`` points: the series cut into equal time spans, each given the
    mean of its finite values at the span's middle (None where it has none, so that a
    gap stays a gap). Short series are returned as they are."""
    pts = [(float(t), float(v) if _finite(v) else None) for t, v in zip(times, values, strict=False)]
    if len(pts) <= buckets or buckets < 1:
        return pts
    t0, t1 = pts[0][0], pts[-1][0]
    span = (t1 - t0) / buckets or 1.0
    sums = [0.0] * buckets
    counts = [0] * buckets
    seen = [False] * buckets
    for t, v in pts:
        i = min(int((t - t0) / span), buckets - 1)
        seen[i] = True
        if v is not None:
            sums[i] += v
            counts[i] += 1
    return [
        (t0 + (i + 0.5) * span, sums[i] / counts[i] if counts[i] else None)
        for i in range(buckets)
        if seen[i]
    ]


def nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Round tick values covering [low, high] (1, 2, 5 × 10^k steps)."""
    if not (math.isfinite(low) and math.isfinite(high)) or high <= low:
        return [low] if math.isfinite(low) else [0.0]
    raw = (high - low) / max(count, 1)
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 5, 10) if m * mag >= raw)
    start = math.floor(low / step) * step
    ticks = []
    v = start
    while v <= high + step * 1e-9:
        ticks.append(round(v, 10))
        v += step
    return ticks


def time_ticks(start: float, end: float, count: int = 6) -> list[float]:
    """Tick instants at whole hours or days (UTC) between start and end."""
    span = end - start
    steps = [3600 * h for h in (1, 2, 3, 6, 12)] + [86400 * d for d in (1, 2, 7, 14, 30, 61, 91, 182, 365)]
    step = next((s for s in steps if span / s <= count), steps[-1])
    first = math.ceil(start / step) * step
    return [float(t) for t in range(int(first), int(end) + 1, int(step))]


@dataclass
class LineChart:
    width: int
    height: int
    left: int
    top: int
    plot_width: int
    plot_height: int
    paths: list[str] = field(default_factory=list)  # one "M…L…" per unbroken run
    windows: list[tuple[float, float]] = field(default_factory=list)  # (x, width) of each alert window
    x_ticks: list[tuple[float, datetime]] = field(default_factory=list)
    y_ticks: list[tuple[float, float]] = field(default_factory=list)
    start: datetime | None = None
    end: datetime | None = None
    empty: bool = True

    @property
    def span_seconds(self) -> float:
        return (self.end - self.start).total_seconds() if self.start and self.end else 0.0

    @property
    def bottom(self) -> int:
        return self.top + self.plot_height

    @property
    def right(self) -> int:
        return self.left + self.plot_width


def line_chart(
    points: Sequence[tuple[float, float | None]],
    windows: Sequence[tuple[float, float]],
    start: float,
    end: float,
    *,
    width: int = 720,
    height: int = 240,
) -> LineChart:
    """Lay out a line over [start, end] (epoch seconds) with ``windows`` shaded."""
    left, top, right_pad, bottom_pad = 64, 24, 16, 44
    chart = LineChart(width, height, left, top, width - left - right_pad, height - top - bottom_pad,
                      start=from_epoch(start), end=from_epoch(end))
    end = max(end, start + 1)
    values = [v for _t, v in points if v is not None]
    top_value = max(values) if values else 1.0
    y_ticks = nice_ticks(0.0, top_value if top_value > 0 else 1.0, 4)
    y_max = max(y_ticks[-1], top_value) or 1.0

    def x(t: float) -> float:
        return round(left + (t - start) / (end - start) * chart.plot_width, 1)

    def y(v: float) -> float:
        return round(top + chart.plot_height - v / y_max * chart.plot_height, 1)

    run: list[str] = []
    for t, v in points:
        if v is None or t < start or t > end:
            if len(run) > 1:
                chart.paths.append("M" + "L".join(run))
            run = []
            continue
        run.append(f"{x(t)} {y(v)}")
    if len(run) > 1:
        chart.paths.append("M" + "L".join(run))
    elif len(run) == 1:  # a lone point: a dot-sized stroke so it still shows
        chart.paths.append(f"M{run[0]}h1")
    for ws, we in windows:
        a, b = max(ws, start), min(we, end)
        if b > a:
            chart.windows.append((x(a), round(x(b) - x(a), 1) or 1.0))
    chart.x_ticks = [(x(t), from_epoch(t)) for t in time_ticks(start, end)]
    chart.y_ticks = [(y(v), v) for v in y_ticks]
    chart.empty = not values
    return chart


@dataclass
class Bar:
    label: str
    value: int
    x: float
    y: float
    width: float
    height: float
    url: str = ""

    @property
    def center(self) -> float:
        return round(self.x + self.width / 2, 1)


@dataclass
class BarChart:
    width: int
    height: int
    bars: list[Bar]
    baseline: float


def bar_chart(items: Sequence[tuple[str, int]], *, width: int = 640, height: int = 200) -> BarChart:
    """Vertical bars for (label, count) pairs, labels below, counts written above."""
    top, bottom = 22, 28
    plot = height - top - bottom
    n = max(len(items), 1)
    slot = width / n
    most = max((v for _l, v in items), default=0) or 1
    bars = []
    for i, (label, value) in enumerate(items):
        h = round(value / most * plot, 1)
        bars.append(Bar(label, value, round(i * slot + slot * 0.15, 1), round(top + plot - h, 1), round(slot * 0.7, 1), h))
    return BarChart(width, height, bars, top + plot)


def span_around(starts: datetime, ends: datetime | None, now: datetime) -> tuple[datetime, datetime]:
    """The time an event's chart covers: from a day before it (two for long events) to
    a day after it ends, or to now while it goes on."""
    end = ends or now
    length = end - starts
    before = timedelta(days=2) if length > timedelta(days=2) else timedelta(days=1)
    return starts - before, min(end + timedelta(days=1), max(now, end))
