"""A Django-free, streaming decoder for MRT routing dumps (RFC 6396, with RFC 6793 and RFC 8050).

Layers:

* :func:`open_mrt` opens a plain, gzip or bzip2 file, chosen by magic bytes (file names lie).
* :func:`read_records` yields :class:`MrtRecord` one at a time in constant memory. Bad input
  never raises: a torn last record or a broken compressed stream ends the stream with a
  warning that names the byte offset (in the decompressed stream); a damaged header is
  skipped by resynchronising on the next plausible record, also with a warning. Every intact
  record before the damage has already been yielded.
* :func:`iter_elements` decodes records into :class:`RouteElement` (one per prefix, like
  bgpdump's lines). A record whose body cannot be decoded is skipped with a warning.

Speed is a later step; the code keeps allocations modest (one :class:`PathAttributes` per
UPDATE or RIB entry, shared by all its prefixes) so a vectorised or compiled path can replace
the hot loops without changing the data model.
"""

from __future__ import annotations

import bz2
import gzip
import io
import logging
import socket
import struct
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO, NamedTuple

log = logging.getLogger(__name__)

# MRT types (RFC 6396 §4) that this module decodes.
TABLE_DUMP = 12
TABLE_DUMP_V2 = 13
BGP4MP = 16
BGP4MP_ET = 17

# TABLE_DUMP_V2 subtypes (RFC 6396 §4.3, RFC 8050 §4).
PEER_INDEX_TABLE = 1
RIB_IPV4_UNICAST = 2
RIB_IPV4_MULTICAST = 3
RIB_IPV6_UNICAST = 4
RIB_IPV6_MULTICAST = 5
RIB_IPV4_UNICAST_ADDPATH = 8
RIB_IPV4_MULTICAST_ADDPATH = 9
RIB_IPV6_UNICAST_ADDPATH = 10
RIB_IPV6_MULTICAST_ADDPATH = 11
_RIB_AFI = {
    RIB_IPV4_UNICAST: (4, False),
    RIB_IPV4_MULTICAST: (4, False),
    RIB_IPV6_UNICAST: (16, False),
    RIB_IPV6_MULTICAST: (16, False),
    RIB_IPV4_UNICAST_ADDPATH: (4, True),
    RIB_IPV4_MULTICAST_ADDPATH: (4, True),
    RIB_IPV6_UNICAST_ADDPATH: (16, True),
    RIB_IPV6_MULTICAST_ADDPATH: (16, True),
}

# BGP4MP subtypes (RFC 6396 §4.4, RFC 8050 §3): subtype -> (4-byte ASNs, add-path, is state change).
BGP4MP_STATE_CHANGE = 0
BGP4MP_MESSAGE = 1
BGP4MP_MESSAGE_AS4 = 4
BGP4MP_STATE_CHANGE_AS4 = 5
BGP4MP_MESSAGE_LOCAL = 6
BGP4MP_MESSAGE_AS4_LOCAL = 7
BGP4MP_MESSAGE_ADDPATH = 8
BGP4MP_MESSAGE_AS4_ADDPATH = 9
BGP4MP_MESSAGE_LOCAL_ADDPATH = 10
BGP4MP_MESSAGE_AS4_LOCAL_ADDPATH = 11
_BGP4MP_SUBTYPES = {
    BGP4MP_STATE_CHANGE: (False, False, True),
    BGP4MP_MESSAGE: (False, False, False),
    BGP4MP_MESSAGE_AS4: (True, False, False),
    BGP4MP_STATE_CHANGE_AS4: (True, False, True),
    BGP4MP_MESSAGE_LOCAL: (False, False, False),
    BGP4MP_MESSAGE_AS4_LOCAL: (True, False, False),
    BGP4MP_MESSAGE_ADDPATH: (False, True, False),
    BGP4MP_MESSAGE_AS4_ADDPATH: (True, True, False),
    BGP4MP_MESSAGE_LOCAL_ADDPATH: (False, True, False),
    BGP4MP_MESSAGE_AS4_LOCAL_ADDPATH: (True, True, False),
}

# BGP path attribute type codes.
ATTR_ORIGIN = 1
ATTR_AS_PATH = 2
ATTR_NEXT_HOP = 3
ATTR_MED = 4
ATTR_LOCAL_PREF = 5
ATTR_ATOMIC_AGGREGATE = 6
ATTR_AGGREGATOR = 7
ATTR_COMMUNITIES = 8
ATTR_MP_REACH_NLRI = 14
ATTR_MP_UNREACH_NLRI = 15
ATTR_AS4_PATH = 17
ATTR_AS4_AGGREGATOR = 18
ATTR_LARGE_COMMUNITIES = 32

