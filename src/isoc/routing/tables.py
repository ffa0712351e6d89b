"""Columnar forms of routing data (Django-free): VRP sets and route summaries as Arrow
tables with numeric address bounds, so DuckDB can answer "what covers / lies inside this
prefix" from a Parquet file without parsing strings.

Addresses are split into two unsigned 64-bit halves, as ``vrps.FamilyVRPs`` does: IPv4 in
``hi`` (``lo`` zero), IPv6 upper/lower 64 bits. ``start_*`` is the network address,
``end_*`` the last address of the prefix; a prefix A covers B when A's family is B's,
A.length ≤ B.length and start(A) ≤ start(B) and end(B) ≤ end(A) (compared as (hi, lo)).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from isoc.routing.vrps import ASPA, FamilyVRPs, VRPSet

_LOW64 = (1 << 64) - 1

#: The numeric bounds every prefix table carries (see the module docstring).
BOUNDS_FIELDS = [
    ("family", pa.uint8()),
    ("length", pa.uint8()),
    ("start_hi", pa.uint64()),
    ("start_lo", pa.uint64()),
    ("end_hi", pa.uint64()),
    ("end_lo", pa.uint64()),
]

VRP_SCHEMA = pa.schema([("prefix", pa.string()), ("max_length", pa.uint8()), ("asn", pa.uint32()), *BOUNDS_FIELDS])

ASPA_SCHEMA = pa.schema([("customer", pa.uint32()), ("providers", pa.list_(pa.uint32())), ("expires", pa.int64())])

#: One row per (prefix, origin AS) seen in an MRT import.
ROUTE_SCHEMA = pa.schema(
    [
        ("prefix", pa.string()),
        ("origin_asn", pa.int64()),  # -1: no single origin (AS_SET)
        ("peers", pa.uint32()),  # peers that carried it
        ("first_seen", pa.int64()),  # Unix seconds
        ("last_seen", pa.int64()),
        ("as_path", pa.string()),  # one path it was seen with
        ("state", pa.uint8()),  # rov.ValidationState; null when no VRP set was available
        ("country", pa.string()),  # ISO 3166-1 alpha-2 where the address space is registered, else the origin's
        *BOUNDS_FIELDS,
    ]
)


@dataclass(frozen=True)
class Bounds:
    family: int
    length: int
    start_hi: int
    start_lo: int
    end_hi: int
    end_lo: int


def bounds(prefix: str) -> Bounds:
    """Numeric bounds of a prefix (host bits masked). Raises ``ValueError`` for bad text."""
    net = ipaddress.ip_network(prefix.strip(), strict=False)
    start, end = int(net.network_address), int(net.broadcast_address)
    if net.version == 4:
        return Bounds(4, net.prefixlen, start, 0, end, 0)
    return Bounds(6, net.prefixlen, start >> 64, start & _LOW64, end >> 64, end & _LOW64)


def _family_bounds(fam: FamilyVRPs) -> tuple[np.ndarray, ...]:
    hi = fam.hi.astype(np.uint64)
    lo = fam.lo.astype(np.uint64)
    length = fam.length.astype(np.int64)
    if fam.width == 32:
        host = (np.uint64(1) << (32 - length).astype(np.uint64)) - np.uint64(1)
        return hi, lo, hi | host, lo
    # IPv6: host bits span lo entirely when length ≤ 64, part of lo otherwise.
    ones = np.uint64(_LOW64)
    hi_bits = np.clip(64 - length, 0, 64).astype(np.uint64)
    lo_bits = np.clip(128 - length, 0, 64).astype(np.uint64)
    hi_host = np.where(hi_bits == 64, ones, (np.uint64(1) << (hi_bits % np.uint64(64))) - np.uint64(1))
    lo_host = np.where(lo_bits == 64, ones, (np.uint64(1) << (lo_bits % np.uint64(64))) - np.uint64(1))
    return hi, lo, hi | hi_host, lo | lo_host


def _prefix_texts(fam: FamilyVRPs) -> list[str]:
    if fam.width == 32:
        return [f"{ipaddress.IPv4Address(int(h))}/{int(n)}" for h, n in zip(fam.hi, fam.length, strict=True)]
    return [
        f"{ipaddress.IPv6Address((int(h) << 64) | int(lo))}/{int(n)}"
        for h, lo, n in zip(fam.hi, fam.lo, fam.length, strict=True)
    ]


def vrps_to_table(vrps: VRPSet) -> pa.Table:
    """All VRPs as one table of :data:`VRP_SCHEMA`."""
    parts = []
    for fam, family in ((vrps.v4, 4), (vrps.v6, 6)):
        s_hi, s_lo, e_hi, e_lo = _family_bounds(fam)
        parts.append(
            pa.table(
                {
                    "prefix": pa.array(_prefix_texts(fam), type=pa.string()),
                    "max_length": pa.array(fam.max_length, type=pa.uint8()),
                    "asn": pa.array(fam.asn, type=pa.uint32()),
                    "family": pa.array(np.full(len(fam), family, dtype=np.uint8)),
                    "length": pa.array(fam.length, type=pa.uint8()),
                    "start_hi": pa.array(s_hi),
                    "start_lo": pa.array(s_lo),
                    "end_hi": pa.array(e_hi),
                    "end_lo": pa.array(e_lo),
                },
                schema=VRP_SCHEMA,
            )
        )
    return pa.concat_tables(parts)


def table_to_vrps(table: pa.Table, aspas: Sequence[ASPA] = ()) -> VRPSet:
    """The inverse of :func:`vrps_to_table` (for building a validation index from Parquet)."""

    def family(n: int, width: int) -> FamilyVRPs:
        rows = table.filter(pa.compute.equal(table["family"], n))
        return FamilyVRPs(
            width=width,
            hi=rows["start_hi"].to_numpy().astype(np.uint64),
            lo=rows["start_lo"].to_numpy().astype(np.uint64),
            length=rows["length"].to_numpy().astype(np.uint8),
            max_length=rows["max_length"].to_numpy().astype(np.uint8),
            asn=rows["asn"].to_numpy().astype(np.uint32),
        )

    return VRPSet(v4=family(4, 32), v6=family(6, 128), aspas=list(aspas))


def aspas_to_table(aspas: Sequence[ASPA]) -> pa.Table:
    return pa.table(
        {
            "customer": pa.array([a.customer for a in aspas], type=pa.uint32()),
            "providers": pa.array([list(a.providers) for a in aspas], type=pa.list_(pa.uint32())),
            "expires": pa.array([a.expires for a in aspas], type=pa.int64()),
        },
        schema=ASPA_SCHEMA,
    )


def table_to_aspas(table: pa.Table) -> list[ASPA]:
    return [ASPA(r["customer"], tuple(r["providers"] or ()), r["expires"]) for r in table.to_pylist()]


def prefix_bounds_columns(prefixes: Sequence[str]) -> dict[str, pa.Array]:
    """The family/length/start/end columns for route prefixes (already canonical text)."""
    fam, length, s_hi, s_lo, e_hi, e_lo = ([] for _ in range(6))
    for text in prefixes:
        b = bounds(text)
        fam.append(b.family)
        length.append(b.length)
        s_hi.append(b.start_hi)
        s_lo.append(b.start_lo)
        e_hi.append(b.end_hi)
        e_lo.append(b.end_lo)
    return {
        "family": pa.array(fam, type=pa.uint8()),
        "length": pa.array(length, type=pa.uint8()),
        "start_hi": pa.array(s_hi, type=pa.uint64()),
        "start_lo": pa.array(s_lo, type=pa.uint64()),
        "end_hi": pa.array(e_hi, type=pa.uint64()),
        "end_lo": pa.array(e_lo, type=pa.uint64()),
    }


#: DuckDB predicates (parameters: family, length, start_hi, start_lo, end_hi, end_lo of the
#: query prefix) selecting rows that cover the query / lie inside it.
COVERS_SQL = (
    "family = ? AND length <= ? AND (start_hi < ? OR (start_hi = ? AND start_lo <= ?))"
    " AND (end_hi > ? OR (end_hi = ? AND end_lo >= ?))"
)
INSIDE_SQL = (
    "family = ? AND length >= ? AND (start_hi > ? OR (start_hi = ? AND start_lo >= ?))"
    " AND (end_hi < ? OR (end_hi = ? AND end_lo <= ?))"
)


def predicate_params(b: Bounds) -> list[int]:
    """Parameters for :data:`COVERS_SQL` / :data:`INSIDE_SQL`, in order."""
    return [b.family, b.length, b.start_hi, b.start_hi, b.start_lo, b.end_hi, b.end_hi, b.end_lo]
