"""What the IXP importers read, as plain data (no Django): an IXP as one source describes
it, its peering LANs with their prefixes, its members, and a whole snapshot of a source
at one date. ``peeringdb.py`` and ``pch.py`` build these; ``services/ixps.py`` stores them."""

from __future__ import annotations

import ipaddress
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from typing import Any

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
ASN_MAX = 2**32 - 1

# Statuses the site uses, whatever words a source has for them.
ACTIVE, PLANNED, DEFUNCT, UNKNOWN = "active", "planned", "defunct", "unknown"


@dataclass(frozen=True)
class SourceLan:
    """A peering LAN as a source lists it, with its prefixes (validated networks)."""

    source_id: str
    name: str = ""
    rs_asn: int | None = None
    prefixes: tuple[Network, ...] = ()


@dataclass(frozen=True)
class SourceIxp:
    source: str  # "peeringdb" or "pch"
    source_id: str
    name: str
    long_name: str
    country: str  # ISO 3166-1 alpha-2, upper case
    city: str
    region: str
    status: str
    website: str
    established: date | None
    lans: tuple[SourceLan, ...] = ()
    raw: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    @property
    def prefixes(self) -> tuple[Network, ...]:
        return tuple(p for lan in self.lans for p in lan.prefixes)


@dataclass(frozen=True)
class SourceMember:
    """A network (ASN) present on an IXP in a snapshot; ``route_server_peer`` is None when
    the source does not say."""

    ixp_source_id: str
    asn: int
    addresses: tuple[str, ...] = ()
    organisation: str = ""
    route_server_peer: bool | None = None


@dataclass(frozen=True)
class Note:
    """A row the parser did not use (or used with a guess), and why."""

    file: str
    row: int
    reason: str

    def __str__(self) -> str:
        return f"{self.file}, row {self.row}: {self.reason}"


@dataclass
class Snapshot:
    """Everything one source said at one date. ``members`` is None when the snapshot has no
    member file: then nobody is taken to have left."""

    source: str
    as_of: date
    ixps: list[SourceIxp]
    members: list[SourceMember] | None
    files: list[str]
    notes: list[Note] = field(default_factory=list)


def normalise_name(text: str) -> str:
    """Lower case, no accents, punctuation as spaces: "Réunion-IX" → "reunion ix"."""
    text = unicodedata.normalize("NFKD", text or "").encode("ascii", "ignore").decode()
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text.lower()).split())


def parse_prefix(text: str) -> Network:
    """A peering-LAN prefix; host bits are cleared (sources write 193.25.180.255/23), stray
    spaces dropped. Raises ValueError for anything else."""
    cleaned = "".join((text or "").split())
    if not cleaned or "/" not in cleaned:
        raise ValueError(f"not a prefix: {text!r}")
    return ipaddress.ip_network(cleaned, strict=False)


def parse_asn(text: Any) -> int:
    if isinstance(text, bool):
        raise ValueError(f"not an AS number: {text!r}")
    if isinstance(text, int):
        value = text
    else:
        s = str(text).strip()
        if s.upper().startswith("AS"):
            s = s[2:]
        if not s.isascii() or not s.isdigit():
            raise ValueError(f"not an AS number: {text!r}")
        value = int(s)
    if not 1 <= value <= ASN_MAX:
        raise ValueError(f"AS number out of range: {value}")
    return value
