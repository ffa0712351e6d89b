"""Read a PeeringDB JSON API dump (no Django): ``ix.json``, ``ixlan.json``, ``ixpfx.json``
and, when present, ``netixlan.json`` (the members). Each file is ``{"meta": {"generated":
EPOCH}, "data": [records]}``; the snapshot's date is ``meta.generated`` of ``ix.json``.

A file that is not that shape, or a record missing a field the import needs, raises
``MalformedFile`` naming the file and the record (1-based); a record that is well formed
but unusable (no country, a prefix that is not one) is left out with a ``Note``."""

from __future__ import annotations

import ipaddress
import json
from collections import defaultdict
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from isoc.infra.ixps_records import (
    ACTIVE,
    DEFUNCT,
    PLANNED,
    UNKNOWN,
    Note,
    Snapshot,
    SourceIxp,
    SourceLan,
    SourceMember,
    parse_asn,
    parse_prefix,
)
from isoc.pulse.importing import MalformedFile

SOURCE = "peeringdb"
FILES = ("ix.json", "ixlan.json", "ixpfx.json")
MEMBERS_FILE = "netixlan.json"
STATUSES = {"ok": ACTIVE, "pending": PLANNED, "deleted": DEFUNCT}


def _load(path: Path) -> tuple[date, list[dict]]:
    try:
        doc = json.loads(path.read_bytes())
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise MalformedFile(path, None, None, f"not JSON: {exc}") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("data"), list):
        raise MalformedFile(path, None, "data", "expected an object with a list under \"data\" (the PeeringDB API dump format)")
    meta = doc.get("meta")
    generated = meta.get("generated") if isinstance(meta, dict) else None
    if isinstance(generated, bool) or not isinstance(generated, int | float):
        raise MalformedFile(path, None, "meta.generated", "missing the dump's time (meta.generated, seconds since 1970)")
    try:
        as_of = datetime.fromtimestamp(generated, UTC).date()
    except (OverflowError, OSError, ValueError):
        raise MalformedFile(path, None, "meta.generated", f"not a time: {generated!r}") from None
    for i, record in enumerate(doc["data"], 1):
        if not isinstance(record, dict):
            raise MalformedFile(path, i, None, "a record is not an object")
    return as_of, doc["data"]


def _field(path: Path, i: int, record: dict, name: str, kind: type | tuple) -> Any:
    value = record.get(name)
    if isinstance(value, bool) and kind is not bool:
        value = None
    if not isinstance(value, kind):
        raise MalformedFile(path, i, name, f"missing or not {getattr(kind, '__name__', 'valid')}: {value!r}"[:300])
    return value


def _text(record: dict, name: str) -> str:
    value = record.get(name)
    return value.strip() if isinstance(value, str) else ""


def _established(record: dict) -> date | None:
    created = record.get("created")
    if isinstance(created, str) and len(created) >= 10:
        try:
            return date.fromisoformat(created[:10])
        except ValueError:
            return None
    return None


def parse_dir(directory: str | Path) -> Snapshot:
    """The whole dump in ``directory`` as one snapshot."""
    directory = Path(directory)
    for name in FILES:
        if not (directory / name).is_file():
            raise MalformedFile(directory / name, None, None, "file missing from the PeeringDB dump directory")
    as_of, ix_records = _load(directory / "ix.json")
    _, lan_records = _load(directory / "ixlan.json")
    _, pfx_records = _load(directory / "ixpfx.json")
    notes: list[Note] = []

    prefixes: dict[int, list] = defaultdict(list)
    path = directory / "ixpfx.json"
    for i, r in enumerate(pfx_records, 1):
        lan_id = _field(path, i, r, "ixlan_id", int)
        text = _field(path, i, r, "prefix", str)
        try:
            prefixes[lan_id].append(parse_prefix(text))
        except ValueError as exc:
            notes.append(Note(path.name, i, str(exc)))

    lans: dict[int, list[SourceLan]] = defaultdict(list)
    lan_to_ix: dict[int, int] = {}
    path = directory / "ixlan.json"
    for i, r in enumerate(lan_records, 1):
        lan_id, ix_id = _field(path, i, r, "id", int), _field(path, i, r, "ix_id", int)
        rs = r.get("rs_asn")
        try:
            rs_asn = parse_asn(rs) if rs else None
        except ValueError:
            rs_asn = None
        lans[ix_id].append(SourceLan(source_id=str(lan_id), name=_text(r, "name"), rs_asn=rs_asn,
                                     prefixes=tuple(prefixes.get(lan_id, ()))))
        lan_to_ix[lan_id] = ix_id

    ixps: list[SourceIxp] = []
    path = directory / "ix.json"
    for i, r in enumerate(ix_records, 1):
        ix_id = _field(path, i, r, "id", int)
        name = _field(path, i, r, "name", str).strip()
        country = _field(path, i, r, "country", str).strip().upper()
        if not name:
            raise MalformedFile(path, i, "name", "empty name")
        if len(country) != 2 or not country.isalpha() or not country.isascii():
            notes.append(Note(path.name, i, f"no ISO country code ({country!r}); IXP {ix_id} left out"))
            continue
        ixps.append(SourceIxp(
            source=SOURCE, source_id=str(ix_id), name=name[:200], long_name=_text(r, "name_long")[:300],
            country=country, city=_text(r, "city")[:120], region=_text(r, "region_continent")[:60],
            status=STATUSES.get(_text(r, "status"), UNKNOWN), website=_text(r, "website")[:500],
            established=_established(r), lans=tuple(lans.get(ix_id, ())), raw=r))

    members = _members(directory / MEMBERS_FILE, lan_to_ix, notes) if (directory / MEMBERS_FILE).is_file() else None
    files = [*FILES, *([MEMBERS_FILE] if members is not None else [])]
    return Snapshot(source=SOURCE, as_of=as_of, ixps=ixps, members=members, files=files, notes=notes)


def _members(path: Path, lan_to_ix: dict[int, int], notes: list[Note]) -> list[SourceMember]:
    """One member per (IXP, ASN), with every address it has on the IXP's LANs."""
    _, records = _load(path)
    found: dict[tuple[int, int], dict] = {}
    for i, r in enumerate(records, 1):
        lan_id = _field(path, i, r, "ixlan_id", int)
        try:
            asn = parse_asn(r.get("asn"))
        except ValueError as exc:
            raise MalformedFile(path, i, "asn", str(exc)) from None
        ix_id = lan_to_ix.get(lan_id)
        if ix_id is None:
            notes.append(Note(path.name, i, f"peering LAN {lan_id} is not in ixlan.json"))
            continue
        addresses = []
        for key in ("ipaddr4", "ipaddr6"):
            value = r.get(key)
            if value in (None, ""):
                continue
            try:
                addresses.append(str(ipaddress.ip_address(str(value).strip())))
            except ValueError:
                raise MalformedFile(path, i, key, f"not an IP address: {value!r}"[:300]) from None
        rs = r.get("is_rs_peer")
        # netixlan's own "name" is the exchange's, not the network's: the organisation is
        # left blank and the pages show the name routing knows for the ASN.
        entry = found.setdefault((ix_id, asn), {"addresses": [], "rs": None, "org": ""})
        entry["addresses"].extend(a for a in addresses if a not in entry["addresses"])
        if isinstance(rs, bool):
            entry["rs"] = bool(entry["rs"]) or rs
    return [SourceMember(ixp_source_id=str(ix), asn=asn, addresses=tuple(e["addresses"]),
                         organisation=e["org"][:200], route_server_peer=e["rs"])
            for (ix, asn), e in sorted(found.items())]
