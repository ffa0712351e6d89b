"""Reading one VERIS incident (JSON) into plain data, after checking it against the
VERIS schema. No Django import.

Validation is a small JSON-Schema subset (``type``, ``required``, ``enum``,
``properties``, ``items``, ``minItems``, ``minimum``/``maximum``, ``minLength``/
``maxLength``, ``pattern``): enough for the VERIS schema, whose rules are exactly these,
and it names the failing field in VERIS's dotted form (``action.malware.variety``).

Two schemas can be used:

- ``CORE``, built in: the required fields and the enumerations of every field we store
  or branch on (action, actor and attribute categories, actor motives, incident status,
  timeline units, employee counts, data disclosure, data varieties, discovery methods).
- the full published schema (``verisc-merged.json`` of github.com/vz-risk/veris, CC BY-SA
  4.0), given with ``load_schema(path)``: every enumeration of every field (action
  varieties and vectors, asset varieties, countries…). We do not ship it; point the
  importer at a copy (``isoc incidents import --schema PATH``).

Records coded under older schema versions are read as VERIS itself evolved, and we say
how (``LEGACY_VALUES``, ``LATER_REQUIRED``); ``plus`` and ``extra`` are each source's
own free-form sections and are not validated.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ACTION_CATEGORIES = ("hacking", "malware", "social", "error", "misuse", "physical", "environmental", "unknown")
ACTOR_CATEGORIES = ("external", "internal", "partner", "unknown")
ATTRIBUTE_CATEGORIES = ("confidentiality", "integrity", "availability", "unknown")
DISCOVERY_CATEGORIES = ("external", "internal", "partner", "other", "unknown")
TIME_UNITS = ("Seconds", "Minutes", "Hours", "Days", "Weeks", "Months", "Years", "Never", "NA", "Unknown")
EMPLOYEE_COUNTS = ("Small", "1 to 10", "11 to 100", "101 to 1000", "Large", "1001 to 10000", "10001 to 25000",
                   "25001 to 50000", "50001 to 100000", "Over 100000", "Unknown")
MOTIVES = ("Convenience", "Espionage", "Fear", "Financial", "Fun", "Grudge", "Ideology", "NA", "Secondary",
           "Other", "Unknown")
DATA_VARIETIES = ("API key", "Bank", "Classified", "Copyrighted", "Credentials", "Digital certificate", "Internal",
                  "Medical", "Multi-factor credential", "Payment", "Personal", "Sensitive Personal", "Secrets",
                  "Session key", "Source code", "System", "Virtual currency", "Other", "Unknown")

#: Values that older schema versions spelt differently, read as today's value (the
#: VCDB's own 1.3.4 records still use the old spellings).
LEGACY_VALUES: dict[tuple[str, str], str] = {
    ("action.malware.variety", "Ram scraper"): "RAM scraper",
    ("action.malware.vector", "Web drive-by"): "Web application - drive-by",
}
#: Fields the schema requires only of records coded under 1.4.0 or later: earlier
#: versions did not have them (``victim.government``) or did not require them
#: (``summary``), and the VCDB still holds thousands of such records.
LATER_REQUIRED = frozenset({"victim.government", "summary"})
STRICT_FROM = (1, 4, 0)
#: Each source's own sections: free-form, not validated.
UNCHECKED = frozenset({"plus", "extra"})

MAX_RECORDS = 10**12  # records affected: far above any breach yet, far below what the database can hold
MAX_DEPTH = 40  # deeper nesting than any VERIS record has: refused before it can hurt


def _strings(values: tuple[str, ...]) -> dict:
    return {"type": "array", "minItems": 1, "items": {"type": "string", "enum": list(values)}}


def _category(required: tuple[str, ...] = (), **props: dict) -> dict:
    return {"type": "object", "required": list(required), "properties": props}


_TIMESPAN = {"type": "object", "required": ["unit"],
             "properties": {"unit": {"type": "string", "enum": list(TIME_UNITS)}, "value": {"type": "number", "minimum": 0, "maximum": 1e6}}}
_VARIETIES = {"type": "array", "items": {"type": "string", "maxLength": 200}}

#: The built-in schema: what the incident database stores, with VERIS 1.4.0's rules.
CORE: dict = {
    "type": "object",
    "required": ["incident_id", "schema_version", "security_incident", "summary", "action", "actor", "asset",
                 "timeline", "discovery_method"],
    "properties": {
        "incident_id": {"type": "string", "minLength": 1, "maxLength": 100},
        "schema_version": {"type": "string", "pattern": r"^\d+\.\d+(\.\d+)?$"},
        "security_incident": {"type": "string", "enum": ["Confirmed", "Suspected", "Near miss", "False positive"]},
        "confidence": {"type": "string", "enum": ["High", "Medium", "Low", "None"]},
        "source_id": {"type": "string", "maxLength": 100},
        "reference": {"type": "string"},
        "summary": {"type": "string"},
        "action": {"type": "object", "minProperties": 1, "properties": {
            c: _category(("variety",) if c not in ("unknown", "environmental") else (),
                         variety=_VARIETIES, vector=_VARIETIES) for c in ACTION_CATEGORIES}},
        "actor": {"type": "object", "minProperties": 1, "properties": {
            "external": _category(("variety", "motive"), variety=_VARIETIES, motive=_strings(MOTIVES)),
            "internal": _category(("variety", "motive"), variety=_VARIETIES, motive=_strings(MOTIVES)),
            "partner": _category(("motive",), variety=_VARIETIES, motive=_strings(MOTIVES)),
            "unknown": _category()}},
        "asset": {"type": "object", "required": ["assets"], "properties": {
            "assets": {"type": "array", "items": {"type": "object", "required": ["variety"], "properties": {
                "variety": {"type": "string", "maxLength": 200}, "amount": {"type": "integer", "minimum": 0, "maximum": MAX_RECORDS}}}}}},
        "attribute": {"type": "object", "properties": {
            "confidentiality": {"type": "object", "required": ["data_disclosure"], "properties": {
                "data_disclosure": {"type": "string", "enum": ["No", "Potentially", "Yes", "Unknown"]},
                "data_total": {"type": "integer", "minimum": 0, "maximum": MAX_RECORDS},
                "data": {"type": "array", "items": {"type": "object", "required": ["variety"], "properties": {
                    "variety": {"type": "string", "enum": list(DATA_VARIETIES)},
                    "amount": {"type": "integer", "minimum": 0, "maximum": MAX_RECORDS}}}}}},
            "integrity": _category(("variety",), variety=_VARIETIES),
            "availability": _category(("variety",), variety=_VARIETIES)}},
        "timeline": {"type": "object", "required": ["incident"], "properties": {
            "incident": {"type": "object", "required": ["year"], "properties": {
                "year": {"type": "integer", "minimum": 1950, "maximum": 2050},
                "month": {"type": "integer", "minimum": 1, "maximum": 12},
                "day": {"type": "integer", "minimum": 1, "maximum": 31}}},
            "compromise": _TIMESPAN, "exfiltration": _TIMESPAN, "discovery": _TIMESPAN, "containment": _TIMESPAN}},
        "discovery_method": {"type": "object", "minProperties": 1, "properties": {
            **{c: _category(("variety",), variety=_VARIETIES) for c in ("external", "internal", "partner")},
            "other": {"type": "boolean"}, "unknown": {"type": "boolean"}}},
        "victim": {"type": "object", "required": ["country", "employee_count", "industry", "government"], "properties": {
            "victim_id": {"type": "string"},
            "industry": {"type": "string", "minLength": 2, "maxLength": 6, "pattern": r"^\d{2,6}$"},
            "employee_count": {"type": "string", "enum": list(EMPLOYEE_COUNTS)},
            "country": {"type": "array", "minItems": 1, "items": {"type": "string", "pattern": r"^([A-Z]{2}|Unknown|Other)$"}},
            "government": {"type": "array", "items": {"type": "string"}}}},
    },
}


class InvalidRecord(ValueError):
    """A record that breaks the schema; ``errors`` lists (field, message), first one first."""

    def __init__(self, errors: list[tuple[str, str]]):
        self.errors = errors
        shown = "; ".join(f"{f or '(record)'}: {m}" for f, m in errors[:5])
        more = f" (and {len(errors) - 5} more)" if len(errors) > 5 else ""
        super().__init__(shown + more)

    @property
    def field(self) -> str:
        return self.errors[0][0]


def load_schema(path: str | Path) -> dict:
    """The VERIS schema at ``path`` (``verisc-merged.json``: the one with enumerations)."""
    schema = json.loads(Path(path).read_text(encoding="utf-8"))
    if not isinstance(schema, dict) or "properties" not in schema:
        raise ValueError(f"{path}: not a JSON schema (no 'properties')")
    return schema


def version_tuple(text: Any) -> tuple[int, ...]:
    try:
        return tuple(int(p) for p in str(text).split("."))
    except ValueError:
        return (0,)


_TYPES: dict[str, Any] = {
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "string": lambda v: isinstance(v, str),
    # JSON has no integer type of its own: 3.0 is not an integer to VERIS, and True is not a number
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "number": lambda v: isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v),
    "boolean": lambda v: isinstance(v, bool),
}


def _check(node: dict, value: Any, where: str, strict: bool, depth: int) -> Iterator[tuple[str, str]]:
    if depth > MAX_DEPTH:
        yield where, "nested too deeply"
        return
    kind = node.get("type")
    if isinstance(kind, str) and kind in _TYPES and not _TYPES[kind](value):
        yield where, f"must be {'an' if kind[0] in 'aeiou' else 'a'} {kind}, not {_json_type(value)}"
        return
    if "enum" in node and value not in node["enum"]:
        yield where, f"{_short(value)} is not one of VERIS's values for this field"
    if isinstance(value, str):
        if len(value) < node.get("minLength", 0):
            yield where, "must not be empty" if node.get("minLength") == 1 else f"shorter than {node['minLength']} characters"
        if "maxLength" in node and len(value) > node["maxLength"]:
            yield where, f"longer than {node['maxLength']} characters"
        if "pattern" in node and not re.search(node["pattern"], value):
            yield where, f"{_short(value)} does not have the expected form"
    if isinstance(value, int | float) and not isinstance(value, bool):
        if "minimum" in node and value < node["minimum"]:
            yield where, f"{value} is below {node['minimum']}"
        if "maximum" in node and value > node["maximum"]:
            yield where, f"{value} is above {node['maximum']}"
    if isinstance(value, dict):
        for name in node.get("required", []):
            path = f"{where}.{name}" if where else name
            if name not in value and (strict or path not in LATER_REQUIRED):
                yield path, "is required"
        if len(value) < node.get("minProperties", 0):
            yield where, "must not be empty"
        props = node.get("properties", {})
        for name, sub in value.items():
            path = f"{where}.{name}" if where else name
            if not where and name in UNCHECKED:
                continue
            if name in props and isinstance(props[name], dict):
                yield from _check(props[name], sub, path, strict, depth + 1)
    if isinstance(value, list):
        if len(value) < node.get("minItems", 0):
            yield where, "must not be empty"
        items = node.get("items")
        if isinstance(items, dict):
            for item in value:
                yield from _check(items, item, where, strict, depth + 1)


def _unstorable_text(value: Any, where: str, depth: int) -> Iterator[tuple[str, str]]:
    """Text no database can keep: NUL characters (PostgreSQL refuses them) and lone
    surrogates (JSON can escape them, UTF-8 cannot encode them); and absurd nesting."""
    if depth > MAX_DEPTH:
        yield where, "nested too deeply"
        return
    texts = [value] if isinstance(value, str) else list(value.keys()) if isinstance(value, dict) else []
    for text in texts:
        if "\x00" in text:
            yield where, "contains a NUL character"
            return
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            yield where, "contains text that is not valid Unicode"
            return
    children = value.items() if isinstance(value, dict) else ((None, v) for v in value) if isinstance(value, list) else ()
    for name, child in children:
        path = where if name is None else (f"{where}.{name}" if where else str(name))
        yield from _unstorable_text(child, path, depth + 1)


def _json_type(value: Any) -> str:
    return {dict: "an object", list: "an array", str: "a string", bool: "true/false", type(None): "null"}.get(
        type(value), "a number")


def _short(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else repr(value)
    return text if len(text) <= 60 else text[:57] + "…"


def upgrade_legacy(record: dict) -> dict:
    """Today's spelling for values older schema versions spelt differently (in place)."""
    for (path, old), new in LEGACY_VALUES.items():
        parent_path, _, key = path.rpartition(".")
        parent = _dig(record, parent_path)
        if isinstance(parent, dict) and isinstance(parent.get(key), list):
            parent[key] = [new if v == old else v for v in parent[key]]
    return record