# AS_PATH segment types (RFC 4271, RFC 5065).
AS_SET = 1
AS_SEQUENCE = 2
AS_CONFED_SEQUENCE = 3
AS_CONFED_SET = 4

AS_TRANS = 23456
AFI_IPV4 = 1
AFI_IPV6 = 2
_AFI_LEN = {AFI_IPV4: 4, AFI_IPV6: 16}

# Larger than any real record (RIB records of a few hundred KiB exist); anything above is a
# damaged length field, and reading it would waste memory before failing anyway.
MAX_RECORD_LENGTH = 64 * 1024 * 1024
_READ_CHUNK = 1 << 20

_HEADER = struct.Struct("!IHHI")
_U16 = struct.Struct("!H")
_U32 = struct.Struct("!I")
_V4MAPPED = bytes(10) + b"\xff\xff"


class MrtError(ValueError):
    """A record body that does not decode; caught per record and turned into a warning."""


class MrtWarning(NamedTuple):
    """A problem in the input: where (offset of the record in the decompressed stream) and what."""

    offset: int
    message: str

    def __str__(self) -> str:
        return f"byte offset {self.offset}: {self.message}"


WarningHandler = Callable[[MrtWarning], None]


def _log_warning(warning: MrtWarning) -> None:
    log.warning("MRT: %s", warning)


class MrtRecord(NamedTuple):
    """One MRT record; ``body`` excludes the common header (and the ET microsecond field)."""

    offset: int
    timestamp: int
    type: int
    subtype: int
    body: bytes
    microsecond: int = 0


def open_mrt(source: str | Path | BinaryIO) -> BinaryIO:
    """Open a path or wrap a binary stream, transparently decompressing gzip or bzip2.

    The format is chosen by magic bytes, not by file name. A stream is sniffed with ``peek``
    or ``seek`` when it offers them; a stream offering neither is taken as plain MRT.
    """
    raw: BinaryIO = open(source, "rb") if isinstance(source, str | Path) else source  # noqa: SIM115
    magic = b""
    peek = getattr(raw, "peek", None)
    if peek is not None:
        magic = peek(3)[:3]
    elif raw.seekable():
        start = raw.tell()
        magic = raw.read(3)
        raw.seek(start)
    if magic[:2] == b"\x1f\x8b":
        return gzip.GzipFile(fileobj=raw)  # type: ignore[return-value]
    if magic == b"BZh":
        return bz2.BZ2File(raw)  # type: ignore[return-value]
    return raw


def _read_exact(stream: BinaryIO, n: int) -> tuple[bytes, str | None]:
    """Read up to ``n`` bytes; on a broken compressed stream return what was read and why it stopped."""
    parts: list[bytes] = []
    got = 0
    # read1 returns what one underlying read gives: BufferedReader.read(n) (under gzip and
    # bz2) loops internally and drops everything it gathered when the stream breaks.
    read = getattr(stream, "read1", stream.read)
    try:
        while got < n:
            chunk = read(min(n - got, _READ_CHUNK))
            if not chunk:
                break
            parts.append(chunk)
            got += len(chunk)
    except (EOFError, OSError, zlib.error, ValueError) as exc:
        # gzip raises EOFError on a truncated member, bz2 EOFError/OSError; both mean "no more data".
        return b"".join(parts), f"compressed stream ends early or is damaged ({exc})"
    return b"".join(parts), None


# MRT types assigned by IANA (RFC 6396 §4 and successors); anything else in a header is damage.
_KNOWN_TYPES = frozenset({0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 16, 17, 32, 33, 48, 49})
# A record stamped further than this from its predecessor is taken as a damaged header.
_MAX_TIME_JUMP = 7 * 86400
# How far past a damaged header to look for the next plausible record before giving up.
_RESYNC_WINDOW = 1 << 20


class _Window:
    """A sliding read-ahead buffer over the decompressed stream (memory: one record + a chunk)."""

    def __init__(self, stream: BinaryIO) -> None:
        self.stream = stream
        self.buf = bytearray()
        self.base = 0  # stream offset of buf[0]
        self.eof = False
        self.problem: str | None = None

    def ensure(self, end: int) -> bool:
        """Make stream bytes up to offset ``end`` available; False if the stream ends first."""
        while self.base + len(self.buf) < end and not self.eof:
            chunk, problem = _read_exact(self.stream, _READ_CHUNK)
            if problem is not None:
                self.problem = problem
            if len(chunk) < _READ_CHUNK:
                self.eof = True
            self.buf += chunk
        return self.base + len(self.buf) >= end

    def get(self, start: int, end: int) -> bytes:
        return bytes(self.buf[start - self.base : end - self.base])

    def release(self, upto: int) -> None:
        """Forget bytes before ``upto``; compacts rarely so releasing stays cheap."""
        if upto - self.base >= _READ_CHUNK:
            del self.buf[: upto - self.base]
            self.base = upto

    @property
    def end(self) -> int:
        return self.base + len(self.buf)


