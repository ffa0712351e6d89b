"""Validated ROA payloads (VRPs) and ASPA records, read from relying-party output.

Django-free. Every reader returns a :class:`VRPSet`: per address family, compact NumPy
columns (network, prefix length, maxLength, ASN), deduplicated on (prefix, maxLength,
ASN) as rpki-client's ``uniquevrps`` counts them, plus the ASPA records where the file
has them.

Formats read (:func:`load_vrps` picks by content, ``.bz2`` is decompressed):

- rpki-client JSON, every vintage seen so far (2021 with string-typed metadata, 2023,
  2025): ``{"metadata": …, "roas": [{"asn", "prefix", "maxLength", "ta", …}], "aspas":
  [{"customer_asid", "providers": [...]}]}``;
- Routinator ``jsonext``: the same ``roas`` list with ``"asn": "AS13335"`` and the trust
  anchor inside ``source[].tal``;
- a bare JSON list of ``{"prefix", "maxLength", "asn"}`` (rpki-validator-js, also
  Routinator ``json`` when its ``roas`` list is given alone);
- CSV with the header ``ASN,IP Prefix,Max Length,Trust Anchor`` (rpki-client ``-c``,
  Routinator ``csv``; extra columns such as ``Expires`` are ignored).

Records are validated at the boundary with :mod:`ipaddress`; a malformed one raises
:class:`VRPError` naming the record's index and the field, so a bad export is refused
instead of silently validating routes against garbage.
"""

from __future__ import annotations

import bz2
import csv
import gzip
import io
import ipaddress
import json
import zlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["ASPA", "FamilyVRPs", "VRPError", "VRPSet", "from_records", "load_vrps", "parse_bytes", "parse_csv", "parse_json"]

ASN_MAX = 2**32 - 1
_U64 = np.uint64


class VRPError(ValueError):
    """A VRP or ASPA record is malformed; the message names the record index and field."""

    def __init__(self, index: int, fieldname: str, problem: str) -> None:
        self.index = index
        self.field = fieldname
        super().__init__(f"record {index}: field {fieldname!r}: {problem}")


@dataclass(frozen=True)
class ASPA:
    """An ASPA: the customer AS and the set of ASes it declares as its providers."""

    customer: int
    providers: tuple[int, ...]
    expires: int | None = None


@dataclass(frozen=True)
class FamilyVRPs:
    """The VRPs of one address family as parallel arrays.

    ``hi``/``lo`` hold the network address as two unsigned 64-bit halves: for IPv4 the
    whole 32-bit address is in ``hi`` (``lo`` is zero), for IPv6 ``hi`` is the upper 64
    bits. Two uint64 halves rather than Python ints keep every comparison vectorised.
    """

    width: int  # 32 or 128
    hi: np.ndarray  # uint64
    lo: np.ndarray  # uint64
    length: np.ndarray  # uint8, prefix length
    max_length: np.ndarray  # uint8
    asn: np.ndarray  # uint32

    def __len__(self) -> int:
        return int(self.hi.shape[0])

    def prefix(self, i: int) -> str:
        """The i-th VRP's prefix as text (for messages and tests, not the hot path)."""
        if self.width == 32:
            return f"{ipaddress.IPv4Address(int(self.hi[i]))}/{int(self.length[i])}"
        value = (int(self.hi[i]) << 64) | int(self.lo[i])
        return f"{ipaddress.IPv6Address(value)}/{int(self.length[i])}"


@dataclass(frozen=True)
class VRPSet:
    """All VRPs of a relying-party export, split by family, plus its ASPA records."""

    v4: FamilyVRPs
    v6: FamilyVRPs
    aspas: list[ASPA] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.v4) + len(self.v6)


def _decimal(text: str) -> bool:
    """ASCII digits only: str.isdigit() also accepts "²" and other digits int() refuses."""
    return text.isascii() and text.isdigit()