def _dig(record: Any, path: str) -> Any:
    for part in path.split(".") if path else []:
        if not isinstance(record, dict):
            return None
        record = record.get(part)
    return record


def validate(record: Any, schema: dict | None = None) -> list[tuple[str, str]]:
    """Every (field, message) where ``record`` breaks ``schema`` (default: ``CORE``)."""
    if not isinstance(record, dict):
        return [("", f"a VERIS record is a JSON object, not {_json_type(record)}")]
    strict = version_tuple(record.get("schema_version")) >= STRICT_FROM
    errors = list(_unstorable_text(record, "", 0))
    if errors:
        return errors
    errors = list(_check(schema or CORE, record, "", strict, 0))
    if schema is not None and schema is not CORE:  # what we store must hold whatever schema was given
        errors += [e for e in _check(CORE, record, "", strict, 0) if e not in errors]
    return errors


def loads(text: str | bytes) -> Any:
    """JSON as VERIS files hold it: NaN and Infinity (which Python's json accepts) refused."""
    def no_constants(name: str) -> Any:
        raise ValueError(f"{name} is not valid JSON")

    try:
        return json.loads(text, parse_constant=no_constants)
    except RecursionError:
        raise ValueError("nested too deeply") from None


# --- The record as the incident database keeps it ----------------------------------------


