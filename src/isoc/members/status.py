"""Membership status, computed from dated facts (no Django import).

A membership's status is never typed in: it follows from its paid or free terms, its
cancellation, and the instant asked about. Staff, the lapse job, the electorate for the
trustee seat and the directory all call this one function, so they cannot disagree.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime


class Category(enum.StrEnum):
    """Individual membership categories. The code branches on these, so they are an enum."""

    GLOBAL = "global"
    SUSTAINING = "sustaining"


class Status(enum.StrEnum):
    PENDING = "pending"  # joined, awaiting the first payment
    ACTIVE = "active"
    LAPSED = "lapsed"  # the last paid term ended and nothing followed
    CANCELLED = "cancelled"


@dataclass(frozen=True)
class TermFacts:
    """One term as the status rule sees it. ``starts_at`` is None while the term awaits
    payment; ``ends_at`` is None for an open-ended (free, global) term."""

    category: str
    starts_at: datetime | None
    ends_at: datetime | None

    def covers(self, at: datetime) -> bool:
        return (
            self.starts_at is not None
            and self.starts_at <= at
            and (self.ends_at is None or at < self.ends_at)
        )


@dataclass(frozen=True)
class Standing:
    """The answer to "what was this membership at instant t"."""

    status: Status
    category: str | None  # the category in force (None when not active)
    term: TermFacts | None  # the term in force, if any


def standing_at(
    terms: Iterable[TermFacts],
    at: datetime,
    *,
    created_at: datetime,
    cancelled_at: datetime | None,
) -> Standing | None:
    """The status of one membership at ``at``; None if it did not exist yet."""
    if at < created_at:
        return None
    if cancelled_at is not None and at >= cancelled_at:
        return Standing(Status.CANCELLED, None, None)
    started = [t for t in terms if t.starts_at is not None and t.starts_at <= at]
    for term in started:
        if term.covers(at):
            return Standing(Status.ACTIVE, term.category, term)
    if not started:
        return Standing(Status.PENDING, None, None)
    return Standing(Status.LAPSED, None, None)


def paid_through(terms: Iterable[TermFacts]) -> datetime | None:
    """The end of the latest dated term (None if nothing is dated, or it is open-ended)."""
    dated = [t for t in terms if t.starts_at is not None]
    if not dated:
        return None
    if any(t.ends_at is None for t in dated):
        return None
    return max(t.ends_at for t in dated if t.ends_at is not None)