def _plausible(header: bytes, last_ts: int | None) -> bool:
    timestamp, mrt_type, _subtype, length = _HEADER.unpack(header)
    if mrt_type not in _KNOWN_TYPES or length > MAX_RECORD_LENGTH:
        return False
    return last_ts is None or abs(timestamp - last_ts) <= _MAX_TIME_JUMP


def _resync(win: _Window, start: int, last_ts: int | None) -> int | None:
    """The first offset >= ``start`` where a plausible header is followed by another (or by EOF)."""
    for cand in range(start, start + _RESYNC_WINDOW):
        if not win.ensure(cand + 12):
            return None
        if not _plausible(win.get(cand, cand + 12), last_ts):
            continue
        nxt = cand + 12 + _HEADER.unpack(win.get(cand, cand + 12))[3]
        if win.ensure(nxt + 12):
            if _plausible(win.get(nxt, nxt + 12), last_ts):
                return cand
        elif win.end == nxt:  # the candidate is the last record of the file
            return cand
    return None


def next_record(
    win: _Window, offset: int, last_ts: int | None, warn: WarningHandler
) -> tuple[MrtRecord | None, int | None, int | None]:
    """One step of reading at ``offset``: (the record there or None, where to go on or None
    at the end, the last good timestamp). A damaged header resynchronises (None, next
    plausible offset); a torn record or broken stream ends (None, None). Every problem is
    reported through ``warn`` with its byte offset. Shared by :func:`read_records` and the
    compiled decoder's wrapper, which hands each record it will not decode to this step."""
    win.release(offset)
    if not win.ensure(offset + 12):
        if win.end > offset:
            got = win.end - offset
            torn = f"truncated record header ({got} of 12 bytes)"
            warn(MrtWarning(offset, f"{torn}; {win.problem}" if win.problem else torn))
        elif win.problem:
            warn(MrtWarning(offset, win.problem))
        return None, None, last_ts
    header = win.get(offset, offset + 12)
    timestamp, mrt_type, subtype, length = _HEADER.unpack(header)
    end = offset + 12 + length
    damaged = not _plausible(header, last_ts)
    found: int | None = None
    if not damaged and win.ensure(end + 12) and not _plausible(win.get(end, end + 12), last_ts):
        # The length does not land on a plausible header: either this length is damaged
        # (then a real record starts inside this one) or the damage starts right after
        # this intact record (then the next step resynchronises from there).
        found = _resync(win, offset + 1, last_ts)
        damaged = found is not None and found < end
    elif damaged:
        found = _resync(win, offset + 1, last_ts)
    if damaged:
        if found is None:
            warn(MrtWarning(offset, "damaged header; no plausible record follows"))
            return None, None, last_ts
        warn(MrtWarning(offset, f"damaged header; skipped {found - offset} bytes, resynchronised at byte offset {found}"))
        return None, found, last_ts
    if not win.ensure(end):
        got = win.end - offset - 12
        torn = f"torn record (type {mrt_type} subtype {subtype}): body has {got} of {length} bytes"
        warn(MrtWarning(offset, f"{torn}; {win.problem}" if win.problem else torn))
        return None, None, last_ts
    body = win.get(offset + 12, end)
    last_ts = timestamp
    microsecond = 0
    if mrt_type == BGP4MP_ET:
        # RFC 6396 §3: the extended-timestamp types carry microseconds inside the length.
        if length < 4:
            warn(MrtWarning(offset, "damaged BGP4MP_ET record shorter than its timestamp"))
            return None, end, last_ts
        microsecond = _U32.unpack_from(body)[0]
        body = body[4:]
    return MrtRecord(offset, timestamp, mrt_type, subtype, body, microsecond), end, last_ts


def read_records(
    source: str | Path | BinaryIO, on_warning: WarningHandler | None = None
) -> Iterator[MrtRecord]:
    """Yield the MRT records of ``source`` (a path or a binary stream) one by one.

    Never raises for bad input. A torn last record or a broken compressed stream ends the
    stream with a warning naming the byte offset (in the decompressed stream). A damaged
    header (unknown type, absurd length or time, or a length that does not land on another
    plausible header) is skipped by resynchronising on the next offset where two plausible
    headers follow each other; the warning names both offsets. MRT has no sync marker, so
    resynchronisation is a heuristic; it never alters the intact records before the damage.
    """
    warn = on_warning or _log_warning
    stream = open_mrt(source)
    win = _Window(stream)
    offset: int | None = 0
    last_ts: int | None = None
    try:
        while offset is not None:
            record, offset, last_ts = next_record(win, offset, last_ts, warn)
            if record is not None:
                yield record
    finally:
        if isinstance(source, str | Path):
            stream.close()