@dataclass
class IncidentRecord:
    """One VERIS incident in the fields the database stores (see ``models.Incident``)."""

    incident_id: str
    schema_version: str
    security_incident: str
    summary: str = ""
    source_id: str = ""
    reference: str = ""
    master_id: str = ""
    confidence: str = ""
    year: int = 0
    month: int | None = None
    day: int | None = None
    actions: dict[str, dict[str, list[str]]] = field(default_factory=dict)  # category → {variety, vector}
    actors: dict[str, dict[str, list[str]]] = field(default_factory=dict)  # category → {variety, motive}
    assets: list[str] = field(default_factory=list)
    data_disclosure: str = ""
    data_varieties: list[str] = field(default_factory=list)
    records_affected: int | None = None
    integrity: list[str] = field(default_factory=list)
    availability: list[str] = field(default_factory=list)
    industry: str = ""
    countries: list[str] = field(default_factory=list)
    employee_count: str = ""
    victim_name: str = ""
    discovery_unit: str = ""
    discovery_value: float | None = None
    discovery_methods: dict[str, list[str]] = field(default_factory=dict)
    notification: tuple[int, int | None, int | None] | None = None  # (year, month, day) from plus.timeline
    sub_source: str = ""
    raw: dict = field(default_factory=dict)


def _list(value: Any) -> list[str]:
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def _notification(plus: Any) -> tuple[int, int | None, int | None] | None:
    """The VCDB's ``plus.timeline.notification``: when the breach was made public. Kept
    only when its year, month and day are plausible integers (``plus`` is free-form)."""
    note = _dig(plus, "timeline.notification")
    if not isinstance(note, dict):
        return None
    year, month, day = note.get("year"), note.get("month"), note.get("day")

    def ok(v: Any, low: int, high: int) -> bool:
        return isinstance(v, int) and not isinstance(v, bool) and low <= v <= high

    if not ok(year, 1950, 2100):
        return None
    month = month if ok(month, 1, 12) else None
    day = day if month is not None and ok(day, 1, 31) else None
    return (year, month, day)


