"""Access Now #KeepItOn STOP workbook → shutdown records. Pure: no Django import.

The workbook has one sheet per year (or group of years) and the sheets name their
columns differently ("country" / "country ", "shutdown_extent" / "full or service-based",
"gov_justification" / "official_just", …). Header names are normalised (stripped, lower
case) and looked up in ``COLUMNS``; values are mapped through the tables below, and every
value a table does not know is counted in ``ParseResult.unmapped`` per column so that the
import report lists it rather than guessing silently.

Every KeepItOn record is, by Access Now's own definition of an Internet shutdown ("an
intentional disruption of internet or electronic communications … for a specific
population or within a location"), deliberate and affecting a group of people: the
``meets_deliberate`` and ``meets_affects_group`` flags are set for all rows. Whether it
*removes access* depends on the row: throttling alone slows access without removing it,
so a throttle-only row leaves ``meets_removes_access`` unset for staff to decide.
"""

from __future__ import annotations

import zipfile
import zlib
from collections import Counter, defaultdict
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from isoc.shutdowns.matching import MalformedFile, ParseResult, SourceRecord, country_code

DATASET = "keepiton-stop"
VERSION = "1"

# Our field → the header names the sheets use for it (normalised: stripped, lower case).
COLUMNS: dict[str, tuple[str, ...]] = {
    "id": ("id",),
    "country": ("country",),
    "start": ("start_date",),
    "end": ("end_date",),
    "duration": ("duration", "duration_days"),
    "status": ("shutdown_status",),
    "geo_scope": ("geo_scope",),
    "area": ("area_name",),
    "shutdown_type": ("shutdown_type", "shutdown_type_new"),
    "type_group": ("shutdown_type_group",),
    "affected_network": ("affected_network",),
    "extent": ("shutdown_extent", "full or service-based"),
    "cause": ("actual_cause",),
    "cause_detail": ("actual_cause_details", "other_cause_details"),
    "justification": ("gov_justification", "official_just"),
    "justification_detail": ("gov_just_details", "other_just_details"),
    "event": ("event",),
    "link": ("an_link", "info_source_link", "news_link"),
    "other_services": ("other_affected", "other_service_details (specify)", "service_details"),
}
SERVICE_COLUMNS = {"facebook_affected": "Facebook", "twitter_affected": "Twitter", "whatsapp_affected": "WhatsApp",
                   "instagram_affected": "Instagram", "telegram_affected": "Telegram"}

NATIONAL_AREAS = {"national", "nationwide", "entire country", "whole country", "countrywide", "country-wide", "all country"}

# geo_scope → scope; None means "decide from the area name".
GEO_SCOPE = {
    "it only affected one city, county, or village": "regional",
    "it affected more than one city in the same state, province, or region": "regional",
    "it affected locations in more than one state, province, or region": None,
    "not sure": None,
    "local": "regional", "regional": "regional", "multi-regional": None, "national": "national",
    # 2019 sheet: levels 1 (one city) and 2 (several cities) are subnational; level 3 is
    # several regions or the whole country, told apart by the area name.
    "level 1": "regional", "level 2": "regional", "level 3": None,
}

CAUSES = {
    "protests": "protests", "protest": "protests",
    "exam cheating": "exams", "cheating during exams": "exams",
    "elections": "elections", "election": "elections",
    "communal violence": "conflict", "military operation": "conflict", "military action": "conflict",
    "armed conflict": "conflict",
    "political instability": "other", "information control": "other",
    "religious holiday/anniversary": "other", "religious holiday / anniversary": "other",
    "religious holiday/ annversary": "other", "economic crisis": "other",
    "visits by government officials": "security", "security forces operation": "security",
    "security forces operations": "security", "security services operations": "security",
    "other": "other", "unknown": "unknown",
}
# The stated justification fills in the reason only when the actual cause says nothing.
JUSTIFICATIONS = {
    "school exams": "exams",
    "national security/ counter-terrorism": "security", "national security / counter-terrorism": "security",
    "national security": "security",
    "public safety/ quell unrest / restore public order": "other",
    "public safety / quell unrest / restore public order": "other", "public safety": "other",
    "fake news/ hate speech/ incendiary content/ promoting violence": "other",
    "fake news / hate speech / incendiary content or promoting violence": "other",
    "fake news/ hate speech": "other",
    "precautionary measure": "other", "illegal content": "other",
    "sabotage/ third-party action": "other", "sabotage / third-party action": "other",
    "sabotage/third-party action": "other",
    "technical problems/ infrastructure failure": "other", "technical problems / infrastructure failure": "other",
    "technical problems": "other", "other": "other", "unknown": "unknown", "none": "unknown",
}
SHUTDOWN_TYPES = {  # → (removes access?)
    "shutdown": True, "shutdown, throttle": True, "shutdown and throttle": True, "throttle": False,
    "unknown": True,
}
TYPE_GROUPS = {"full network": "full", "mobile internet": "mobile", "service-based": "service",
               "throttling": "full", "broadband internet": "full"}
