"""The chapter rules as plain computation, without Django: the minimum standards that
decide good standing, the annual-report deadline, and whether two communities overlap.

``services`` gathers the facts from the database and asks these functions; tests can ask
them directly (hypothesis explores them in ``tests/chapters/test_rules.py``).
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum


class State(StrEnum):
    """A chapter's (or standing group's) life-cycle state; the code branches on these."""

    IN_FORMATION = "in-formation"
    CHARTERED = "chartered"
    NOT_IN_GOOD_STANDING = "not-in-good-standing"
    REJUVENATION = "rejuvenation"
    DECHARTERED = "de-chartered"


class Role(StrEnum):
    CHAIR = "chair"
    SECRETARY = "secretary"
    TREASURER = "treasurer"
    VOTING_DELEGATE = "voting-delegate"
    CAC_DELEGATE = "cac-delegate"


class Failure(StrEnum):
    """Why a chapter is not in good standing: the rule that fails."""

    NOT_CHARTERED = "not-chartered"
    TOO_FEW_MEMBERS = "too-few-members"
    MISSING_OFFICER = "missing-officer"
    MISSING_ANNUAL_REPORT = "missing-annual-report"


# Which state may follow which, and by which service (see services.py).
TRANSITIONS: dict[State, frozenset[State]] = {
    State.IN_FORMATION: frozenset({State.CHARTERED, State.DECHARTERED}),
    State.CHARTERED: frozenset({State.NOT_IN_GOOD_STANDING, State.DECHARTERED}),
    State.NOT_IN_GOOD_STANDING: frozenset({State.CHARTERED, State.REJUVENATION, State.DECHARTERED}),
    State.REJUVENATION: frozenset({State.CHARTERED, State.DECHARTERED}),
    State.DECHARTERED: frozenset(),  # only an appeal brings a chapter back
}


@dataclass(frozen=True)
class Standards:
    """The minimum standards in force (staff set them as a dated row)."""

    charter_min_members: int = 25
    min_members: int = 25
    required_roles: tuple[str, ...] = (Role.CHAIR, Role.SECRETARY, Role.TREASURER)
    cure_months: int = 3
    rejuvenation_months: int = 12
    report_due_month: int = 3
    report_due_day: int = 31


@dataclass(frozen=True)
class Facts:
    """What the standards look at, for one chapter at one instant."""

    state: State
    isoc_members: int
    roles_held: frozenset[str]
    chartered_on: date | None  # the first day of its current charter
    report_years: frozenset[int] = field(default_factory=frozenset)  # years with a report filed by then


@dataclass(frozen=True)
class Standing:
    good: bool
    failures: tuple[tuple[Failure, str], ...]  # (rule, detail)

    @property
    def first(self) -> Failure | None:
        return self.failures[0][0] if self.failures else None


def report_deadline(year: int, standards: Standards) -> date:
    """The last day to file the annual report of ``year`` (in the following year)."""
    last = calendar.monthrange(year + 1, standards.report_due_month)[1]
    return date(year + 1, standards.report_due_month, min(standards.report_due_day, last))


def report_owed(on: date, chartered_on: date | None, standards: Standards) -> int | None:
    """The latest year whose report deadline has passed by ``on`` and that the chapter
    owes (it was chartered before that year ended); None when it owes none yet."""
    year = on.year - 1 if on > report_deadline(on.year - 1, standards) else on.year - 2
    if chartered_on is None or chartered_on > date(year, 12, 31):
        return None
    return year


def standing(facts: Facts, on: date, standards: Standards) -> Standing:
    """Good standing from the standards, naming every rule that fails, in a fixed order."""
    failures: list[tuple[Failure, str]] = []
    if facts.state != State.CHARTERED:
        failures.append((Failure.NOT_CHARTERED, facts.state.value))
    if facts.isoc_members < standards.min_members:
        failures.append((Failure.TOO_FEW_MEMBERS, f"{facts.isoc_members}/{standards.min_members}"))
    missing = [r for r in standards.required_roles if r not in facts.roles_held]
    if missing:
        failures.append((Failure.MISSING_OFFICER, ",".join(missing)))
    owed = report_owed(on, facts.chartered_on, standards)
    if owed is not None and owed not in facts.report_years:
        failures.append((Failure.MISSING_ANNUAL_REPORT, str(owed)))
    return Standing(not failures, tuple(failures))


def add_months(at: datetime, months: int) -> datetime:
    """``at`` plus whole calendar months, clamped to the month's last day (Jan 31 + 1 = Feb 28/29)."""
    month0 = at.month - 1 + months
    year, month = at.year + month0 // 12, month0 % 12 + 1
    return at.replace(year=year, month=month, day=min(at.day, calendar.monthrange(year, month)[1]))


# --- communities -----------------------------------------------------------------------

WHOLE = "*"


def areas(country: str | None, subdivision: str, extra_countries: Iterable[str]) -> frozenset[tuple[str, str]]:
    """The (country, subdivision) areas a chapter serves; ``WHOLE`` for a whole country.
    A global group (no country at all) serves no area: it never overlaps a chapter."""
    out = set()
    if country:
        out.add((country.upper(), subdivision.upper() or WHOLE))
    for cc in extra_countries:
        if cc and cc.upper() != (country or "").upper():
            out.add((cc.upper(), WHOLE))
    return frozenset(out)


def overlaps(a: frozenset[tuple[str, str]], b: frozenset[tuple[str, str]]) -> bool:
    """Two communities overlap when they share a country and either serves all of it or
    both serve the same subdivision."""
    return any(ca == cb and (sa == WHOLE or sb == WHOLE or sa == sb) for ca, sa in a for cb, sb in b)