def to_record(data: dict) -> IncidentRecord:
    """The stored fields of a record that ``validate`` passed."""
    t = data["timeline"]["incident"]
    conf = _dig(data, "attribute.confidentiality") or {}
    victim = data.get("victim") or {}
    discovery = _dig(data, "timeline.discovery") or {}
    plus = data.get("plus") if isinstance(data.get("plus"), dict) else {}
    return IncidentRecord(
        incident_id=data["incident_id"].strip(),
        schema_version=data["schema_version"],
        security_incident=data["security_incident"],
        summary=data.get("summary", ""),
        source_id=data.get("source_id", ""),
        reference=data.get("reference", ""),
        master_id=str(plus.get("master_id", ""))[:100] if isinstance(plus.get("master_id", ""), str) else "",
        confidence=data.get("confidence", ""),
        year=t["year"], month=t.get("month"), day=t.get("day"),
        actions={c: {"variety": _list(v.get("variety")), "vector": _list(v.get("vector"))}
                 for c, v in data["action"].items() if c in ACTION_CATEGORIES and isinstance(v, dict)},
        actors={c: {"variety": _list(v.get("variety")), "motive": _list(v.get("motive"))}
                for c, v in data["actor"].items() if c in ACTOR_CATEGORIES and isinstance(v, dict)},
        assets=[a["variety"] for a in data["asset"]["assets"]],
        data_disclosure=conf.get("data_disclosure", ""),
        data_varieties=[d["variety"] for d in conf.get("data", [])],
        records_affected=conf.get("data_total"),
        integrity=_list(_dig(data, "attribute.integrity.variety")),
        availability=_list(_dig(data, "attribute.availability.variety")),
        industry=victim.get("industry", ""),
        countries=_list(victim.get("country")),
        employee_count=victim.get("employee_count", ""),
        victim_name=victim.get("victim_id", "") if isinstance(victim.get("victim_id", ""), str) else "",
        discovery_unit=discovery.get("unit", ""),
        discovery_value=discovery.get("value"),
        discovery_methods={c: _list(v.get("variety")) if isinstance(v, dict) else []
                           for c, v in data["discovery_method"].items() if c in DISCOVERY_CATEGORIES and v},
        notification=_notification(plus),
        sub_source=plus.get("sub_source", "") if isinstance(plus.get("sub_source", ""), str) else "",
        raw=data,
    )


def read_record(text: str | bytes, schema: dict | None = None) -> IncidentRecord:
    """Parse, upgrade legacy spellings, validate, and read one VERIS record. Raises
    ``InvalidRecord`` naming the field (``ValueError`` subclasses for unreadable JSON)."""
    try:
        data = loads(text)
    except ValueError as exc:
        raise InvalidRecord([("", f"not valid JSON: {exc}")]) from None
    if isinstance(data, dict):
        upgrade_legacy(data)
    errors = validate(data, schema)
    if errors:
        raise InvalidRecord(errors)
    return to_record(data)
