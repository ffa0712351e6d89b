"""Shutdown records from several sources, and the rule that says when two of them are
the same real-world event. Pure: no Django import.

A *record* is one source's row (a KeepItOn STOP row, an IODA investigated outage), already
mapped to Pulse's vocabulary. The importers turn records into events; this module decides
which existing event, if any, a record belongs to. The rule (also in the README,
"Shutdowns: sources and matching"):

* Only records of *different* datasets are compared (see ``matches`` for the two kinds
  of dataset): two rows of an event-level dataset are two events, never merged.
* Same country (ISO alpha-2).
* Time: the two intervals overlap, or the gap between them is at most ``TOLERANCE`` (1 day).
  KeepItOn gives dates only, in local time; IODA gives UTC minutes. A day on each side
  absorbs the time zone and the date rounding. An unknown end counts as the start
  only (conservative: an open KeepItOn row must not absorb years of IODA windows).
* Area compatible: either side national, or either area unknown, or the two area names
  share a word (accents and case ignored, words of 4+ letters).
* A record whose own source says the outage was *not* deliberate (a cable cut, a power
  outage) is never matched: it stays its own, rejected, event, so that a source's
  disagreement is visible to staff rather than folded into a shutdown.
* Among several matches the best is the one with the greater overlap, then the closer
  start, then the lower key: deterministic for a given database.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime, timedelta

TOLERANCE = timedelta(days=1)


@dataclass(frozen=True)
class SourceRecord:
    """One source's account of one event, in Pulse's terms (model field names)."""

    external_id: str
    country: str
    starts_at: datetime
    ends_at: datetime | None
    scope: str = "national"
    area: str = ""
    shutdown_type: str = "full"
    services: str = ""
    reason: str = "unknown"
    reason_detail: str = ""
    description: str = ""
    meets_deliberate: bool = False
    meets_removes_access: bool = False
    meets_affects_group: bool = False
    # The source itself says this is not a shutdown (e.g. IODA cause "Cable-Cut").
    not_a_shutdown: bool = False
    url: str = ""
    raw: dict = field(default_factory=dict, compare=False)

    @property
    def year(self) -> int:
        return self.starts_at.year

    def event_fields(self) -> dict:
        """The ShutdownEvent fields this record sets when it creates an event."""
        return {
            "area": self.area[:300], "scope": self.scope, "shutdown_type": self.shutdown_type,
            "services": self.services[:300], "starts_at": self.starts_at, "ends_at": self.ends_at,
            "description": self.description, "reason": self.reason, "reason_detail": self.reason_detail[:500],
            "meets_deliberate": self.meets_deliberate, "meets_removes_access": self.meets_removes_access,
            "meets_affects_group": self.meets_affects_group,
        }


@dataclass(frozen=True)
class Candidate:
    """An event already stored, with the datasets whose records it holds."""

    event_id: int
    datasets: frozenset[str]
    country: str
    starts_at: datetime
    ends_at: datetime | None
    scope: str
    area: str
    not_a_shutdown: bool = False


_WORD = re.compile(r"[a-z]{4,}")
_STOP = {"state", "district", "region", "province", "city", "county", "national", "nationwide",
         "entire", "country", "parts", "several", "other", "areas", "and", "with", "the"}


def _words(area: str) -> set[str]:
    plain = unicodedata.normalize("NFKD", area).encode("ascii", "ignore").decode().lower()
    return set(_WORD.findall(plain)) - _STOP


def areas_compatible(scope_a: str, area_a: str, scope_b: str, area_b: str) -> bool:
    if scope_a == "national" or scope_b == "national":
        return True
    wa, wb = _words(area_a), _words(area_b)
    if not wa or not wb:
        return True
    return bool(wa & wb)


def _interval(start: datetime, end: datetime | None) -> tuple[datetime, datetime]:
    if end is None:
        # An unknown end must not swallow everything after the start: count the start only.
        return start, start
    return start, max(start, end)


def overlap(a_start, a_end, b_start, b_end, tolerance: timedelta = TOLERANCE) -> timedelta | None:
    """How much two intervals overlap (negative: the gap between them); None when the
    gap is wider than ``tolerance``."""
    a0, a1 = _interval(a_start, a_end)
    b0, b1 = _interval(b_start, b_end)
    ov = min(a1, b1) - max(a0, b0)
    return ov if ov >= -tolerance else None


def matches(record: SourceRecord, candidates: list[Candidate], dataset: str, *, event_level: bool) -> list[Candidate]:
    """The events that are the same real-world event as ``record`` (a record of
    ``dataset``), best first.

    An event is a candidate only if it holds a record of another dataset. For an
    *event-level* dataset (one row per shutdown, as KeepItOn) an event that already holds
    one of its rows is not a candidate either: two of its rows are two shutdowns. A
    *window-level* dataset (one row per observed outage window, as IODA) may put several
    rows on one event: a week of nightly curfews is one KeepItOn shutdown and seven IODA
    windows.
    """
    if record.not_a_shutdown:
        return []
    found = []
    for c in candidates:
        if c.not_a_shutdown or c.country != record.country or not (c.datasets - {dataset}):
            continue
        if event_level and dataset in c.datasets:
            continue
        ov = overlap(record.starts_at, record.ends_at, c.starts_at, c.ends_at)
        if ov is None or not areas_compatible(record.scope, record.area, c.scope, c.area):
            continue
        found.append((ov, c))
    found.sort(key=lambda p: (-p[0], abs(p[1].starts_at - record.starts_at), p[1].event_id))
    return [c for _, c in found]


# --- countries -------------------------------------------------------------------------

# Names used by KeepItOn and IODA that pycountry does not resolve (or resolves wrongly).
COUNTRY_ALIASES = {
    "democraticrepubliccongo": "CD", "democratic republic of the congo": "CD",
    "democratic republic of (drc)": "CD", "congo": "CG", "srilanka": "LK", "russia": "RU",
    "syria": "SY", "iran": "IR", "iran (islamic republic of)": "IR",
    "venezuela (bolivarian republic of)": "VE", "north korea": "KP", "south korea": "KR", "vietnam": "VN",
    "laos": "LA", "myanmar/burma": "MM", "burma": "MM", "ivory coast (cote d'ivoire)": "CI",
    "cote d'ivoire": "CI", "côte d'ivoire": "CI", "kyrgyz republic (kyrgyzstan)": "KG",
    "macedonia": "MK", "swaziland": "SZ", "great britain": "GB", "united kingdom": "GB",
    "united states of america (usa)": "US", "palestine": "PS", "palestinian territories": "PS",
    "palestine, state of": "PS", "cape verde": "CV", "turkey": "TR", "timor leste": "TL",
    "federated states of micronesia": "FM", "bonaire/sint eustatius/saba": "BQ",
    "bonaire, sint eustatius and saba": "BQ", "saint martin": "MF", "curacao": "CW",
    "reunion": "RE", "bosnia & herzegovina": "BA", "antigua & barbuda": "AG",
    "venezuela": "VE", "bolivia": "BO", "tanzania": "TZ", "moldova": "MD",
    "czech republic": "CZ", "brunei darussalam": "BN",
    # Somaliland is not an ISO 3166 entity; KeepItOn lists it separately; Pulse files it
    # under Somalia (with the area kept as "Somaliland").
    "somaliland": "SO",
}
# Not a country: reported as unmapped.
NOT_COUNTRIES = {"european union"}


def country_code(name: str) -> str | None:
    """ISO alpha-2 for a country name as the sources write it, or None."""
    import pycountry

    key = " ".join(str(name or "").split()).lower()
    if not key or key in NOT_COUNTRIES:
        return None
    if key in COUNTRY_ALIASES:
        return COUNTRY_ALIASES[key]
    for lookup in (pycountry.countries.get,):
        for attr in ("name", "official_name", "common_name", "alpha_2", "alpha_3"):
            try:
                hit = lookup(**{attr: key})
            except (KeyError, LookupError):
                hit = None
            if hit is not None:
                return hit.alpha_2
    try:
        hits = pycountry.countries.search_fuzzy(key)
    except LookupError:
        return None
    return hits[0].alpha_2 if len(hits) == 1 else None


class MalformedFile(Exception):
    """A file the importer refuses as a whole: names the file, the row and the field."""

    def __init__(self, origin: str, message: str, row: str | int | None = None, field: str | None = None):
        self.origin, self.row, self.field, self.message = origin, row, field, message
        where = ", ".join(p for p in (f"row {row}" if row is not None else "", f"field {field!r}" if field else "") if p)
        super().__init__(f"{origin}: {where + ': ' if where else ''}{message}")


@dataclass
class ParseResult:
    """What a parser read: the records, the rows it skipped (and why), and per column the
    source values it could not map to Pulse's vocabulary, with counts."""

    records: list[SourceRecord]
    skipped: list[dict]
    unmapped: dict[str, dict[str, int]]
    rows_read: int
    corrected: list[dict] = field(default_factory=list)