# ---------------------------------------------------------------------------------------------
# Decoded data


@dataclass(slots=True)
class PathAttributes:
    """The path attributes of one UPDATE or RIB entry, shared by all of its prefixes."""

    origin: int | None = None
    #: (segment type, ASNs) pairs, after RFC 6793 AS4_PATH merging when applicable.
    as_path: list[tuple[int, tuple[int, ...]]] = field(default_factory=list)
    has_as_path: bool = False
    next_hop: str | None = None
    med: int | None = None
    local_pref: int | None = None
    atomic_aggregate: bool = False
    aggregator: tuple[int, str] | None = None
    communities: list[int] = field(default_factory=list)
    large_communities: list[tuple[int, int, int]] = field(default_factory=list)
    #: MP_REACH_NLRI: (afi, safi, next hop(s) as strings, prefixes)
    mp_reach: tuple[int, int, list[str], list[tuple[str, int | None]]] | None = None
    mp_unreach: tuple[int, int, list[tuple[str, int | None]]] | None = None
    as4_path: list[tuple[int, tuple[int, ...]]] | None = None
    as4_aggregator: tuple[int, str] | None = None
    #: type codes in the order seen, for callers that care about unknown attributes.
    seen: list[int] = field(default_factory=list)


class PeerEntry(NamedTuple):
    """One peer of a TABLE_DUMP_V2 PEER_INDEX_TABLE."""

    bgp_id: str
    ip: str
    asn: int


class RouteElement(NamedTuple):
    """One decoded fact, at the grain of a bgpdump ``-m`` line.

    ``kind`` is ``"B"`` (RIB entry), ``"A"`` (announce), ``"W"`` (withdraw) or ``"STATE"``.
    ``source`` is ``"TABLE_DUMP"``, ``"TABLE_DUMP2"`` or ``"BGP4MP"``.
    """

    source: str
    kind: str
    timestamp: int
    peer_ip: str
    peer_as: int
    prefix: str | None = None
    path_id: int | None = None
    attrs: PathAttributes | None = None
    old_state: int | None = None
    new_state: int | None = None
    microsecond: int = 0


# ---------------------------------------------------------------------------------------------
# Primitive decoders


def ip_str(raw: bytes) -> str:
    """Format a 4- or 16-byte address the way bgpdump does.

    IPv4 is dotted quad. IPv6 follows bgpdump's own ``fmt_ipv6`` rather than RFC 5952 or
    inet_ntop: the longest run of zero groups is compressed even when it is a single group
    (``2001:7f8:30::2:1:0:8447``), and IPv4-mapped addresses print as ``::ffff:a.b.c.d``.
    """
    if len(raw) == 4:
        return socket.inet_ntoa(raw)
    if raw[:12] == _V4MAPPED:
        return "::ffff:" + socket.inet_ntoa(raw[12:])
    groups = struct.unpack("!8H", raw)
    best_start, best_len, run_start = -1, 0, -1
    for i, g in enumerate(groups):
        if g == 0:
            if run_start < 0:
                run_start = i
            if i - run_start + 1 > best_len:  # strict: the first of equal runs wins
                best_start, best_len = run_start, i - run_start + 1
        else:
            run_start = -1
    if best_len == 0:
        return ":".join(f"{g:x}" for g in groups)
    head = ":".join(f"{g:x}" for g in groups[:best_start])
    tail = ":".join(f"{g:x}" for g in groups[best_start + best_len :])
    return f"{head}::{tail}"


def _prefix(buf: bytes, pos: int, end: int, addr_len: int) -> tuple[str, int]:
    """Decode one NLRI prefix at ``pos``; return ("addr/len", next pos). Host bits are cleared."""
    if pos >= end:
        raise MrtError("prefix runs past its field")
    bits = buf[pos]
    if bits > addr_len * 8:
        raise MrtError(f"prefix length {bits} too long")
    nbytes = (bits + 7) // 8
    pos += 1
    if pos + nbytes > end:
        raise MrtError("prefix runs past its field")
    raw = bytearray(buf[pos : pos + nbytes])
    if bits % 8:
        # Some speakers send non-zero bits beyond the mask; the prefix is what the mask says.
        raw[-1] &= (0xFF << (8 - bits % 8)) & 0xFF
    raw.extend(bytes(addr_len - nbytes))
    return f"{ip_str(bytes(raw))}/{bits}", pos + nbytes


