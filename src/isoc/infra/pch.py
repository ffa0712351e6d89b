"""Read the PCH IXP directory export (no Django): ``ixp_exchange.csv``, ``ixp_subnets.csv``
and ``ixp_membership.csv``. The files separate fields with ", " (comma and space) and do
not quote: a comma inside a value is only told apart when it has no space after it (URLs),
so rows with more fields than the header are read from both ends (see ``_exchange``).
Members map to an exchange through their subnet. The export carries no date: the caller
says which day it describes (``as_of``).

Structural faults (wrong header, too few fields, an id or ASN that is not a number, an
address that is not one) raise ``MalformedFile`` naming the file and row (1-based, the
header is row 1); rows that are well formed but unusable are left out with a ``Note``."""

from __future__ import annotations

import ipaddress
from collections import defaultdict
from datetime import date
from pathlib import Path

import pycountry

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

SOURCE = "pch"
EXCHANGE, SUBNETS, MEMBERSHIP = "ixp_exchange.csv", "ixp_subnets.csv", "ixp_membership.csv"
SEP = ", "
EXCHANGE_HEADER = ["exchange_point_id", "region", "country", "city", "long_name", "status", "media_type",
                   "organization_type", "establishment", "url", "member_list_url", "looking_glass_url",
                   "participants", "traffic", "prefixes"]
SUBNETS_HEADER = ["exchange_point_id", "short_name", "status", "version", "multicast", "mlpa", "subnet", "participants"]
MEMBERSHIP_HEADER = ["subnet", "ip", "fqdn", "asn", "organization"]
STATUSES = {"active": ACTIVE, "planned": PLANNED, "defunct": DEFUNCT, "deprecated": DEFUNCT, "unknown": UNKNOWN, "": UNKNOWN}
NOT_AN_EXCHANGE = "not an exchange"
# PCH's country names that pycountry does not know by that spelling.
COUNTRY_ALIASES = {
    "congo-brazzaville": "CG", "congo-kinshasa": "CD", "cote d'ivoire": "CI", "korea": "KR", "kosovo": "XK",
    "laos": "LA", "palestine": "PS", "russia": "RU", "iran": "IR", "bolivia": "BO", "moldova": "MD",
    "tanzania": "TZ", "taiwan": "TW", "viet nam": "VN", "vietnam": "VN", "swaziland": "SZ",
    "british virgin islands": "VG", "czech republic": "CZ", "macedonia": "MK", "syria": "SY", "venezuela": "VE",
    "turkey": "TR", "sint maarten": "SX", "micronesia": "FM", "brunei": "BN", "cape verde": "CV", "east timor": "TL",
}


def country_code(name: str) -> str | None:
    """ISO 3166-1 alpha-2 for a PCH country name, or None."""
    key = name.strip().lower()
    if not key:
        return None
    if key in COUNTRY_ALIASES:
        return COUNTRY_ALIASES[key]
    try:
        return pycountry.countries.lookup(name.strip()).alpha_2
    except LookupError:
        return None


def _rows(path: Path, header: list[str]) -> list[tuple[int, list[str]]]:
    if not path.is_file():
        raise MalformedFile(path, None, None, "file missing from the PCH directory")
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise MalformedFile(path, None, None, f"not UTF-8: {exc}") from None
    if "\x00" in text:
        raise MalformedFile(path, None, None, "contains NUL bytes")
    lines = text.splitlines()
    if not lines or [h.strip() for h in lines[0].split(",")] != header:
        raise MalformedFile(path, 1, None, f"unexpected header; expected: {', '.join(header)}")
    rows = []
    for n, line in enumerate(lines[1:], 2):
        if not line.strip():
            continue
        fields = [f.strip() for f in line.split(SEP)]
        if len(fields) < len(header):
            raise MalformedFile(path, n, header[len(fields)] if len(fields) < len(header) else None,
                                f"{len(fields)} fields, expected {len(header)}")
        rows.append((n, fields))
    return rows


def _int(path: Path, n: int, name: str, text: str) -> int:
    if not text.isascii() or not text.isdigit() or len(text) > 12:
        raise MalformedFile(path, n, name, f"not a whole number: {text!r}"[:200])
    return int(text)


def _established(text: str) -> date | None:
    """PCH writes YYYYMMDD with 00 for an unknown month or day (20110500, 20110000)."""
    if len(text) != 8 or not text.isdigit():
        return None
    year, month, day = int(text[:4]), int(text[4:6]) or 1, int(text[6:]) or 1
    try:
        return date(year, month, day) if year >= 1980 else None
    except ValueError:
        return None


def _exchange(path: Path, n: int, fields: list[str], notes: list[Note]) -> dict:
    """Fields from both ends; an extra ", " falls inside city or long name, whose split is
    then a guess (the last extra part goes to the name), noted."""
    head, tail = fields[:3], fields[-10:]
    middle = fields[3:-10]
    if len(middle) > 2:
        notes.append(Note(path.name, n, f"more fields than the header: city and name split guessed ({SEP.join(middle)!r})"))
        middle = [SEP.join(middle[:-1]), middle[-1]]
    return dict(zip(EXCHANGE_HEADER, [*head, *middle, *tail], strict=True))