NETWORKS = {"broadband, mobile": "full", "mobile and broadband": "full", "broadband": "full",
            "mobile": "mobile", "unknown": "full"}
EXTENTS = {"full network": "full", "full": "full", "service-based": "service",
           "full network, service-based": "full", "full and service-based": "full"}
#: Longer than any shutdown recorded (Kashmir's lasted 550 days): a larger duration is a typo.
MAX_DURATION_DAYS = 10 * 366
END_UNKNOWN = {"", "ongoing", "unknown", "unkown", "n/a", "na", "none"}


def _norm(v) -> str:
    return " ".join(str(v).split()).lower() if v is not None else ""


def _cell(v):
    """A cell as JSON-safe provenance."""
    if isinstance(v, datetime):
        return v.isoformat()
    if isinstance(v, date):
        return v.isoformat()
    return v


def _as_day(v) -> date | None:
    if isinstance(v, datetime):
        return v.date()
    if isinstance(v, date):
        return v
    if isinstance(v, str):
        for fmt in ("%Y-%m-%d", "%d/%m/%Y", "%d.%m.%Y"):
            try:
                return datetime.strptime(v.strip(), fmt).date()
            except ValueError:
                pass
    return None


def _midnight(d: date) -> datetime:
    return datetime.combine(d, time(0), tzinfo=UTC)


def parse(path: str | Path) -> ParseResult:
    """Read the workbook; raise MalformedFile (naming sheet, row and field) on a file that
    cannot be read or a row whose start date is not a date."""
    import openpyxl

    origin = Path(path).name
    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except _UNREADABLE as exc:
        raise MalformedFile(origin, f"not a readable xlsx workbook ({exc.__class__.__name__}: {exc})") from exc
    records: list[SourceRecord] = []
    skipped: list[dict] = []
    unmapped: dict[str, Counter] = defaultdict(Counter)
    rows_read = 0
    try:
        for ws in wb.worksheets:
            rows = _rows(ws, origin)
            header = next(rows, None)
            if header is None:
                continue
            names = [_norm(h) for h in header]
            index = {ours: next((names.index(h) for h in theirs if h in names), None) for ours, theirs in COLUMNS.items()}
            if (index["start"] is None or index["country"] is None) and any(c not in (None, "") for c in header):
                # "Need more details": no header, and rows without dates. Its first row is data.
                rows_read += 1
                skipped.append({"row": f"{ws.title.strip()}!1", "reason": "sheet has no start_date/country columns (incomplete records)"})
            services_at = {names.index(h): label for h, label in SERVICE_COLUMNS.items() if h in names}
            for rowno, row in enumerate(rows, start=2):
                if not any(c not in (None, "") for c in row):
                    continue
                rows_read += 1
                key = f"{ws.title.strip()}!{rowno}"
                if index["start"] is None or index["country"] is None:
                    skipped.append({"row": key, "reason": "sheet has no start_date/country columns (incomplete records)"})
                    continue
                rec = _record(ws.title.strip(), rowno, names, row, index, services_at, unmapped, origin)
                if isinstance(rec, str):
                    skipped.append({"row": key, "reason": rec})
                else:
                    records.append(rec)
    finally:
        wb.close()
    if not records:
        raise MalformedFile(origin, "no KeepItOn records found (is this the STOP workbook?)")
    return ParseResult(records, skipped, {c: dict(v.most_common()) for c, v in unmapped.items()}, rows_read)


#: What openpyxl and the zip and XML readers under it raise for a damaged workbook: a zip
#: that is not one, a deflate stream or XML part that is broken (ParseError is a
#: SyntaxError), a part missing, or a value the part's schema does not allow.
_UNREADABLE = (zipfile.BadZipFile, zlib.error, KeyError, OSError, EOFError, ValueError, SyntaxError)


def _rows(ws, origin: str):
    """The sheet's rows (values only); a part that cannot be read is MalformedFile, caught
    here around openpyxl alone, so that an error in our own reading of a row still shows."""
    rows = ws.iter_rows(values_only=True)
    while True:
        try:
            row = next(rows)
        except StopIteration:
            return
        except _UNREADABLE as exc:
            raise MalformedFile(origin, f"the workbook is damaged ({exc.__class__.__name__}: {exc})") from exc
        yield row


