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

import logging
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import BinaryIO, Literal

import pyarrow as pa

from isoc.routing import mrt
from isoc.routing.bgpdump_format import _next_hop as bgpdump_next_hop
from isoc.routing.bgpdump_format import as_path_str, communities_str

__all__ = [
    "COMPILED",
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
        ("microsecond", pa.int32()),  # BGP4MP_ET's extra precision, else 0; null if not < 10**6
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
_MAX_MICROSECOND = 999_999


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
    # RFC 6396 §3: microseconds; a damaged field beyond int32 must not fail the whole batch.
    us = element.microsecond if 0 <= element.microsecond <= _MAX_MICROSECOND else None
    head = (
        element.source,
        element.kind,
        element.timestamp,
        us,
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
    engine: Literal["auto", "compiled", "python"] = "auto",
) -> Iterator[pa.RecordBatch]:
    """Decode an MRT file into record batches of :data:`ELEMENT_SCHEMA`, streaming.

    ``engine="auto"`` uses the compiled decoder when it is built (else the pure-Python path,
    with one logged warning per process); ``"python"`` forces the pure-Python reference path;
    ``"compiled"`` requires the compiled decoder. Both give the same batches (``batch_size``
    rows each but the last) and the same warnings.
    """
    if engine == "python":
        yield from batches_from_elements(mrt.iter_elements(source, on_warning), batch_size)
        return
    if engine not in ("auto", "compiled"):
        raise ValueError(f"unknown engine {engine!r}")
    if COMPILED is None:
        if engine == "compiled":
            raise ImportError(f"the compiled MRT decoder is not available: {_COMPILED_PROBLEM}")
        _warn_pure_fallback()
        yield from batches_from_elements(mrt.iter_elements(source, on_warning), batch_size)
        return
    yield from _compiled_batches(source, on_warning or mrt._log_warning, batch_size)


def read_table(
    source: str | Path | BinaryIO,
    on_warning: mrt.WarningHandler | None = None,
    engine: Literal["auto", "compiled", "python"] = "auto",
) -> pa.Table:
    """The whole file as one table (fine for update files; stream RIBs with :func:`read_batches`)."""
    batches = list(read_batches(source, on_warning, engine=engine))
    return pa.Table.from_batches(batches, schema=ELEMENT_SCHEMA)


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


# ---------------------------------------------------------------------------------------------
# The compiled path: isoc.routing._mrtdecode (built from _mrtdecode.c by setup.py at install).
#
# Python reads the decompressed stream into mrt._Window (the same read-ahead buffer that
# mrt.read_records uses) and hands the C decoder everything buffered. The C side decodes
# whole records for as long as they are regular, straight into column buffers, and stops at
# the first record that is not: an implausible header, a torn tail, or a body that does not
# decode cleanly. That one record then goes through :func:`mrt.next_record` (the step
# mrt.read_records takes) and the pure-Python decoder, so damage gives the same rows and the same
# warnings, byte offset for byte offset, as the pure path.

log = logging.getLogger(__name__)

_ABI_VERSION = 2  # must match ABI_VERSION in _mrtdecode.c (bump on any behaviour change)
_COMPILED_PROBLEM = ""
try:
    from isoc.routing import _mrtdecode as COMPILED
except ImportError as exc:  # not built (no compiler at install time)
    COMPILED = None
    _COMPILED_PROBLEM = f"{exc}; reinstall with a C compiler (pip install -e .)"
else:
    if getattr(COMPILED, "ABI_VERSION", None) != _ABI_VERSION:
        _COMPILED_PROBLEM = (
            f"{COMPILED.__file__} is stale (ABI {getattr(COMPILED, 'ABI_VERSION', None)},"
            f" expected {_ABI_VERSION}); rebuild with pip install -e ."
        )
        COMPILED = None

_warned_pure = False


def _warn_pure_fallback() -> None:
    global _warned_pure
    if not _warned_pure:
        _warned_pure = True
        log.warning(
            "compiled MRT decoder unavailable, decoding in pure Python: %s", _COMPILED_PROBLEM
        )


# decode() statuses (see _mrtdecode.c).
_ST_END, _ST_NEED_MORE, _ST_IRREGULAR, _ST_CAP = 0, 1, 2, 3
# How much decompressed input to hand the decoder at a time, and at most how many rows it
# returns per call: memory stays a few MiB of input plus one batch whatever the file size.
_CHUNK = 4 << 20
_MAX_ROWS = 1 << 16

_SOURCES_ARRAY = pa.array(SOURCES, type=pa.string())
_KINDS_ARRAY = pa.array(KINDS, type=pa.string())
_ORIGINS_ARRAY = pa.array(ORIGINS, type=pa.string())


def _piece(rows: int, cols: tuple[bytes, ...]) -> pa.RecordBatch:
    """One record batch from the column buffers of a decode() call (no copies)."""
    (
        source, kind, ts, us, peer_ip_off, peer_ip, peer_asn, prefix_off, prefix, path_id,
        path_id_valid, route, as_path_off, as_path, asns_off, asns, origin_asn, origin,
        next_hop_off, next_hop, local_pref, med, comm_off, comm, atomic, aggr_off, aggr,
    ) = (pa.py_buffer(c) for c in cols)  # fmt: skip
    n = rows

    def string(valid: pa.Buffer | None, off: pa.Buffer, data: pa.Buffer) -> pa.Array:
        return pa.Array.from_buffers(pa.string(), n, [valid, off, data])

    def fixed(typ: pa.DataType, valid: pa.Buffer | None, data: pa.Buffer) -> pa.Array:
        return pa.Array.from_buffers(typ, n, [valid, data])

    def dictionary(valid: pa.Buffer | None, data: pa.Buffer, values: pa.Array) -> pa.Array:
        return pa.DictionaryArray.from_arrays(fixed(pa.int8(), valid, data), values)

    asn_values = pa.Array.from_buffers(pa.uint32(), len(asns) // 4, [None, asns])
    arrays = [
        dictionary(None, source, _SOURCES_ARRAY),
        dictionary(None, kind, _KINDS_ARRAY),
        fixed(pa.int64(), None, ts),
        fixed(pa.int32(), None, us),
        string(None, peer_ip_off, peer_ip),
        fixed(pa.uint32(), None, peer_asn),
        string(None, prefix_off, prefix),
        fixed(pa.uint32(), path_id_valid, path_id),
        string(route, as_path_off, as_path),
        pa.Array.from_buffers(pa.list_(pa.uint32()), n, [route, asns_off], children=[asn_values]),
        fixed(pa.int64(), None, origin_asn),
        dictionary(route, origin, _ORIGINS_ARRAY),
        string(route, next_hop_off, next_hop),
        fixed(pa.uint32(), route, local_pref),
        fixed(pa.uint32(), route, med),
        string(route, comm_off, comm),
        fixed(pa.bool_(), route, atomic),
        string(route, aggr_off, aggr),
    ]
    return pa.RecordBatch.from_arrays(arrays, schema=ELEMENT_SCHEMA)


class _Batcher:
    """Cuts a stream of record batches of any size into batches of exactly ``size`` rows."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.pending: list[pa.RecordBatch] = []
        self.rows = 0

    def add(self, batch: pa.RecordBatch) -> Iterator[pa.RecordBatch]:
        if batch.num_rows == 0:
            return
        self.pending.append(batch)
        self.rows += batch.num_rows
        if self.rows < self.size:
            return
        whole = self._combined()
        start = 0
        while whole.num_rows - start >= self.size:
            yield whole.slice(start, self.size)
            start += self.size
        rest = whole.slice(start)
        self.pending = [rest] if rest.num_rows else []
        self.rows = rest.num_rows

    def flush(self) -> Iterator[pa.RecordBatch]:
        if self.rows:
            yield self._combined()
        self.pending, self.rows = [], 0

    def _combined(self) -> pa.RecordBatch:
        if len(self.pending) == 1:
            return self.pending[0]
        table = pa.Table.from_batches(self.pending, schema=ELEMENT_SCHEMA).combine_chunks()
        return table.to_batches()[0]


def _compiled_batches(
    source: str | Path | BinaryIO, warn: mrt.WarningHandler, batch_size: int
) -> Iterator[pa.RecordBatch]:
    decode = COMPILED.decode  # type: ignore[union-attr]
    stream = mrt.open_mrt(source)
    win = mrt._Window(stream)
    batcher = _Batcher(batch_size)
    offset = 0
    last_ts: int | None = None
    peer_table: mrt.MrtRecord | None = None  # the last PEER_INDEX_TABLE that decoded
    try:
        while True:
            win.release(offset)
            if not win.eof and win.end < offset + _CHUNK:
                win.ensure(offset + _CHUNK)
            status, pos, last_ts, need, span, rows, cols = decode(
                win.buf,
                offset - win.base,
                win.eof,
                last_ts,
                None if peer_table is None else peer_table.body,
                _MAX_ROWS,
            )
            if span is not None:
                start, end = span
                peer_table = mrt.MrtRecord(
                    win.base + start - 12, 0, mrt.TABLE_DUMP_V2, mrt.PEER_INDEX_TABLE,
                    bytes(win.buf[start:end]),
                )  # fmt: skip
            if rows:
                yield from batcher.add(_piece(rows, cols))
            offset = win.base + pos
            if status == _ST_CAP:
                continue
            if status in (_ST_NEED_MORE, _ST_END) and not win.eof:
                win.ensure(offset + max(need, _CHUNK))
                continue
            # The record at offset needs the pure path (damage, or the end of the stream).
            record, nxt, last_ts = mrt.next_record(win, offset, last_ts, warn)
            if record is not None:
                peer_table, pure_rows = _pure_decode(record, peer_table, warn)
                if pure_rows:
                    yield from batcher.add(_batch(pure_rows))
            if nxt is None:
                break
            offset = nxt
        yield from batcher.flush()
    finally:
        if isinstance(source, str | Path):
            stream.close()


def _pure_decode(
    record: mrt.MrtRecord, peer_table: mrt.MrtRecord | None, warn: mrt.WarningHandler
) -> tuple[mrt.MrtRecord | None, list[tuple]]:
    """Rows of one record by the pure path, with the peer table in force; also the peer table
    in force after it (a PEER_INDEX_TABLE that decodes replaces it, one that does not keeps it)."""
    if record.type == mrt.TABLE_DUMP_V2 and record.subtype == mrt.PEER_INDEX_TABLE:
        problems: list[mrt.MrtWarning] = []
        list(mrt.iter_elements(iter([record]), problems.append))
        for problem in problems:
            warn(problem)
        return (peer_table if problems else record), []
    records = [record] if peer_table is None else [peer_table, record]
    rows = [_row(e) for e in mrt.iter_elements(iter(records), warn) if e.kind != "STATE"]
    return peer_table, rows
