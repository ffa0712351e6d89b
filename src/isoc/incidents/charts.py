"""Geometry of the report's charts, drawn as SVG by the templates (server-side, so the
pages and the PDF need no JavaScript). No Django import.

Vertical bars come from ``isoc.shutdowns.timechart.bar_chart``; this adds horizontal
bars, for categories with long names (sectors, action types)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from isoc.shutdowns.timechart import BarChart, bar_chart

__all__ = ["BarChart", "HBar", "HBarChart", "bar_chart", "hbar_chart"]


@dataclass
class HBar:
    label: str
    value: float
    y: float
    width: float
    text: str  # the value as written beside the bar


@dataclass
class HBarChart:
    width: int
    height: int
    label_width: int
    bar_height: float
    bars: list[HBar]


def hbar_chart(items: Sequence[tuple[str, float, str]], *, width: int = 640, label_width: int = 250,
               row: int = 26) -> HBarChart:
    """Horizontal bars for (label, value, value as text), one row each, top down; the
    longest bar spans what the label and the value text leave of ``width``."""
    plot = width - label_width - 70
    most = max((v for _l, v, _t in items), default=0) or 1
    bars = [HBar(label, value, 6 + i * row, round(max(value, 0) / most * plot, 1), text)
            for i, (label, value, text) in enumerate(items)]
    return HBarChart(width, 12 + row * max(len(items), 1), label_width, row - 8, bars)