def _record(sheet, rowno, names, row, index, services_at, unmapped, origin) -> SourceRecord | str:
    def get(ours):
        i = index[ours]
        return row[i] if i is not None and i < len(row) else None

    def mapped(column, value, table):
        v = _norm(value)
        if not v:
            return None
        if v in table:
            return table[v]
        unmapped[column][" ".join(str(value).split())] += 1
        return None

    raw = {names[i] or f"col{i}": _cell(v) for i, v in enumerate(row) if i < len(names) and v not in (None, "")}
    external_id = f"{sheet}!{rowno}"
    if get("id") not in (None, ""):
        ident = get("id")
        external_id = f"{sheet}#{int(ident) if isinstance(ident, float) and ident.is_integer() else ident}"

    start = _as_day(get("start"))
    if start is None:
        raise MalformedFile(origin, f"start_date is not a date: {get('start')!r}", row=f"{sheet}!{rowno}", field="start_date")
    code = mapped("country", get("country"), _CountryTable())
    if code is None:
        return f"country not recognised: {get('country')!r}"

    end_value = get("end")
    end = _as_day(end_value)
    if end is None and _norm(end_value) not in END_UNKNOWN:
        # Free text in the end date ("4/1/2018 upon CAF visit") is the source's note, not a
        # date we can trust: the end stays unknown and the value is reported.
        unmapped["end_date"][" ".join(str(end_value).split())] += 1
    ends_at = None
    duration = get("duration")
    if end is not None:
        # KeepItOn end dates are inclusive days: the shutdown lasts until the end of that day.
        if max(end, start) < date.max:
            ends_at = _midnight(max(end, start) + timedelta(days=1))
        else:  # 9999-12-31 has no next day: a placeholder, not an end
            unmapped["end_date"][str(end_value)] += 1
    elif _norm(get("status")) != "ongoing" and isinstance(duration, int | float) and duration > 0:
        if duration <= MAX_DURATION_DAYS:
            ends_at = _midnight(start) + timedelta(days=float(duration))
        else:  # a typo or a placeholder (timedelta cannot even hold some): reported, end unknown
            unmapped["duration"][str(duration)] += 1

    area = " ".join(str(get("area") or "").split())
    scope = mapped("geo_scope", get("geo_scope"), GEO_SCOPE) if _norm(get("geo_scope")) else None
    if scope is None:
        scope = "national" if _norm(area) in NATIONAL_AREAS or not area else "regional"
    if _norm(area) in NATIONAL_AREAS:
        area = ""

    # Type: the extent (full / service-based) first, then the network (mobile only?).
    removes_access = True
    stype = None
    if index["type_group"] is not None:  # 2016–2018 sheet
        stype = mapped("shutdown_type_group", get("type_group"), TYPE_GROUPS)
        if _norm(get("type_group")) == "throttling":
            removes_access = False
    else:
        rem = mapped("shutdown_type", get("shutdown_type"), SHUTDOWN_TYPES)
        removes_access = rem if rem is not None else True
        stype = mapped("shutdown_extent", get("extent"), EXTENTS)
        network = mapped("affected_network", get("affected_network"), NETWORKS)
        if stype == "full" and network == "mobile":
            stype = "mobile"
    stype = stype or "full"

    services = [label for i, label in services_at.items() if i < len(row) and _norm(row[i]) in ("yes", "true")]
    other = str(get("other_services") or "").strip()
    if stype == "service" and other and _norm(other) not in ("none", "service-based"):
        services.append(other)

    reason = mapped("actual_cause", get("cause"), CAUSES)
    if reason in (None, "other", "unknown") and _norm(get("cause_detail")) in CAUSES:
        reason = CAUSES[_norm(get("cause_detail"))] if CAUSES[_norm(get("cause_detail"))] not in ("other", "unknown") else reason
    justification = mapped("gov_justification", get("justification"), JUSTIFICATIONS)
    if reason in (None, "unknown") and justification not in (None, "unknown", "other"):
        reason = justification
    detail_parts = [str(get("cause") or "").strip(), str(get("cause_detail") or "").strip()]
    just = " ".join(str(get("justification") or "").split())
    if just and _norm(just) not in ("unknown", "none"):
        detail_parts.append(f"stated: {just}")
    reason_detail = "; ".join(p for p in detail_parts if p and _norm(p) != "none")

    link = str(get("link") or "").strip()
    return SourceRecord(
        external_id=external_id, country=code, starts_at=_midnight(start), ends_at=ends_at,
        scope=scope, area=area, shutdown_type=stype, services=", ".join(services),
        reason=reason or "unknown", reason_detail=reason_detail,
        description=" ".join(str(get("event") or "").split()) if _norm(get("event")) not in ("", "none", "na") else "",
        meets_deliberate=True, meets_removes_access=removes_access, meets_affects_group=True,
        url=link if link.startswith(("http://", "https://")) and " " not in link else "",
        raw={"sheet": sheet, "row": rowno, **raw},
    )


class _CountryTable:
    """A mapping-like view over ``country_code`` so countries share the unmapped report."""

    def __contains__(self, name) -> bool:
        return country_code(name) is not None

    def __getitem__(self, name) -> str:
        return country_code(name)  # type: ignore[return-value]