def parse_dir(directory: str | Path, as_of: date) -> Snapshot:
    """The three files in ``directory`` as one snapshot of ``as_of``."""
    if not isinstance(as_of, date):
        raise ValueError("as_of: the date the PCH export describes is required")
    directory = Path(directory)
    notes: list[Note] = []
    exchanges: dict[int, dict] = {}
    path = directory / EXCHANGE
    for n, fields in _rows(path, EXCHANGE_HEADER):
        row = _exchange(path, n, fields, notes)
        ix_id = _int(path, n, "exchange_point_id", row["exchange_point_id"])
        if ix_id in exchanges:
            raise MalformedFile(path, n, "exchange_point_id", f"exchange {ix_id} listed twice")
        row["_row"] = n
        exchanges[ix_id] = row

    lans: dict[int, dict] = {}
    subnet_owner: dict[ipaddress.IPv4Network | ipaddress.IPv6Network, set[int]] = defaultdict(set)
    path = directory / SUBNETS
    for n, fields in _rows(path, SUBNETS_HEADER):
        row = dict(zip(SUBNETS_HEADER, fields[:8], strict=True))
        ix_id = _int(path, n, "exchange_point_id", row["exchange_point_id"])
        if ix_id not in exchanges:
            notes.append(Note(path.name, n, f"exchange {ix_id} is not in {EXCHANGE}"))
            continue
        lan = lans.setdefault(ix_id, {"name": row["short_name"], "prefixes": []})
        if not row["subnet"]:
            continue  # a LAN listed without its prefix: nothing to keep but the name
        try:
            prefix = parse_prefix(row["subnet"])
        except ValueError as exc:
            notes.append(Note(path.name, n, str(exc)))
            continue
        if prefix not in lan["prefixes"]:
            lan["prefixes"].append(prefix)
        subnet_owner[prefix].add(ix_id)

    ixps: list[SourceIxp] = []
    kept: set[int] = set()
    for ix_id, row in exchanges.items():
        status_text = row["status"].strip().lower()
        if status_text == NOT_AN_EXCHANGE:
            notes.append(Note(EXCHANGE, row["_row"], f"exchange {ix_id}: PCH says it is not an exchange"))
            continue
        code = country_code(row["country"])
        if code is None:
            notes.append(Note(EXCHANGE, row["_row"], f"unknown country {row['country']!r}"))
            continue
        lan = lans.get(ix_id, {"name": "", "prefixes": []})
        long_name = row["long_name"]
        raw = {k: v for k, v in row.items() if not k.startswith("_")}
        ixps.append(SourceIxp(
            source=SOURCE, source_id=str(ix_id), name=(lan["name"] or long_name or f"PCH {ix_id}")[:200],
            long_name=long_name[:300], country=code, city=row["city"][:120], region=row["region"][:60],
            status=STATUSES.get(status_text, UNKNOWN), website=row["url"][:500],
            established=_established(row["establishment"]),
            lans=(SourceLan(source_id=str(ix_id), name=lan["name"], prefixes=tuple(lan["prefixes"])),) if ix_id in lans else (),
            raw=raw))
        kept.add(ix_id)

    members = _members(directory / MEMBERSHIP, subnet_owner, kept, notes)
    return Snapshot(source=SOURCE, as_of=as_of, ixps=ixps, members=members, files=[EXCHANGE, SUBNETS, MEMBERSHIP],
                    notes=notes)


def _members(path: Path, subnet_owner: dict, kept: set[int], notes: list[Note]) -> list[SourceMember]:
    found: dict[tuple[int, int], dict] = {}
    prefixes: dict[str, object] = {}
    for n, fields in _rows(path, MEMBERSHIP_HEADER):
        subnet, ip, _fqdn, asn_text = fields[:4]
        organisation = SEP.join(fields[4:]).strip().rstrip(",")  # the last column takes any extra ", "
        try:
            address = ipaddress.ip_address(ip)
        except ValueError:
            raise MalformedFile(path, n, "ip", f"not an IP address: {ip!r}"[:200]) from None
        if not asn_text:
            notes.append(Note(path.name, n, f"{address}: no AS number"))
            continue
        try:
            asn = parse_asn(asn_text)
        except ValueError as exc:
            raise MalformedFile(path, n, "asn", str(exc)) from None
        if subnet not in prefixes:  # the same few hundred subnets repeat over thousands of rows
            try:
                prefixes[subnet] = parse_prefix(subnet)
            except ValueError:
                prefixes[subnet] = None
        prefix = prefixes[subnet]
        owners = subnet_owner.get(prefix, set()) if prefix is not None else set()
        if len(owners) != 1:
            why = "is not listed in " + SUBNETS if not owners else "belongs to several exchanges (" + ", ".join(map(str, sorted(owners))) + ")"
            notes.append(Note(path.name, n, f"subnet {subnet!r} {why}"))
            continue
        (ix_id,) = owners
        if ix_id not in kept:
            continue
        entry = found.setdefault((ix_id, asn), {"addresses": [], "org": organisation})
        if str(address) not in entry["addresses"]:
            entry["addresses"].append(str(address))
        entry["org"] = entry["org"] or organisation
    return [SourceMember(ixp_source_id=str(ix), asn=asn, addresses=tuple(e["addresses"]), organisation=e["org"][:200])
            for (ix, asn), e in sorted(found.items())]
