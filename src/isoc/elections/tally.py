"""Counting the votes of a Board of Trustees election (no Django import).

The input is exactly the published ballots file (``/elections/<slug>/ballots.json``,
``GET /api/v1/elections/{slug}/ballots``), so anyone can re-run the count with
``isoc elections tally BALLOTS.json`` and get the site's result::

    {"format": "isoc-ballots/1", "election": "bot-2026", "method": "plurality",
     "contests": [{"electorate": "chapters", "seats": 2,
                   "candidates": ["12", "15", "19"],
                   "tiebreak": ["15", "12", "19"],
                   "ballots": [{"receipt": "K7Q2-…", "weight": 1, "choices": ["12", "19"]}]}]}

Each contest (one electorate's open seats) is counted on its own. ``weight`` is the
voting unit's weight frozen at the cut-off (1 for a chapter or a sustaining member,
the tier's weight for an organization member); a ballot of weight *w* counts exactly as
*w* identical ballots.

Methods
-------
``plurality``
    Each valid ballot names at most ``seats`` distinct candidates, unordered, and gives
    each its weight. The ``seats`` candidates with the most votes are elected.
``irv``
    Instant-runoff for a single seat: ballots rank candidates; in each round every
    ballot counts for its highest-ranked continuing candidate; a candidate with more than
    half of the votes still in play is elected; otherwise the candidate with the fewest
    votes is excluded. A contest with more than one seat cannot use IRV (use STV).
``stv``
    **Scottish STV**: the rules of the Scottish Local Government Elections Order 2007
    (SSI 2007/42, rules 45–52) — Droop quota ``floor(valid votes / (seats + 1)) + 1``;
    surpluses transferred by the *weighted inclusive Gregory* method (every ballot of
    the elected candidate moves at ``value × surplus / total``, **truncated to five
    decimal places**); the largest surplus first; when no surplus remains, the
    candidate with the fewest votes is excluded and all their ballots move at their
    current values in one stage; when the continuing candidates are no more than the
    seats left, they are all elected. Ballots with no further continuing preference
    are non-transferable.

Invalid ballots
    A ballot naming an unknown candidate, the same candidate twice, or (plurality) more
    candidates than seats, or nothing at all, is invalid: counted in ``invalid``, not
    in any total. The site never stores such a ballot; the rule matters for files
    edited by hand.

Ties
    *Backwards tie-break*: between candidates with equal votes, the one who had more
    (for exclusion: fewer) votes at the most recent earlier stage where they differed
    wins (is excluded) — as the Scottish rules say. Where that does not separate them
    (always, for plurality), the contest's published ``tiebreak`` order decides, the
    candidate earlier in the list winning (and the later one being excluded). That
    order is drawn before the count: by default candidates sorted by
    ``sha256("<election>:<electorate>:<candidate>")``, which anyone can recompute
    (``default_tiebreak``); staff may publish a lot drawn in public instead.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any

FORMAT = "isoc-ballots/1"
METHODS = ("plurality", "irv", "stv")
STV_PLACES = 100_000  # five decimal places


class TallyError(ValueError):
    """The ballots file cannot be counted (not a ballots file, unknown method…)."""


@dataclass(frozen=True)
class Ballot:
    choices: tuple[str, ...]
    weight: int = 1
    receipt: str = ""


@dataclass
class Round:
    counts: dict[str, Fraction]
    elected: list[str] = field(default_factory=list)
    excluded: list[str] = field(default_factory=list)
    transferred_from: str | None = None
    non_transferable: Fraction = Fraction(0)


@dataclass
class ContestResult:
    electorate: str
    seats: int
    method: str
    ballots: int  # valid ballots
    invalid: int
    weight: int  # total weight of the valid ballots
    counts: dict[str, Fraction]  # plurality totals, or first preferences
    elected: list[str]
    rounds: list[Round]
    quota: Fraction | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "electorate": self.electorate,
            "seats": self.seats,
            "method": self.method,
            "ballots": self.ballots,
            "invalid": self.invalid,
            "weight": self.weight,
            "quota": _num(self.quota) if self.quota is not None else None,
            "counts": {c: _num(v) for c, v in self.counts.items()},
            "elected": list(self.elected),
            "rounds": [
                {
                    "counts": {c: _num(v) for c, v in r.counts.items()},
                    "elected": r.elected,
                    "excluded": r.excluded,
                    "transferred_from": r.transferred_from,
                    "non_transferable": _num(r.non_transferable),
                }
                for r in self.rounds
            ],
        }


def _num(value: Fraction) -> int | str:
    """Integers as JSON numbers; fractions (STV transfers) as exact decimal strings."""
    if value.denominator == 1:
        return value.numerator
    scaled = value * STV_PLACES
    if scaled.denominator != 1:  # not reachable with truncated transfer values
        return str(float(value))
    whole, rest = divmod(scaled.numerator, STV_PLACES)
    return f"{whole}.{rest:05d}"


def default_tiebreak(election: str, electorate: str, candidates: Iterable[str]) -> list[str]:
    """The default lot: candidates ordered by sha256 of ``election:electorate:candidate``."""
    return sorted(candidates, key=lambda c: hashlib.sha256(f"{election}:{electorate}:{c}".encode()).hexdigest())


def _valid(ballot: Ballot, candidates: set[str], limit: int | None) -> bool:
    choices = ballot.choices
    return (
        bool(choices)
        and len(set(choices)) == len(choices)
        and all(c in candidates for c in choices)
        and (limit is None or len(choices) <= limit)
        and isinstance(ballot.weight, int)
        and ballot.weight > 0
    )


def _order(tiebreak: Sequence[str]):
    index = {c: i for i, c in enumerate(tiebreak)}
    return lambda c: index.get(c, len(index))


def plurality(candidates: Sequence[str], seats: int, ballots: Iterable[Ballot], tiebreak: Sequence[str]) -> ContestResult:
    """Plurality (multiple non-transferable votes), weighted."""
    known = set(candidates)
    counts = {c: Fraction(0) for c in candidates}
    valid = invalid = weight = 0
    for ballot in ballots:
        if not _valid(ballot, known, seats):
            invalid += 1
            continue
        valid += 1
        weight += ballot.weight
        for c in ballot.choices:
            counts[c] += ballot.weight
    rank = _order(tiebreak)
    elected = sorted(candidates, key=lambda c: (-counts[c], rank(c)))[:seats]
    return ContestResult("", seats, "plurality", valid, invalid, weight, counts, elected,
                         [Round(dict(counts), elected=list(elected))])


class _Piles:
    """Ballots as (value, preferences, position) parcels, piled on continuing candidates."""

    def __init__(self, candidates: Sequence[str], ballots: list[Ballot]):
        self.piles: dict[str, list[tuple[Fraction, tuple[str, ...], int]]] = {c: [] for c in candidates}
        self.non_transferable = Fraction(0)
        for b in ballots:
            self.place(Fraction(b.weight), b.choices, 0, set(candidates))

    def place(self, value: Fraction, prefs: tuple[str, ...], start: int, continuing: set[str]) -> None:
        for i in range(start, len(prefs)):
            if prefs[i] in continuing:
                self.piles[prefs[i]].append((value, prefs, i))
                return
        self.non_transferable += value

    def total(self, c: str) -> Fraction:
        return sum((v for v, _, _ in self.piles[c]), Fraction(0))


def _backwards(history: list[dict[str, Fraction]], tied: list[str], prefer_fewer: bool, rank) -> str:
    """Separate tied candidates by the latest earlier stage where they differed, then by lot.
    Returns the one picked: the fewest votes (exclusion) or the most (surplus order)."""
    pool = list(tied)
    for counts in reversed(history):
        values = {c: counts.get(c, Fraction(0)) for c in pool}
        best = min(values.values()) if prefer_fewer else max(values.values())
        pool = [c for c in pool if values[c] == best]
        if len(pool) == 1:
            return pool[0]
    # Lot: the later in the tiebreak order is excluded; the earlier goes first otherwise.
    return max(pool, key=rank) if prefer_fewer else min(pool, key=rank)


def stv(candidates: Sequence[str], seats: int, ballots: Iterable[Ballot], tiebreak: Sequence[str],
        *, method: str = "stv") -> ContestResult:
    """Scottish STV (see the module docstring); with ``method='irv'`` and one seat, IRV."""
    known = set(candidates)
    valid_ballots, invalid = [], 0
    for b in ballots:
        if _valid(b, known, None):
            valid_ballots.append(b)
        else:
            invalid += 1
    weight = sum(b.weight for b in valid_ballots)
    rank = _order(tiebreak)
    piles = _Piles(candidates, valid_ballots)
    continuing = set(candidates)
    elected: list[str] = []
    pending_surplus: list[str] = []
    rounds: list[Round] = []
    history: list[dict[str, Fraction]] = []
    first = {c: piles.total(c) for c in candidates}
    quota = Fraction(math.floor(Fraction(weight, seats + 1)) + 1) if method == "stv" else None

    def snapshot(**facts) -> None:
        counts = {c: piles.total(c) for c in candidates}
        rounds.append(Round(counts, non_transferable=piles.non_transferable, **facts))
        history.append(counts)

    snapshot()
    while len(elected) < seats:
        if len(continuing) <= seats - len(elected):
            newly = sorted(continuing, key=lambda c: (-piles.total(c), rank(c)))
            elected += newly
            continuing.clear()
            rounds[-1].elected += newly
            break
        if method == "irv":
            in_play = sum((piles.total(c) for c in continuing), Fraction(0))
            leaders = [c for c in continuing if piles.total(c) * 2 > in_play]
            if leaders:
                elected += leaders
                rounds[-1].elected += leaders
                break
        else:
            reached = [c for c in continuing if piles.total(c) >= quota]
            if reached:
                reached.sort(key=lambda c: (-piles.total(c), rank(c)))
                for c in reached:
                    continuing.discard(c)
                elected += reached
                pending_surplus += reached
                rounds[-1].elected += reached
                if len(elected) >= seats:
                    break
            surpluses = [c for c in pending_surplus if piles.total(c) > quota]
            if surpluses:
                top = max(piles.total(c) for c in surpluses)
                tied = [c for c in surpluses if piles.total(c) == top]
                chosen = tied[0] if len(tied) == 1 else _backwards(history[:-1], tied, False, rank)
                pending_surplus.remove(chosen)
                total = piles.total(chosen)
                surplus = total - quota
                parcels, piles.piles[chosen] = piles.piles[chosen], []
                for value, prefs, pos in parcels:
                    moved = Fraction(math.floor(value * surplus * STV_PLACES / total), STV_PLACES)
                    piles.place(moved, prefs, pos + 1, continuing)
                # The elected candidate keeps exactly the quota (what was truncated away is lost).
                piles.piles[chosen] = [(quota, (chosen,), 0)]
                snapshot(transferred_from=chosen)
                continue
            pending_surplus = [c for c in pending_surplus if piles.total(c) > quota]
        low = min(piles.total(c) for c in continuing)
        tied = [c for c in continuing if piles.total(c) == low]
        out = tied[0] if len(tied) == 1 else _backwards(history[:-1], tied, True, rank)
        continuing.discard(out)
        parcels, piles.piles[out] = piles.piles[out], []
        for value, prefs, pos in parcels:
            piles.place(value, prefs, pos + 1, continuing)
        snapshot(excluded=[out], transferred_from=out)
    return ContestResult("", seats, method, len(valid_ballots), invalid, weight, first, elected, rounds, quota)


def count_contest(contest: dict[str, Any], *, method: str, election: str = "") -> ContestResult:
    """Count one contest of a ballots file."""
    try:
        electorate = str(contest["electorate"])
        seats = int(contest["seats"])
        candidates = [str(c) for c in contest["candidates"]]
        raw = contest["ballots"]
    except (KeyError, TypeError, ValueError) as exc:
        raise TallyError(f"contest is missing {exc}") from exc
    if seats < 1:
        raise TallyError(f"contest {electorate}: seats must be at least 1")
    if len(set(candidates)) != len(candidates):
        raise TallyError(f"contest {electorate}: a candidate is listed twice")
    tiebreak = [str(c) for c in contest.get("tiebreak") or default_tiebreak(election, electorate, candidates)]
    if sorted(tiebreak) != sorted(candidates):
        raise TallyError(f"contest {electorate}: the tiebreak order must list every candidate once")
    ballots = []
    for i, b in enumerate(raw):
        try:
            weight = b.get("weight", 1)
            ballots.append(Ballot(tuple(str(c) for c in b["choices"]), weight if isinstance(weight, int) else 0,
                                  str(b.get("receipt", ""))))
        except (KeyError, TypeError, AttributeError) as exc:
            raise TallyError(f"contest {electorate}: ballot {i} is malformed ({exc})") from exc
    if method == "plurality":
        result = plurality(candidates, seats, ballots, tiebreak)
    elif method == "irv":
        if seats != 1:
            raise TallyError(f"contest {electorate}: IRV fills one seat; {seats} are open (use stv)")
        result = stv(candidates, 1, ballots, tiebreak, method="irv")
    elif method == "stv":
        result = stv(candidates, seats, ballots, tiebreak)
    else:
        raise TallyError(f"unknown method {method!r} (one of {', '.join(METHODS)})")
    result.electorate = electorate
    return result


def tally(data: dict[str, Any]) -> dict[str, Any]:
    """Count a whole ballots file; returns the results as JSON-ready data."""
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise TallyError(f"not a ballots file (expected \"format\": \"{FORMAT}\")")
    method = data.get("method", "plurality")
    election = str(data.get("election", ""))
    contests = data.get("contests")
    if not isinstance(contests, list):
        raise TallyError("\"contests\" must be a list")
    return {
        "format": "isoc-results/1",
        "election": election,
        "method": method,
        "contests": [count_contest(c, method=method, election=election).as_json() for c in contests],
    }


def tally_file(path: str | Path) -> dict[str, Any]:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise TallyError(f"{path}: not JSON (line {exc.lineno}: {exc.msg})") from exc
    return tally(data)