def _prefixes(
    buf: bytes,
    pos: int,
    end: int,
    addr_len: int,
    add_path: bool,
    problems: list[str] | None = None,
) -> list[tuple[str, int | None]]:
    """Decode a run of NLRI prefixes.

    With ``problems`` given, a damaged tail keeps the prefixes decoded before it and records
    why it stopped (bgpdump does the same: it prints the intact leading prefixes); without it,
    damage raises :class:`MrtError`.
    """
    out: list[tuple[str, int | None]] = []
    try:
        while pos < end:
            path_id = None
            if add_path:
                if pos + 4 > end:
                    raise MrtError("add-path identifier runs past its field")
                path_id = _U32.unpack_from(buf, pos)[0]
                pos += 4
            prefix, pos = _prefix(buf, pos, end, addr_len)
            out.append((prefix, path_id))
    except MrtError as exc:
        if problems is None:
            raise
        problems.append(f"NLRI: {exc}; kept the {len(out)} prefixes before it")
    return out


def _as_path(buf: bytes, pos: int, end: int, asn_len: int) -> list[tuple[int, tuple[int, ...]]]:
    fmt = "!%dH" if asn_len == 2 else "!%dI"
    segments: list[tuple[int, tuple[int, ...]]] = []
    while pos < end:
        if pos + 2 > end:
            raise MrtError("AS_PATH segment header runs past the attribute")
        seg_type, count = buf[pos], buf[pos + 1]
        pos += 2
        if pos + count * asn_len > end:
            raise MrtError("AS_PATH segment runs past the attribute")
        segments.append((seg_type, struct.unpack_from(fmt % count, buf, pos)))
        pos += count * asn_len
    return segments


def _path_length(segments: list[tuple[int, tuple[int, ...]]]) -> int:
    """RFC 6793 §4.2.3 counting: a set counts 1, confederation segments count 0."""
    n = 0
    for seg_type, asns in segments:
        if seg_type == AS_SEQUENCE:
            n += len(asns)
        elif seg_type == AS_SET:
            n += 1
    return n


def merge_as4_path(
    as_path: list[tuple[int, tuple[int, ...]]], as4_path: list[tuple[int, tuple[int, ...]]]
) -> list[tuple[int, tuple[int, ...]]]:
    """RFC 6793 §4.2.3: keep the leading ASNs of AS_PATH that AS4_PATH lacks, then AS4_PATH."""
    keep = _path_length(as_path) - _path_length(as4_path)
    if keep < 0:
        # AS4_PATH longer than AS_PATH: the RFC says to ignore AS4_PATH.
        return as_path
    merged: list[tuple[int, tuple[int, ...]]] = []
    for seg_type, asns in as_path:
        if keep <= 0:
            break
        if seg_type == AS_SEQUENCE:
            take = asns[:keep]
            merged.append((seg_type, take))
            keep -= len(take)
        elif seg_type == AS_SET:
            merged.append((seg_type, asns))
            keep -= 1
        else:
            merged.append((seg_type, asns))
    # Join adjacent AS_SEQUENCE segments so the merged path prints as one run.
    if merged and as4_path and merged[-1][0] == AS_SEQUENCE and as4_path[0][0] == AS_SEQUENCE:
        last = merged.pop()
        return [*merged, (AS_SEQUENCE, last[1] + as4_path[0][1]), *as4_path[1:]]
    return merged + as4_path


