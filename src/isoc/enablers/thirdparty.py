"""Parsers of third-party IPv6 adoption series. Django-free (``MalformedFile`` comes from
the Django-free part of ``isoc.pulse.importing``).

APNIC Labs publishes, per economy, the share of users whose browsers fetch over IPv6
("IPv6 capable") and the share preferring it ("IPv6 preferred") with the sample count, as
a table with CSV export (columns: CC, Country, IPv6 Capable, IPv6 Preferred, Samples) and
per-economy time series (Date, V6 Capable, V6 Preferred, Samples). Google publishes the
share of its users reaching it over IPv6 per country (the "per-country IPv6 adoption"
tab of its IPv6 statistics). Neither sample file is in ``../shared/data``: the parsers
follow those published layouts, accept the header names each uses (case and punctuation
do not matter) and are tested on files built in that layout.

Accepted inputs:

- APNIC CSV: a header with a country column (``CC``/``Economy``), a capable column, and
  optionally ``Country`` (name), ``IPv6 Preferred``, ``Samples`` and ``Date``. Without a
  date column the importer's ``date`` option gives the date of every row. A per-economy
  time series (``Date, V6 Capable, …`` without a country column) needs the ``economy``
  option. ``XA`` (APNIC's code for the world) is the world.
- APNIC JSON: a list of records (or ``{"data": [...]}``) with the same fields as keys.
- Google CSV: ``Date`` (optional, else the ``date`` option), ``Country`` (ISO code or
  English name; ``World`` or absent: the world), ``IPv6 adoption`` (percent).
- Google JSON: ``{"date": "YYYY-MM-DD", "countries": {"FR": 77.5, …}}`` or a list of records.

Percentages may carry a ``%`` sign; they must be within 0–100. Any malformed line rejects
the whole file with its line number; a well-formed row naming a country we do not know is
skipped and reported.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pycountry

from isoc.pulse.importing import MalformedFile, Parsed, Skip

WORLD = ""
MAX_BYTES = 50 * 1024 * 1024

_ALIASES = {
    "country": ("cc", "economy", "economycode", "countrycode", "code", "iso", "iso2"),
    "name": ("country", "countryname", "economyname", "name", "countryregion"),
    "date": ("date", "day"),
    "capable": ("ipv6capable", "v6capable", "capable", "ipv6capablepct", "v6capablepct"),
    "preferred": ("ipv6preferred", "v6preferred", "preferred", "ipv6preferredpct", "v6preferredpct"),
    "samples": ("samples", "sample", "samplecount"),
    "adoption": ("ipv6adoption", "adoption", "ipv6", "v6adoption", "ipv6usage", "percent"),
}
_WORLD_NAMES = {"world", "xa", "ww", "global", "all"}


@dataclass(frozen=True)
class Point:
    country: str  # ISO alpha-2, or WORLD
    date: date
    percent: float
    preferred: float | None = None
    samples: int | None = None


def _key(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


def _columns(header: list[str], path: Path, wanted: tuple[str, ...]) -> dict[str, int]:
    keys = [_key(h) for h in header]
    found: dict[str, int] = {}
    for field in wanted:
        for alias in _ALIASES[field]:
            if alias in keys and keys.index(alias) not in found.values():
                found[field] = keys.index(alias)
                break
    return found


def _percent(text, path: Path, row: int, field: str) -> float:
    if isinstance(text, bool):
        raise MalformedFile(path, row, field, f"{text!r} is not a percentage")
    value_text = str(text).strip().rstrip("%").strip() if not isinstance(text, (int, float)) else text
    try:
        value = float(value_text)
    except (TypeError, ValueError):
        raise MalformedFile(path, row, field, f"{text!r} is not a percentage") from None
    if not math.isfinite(value) or not 0 <= value <= 100:
        raise MalformedFile(path, row, field, f"{text!r} is not within 0–100")
    return value


def _date(text, path: Path, row: int) -> date:
    try:
        return date.fromisoformat(str(text).strip()[:10])
    except ValueError:
        raise MalformedFile(path, row, "date", f"{text!r} is not a date (YYYY-MM-DD)") from None


def _samples(text, path: Path, row: int) -> int | None:
    if text is None or str(text).strip() == "":
        return None
    try:
        value = int(str(text).replace(",", "").strip())
    except ValueError:
        raise MalformedFile(path, row, "samples", f"{text!r} is not a count") from None
    if value < 0:
        raise MalformedFile(path, row, "samples", f"{text!r} is negative")
    return value


def country_code(text: str) -> str | None:
    """ISO alpha-2 of a code or English name; WORLD for the world; None when unknown."""
    text = (text or "").strip()
    if _key(text) in _WORLD_NAMES or not text:
        return WORLD
    if len(text) == 2 and text.isascii() and text.isalpha():
        return text.upper() if pycountry.countries.get(alpha_2=text.upper()) else None
    try:
        return pycountry.countries.lookup(text).alpha_2
    except LookupError:
        return None


def _read_text(path: Path) -> str:
    if path.stat().st_size > MAX_BYTES:
        raise MalformedFile(path, None, None, f"larger than {MAX_BYTES // (1024 * 1024)} MB")
    try:
        return path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise MalformedFile(path, None, None, f"not UTF-8 text ({exc.reason} at byte {exc.start})") from None


def _is_json(text: str) -> bool:
    return text.lstrip()[:1] in ("[", "{")


def _records_from_csv(path: Path, text: str, wanted: tuple[str, ...], required: tuple[str, ...]):
    try:
        rows = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as exc:
        raise MalformedFile(path, None, None, f"not CSV ({exc})") from None
    rows = [(n, r) for n, r in enumerate(rows, start=1) if any(c.strip() for c in r) and not r[0].lstrip().startswith("#")]
    if not rows:
        raise MalformedFile(path, None, None, "empty file")
    header_line, header = rows[0]
    cols = _columns(header, path, wanted)
    missing = [f for f in required if f not in cols]
    if missing:
        raise MalformedFile(path, header_line, None, f"no {' or '.join(_ALIASES[missing[0]][:2])} column in the header "
                                                     f"{', '.join(header)[:200]!r}")
    for line, row in rows[1:]:
        if len(row) != len(header):
            raise MalformedFile(path, line, None, f"{len(row)} fields, the header has {len(header)}")
        yield line, {f: row[i] for f, i in cols.items()}


def _records_from_json(path: Path, text: str):
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise MalformedFile(path, exc.lineno, None, f"not JSON ({exc.msg})") from None
    if isinstance(data, dict) and isinstance(data.get("countries"), dict):
        day = data.get("date")
        for name, value in data["countries"].items():
            yield None, {"country": name, "date": day, "adoption": value}
        return
    if isinstance(data, dict) and isinstance(data.get("data"), list):
        data = data["data"]
    if not isinstance(data, list):
        raise MalformedFile(path, None, None, "expected a list of records, {\"data\": [...]} or {\"date\", \"countries\"}")
    for number, record in enumerate(data, start=1):
        if not isinstance(record, dict):
            raise MalformedFile(path, number, None, "a record is not an object")
        keys = {_key(k): v for k, v in record.items()}
        out = {}
        for field, aliases in _ALIASES.items():
            for alias in aliases:
                if alias in keys:
                    out[field] = keys[alias]
                    break
        yield number, out


def _points(path: Path, records, value_field: str, default_date: date | None, economy: str | None) -> Parsed:
    points: list[Point] = []
    skipped: list[Skip] = []
    seen: dict[tuple[str, date], int] = {}
    for number, rec in records:
        row = number or len(points) + len(skipped) + 1
        where = rec.get("country") if rec.get("country") not in (None, "") else rec.get("name")
        if where is None and economy is not None:
            where = economy
        code = country_code(str(where)) if where is not None else WORLD
        if code is None:
            skipped.append(Skip(row, f"unknown country {str(where)[:40]!r}", "country"))
            continue
        if rec.get(value_field) in (None, ""):
            raise MalformedFile(path, row, value_field, "no value")
        percent = _percent(rec[value_field], path, row, value_field)
        preferred = None
        if rec.get("preferred") not in (None, ""):
            preferred = _percent(rec["preferred"], path, row, "preferred")
        if rec.get("date") not in (None, ""):
            day = _date(rec["date"], path, row)
        elif default_date is not None:
            day = default_date
        else:
            raise MalformedFile(path, row, "date", "no date in the row and no --date given")
        key = (code, day)
        if key in seen:
            raise MalformedFile(path, row, "country", f"{code or 'world'} on {day} already on row {seen[key]}")
        seen[key] = row
        points.append(Point(code, day, percent, preferred, _samples(rec.get("samples"), path, row)))
    if not points and not skipped:
        raise MalformedFile(path, None, None, "no rows")
    return Parsed(rows=points, skipped=skipped)


def parse_apnic(path: Path, *, default_date: date | None = None, economy: str | None = None) -> Parsed:
    """APNIC's per-economy IPv6 capability (CSV table or time series, or JSON records)."""
    path = Path(path)
    text = _read_text(path)
    if economy is not None and country_code(economy) is None:
        raise MalformedFile(path, None, "economy", f"unknown economy {economy!r}")
    if _is_json(text):
        records = _records_from_json(path, text)
    else:
        wanted = ("country", "name", "date", "capable", "preferred", "samples")
        records = _records_from_csv(path, text, wanted, ("capable",))
    return _points(path, records, "capable", default_date, economy)


def parse_google(path: Path, *, default_date: date | None = None) -> Parsed:
    """Google's per-country IPv6 adoption (CSV or JSON)."""
    path = Path(path)
    text = _read_text(path)
    if _is_json(text):
        records = _numbered(_records_from_json(path, text))
    else:
        records = _records_from_csv(path, text, ("country", "name", "date", "adoption"), ("adoption",))
    return _points(path, records, "adoption", default_date, None)


def _numbered(records):
    for number, rec in records:
        if "adoption" not in rec and "capable" in rec:
            rec = {**rec, "adoption": rec["capable"]}
        yield number, rec
