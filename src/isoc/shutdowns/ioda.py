"""IODA hand-investigated outages (CSV) → shutdown records. Pure: no Django import.

IODA (Georgia Tech's Internet Intelligence Lab) investigated each outage by hand and
says, when it could, what caused it. Under Pulse's rule an event is listed only if it is
deliberately induced, removes access and affects a group of people:

* every IODA record shows a loss of connectivity seen from outside (BGP, active probing
  or the telescope) for a country, a region or a network: ``removes access`` and
  ``affects a group`` hold;
* ``Government-Ordered`` and ``Exams`` (exam shutdowns are ordered by the authorities)
  are deliberate;
* causes that are technical or natural (``Cable-Cut``, ``Power-Outage``, ``Weather`` …)
  are outages but not shutdowns: the record is kept (it is evidence, and it tells staff
  what a signal drop was) with ``not_a_shutdown`` set, so the importer stores it as a
  *rejected* event that is never published or counted;
* a blank or ``Unknown`` cause leaves ``deliberate`` unset: the event waits as a draft
  for staff to decide.

Times are IODA's, in UTC. The file's dates come in a few hand-typed shapes (see
``parse_time``); a begin time in none of them rejects the file, naming the row.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path

from isoc.shutdowns.matching import MalformedFile, ParseResult, SourceRecord, country_code

DATASET = "ioda-investigated-outages"
VERSION = "1"

DELIBERATE = {"government-ordered": "unknown", "exams": "exams"}
NOT_SHUTDOWNS = {"cable-cut", "power-outage", "equipment-failure", "weather", "misc-routing-problem",
                 "generic-technical", "route-leak", "earthquake", "other-natural-disaster", "maintenance", "ddos"}
UNDECIDED = {"", "unknown"}
SIGNALS = {"IODA BGP visible by human": "BGP", "IODA AP visible by human": "active probing",
           "IODA IBR visible by human": "telescope (IBR)"}
REQUIRED = ("ID", "Begin time", "End time", "Country", "Cause")

_MONTHS = {m: i for i, m in enumerate(
    ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
     "november", "december"], start=1)}
# "Wednesday, March 17, 2021, 4:40:00 PM", "Sunday, May 27, 2018, 11:00 PM",
# "Monday, October 25, 2021, 2:30: AM", "Saturday June 2, 2018, 8:00 AM"
_LONG = re.compile(r"^(?:[A-Za-z]+,?\s+)?([A-Za-z]+)\s+(\d{1,2}),\s*(\d{4}),?\s+(\d{1,2}):(\d{1,2})(?::(\d{0,2}))?\s*([AaPp][Mm])?$")
# "4/3/2020  15:15:00 PM" (month/day/year; a 24-hour clock with a redundant AM/PM)
_SHORT = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})\s+(\d{1,2}):(\d{1,2})(?::(\d{0,2}))?\s*([AaPp][Mm])?$")
NO_TIME = {"", "n/a", "na", "ongoing", "unknown"}


def parse_time(text: str) -> datetime | None:
    """One of the file's time shapes → aware UTC datetime; None when it is none of them."""
    s = " ".join(text.split())
    m = _LONG.match(s)
    if m:
        month = _MONTHS.get(m.group(1).lower())
        if month is None:
            return None
        year, day = int(m.group(3)), int(m.group(2))
        hour, minute, second, ampm = int(m.group(4)), int(m.group(5)), int(m.group(6) or 0), m.group(7)
    else:
        m = _SHORT.match(s)
        if not m:
            return None
        month, day, year = int(m.group(1)), int(m.group(2)), int(m.group(3))
        hour, minute, second, ampm = int(m.group(4)), int(m.group(5)), int(m.group(6) or 0), m.group(7)
    if ampm and hour <= 12:  # a 12-hour clock; "15:15 PM" is already 24-hour
        hour = hour % 12 + (12 if ampm.lower() == "pm" else 0)
    try:
        return datetime(year, month, day, hour, minute, second, tzinfo=UTC)
    except ValueError:
        return None


def _truthy(v: str) -> bool | None:
    v = v.strip().lower()
    if v in ("true", "ture", "yes"):
        return True
    if v in ("false", "no"):
        return False
    return None