def parse_attributes(
    buf: bytes, pos: int, end: int, asn_len: int, *, rib: bool = False, add_path: bool = False
) -> PathAttributes:
    """Decode the path attributes in ``buf[pos:end]``.

    ``asn_len`` is 2 or 4 (size of ASNs in AS_PATH and AGGREGATOR). ``rib`` selects the
    abbreviated MP_REACH_NLRI of TABLE_DUMP_V2 (RFC 6396 §4.3.4: next hop only).
    """
    attrs = PathAttributes()
    while pos < end:
        if pos + 3 > end:
            raise MrtError("attribute header runs past the attributes")
        flags, code = buf[pos], buf[pos + 1]
        if flags & 0x10:  # extended length
            if pos + 4 > end:
                raise MrtError("attribute header runs past the attributes")
            alen = _U16.unpack_from(buf, pos + 2)[0]
            pos += 4
        else:
            alen = buf[pos + 2]
            pos += 3
        aend = pos + alen
        if aend > end:
            raise MrtError(f"attribute {code} runs past the attributes")
        attrs.seen.append(code)
        if code == ATTR_ORIGIN:
            if alen < 1:
                raise MrtError("empty ORIGIN")
            attrs.origin = buf[pos]
        elif code == ATTR_AS_PATH:
            attrs.as_path = _as_path(buf, pos, aend, asn_len)
            attrs.has_as_path = True
        elif code == ATTR_NEXT_HOP:
            if alen != 4:
                raise MrtError("NEXT_HOP is not 4 bytes")
            attrs.next_hop = ip_str(buf[pos:aend])
        elif code == ATTR_MED:
            attrs.med = _u32(buf, pos, aend)
        elif code == ATTR_LOCAL_PREF:
            attrs.local_pref = _u32(buf, pos, aend)
        elif code == ATTR_ATOMIC_AGGREGATE:
            attrs.atomic_aggregate = True
        elif code in (ATTR_AGGREGATOR, ATTR_AS4_AGGREGATOR):
            size = 4 if code == ATTR_AS4_AGGREGATOR else asn_len
            if alen != size + 4:
                raise MrtError(f"AGGREGATOR of {alen} bytes")
            asn = _U16.unpack_from(buf, pos)[0] if size == 2 else _U32.unpack_from(buf, pos)[0]
            value = (asn, ip_str(buf[pos + size : aend]))
            if code == ATTR_AGGREGATOR:
                attrs.aggregator = value
            else:
                attrs.as4_aggregator = value
        elif code == ATTR_COMMUNITIES:
            if alen % 4:
                raise MrtError("COMMUNITIES length not a multiple of 4")
            attrs.communities = list(struct.unpack_from(f"!{alen // 4}I", buf, pos))
        elif code == ATTR_LARGE_COMMUNITIES:
            if alen % 12:
                raise MrtError("LARGE_COMMUNITIES length not a multiple of 12")
            flat = struct.unpack_from(f"!{alen // 4}I", buf, pos)
            attrs.large_communities = [tuple(flat[i : i + 3]) for i in range(0, len(flat), 3)]  # type: ignore[misc]
        elif code == ATTR_MP_REACH_NLRI:
            attrs.mp_reach = _mp_reach(buf, pos, aend, rib, add_path)
        elif code == ATTR_MP_UNREACH_NLRI:
            if alen < 3:
                raise MrtError("MP_UNREACH_NLRI too short")
            afi, safi = _U16.unpack_from(buf, pos)[0], buf[pos + 2]
            addr_len = _AFI_LEN.get(afi)
            prefixes = _prefixes(buf, pos + 3, aend, addr_len, add_path) if addr_len else []
            attrs.mp_unreach = (afi, safi, prefixes)
        elif code == ATTR_AS4_PATH:
            attrs.as4_path = _as_path(buf, pos, aend, 4)
        pos = aend
    if asn_len == 2:
        _apply_as4(attrs)
    return attrs


def _u32(buf: bytes, pos: int, end: int) -> int:
    if end - pos != 4:
        raise MrtError("32-bit attribute of the wrong length")
    return _U32.unpack_from(buf, pos)[0]


def _apply_as4(attrs: PathAttributes) -> None:
    """RFC 6793 §4.2.3 for a 2-byte-ASN speaker: AS4_AGGREGATOR and AS4_PATH override."""
    if attrs.as4_aggregator is not None and attrs.aggregator is not None:
        if attrs.aggregator[0] != AS_TRANS:
            # The aggregating speaker was 2-byte only: both AS4 attributes are stale; ignore them.
            return
        attrs.aggregator = attrs.as4_aggregator
    if attrs.as4_path is not None and attrs.has_as_path:
        attrs.as_path = merge_as4_path(attrs.as_path, attrs.as4_path)


def _mp_reach(
    buf: bytes, pos: int, end: int, rib: bool, add_path: bool
) -> tuple[int, int, list[str], list[tuple[str, int | None]]]:
    if rib:
        # TABLE_DUMP_V2 keeps only the next-hop length and next hop (the AFI is the record's).
        # Some writers (RIPE RIS) store the full attribute instead; its first byte is the high
        # byte of an AFI (0), never a plausible next-hop length, which tells the two apart.
        if pos >= end:
            raise MrtError("empty MP_REACH_NLRI")
        if buf[pos] != 0:
            nh_len = buf[pos]
            if pos + 1 + nh_len > end:
                raise MrtError("MP_REACH_NLRI next hop runs past the attribute")
            return (0, 0, _next_hops(buf[pos + 1 : pos + 1 + nh_len]), [])
    if pos + 4 > end:
        raise MrtError("MP_REACH_NLRI too short")
    afi, safi, nh_len = _U16.unpack_from(buf, pos)[0], buf[pos + 2], buf[pos + 3]
    pos += 4
    if pos + nh_len + 1 > end:
        raise MrtError("MP_REACH_NLRI next hop runs past the attribute")
    hops = _next_hops(buf[pos : pos + nh_len])
    pos += nh_len + 1  # one reserved byte (formerly SNPA count, always 0)
    addr_len = _AFI_LEN.get(afi)
    prefixes = _prefixes(buf, pos, end, addr_len, add_path) if addr_len else []
    return (afi, safi, hops, prefixes)


