"""Gapless document numbers (no Django import): format and parse ``INV-2026-000042``."""

from __future__ import annotations

import re

_PATTERN = re.compile(r"^(?P<series>[A-Z]{2,4})-(?P<year>\d{4})-(?P<seq>\d{6,})$")


def format_number(series: str, year: int, seq: int) -> str:
    if seq < 1:
        raise ValueError("sequence numbers start at 1")
    return f"{series}-{year:04d}-{seq:06d}"


def parse_number(number: str) -> tuple[str, int, int]:
    """Split a document number; ValueError with the offending text if malformed."""
    match = _PATTERN.match(number)
    if not match:
        raise ValueError(f"not a document number: {number!r}")
    return match["series"], int(match["year"]), int(match["seq"])