def parse(path: str | Path) -> ParseResult:
    """Read the CSV; raise MalformedFile (naming row and field) on a file that is not this
    CSV, or a row whose begin time or end time is not a time."""
    origin = Path(path).name
    try:
        text = Path(path).read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise MalformedFile(origin, f"not UTF-8 text ({exc})") from exc
    reader = csv.reader(io.StringIO(text, newline=""))
    header = [h.strip() for h in next(reader, [])]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise MalformedFile(origin, f"missing column(s) {', '.join(missing)}", row=1)
    col = {h: header.index(h) for h in header if h}
    scope_col = next((h for h in header if h.lower().startswith("scope")), None)
    records: list[SourceRecord] = []
    skipped: list[dict] = []
    unmapped: dict[str, Counter] = defaultdict(Counter)
    seen: dict[str, tuple[int, list[str]]] = {}
    corrected: list[dict] = []
    rows_read = 0
    for rowno, row in enumerate(reader, start=2):
        if not any(c.strip() for c in row):
            continue
        rows_read += 1
        row = row + [""] * (len(header) - len(row))

        def get(name: str, row=row) -> str:
            return row[col[name]].strip() if name in col else ""

        ident = get("ID")
        if not ident:
            raise MalformedFile(origin, "empty ID", row=rowno, field="ID")
        if ident in seen:
            first, first_row = seen[ident]
            if first_row == row:
                skipped.append({"row": rowno, "reason": f"duplicate of row {first} (same ID {ident}, same values)"})
                continue
            raise MalformedFile(origin, f"ID {ident} is also row {first}, with different values", row=rowno, field="ID")
        seen[ident] = (rowno, row)

        begins = parse_time(get("Begin time"))
        if begins is None:
            raise MalformedFile(origin, f"not a time: {get('Begin time')!r}", row=rowno, field="Begin time")
        end_text = get("End time")
        ends = parse_time(end_text)
        if ends is None and end_text.lower() not in NO_TIME:
            raise MalformedFile(origin, f"not a time: {end_text!r}", row=rowno, field="End time")
        if ends is not None and ends < begins:
            if begins - ends < timedelta(days=1):
                # Hand-typed end times past midnight often keep the start's date
                # ("June 30, 9:30 PM" → "June 30, 12:20 AM"): read as the next day.
                ends += timedelta(days=1)
                corrected.append({"row": rowno, "field": "End time",
                                  "note": f"{end_text!r} is before the begin time: taken as the next day"})
            else:
                skipped.append({"row": rowno, "reason": f"ends ({end_text}) more than a day before it begins"})
                continue

        country = country_code(get("Country"))
        if country is None:
            unmapped["Country"][get("Country")] += 1
            skipped.append({"row": rowno, "reason": f"country not recognised: {get('Country')!r}"})
            continue

        scope_text = get(scope_col) if scope_col else ""
        m = re.match(r"^\s*(Country|Region|AS)\b\s*(?:\((.*)\))?", scope_text, re.I)
        if m is None and scope_text:
            unmapped["Scope"][scope_text] += 1
        kind = (m.group(1).lower() if m else "country")
        where = (m.group(2) or "").strip() if m else ""
        scope = "national" if kind == "country" else "regional"
        area = where if kind == "region" else (f"AS{where.removeprefix('AS')}" if kind == "as" and where else "")

        cause = get("Cause")
        key = cause.lower()
        reason, deliberate, not_shutdown = "unknown", False, False
        if key in DELIBERATE:
            reason, deliberate = DELIBERATE[key], True
        elif key in NOT_SHUTDOWNS:
            not_shutdown = True
        elif key not in UNDECIDED:
            unmapped["Cause"][cause] += 1

        signals = [label for name, label in SIGNALS.items() if _truthy(get(name)) is True]
        detail = f"IODA cause: {cause or 'not stated'}"
        if get("Confirmation Status"):
            detail += f" ({get('Confirmation Status').lower()})"
        description = f"Outage seen by IODA ({', '.join(signals) or 'signals not stated'})"
        if area:
            description += f" in {area}"
        raw = {h: row[i] for h, i in col.items() if row[i].strip()}
        records.append(SourceRecord(
            external_id=ident, country=country, starts_at=begins, ends_at=ends, scope=scope, area=area,
            shutdown_type="full", reason=reason, reason_detail=detail, description=description + ".",
            meets_deliberate=deliberate, meets_removes_access=True, meets_affects_group=True,
            not_a_shutdown=not_shutdown, url="", raw={"row": rowno, "signals": signals, **raw},
        ))
    if not records:
        raise MalformedFile(origin, "no outage rows found")
    return ParseResult(records, skipped, {c: dict(v.most_common()) for c, v in unmapped.items()}, rows_read, corrected)