def _next_hops(raw: bytes) -> list[str]:
    """Next hops of MP_REACH: 4 or 16 bytes, 32 = global + link-local (RFC 2545)."""
    n = len(raw)
    if n in (4, 16):
        return [ip_str(raw)]
    if n == 32:
        return [ip_str(raw[:16]), ip_str(raw[16:])]
    if n in (12, 24):  # route distinguisher (8 zero bytes) + address, RFC 4364 style
        return [ip_str(raw[8:])]
    return []


# ---------------------------------------------------------------------------------------------
# Record decoders


def decode_peer_index_table(body: bytes) -> list[PeerEntry]:
    """TABLE_DUMP_V2 PEER_INDEX_TABLE (RFC 6396 §4.3.1)."""
    if len(body) < 8:
        raise MrtError("PEER_INDEX_TABLE too short")
    view_len = _U16.unpack_from(body, 4)[0]
    pos = 6 + view_len
    count = _U16.unpack_from(body, pos)[0]
    pos += 2
    peers: list[PeerEntry] = []
    for _ in range(count):
        peer_type = body[pos]
        bgp_id = ip_str(body[pos + 1 : pos + 5])
        addr_len = 16 if peer_type & 1 else 4
        asn_len = 4 if peer_type & 2 else 2
        pos += 5
        ip = ip_str(body[pos : pos + addr_len])
        pos += addr_len
        raw_as = body[pos : pos + asn_len]
        if len(raw_as) != asn_len:
            raise MrtError("PEER_INDEX_TABLE entry runs past the record")
        peers.append(PeerEntry(bgp_id, ip, int.from_bytes(raw_as, "big")))
        pos += asn_len
    return peers


def decode_rib(record: MrtRecord, peers: list[PeerEntry] | None) -> Iterator[RouteElement]:
    """TABLE_DUMP_V2 RIB_IPV4/IPV6 unicast/multicast, with or without add-path."""
    body = record.body
    addr_len, add_path = _RIB_AFI[record.subtype]
    if len(body) < 5:
        raise MrtError("RIB record too short")
    prefix, pos = _prefix(body, 4, len(body), addr_len)
    if pos + 2 > len(body):
        raise MrtError("RIB record too short")
    count = _U16.unpack_from(body, pos)[0]
    pos += 2
    source = "TABLE_DUMP2_AP" if add_path else "TABLE_DUMP2"
    elements: list[RouteElement] = []
    for _ in range(count):
        need = 12 if add_path else 8
        if pos + need > len(body):
            raise MrtError("RIB entry runs past the record")
        peer_index = _U16.unpack_from(body, pos)[0]
        path_id = _U32.unpack_from(body, pos + 6)[0] if add_path else None
        pos += need
        alen = _U16.unpack_from(body, pos - 2)[0]
        if pos + alen > len(body):
            raise MrtError("RIB entry attributes run past the record")
        attrs = parse_attributes(body, pos, pos + alen, 4, rib=True)
        pos += alen
        if peers is None or peer_index >= len(peers):
            raise MrtError(f"RIB entry names peer {peer_index} absent from PEER_INDEX_TABLE")
        peer = peers[peer_index]
        elements.append(
            RouteElement(source, "B", record.timestamp, peer.ip, peer.asn, prefix, path_id, attrs)
        )
    # Built fully before yielding so a damaged record yields nothing rather than half of itself.
    yield from elements


def decode_table_dump(record: MrtRecord) -> RouteElement:
    """Legacy TABLE_DUMP (RFC 6396 §4.2): subtype 1 = IPv4, 2 = IPv6; 2-byte ASNs."""
    body = record.body
    addr_len = 16 if record.subtype == 2 else 4
    need = 4 + addr_len + 1 + 1 + 4 + addr_len + 2 + 2
    if len(body) < need:
        raise MrtError("TABLE_DUMP record too short")
    pos = 4
    bits = body[pos + addr_len]
    if bits > addr_len * 8:
        raise MrtError(f"prefix length {bits} too long")
    prefix = f"{ip_str(body[pos : pos + addr_len])}/{bits}"
    pos += addr_len + 2 + 4  # prefix, length, status, originated time
    peer_ip = ip_str(body[pos : pos + addr_len])
    pos += addr_len
    peer_as, alen = struct.unpack_from("!HH", body, pos)
    pos += 4
    if pos + alen > len(body):
        raise MrtError("TABLE_DUMP attributes run past the record")
    attrs = parse_attributes(body, pos, pos + alen, 2)
    return RouteElement("TABLE_DUMP", "B", record.timestamp, peer_ip, peer_as, prefix, None, attrs)