def _asn(value: Any, index: int, fieldname: str = "asn") -> int:
    """An AS number from int, ``"123"`` or ``"AS123"``; bool and out-of-range refused."""
    if isinstance(value, bool):
        raise VRPError(index, fieldname, f"not an AS number: {value!r}")
    if isinstance(value, str):
        text = value.strip()
        if text[:2].upper() == "AS":
            text = text[2:]
        if not _decimal(text):
            raise VRPError(index, fieldname, f"not an AS number: {value!r}")
        value = int(text)
    if not isinstance(value, int):
        raise VRPError(index, fieldname, f"not an AS number: {value!r}")
    if not 0 <= value <= ASN_MAX:
        raise VRPError(index, fieldname, f"AS number {value} out of range 0..{ASN_MAX}")
    return value


def _max_length(value: Any, index: int) -> int:
    if isinstance(value, bool):
        raise VRPError(index, "maxLength", f"not an integer: {value!r}")
    if isinstance(value, str) and _decimal(value.strip()):
        value = int(value.strip())
    if not isinstance(value, int):
        raise VRPError(index, "maxLength", f"not an integer: {value!r}")
    return value


def from_records(records: Iterable[tuple[Any, Any, Any]], aspas: Iterable[ASPA] = ()) -> VRPSet:
    """Build a :class:`VRPSet` from ``(prefix, maxLength, asn)`` triples.

    ``prefix`` must be a network in canonical form (host bits zero, ``strict=True``):
    relying parties never emit anything else, so a set host bit means a corrupt record.
    """
    v4: list[tuple[int, int, int, int]] = []
    v6: list[tuple[int, int, int, int, int]] = []
    for index, (prefix, max_length, asn) in enumerate(records):
        try:
            net = ipaddress.ip_network(prefix.strip() if isinstance(prefix, str) else prefix, strict=True)
        except (TypeError, ValueError) as exc:
            raise VRPError(index, "prefix", f"bad prefix {prefix!r} ({exc})") from None
        ml = _max_length(max_length, index)
        width = net.max_prefixlen
        if not net.prefixlen <= ml <= width:
            raise VRPError(index, "maxLength", f"{ml} is outside {net.prefixlen}..{width} for {net}")
        a = _asn(asn, index)
        value = int(net.network_address)
        if width == 32:
            v4.append((value, net.prefixlen, ml, a))
        else:
            v6.append((value >> 64, value & 0xFFFF_FFFF_FFFF_FFFF, net.prefixlen, ml, a))
    return VRPSet(_family(v4, 32), _family(v6, 128), list(aspas))


def _family(rows: list[tuple[int, ...]], width: int) -> FamilyVRPs:
    """Columns from rows, deduplicated and sorted (np.unique on the stacked columns)."""
    if width == 32:
        table = np.array(rows, dtype=_U64).reshape(-1, 4)
        table = np.unique(table, axis=0) if len(table) else table
        hi, length, max_length, asn = table.T
        lo = np.zeros_like(hi)
    else:
        table = np.array(rows, dtype=_U64).reshape(-1, 5)
        table = np.unique(table, axis=0) if len(table) else table
        hi, lo, length, max_length, asn = table.T
    return FamilyVRPs(
        width=width,
        hi=np.ascontiguousarray(hi, dtype=_U64),
        lo=np.ascontiguousarray(lo, dtype=_U64),
        length=length.astype(np.uint8),
        max_length=max_length.astype(np.uint8),
        asn=asn.astype(np.uint32),
    )


