"""Route elements as Arrow record batches: the one columnar shape every routing consumer reads.

One row per (record, prefix), the grain of a ``bgpdump -m`` line, for RIB entries (``B``),
announcements (``A``) and withdrawals (``W``). BGP session state changes are not route
elements and are not in the batches (``isoc routing dump`` still prints them).

The columns carry every field of a ``bgpdump -m`` line, so :func:`format_row` turns a row
back into bgpdump's exact text (tests compare that with bgpdump's expected outputs), plus
numeric columns for analysis: ``peer_asn``, ``origin_asn`` and ``path_asns``.

:func:`batches_from_elements` builds the batches from :func:`isoc.routing.mrt.iter_elements`
(pure Python, always available). The compiled decoder, when built, produces the same
schema much faster; :func:`read_batches` picks the fastest available path.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import BinaryIO

import pyarrow as pa

from isoc.routing import mrt
from isoc.routing.bgpdump_format import _next_hop as bgpdump_next_hop
from isoc.routing.bgpdump_format import as_path_str, communities_str

__all__ = [
    "ELEMENT_SCHEMA",
    "KINDS",
    "NO_ORIGIN",
    "ORIGINS",
    "SOURCES",
    "batches_from_elements",
    "format_row",
    "origin_asn",
    "read_batches",
    "read_table",
]

#: Dictionary values of the ``source`` column: bgpdump's first column.
SOURCES = ("TABLE_DUMP", "TABLE_DUMP2", "TABLE_DUMP2_AP", "BGP4MP", "BGP4MP_ET")
#: Dictionary values of the ``kind`` column.
KINDS = ("B", "A", "W")
#: Dictionary values of the ``origin`` column (the ORIGIN attribute).
ORIGINS = ("IGP", "EGP", "INCOMPLETE")
#: ``origin_asn`` when the route has no single origin AS (path ends in an AS_SET or a
#: confederation segment, empty path, or a withdrawal). Same value as ``rov.NO_ORIGIN``.
NO_ORIGIN = -1

_SOURCE_TYPE = pa.dictionary(pa.int8(), pa.string())

ELEMENT_SCHEMA = pa.schema(
    [
        ("source", _SOURCE_TYPE),  # one of SOURCES
        ("kind", _SOURCE_TYPE),  # one of KINDS
        ("timestamp", pa.int64()),  # Unix seconds, UTC (the MRT header's)
        ("microsecond", pa.int32()),  # BGP4MP_ET's extra precision, else 0
        ("peer_ip", pa.string()),  # bgpdump's address text (see mrt.ip_str)
        ("peer_asn", pa.uint32()),
        ("prefix", pa.string()),  # masked, e.g. "11.8.0.0/13"
        ("path_id", pa.uint32()),  # RFC 8050 path identifier; null without add-path
        ("as_path", pa.string()),  # bgpdump's AS path text; null for W
        ("path_asns", pa.list_(pa.uint32())),  # every ASN of the path in order, sets flattened; null for W
        ("origin_asn", pa.int64()),  # last ASN if the path ends in an AS_SEQUENCE, else NO_ORIGIN
        ("origin", _SOURCE_TYPE),  # one of ORIGINS; null for W
        ("next_hop", pa.string()),  # null for W
        ("local_pref", pa.uint32()),  # 0 when absent, as bgpdump prints; null for W
        ("med", pa.uint32()),  # 0 when absent; null for W
        ("communities", pa.string()),  # bgpdump text; null for W
        ("atomic_aggregate", pa.bool_()),  # null for W
        ("aggregator", pa.string()),  # "asn ip" or ""; null for W
    ]
)

_ORIGIN_TEXT = {0: "IGP", 1: "EGP", 2: "INCOMPLETE"}


def origin_asn(segments: list[tuple[int, tuple[int, ...]]]) -> int:
    """The origin AS of a path, or :data:`NO_ORIGIN` when it has no single one (RFC 6811 §2)."""
    if not segments:
        return NO_ORIGIN
    seg_type, asns = segments[-1]
    if seg_type != mrt.AS_SEQUENCE or not asns:
        return NO_ORIGIN
    return asns[-1]


def _dictionary(values: list[str | None], dictionary: tuple[str, ...]) -> pa.DictionaryArray:
    lookup = {v: i for i, v in enumerate(dictionary)}
    indices = pa.array([None if v is None else lookup[v] for v in values], type=pa.int8())
    return pa.DictionaryArray.from_arrays(indices, pa.array(dictionary, type=pa.string()))


def _batch(rows: list[tuple]) -> pa.RecordBatch:
    columns = list(zip(*rows, strict=True)) if rows else [[] for _ in ELEMENT_SCHEMA]
    arrays = []
    for field, values in zip(ELEMENT_SCHEMA, columns, strict=True):
        values = list(values)
        if field.name == "source":
            arrays.append(_dictionary(values, SOURCES))
        elif field.name == "kind":
            arrays.append(_dictionary(values, KINDS))
        elif field.name == "origin":
            arrays.append(_dictionary(values, ORIGINS))
        else:
            arrays.append(pa.array(values, type=field.type))
    return pa.RecordBatch.from_arrays(arrays, schema=ELEMENT_SCHEMA)


def _row(element: mrt.RouteElement) -> tuple:
    head = (
        element.source,
        element.kind,
        element.timestamp,
        element.microsecond,
        element.peer_ip,
        element.peer_as,
        element.prefix,
        element.path_id,
    )
    if element.kind == "W":
        return head + (None, None, NO_ORIGIN, None, None, None, None, None, None, None)
    attrs = element.attrs or mrt.PathAttributes()
    return head + (
        as_path_str(attrs.as_path),
        [asn for _, asns in attrs.as_path for asn in asns],
        origin_asn(attrs.as_path),
        _ORIGIN_TEXT.get(attrs.origin, "INCOMPLETE") if attrs.origin is not None else "INCOMPLETE",
        bgpdump_next_hop(element, attrs),
        attrs.local_pref or 0,
        attrs.med or 0,
        communities_str(attrs),
        attrs.atomic_aggregate,
        f"{attrs.aggregator[0]} {attrs.aggregator[1]}" if attrs.aggregator else "",
    )


def batches_from_elements(
    elements: Iterable[mrt.RouteElement], batch_size: int = 65536
) -> Iterator[pa.RecordBatch]:
    """Group route elements (``B``/``A``/``W``; ``STATE`` is dropped) into record batches."""
    rows: list[tuple] = []
    for element in elements:
        if element.kind == "STATE":
            continue
        rows.append(_row(element))
        if len(rows) >= batch_size:
            yield _batch(rows)
            rows = []
    if rows:
        yield _batch(rows)


def read_batches(
    source: str | Path | BinaryIO,
    on_warning: mrt.WarningHandler | None = None,
    batch_size: int = 65536,
) -> Iterator[pa.RecordBatch]:
    """Decode an MRT file into record batches of :data:`ELEMENT_SCHEMA`, streaming."""
    yield from batches_from_elements(mrt.iter_elements(source, on_warning), batch_size)


def read_table(source: str | Path | BinaryIO, on_warning: mrt.WarningHandler | None = None) -> pa.Table:
    """The whole file as one table (fine for update files; stream RIBs with :func:`read_batches`)."""
    return pa.Table.from_batches(list(read_batches(source, on_warning)), schema=ELEMENT_SCHEMA)


def format_row(row: dict) -> str:
    """bgpdump's ``-m`` line for one row (``Table.to_pylist()`` item)."""
    head = f"{row['source']}|{row['timestamp']}|{row['kind']}|{row['peer_ip']}|{row['peer_asn']}"
    if row["kind"] == "W":
        return f"{head}|{row['prefix']}"
    tail = "|".join(
        (
            row["as_path"],
            row["origin"],
            row["next_hop"],
            str(row["local_pref"]),
            str(row["med"]),
            row["communities"],
            "AG" if row["atomic_aggregate"] else "NAG",
            row["aggregator"],
            "",
        )
    )
    if row["source"] == "TABLE_DUMP2_AP":
        return f"{head}|{row['prefix']}|{row['path_id']}|{tail}"
    return f"{head}|{row['prefix']}|{tail}"