def decode_bgp4mp(record: MrtRecord, problems: list[str] | None = None) -> list[RouteElement]:
    """BGP4MP / BGP4MP_ET: state changes and UPDATE messages (other messages give nothing).

    A damaged tail of the withdrawn-routes or NLRI field keeps the prefixes before it; the
    reason is appended to ``problems`` (when given) so the caller can warn.
    """
    spec = _BGP4MP_SUBTYPES.get(record.subtype)
    if spec is None:
        return []
    as4, add_path, is_state = spec
    body = record.body
    asn_len = 4 if as4 else 2
    pos = 2 * asn_len + 4
    if len(body) < pos:
        raise MrtError("BGP4MP header too short")
    fmt = "!IIHH" if as4 else "!HHHH"
    peer_as, _local_as, _ifindex, afi = struct.unpack_from(fmt, body, 0)
    addr_len = _AFI_LEN.get(afi)
    if addr_len is None:
        raise MrtError(f"BGP4MP with unknown address family {afi}")
    if len(body) < pos + 2 * addr_len:
        raise MrtError("BGP4MP header too short")
    peer_ip = ip_str(body[pos : pos + addr_len])
    pos += 2 * addr_len
    ts, us = record.timestamp, record.microsecond
    if is_state:
        if len(body) < pos + 4:
            raise MrtError("STATE_CHANGE too short")
        old, new = struct.unpack_from("!HH", body, pos)
        return [
            RouteElement("BGP4MP", "STATE", ts, peer_ip, peer_as, None, None, None, old, new, us)
        ]
    if len(body) < pos + 19:
        raise MrtError("BGP message header too short")
    msg_len, msg_type = _U16.unpack_from(body, pos + 16)[0], body[pos + 18]
    if msg_type != 2:  # only UPDATE carries routes
        return []
    end = pos + msg_len
    if msg_len < 23 or end > len(body):
        raise MrtError(f"BGP UPDATE length {msg_len} does not fit the record")
    pos += 19
    wlen = _U16.unpack_from(body, pos)[0]
    pos += 2
    if pos + wlen + 2 > end:
        raise MrtError("withdrawn routes run past the message")
    withdrawn = _prefixes(body, pos, pos + wlen, 4, add_path, problems)
    pos += wlen
    alen = _U16.unpack_from(body, pos)[0]
    pos += 2
    if pos + alen > end:
        raise MrtError("path attributes run past the message")
    attrs = parse_attributes(body, pos, pos + alen, asn_len, add_path=add_path)
    announced = _prefixes(body, pos + alen, end, 4, add_path, problems)

    out: list[RouteElement] = []
    for prefix, path_id in withdrawn:
        out.append(
            RouteElement("BGP4MP", "W", ts, peer_ip, peer_as, prefix, path_id, None, microsecond=us)
        )
    if attrs.mp_unreach is not None:
        for prefix, path_id in attrs.mp_unreach[2]:
            out.append(
                RouteElement(
                    "BGP4MP", "W", ts, peer_ip, peer_as, prefix, path_id, None, microsecond=us
                )
            )
    for prefix, path_id in announced:
        out.append(
            RouteElement(
                "BGP4MP", "A", ts, peer_ip, peer_as, prefix, path_id, attrs, microsecond=us
            )
        )
    if attrs.mp_reach is not None:
        for prefix, path_id in attrs.mp_reach[3]:
            out.append(
                RouteElement(
                    "BGP4MP", "A", ts, peer_ip, peer_as, prefix, path_id, attrs, microsecond=us
                )
            )
    return out


def iter_elements(
    source: str | Path | BinaryIO | Iterator[MrtRecord], on_warning: WarningHandler | None = None
) -> Iterator[RouteElement]:
    """Decode every record of ``source`` into :class:`RouteElement`; bad records are skipped with a warning.

    Record types this module does not decode (e.g. legacy type 5, OSPF) are skipped silently.
    """
    warn = on_warning or _log_warning
    records = (
        source
        if not isinstance(source, str | Path | io.IOBase) and hasattr(source, "__next__")
        else read_records(source, warn)  # type: ignore[arg-type]
    )
    peers: list[PeerEntry] | None = None
    for record in records:  # type: ignore[union-attr]
        try:
            if record.type == TABLE_DUMP_V2:
                if record.subtype == PEER_INDEX_TABLE:
                    peers = decode_peer_index_table(record.body)
                elif record.subtype in _RIB_AFI:
                    yield from decode_rib(record, peers)
            elif record.type == TABLE_DUMP:
                yield decode_table_dump(record)
            elif record.type in (BGP4MP, BGP4MP_ET):
                problems: list[str] = []
                yield from decode_bgp4mp(record, problems)
                for problem in problems:
                    warn(
                        MrtWarning(
                            record.offset, f"type {record.type} subtype {record.subtype}: {problem}"
                        )
                    )
        except (MrtError, struct.error, IndexError, ValueError, OSError) as exc:
            # One bad record must not cost the rest of the file; say where it was.
            warn(
                MrtWarning(
                    record.offset,
                    f"undecodable type {record.type} subtype {record.subtype} record: {exc}",
                )
            )