def _aspa(index: int, record: Mapping[str, Any]) -> ASPA:
    """rpki-client writes ``customer_asid`` and a list of provider ints (older builds:
    ``{"asid", "afi_limit"}`` objects); Routinator writes ``customer`` and ``"AS…"``."""
    if not isinstance(record, Mapping):
        raise VRPError(index, "aspa", f"not an object: {record!r}"[:200])
    customer = record.get("customer_asid", record.get("customer"))
    if customer is None:
        raise VRPError(index, "customer_asid", "missing")
    listed = record.get("providers", [])
    if not isinstance(listed, list):
        raise VRPError(index, "providers", f"not a list: {listed!r}"[:200])
    providers = []
    for p in listed:
        providers.append(_asn(p.get("asid") if isinstance(p, Mapping) else p, index, "providers"))
    expires = record.get("expires")
    if expires is not None and (isinstance(expires, bool) or not isinstance(expires, int)):
        raise VRPError(index, "expires", f"not a time in seconds: {expires!r}"[:200])
    return ASPA(_asn(customer, index, "customer_asid"), tuple(providers), expires)


def parse_json(document: Any) -> VRPSet:
    """A :class:`VRPSet` from decoded rpki-client / Routinator / rpki-validator-js JSON."""
    if isinstance(document, Mapping):
        roas = document.get("roas")
        if roas is None:
            raise VRPError(-1, "roas", "no 'roas' list in the document")
        aspa_records = document.get("aspas") or []
        if not isinstance(roas, list) or not isinstance(aspa_records, list):
            raise VRPError(-1, "roas" if not isinstance(roas, list) else "aspas", "not a list")
    elif isinstance(document, list):
        roas, aspa_records = document, []
    else:
        raise VRPError(-1, "roas", f"expected an object or a list, got {type(document).__name__}")

    def triples() -> Iterable[tuple[Any, Any, Any]]:
        for index, roa in enumerate(roas):
            if not isinstance(roa, Mapping):
                raise VRPError(index, "roa", f"not an object: {roa!r}"[:200])
            for key in ("prefix", "maxLength", "asn"):
                if key not in roa:
                    raise VRPError(index, key, "missing")
            yield roa["prefix"], roa["maxLength"], roa["asn"]

    aspas = [_aspa(i, r) for i, r in enumerate(aspa_records)]
    return from_records(triples(), aspas)


def parse_csv(text: str) -> VRPSet:
    """A :class:`VRPSet` from ``ASN,IP Prefix,Max Length,Trust Anchor`` CSV."""
    reader = csv.DictReader(io.StringIO(text))
    needed = ("ASN", "IP Prefix", "Max Length")
    missing = [c for c in needed if c not in (reader.fieldnames or [])]
    if missing:
        raise VRPError(-1, missing[0], f"CSV header lacks {missing}; got {reader.fieldnames}")
    return from_records((row["IP Prefix"], row["Max Length"], row["ASN"]) for row in reader)


def load_vrps(path: str | Path) -> VRPSet:
    """Read a VRP file of any supported format (bz2/gzip-compressed or plain)."""
    return parse_bytes(Path(path).read_bytes())


def parse_bytes(raw: bytes) -> VRPSet:
    """A :class:`VRPSet` from the content of a VRP file of any supported format.

    Whatever the bytes, the only error is :class:`VRPError` (index -1, field ``"file"`` for
    a file that is not one of the formats at all): the importer refuses the file with it.
    """
    try:
        if raw[:3] == b"BZh":
            raw = bz2.decompress(raw)
        elif raw[:2] == b"\x1f\x8b":
            raw = gzip.decompress(raw)
    except (OSError, EOFError, ValueError, zlib.error) as exc:  # gzip: BadGzipFile/EOFError/zlib.error, bz2: OSError
        raise VRPError(-1, "file", f"damaged compressed file ({exc})") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise VRPError(-1, "file", f"not UTF-8 text ({exc})") from None
    if text.lstrip()[:1] in ("{", "["):
        try:
            document = json.loads(text)
        except ValueError as exc:
            raise VRPError(-1, "file", f"not JSON ({exc})") from None
        except RecursionError:
            raise VRPError(-1, "file", "JSON nested too deeply") from None
        return parse_json(document)
    try:
        return parse_csv(text)
    except csv.Error as exc:  # e.g. a NUL byte, or a field over the csv module's limit
        raise VRPError(-1, "file", f"not CSV ({exc})") from None
