"""Layout of the adoption trend charts (percent over time, several labelled series), drawn
as SVG by the templates so they show without JavaScript. No Django import."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from isoc.shutdowns.timechart import from_epoch, time_ticks, to_epoch

#: Line styles per kind of series, so "our measurement" and each source look different in
#: colour and in dash (readable without colour).
STYLES = {"ours": ("#0b5cad", ""), "apnic": ("#b3470b", "6 4"), "google": ("#2e7d32", "2 3"), "other": ("#5d4b8a", "8 3 2 3")}


@dataclass
class Series:
    label: str
    kind: str  # "ours", "apnic", "google", "other"
    points: list[tuple[datetime, float]]
    colour: str = ""
    dash: str = ""
    path: str = ""
    dots: list[tuple[float, float, datetime, float]] = field(default_factory=list)


@dataclass
class TrendChart:
    width: int
    height: int
    left: int
    top: int
    plot_width: int
    plot_height: int
    series: list[Series]
    x_ticks: list[tuple[float, datetime]] = field(default_factory=list)
    y_ticks: list[tuple[float, int]] = field(default_factory=list)
    span_seconds: float = 0.0

    @property
    def bottom(self) -> int:
        return self.top + self.plot_height

    @property
    def right(self) -> int:
        return self.left + self.plot_width

    @property
    def empty(self) -> bool:
        return not any(s.points for s in self.series)


def trend_chart(series: list[Series], *, width: int = 640, height: int = 220) -> TrendChart:
    """Lay out percentage series (0–100) over their common time span."""
    left, top, right_pad, bottom_pad = 44, 12, 16, 36
    chart = TrendChart(width, height, left, top, width - left - right_pad, height - top - bottom_pad, series)
    times = [to_epoch(t) for s in series for t, _v in s.points]
    if not times:
        return chart
    start, end = min(times), max(times)
    if end - start < 86400:  # one day or a single scan: centre it in a week
        start, end = start - 3 * 86400, end + 3 * 86400
    chart.span_seconds = end - start

    def x(t: datetime) -> float:
        return round(left + (to_epoch(t) - start) / (end - start) * chart.plot_width, 1)

    def y(v: float) -> float:
        return round(top + chart.plot_height - v / 100.0 * chart.plot_height, 1)

    for s in series:
        s.colour, s.dash = STYLES.get(s.kind, STYLES["other"])
        pts = sorted(s.points)
        s.dots = [(x(t), y(v), t, v) for t, v in pts]
        if len(pts) > 1:
            s.path = "M" + "L".join(f"{px} {py}" for px, py, _t, _v in s.dots)
    chart.x_ticks = [(x(from_epoch(t)), from_epoch(t)) for t in time_ticks(start, end, 5)]
    chart.y_ticks = [(y(v), v) for v in (0, 25, 50, 75, 100)]
    return chart
