"""Registry data: AS names, RIR delegations, bogons and CAIDA AS relationships. Django-free.

Every loader takes a path or a stream (text or binary) and reads plain, gzip or bzip2
input transparently; compression is chosen by magic bytes, not by file name. Malformed
input raises a subclass of :class:`RegistryError` whose message (and ``line`` attribute)
names the line, so a damaged download is refused rather than silently half-read.

- :func:`load_asnames`: CIDR-report AS names (pyasn's ``asnames.json``, or the plain
  ``AS123 NAME descr, CC`` lines of ``autnums.html``) → ``{asn: ASName}``.
- :func:`load_delegations`: RIR (extended) delegation statistics → :class:`Delegations`
  with ASN and prefix → country lookups (vectorised for many prefixes), optional MD5
  check against the ``.md5`` file published next to the statistics.
- :func:`load_bogons`: Team Cymru (full) bogon lists → prefixes.
- :func:`load_as_relationships`: CAIDA serial-1 / serial-2 AS relationships →
  ``{(a, b): rel}`` with both directions stored (see :data:`P2C`).
"""

from __future__ import annotations

import bz2
import datetime as dt
import gzip
import hashlib
import io
import json
import re
import socket
import zlib
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import numpy as np

__all__ = [
    "C2P",
    "P2C",
    "P2P",
    "S2S",
    "ASName",
    "AsnamesError",
    "BogonError",
    "ChecksumError",
    "Delegation",
    "DelegationError",
    "Delegations",
    "RegistryError",
    "RelationshipError",
    "load_as_relationships",
    "load_asnames",
    "load_bogons",
    "load_delegations",
    "parse_asname",
    "parse_prefix",
    "range_to_prefixes",
]

ASN_MAX = 2**32 - 1
_U64_MAX = np.uint64(2**64 - 1)

Source = str | Path | IO[str] | IO[bytes]


# ------------------------------------------------------------------------------- errors


class RegistryError(ValueError):
    """Malformed registry input. ``line`` is the 1-based line number when known."""

    def __init__(self, message: str, line: int | None = None, source: str | None = None) -> None:
        self.line = line
        self.source = source
        self.problem = message
        where = f"{source}: " if source else ""
        if line is not None:
            where += f"line {line}: "
        super().__init__(where + message)


class AsnamesError(RegistryError):
    """A malformed AS names file."""


class DelegationError(RegistryError):
    """A malformed RIR delegation statistics file (or one whose counts do not add up)."""


class ChecksumError(DelegationError):
    """The file's MD5 differs from the one published in its ``.md5`` file."""


class BogonError(RegistryError):
    """A malformed bogon list."""


class RelationshipError(RegistryError):
    """A malformed CAIDA AS relationships file."""


# ------------------------------------------------------------------------------ reading


def _name(source: Source) -> str | None:
    if isinstance(source, (str, Path)):
        return str(source)
    name = getattr(source, "name", None)
    return name if isinstance(name, str) else None


def _decompressing(raw: IO[bytes]) -> IO[bytes]:
    peek = getattr(raw, "peek", None)
    if peek is not None:
        magic = peek(3)[:3]
    else:
        magic = raw.read(3)
        raw = io.BufferedReader(_Prepend(magic, raw))  # type: ignore[arg-type]
    if magic[:2] == b"\x1f\x8b":
        return gzip.GzipFile(fileobj=raw)  # type: ignore[return-value]
    if magic == b"BZh":
        return bz2.BZ2File(raw)  # type: ignore[return-value]
    return raw


class _Prepend(io.RawIOBase):
    """A raw stream that gives ``head`` and then the rest of ``tail`` (for unpeekable streams)."""

    def __init__(self, head: bytes, tail: IO[bytes]) -> None:
        self._head = head
        self._tail = tail

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # type: ignore[override]
        if self._head:
            n = min(len(buffer), len(self._head))
            buffer[:n] = self._head[:n]
            self._head = self._head[n:]
            return n
        data = self._tail.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


_STREAM_ERRORS = (EOFError, OSError, zlib.error, ValueError)


def _lines(source: Source, error: type[RegistryError]) -> Iterator[tuple[int, str]]:
    """(line number, text without the line end) for every line; decoding and decompression
    failures become ``error`` naming the line where they happened."""
    name = _name(source)
    lineno = 0
    if isinstance(source, (str, Path)):
        try:
            handle: Any = open(source, "rb")
        except OSError as exc:
            raise error(f"cannot open: {exc.strerror or exc}", None, name) from None
        close = True
    else:
        handle, close = source, False
    try:
        probe = handle.read(0)
        if isinstance(probe, str):  # a text stream: no compression to undo
            it: Iterator[Any] = iter(handle)
            binary = False
        else:
            it = iter(_decompressing(handle))
            binary = True
        while True:
            try:
                raw = next(it)
            except StopIteration:
                return
            except _STREAM_ERRORS as exc:
                raise error(f"cannot read past this line: {exc}", lineno + 1, name) from None
            lineno += 1
            if binary:
                try:
                    text = raw.decode("utf-8")
                except UnicodeDecodeError as exc:
                    raise error(f"not UTF-8 text ({exc.reason} at byte {exc.start})", lineno, name) from None
            else:
                text = raw
            yield lineno, text.rstrip("\r\n")
    finally:
        if close:
            handle.close()


# ----------------------------------------------------------------------------- prefixes


def parse_prefix(text: str, *, strict: bool = True) -> tuple[int, int, int]:
    """``"192.0.2.0/24"`` → (version 4 or 6, network as int, length). Raises ``ValueError``.

    With ``strict`` (the default) bits set beyond the length are an error; otherwise they
    are masked off, as a router would.
    """
    addr, sep, length_text = text.strip().partition("/")
    if ":" in addr:
        version, width, family = 6, 128, socket.AF_INET6
    else:
        version, width, family = 4, 32, socket.AF_INET
    try:
        value = int.from_bytes(socket.inet_pton(family, addr), "big")
    except (OSError, ValueError):
        raise ValueError(f"not an IPv{version} address: {addr!r}") from None
    if not sep:
        length = width
    elif length_text.isascii() and length_text.isdigit() and int(length_text) <= width:
        length = int(length_text)
    else:
        raise ValueError(f"bad prefix length {length_text!r} in {text!r}")
    host = (1 << (width - length)) - 1
    if value & host:
        if strict:
            raise ValueError(f"{text!r} has host bits set")
        value &= ~host
    return version, value, length


def _prefix_text(version: int, value: int, length: int) -> str:
    if version == 4:
        return f"{socket.inet_ntop(socket.AF_INET, value.to_bytes(4, 'big'))}/{length}"
    return f"{socket.inet_ntop(socket.AF_INET6, value.to_bytes(16, 'big'))}/{length}"


def range_to_prefixes(start: int, count: int, width: int = 32) -> list[tuple[int, int]]:
    """The fewest CIDR blocks (network, length) covering ``count`` addresses from ``start``
    (RIR IPv4 records give a start and a count that need not be a power of two)."""
    if count <= 0 or start < 0 or start + count > 1 << width:
        raise ValueError(f"range of {count} addresses from {start} does not fit in {width} bits")
    out = []
    while count:
        align = (start & -start).bit_length() - 1 if start else width
        size = min(align, count.bit_length() - 1)
        out.append((start, width - size))
        start += 1 << size
        count -= 1 << size
    return out


# ------------------------------------------------------------------------------ asnames


@dataclass(frozen=True)
class ASName:
    """One AS in the CIDR report's names list.

    ``name`` is the handle (``GOOGLE``), ``description`` the organisation text
    (``Google Inc.``, ``""`` when the entry is a bare handle), ``country`` the ISO 3166
    alpha-2 code or ``None`` when the entry has none (``ZZ`` for reserved/private ASNs and
    the odd lower-case ``na`` are treated as none).
    """

    asn: int
    name: str
    description: str
    country: str | None


_TAIL = re.compile(r"^(.*), ([A-Za-z]{2})$", re.S)


def parse_asname(asn: int, text: str) -> ASName:
    """Split a CIDR-report entry ``"NAME descr, CC"`` into an :class:`ASName`.

    Seen shapes: ``GOOGLE - Google Inc., US`` (ARIN: handle, `` - ``, description),
    ``SVOD-AS Svod ltd., RU`` (RIPE: handle, space, description), ``KENET-AS, KE`` (handle
    only), ``-Reserved AS-, ZZ``, LACNIC entries with a trailing `` -`` and descriptions that
    themselves contain commas (``Fort Collins, CO, US``: only the last ``, CC`` is the country).
    """
    text = " ".join(text.split())
    country = None
    match = _TAIL.match(text)
    if match:
        text, code = match.group(1), match.group(2)
        country = code if code.isupper() and code != "ZZ" else None
    if text.startswith("-") and text.endswith("-"):
        return ASName(asn, text, "", country)
    name, _, rest = text.partition(" ")
    if rest.startswith("- "):
        rest = rest[2:]
    rest = rest.strip()
    if rest == "-":
        rest = ""
    elif rest.endswith(" -"):
        rest = rest[:-2].rstrip()
    return ASName(asn, name, rest, country)


def _asn(text: str) -> int | None:
    text = text.strip()
    if text[:2].upper() == "AS":
        text = text[2:]
    if text.isascii() and text.isdigit() and int(text) <= ASN_MAX:
        return int(text)
    return None


_TAGS = re.compile(r"<[^>]*>")


def load_asnames(source: Source) -> dict[int, ASName]:
    """AS names as the CIDR report publishes them, keyed by ASN.

    Reads pyasn's ``asnames.json`` (``{"15169": "GOOGLE - Google Inc., US", ...}``) or the
    text of ``autnums.html`` (one ``AS15169  GOOGLE - Google Inc., US`` per line; HTML tags
    are stripped, lines without an ``AS<number>`` are skipped).
    """
    name = _name(source)
    lines = list(_lines(source, AsnamesError))
    first = next((text.lstrip() for _, text in lines if text.strip()), "")
    if first.startswith(("{", "[")):
        return _asnames_json("\n".join(text for _, text in lines), name)
    out: dict[int, ASName] = {}
    for lineno, text in lines:
        text = _TAGS.sub(" ", text).replace("&amp;", "&").strip()
        head, _, rest = text.partition(" ")
        if not head.upper().startswith("AS") or not head[2:].isdigit():
            continue
        asn = _asn(head)
        if asn is None:
            raise AsnamesError(f"ASN {head!r} out of range", lineno, name)
        if not rest.strip():
            raise AsnamesError(f"AS{asn} has no name", lineno, name)
        out[asn] = parse_asname(asn, rest)
    if not out and first:
        raise AsnamesError("no AS<number> lines and not JSON: not an AS names file", None, name)
    return out


def _asnames_json(text: str, name: str | None) -> dict[int, ASName]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise AsnamesError(f"invalid JSON: {exc.msg} (column {exc.colno})", exc.lineno, name) from None
    except RecursionError:
        raise AsnamesError("invalid JSON: nested too deeply", 1, name) from None
    if not isinstance(data, dict):
        raise AsnamesError(f"expected a JSON object of ASN → name, got {type(data).__name__}", 1, name)

    def line_of(key: str) -> int:
        pos = text.find(json.dumps(key))
        return text.count("\n", 0, pos) + 1 if pos >= 0 else 1

    out: dict[int, ASName] = {}
    for key, value in data.items():
        asn = _asn(key)
        if asn is None:
            raise AsnamesError(f"key {key!r} is not an ASN", line_of(key), name)
        if not isinstance(value, str) or not value.strip():
            raise AsnamesError(f"AS{asn}: expected a non-empty name string, got {value!r}",
                               line_of(key), name)
        out[asn] = parse_asname(asn, value)
    return out


# -------------------------------------------------------------------------- delegations


@dataclass(frozen=True)
class Delegation:
    """One record of RIR delegation statistics (``registry|cc|type|start|value|date|status|opaque-id``).

    ``value`` is a count of ASNs (``asn``) or addresses (``ipv4``), or the prefix length
    (``ipv6``). ``cc`` is as written (``ZZ`` for available/reserved space); ``date`` is
    ``None`` when absent or ``00000000``; ``opaque_id`` is ``None`` in non-extended files.
    """

    registry: str
    cc: str
    type: str
    start: str
    value: int
    date: dt.date | None
    status: str
    opaque_id: str | None
    line: int

    @property
    def first(self) -> int:
        """The first ASN, or the first address as an int."""
        if self.type == "asn":
            return int(self.start)
        return parse_prefix(self.start, strict=False)[1]

    @property
    def last(self) -> int:
        """The last ASN, or the last address as an int (inclusive)."""
        if self.type == "ipv6":
            return self.first + (1 << (128 - self.value)) - 1
        return self.first + self.value - 1

    @property
    def prefixes(self) -> list[str]:
        """The CIDR prefixes of an address record (an IPv4 count is split as needed)."""
        if self.type == "ipv6":
            return [f"{self.start}/{self.value}"]
        if self.type == "ipv4":
            return [_prefix_text(4, net, length) for net, length in range_to_prefixes(self.first, self.value)]
        return []

    @property
    def delegated(self) -> bool:
        """Allocated or assigned to a holder in a country (not available or reserved)."""
        return self.status in _DELEGATED and self.cc not in ("ZZ", "", "*")


_DELEGATED = frozenset({"allocated", "assigned"})
_TYPES = ("asn", "ipv4", "ipv6")
_CC = re.compile(r"^[A-Z]{2}$")


class _IntervalMap:
    """Labels on 64-bit keys by longest match: records may nest, the smallest one wins.

    Built by cutting the key space at every record boundary into elementary segments,
    painting the records from the largest to the smallest, then merging neighbouring
    segments with the same label into runs. A query range gets a label only when it lies
    inside one run (so an aggregate over adjacent blocks of one country still resolves).
    """

    def __init__(self, firsts: np.ndarray, lasts: np.ndarray, labels: np.ndarray) -> None:
        firsts = np.asarray(firsts, dtype=np.uint64)
        lasts = np.asarray(lasts, dtype=np.uint64)
        labels = np.asarray(labels, dtype=np.int64)
        ends = lasts[lasts < _U64_MAX] + np.uint64(1)
        bounds = np.unique(np.concatenate([np.zeros(1, np.uint64), firsts, ends]))
        seg = np.full(bounds.size, -1, dtype=np.int64)
        order = np.argsort(lasts - firsts, kind="stable")[::-1]
        i0 = np.searchsorted(bounds, firsts[order], side="left")
        i1 = np.searchsorted(bounds, lasts[order], side="right")
        for a, b, label in zip(i0.tolist(), i1.tolist(), labels[order].tolist(), strict=True):
            seg[a:b] = label
        keep = np.ones(bounds.size, dtype=bool)
        keep[1:] = seg[1:] != seg[:-1]
        self.starts = bounds[keep]
        self.labels = seg[keep]

    def lookup(self, firsts: np.ndarray, lasts: np.ndarray) -> np.ndarray:
        r0 = np.searchsorted(self.starts, np.asarray(firsts, np.uint64), side="right") - 1
        r1 = np.searchsorted(self.starts, np.asarray(lasts, np.uint64), side="right") - 1
        return np.where(r0 == r1, self.labels[r0], -1)


@dataclass
class Delegations:
    """RIR delegation statistics (one or several registries' files).

    Lookups use only *delegated* records (status ``allocated`` or ``assigned`` with a real
    country code); ``records`` keeps everything, including available and reserved space.
    """

    records: list[Delegation]
    headers: list[dict[str, str]] = field(default_factory=list)
    summaries: dict[tuple[str, str], int] = field(default_factory=dict)  # (registry, type) → count
    md5_verified: bool = False
    _asn_index: tuple[np.ndarray, np.ndarray, np.ndarray] | None = field(default=None, repr=False)
    _prefix_index: dict[int, _IntervalMap] | None = field(default=None, repr=False)
    _countries: list[str] = field(default_factory=list, repr=False)

    @classmethod
    def combine(cls, parts: Iterable[Delegations]) -> Delegations:
        """All registries' statistics in one (e.g. the five RIRs' files)."""
        parts = list(parts)
        summaries: dict[tuple[str, str], int] = {}
        for part in parts:
            summaries.update(part.summaries)
        return cls(
            records=[r for part in parts for r in part.records],
            headers=[h for part in parts for h in part.headers],
            summaries=summaries,
            md5_verified=bool(parts) and all(part.md5_verified for part in parts),
        )

    def counts(self) -> Counter:
        """Number of records per (type, status), e.g. ``counts()["asn", "allocated"]``."""
        return Counter((r.type, r.status) for r in self.records)

    # ---- ASNs

    def _asns(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        if self._asn_index is None:
            rows = sorted((r.first, r.last, i) for i, r in enumerate(self.records)
                          if r.type == "asn" and r.delegated)
            arr = np.array(rows, dtype=np.int64).reshape(-1, 3)
            self._asn_index = (arr[:, 0], arr[:, 1], arr[:, 2])
        return self._asn_index

    def asn_delegation(self, asn: int) -> Delegation | None:
        """The delegated record holding ``asn``, if any."""
        firsts, lasts, idx = self._asns()
        i = int(np.searchsorted(firsts, asn, side="right")) - 1
        if i >= 0 and asn <= lasts[i]:
            return self.records[int(idx[i])]
        return None

    def country_of_asn(self, asn: int) -> str | None:
        """The country the ASN is delegated to, or ``None``."""
        record = self.asn_delegation(asn)
        return record.cc if record else None

    def countries_of_asns(self, asns: Sequence[int] | np.ndarray) -> np.ndarray:
        """Vectorised :meth:`country_of_asn`: an object array of codes (``None`` if unknown)."""
        firsts, lasts, idx = self._asns()
        asns = np.asarray(asns, dtype=np.int64)
        i = np.searchsorted(firsts, asns, side="right") - 1
        ok = (i >= 0) & (asns <= lasts[np.maximum(i, 0)]) if firsts.size else np.zeros(asns.shape, bool)
        ccs = np.array([r.cc for r in self.records] + [None], dtype=object)
        pick = np.where(ok, idx[np.maximum(i, 0)] if firsts.size else -1, len(self.records))
        return ccs[pick]

    # ---- prefixes

    def _prefixes(self) -> dict[int, _IntervalMap]:
        if self._prefix_index is None:
            countries = sorted({r.cc for r in self.records if r.type != "asn" and r.delegated})
            code = {cc: i for i, cc in enumerate(countries)}
            self._countries = countries
            self._prefix_index = {}
            for version in (4, 6):
                rows = [(*_key_range(r), code[r.cc]) for r in self.records
                        if r.type == f"ipv{version}" and r.delegated]
                arr = np.array(rows, dtype=np.uint64).reshape(-1, 3)
                self._prefix_index[version] = _IntervalMap(arr[:, 0], arr[:, 1], arr[:, 2].astype(np.int64))
        return self._prefix_index

    def country_of_prefix(self, prefix: str) -> str | None:
        """The country of the delegated block containing ``prefix`` (longest match), or
        ``None`` when no delegated block holds all of it. A prefix spanning several adjacent
        blocks of the same country (an aggregate) gets that country."""
        return self.countries_of_prefixes([prefix])[0]

    def countries_of_prefixes(self, prefixes: Sequence[str]) -> np.ndarray:
        """Vectorised :meth:`country_of_prefix`: an object array of codes (``None`` if unknown).

        Prefixes are parsed leniently (host bits masked); an unparseable one gives ``None``.
        IPv6 is resolved on the upper 64 bits (RIR delegations are never longer than /64).
        """
        index = self._prefixes()
        n = len(prefixes)
        version = np.zeros(n, dtype=np.int8)
        first = np.zeros(n, dtype=np.uint64)
        last = np.zeros(n, dtype=np.uint64)
        for i, text in enumerate(prefixes):
            try:
                v, net, length = parse_prefix(text, strict=False)
            except ValueError:
                continue
            version[i] = v
            if v == 4:
                first[i], last[i] = net, net | ((1 << (32 - length)) - 1)
            else:
                hi = net >> 64
                first[i] = hi
                last[i] = hi | ((1 << (64 - length)) - 1) if length < 64 else hi
        labels = np.full(n, -1, dtype=np.int64)
        for v in (4, 6):
            sel = version == v
            if sel.any():
                labels[sel] = index[v].lookup(first[sel], last[sel])
        names = np.array(self._countries + [None], dtype=object)
        return names[np.where(labels >= 0, labels, len(self._countries))]


def _key_range(record: Delegation) -> tuple[int, int]:
    if record.type == "ipv4":
        return record.first, record.last
    hi = record.first >> 64
    if record.value >= 64:
        return hi, hi
    return hi, hi | ((1 << (64 - record.value)) - 1)


def _md5_expected(path: Path) -> str | None:
    md5_path = path.with_name(path.name + ".md5")
    if not md5_path.is_file():
        return None
    text = md5_path.read_text(encoding="ascii", errors="replace")
    match = re.search(r"\b([0-9a-fA-F]{32})\b", text)
    if not match:
        raise ChecksumError(f"no MD5 digest found in {md5_path}", 1, str(md5_path))
    return match.group(1).lower()


def load_delegations(source: Source, *, verify_md5: bool | None = None,
                     check_counts: bool = True) -> Delegations:
    """Parse RIR delegation statistics (``delegated-<rir>[-extended]-latest``).

    Format (identical for the five RIRs): ``#`` comments; a version line
    ``version|registry|serial|records|startdate|enddate|UTCoffset``; summary lines
    ``registry|*|type|*|count|summary``; then records
    ``registry|cc|type|start|value|date|status[|opaque-id[|...]]``.

    ``verify_md5``: ``None`` checks the file's MD5 against ``<file>.md5`` when that file
    exists next to a path (BSD ``MD5 (name) = hex`` or GNU ``hex  name``), ``True``
    requires it, ``False`` skips it; a mismatch raises :class:`ChecksumError`.
    ``check_counts``: the version line's record count and each summary count must match
    the records read (a truncated download fails here).
    """
    name = _name(source)
    verified = False
    if verify_md5 is not False:
        if isinstance(source, (str, Path)):
            path = Path(source)
            expected = _md5_expected(path)
            if expected is None and verify_md5:
                raise ChecksumError(f"no {path.name}.md5 next to the file", None, name)
            if expected is not None:
                digest = hashlib.md5()
                with open(path, "rb") as fh:
                    for chunk in iter(lambda: fh.read(1 << 20), b""):
                        digest.update(chunk)
                if digest.hexdigest() != expected:
                    raise ChecksumError(f"MD5 {digest.hexdigest()} differs from the published {expected}",
                                        None, name)
                verified = True
        elif verify_md5:
            raise ChecksumError("MD5 verification needs a path, not a stream", None, name)

    records: list[Delegation] = []
    headers: list[dict[str, str]] = []
    summaries: dict[tuple[str, str], int] = {}
    header_line: dict[tuple[str, str], int] = {}
    for lineno, text in _lines(source, DelegationError):
        text = text.strip()
        if not text or text.startswith("#"):
            continue
        parts = text.split("|")
        if not headers and not records and not summaries:
            if len(parts) < 6 or not re.fullmatch(r"\d+(\.\d+)*", parts[0]):
                raise DelegationError(f"expected the version line version|registry|serial|records|..., "
                                      f"got {text[:80]!r}", lineno, name)
            if not parts[3].strip().isdigit():
                raise DelegationError(f"record count {parts[3]!r} is not a number", lineno, name)
            headers.append({"version": parts[0], "registry": parts[1], "serial": parts[2],
                            "records": parts[3], "startdate": parts[4], "enddate": parts[5],
                            "utc_offset": parts[6] if len(parts) > 6 else "", "line": str(lineno)})
            continue
        if len(parts) == 6 and parts[5] == "summary":
            if parts[2] not in _TYPES or not parts[4].isdigit():
                raise DelegationError(f"bad summary line {text[:80]!r}", lineno, name)
            summaries[parts[0], parts[2]] = int(parts[4])
            header_line[parts[0], parts[2]] = lineno
            continue
        records.append(_delegation(parts, lineno, name))

    if not headers:
        raise DelegationError("no version line: not RIR delegation statistics", None, name)
    if check_counts:
        by_type = Counter((r.registry, r.type) for r in records)
        for key, expected in summaries.items():
            if by_type[key] != expected:
                raise DelegationError(f"summary says {expected} {key[1]} records for {key[0]}, the file has "
                                      f"{by_type[key]} (truncated?)", header_line[key], name)
        declared = int(headers[0]["records"])
        if declared and declared != len(records):
            raise DelegationError(f"version line says {declared} records, the file has {len(records)} "
                                  f"(truncated?)", int(headers[0]["line"]), name)
    return Delegations(records=records, headers=headers, summaries=summaries, md5_verified=verified)


def _delegation(parts: list[str], lineno: int, name: str | None) -> Delegation:
    if len(parts) < 7:
        raise DelegationError(f"expected registry|cc|type|start|value|date|status[|opaque-id], "
                              f"got {len(parts)} fields", lineno, name)
    registry, cc, kind, start, value_text, date_text, status = (p.strip() for p in parts[:7])
    opaque = parts[7].strip() if len(parts) > 7 else None
    cc = cc.upper()
    if not (_CC.match(cc) or cc == ""):
        raise DelegationError(f"bad country code {cc!r}", lineno, name)
    if kind not in _TYPES:
        raise DelegationError(f"unknown type {kind!r} (expected asn, ipv4 or ipv6)", lineno, name)
    if not (value_text.isascii() and value_text.isdigit()) or int(value_text) == 0 and kind != "ipv6":
        raise DelegationError(f"bad value {value_text!r}", lineno, name)
    value = int(value_text)
    if kind == "asn":
        asn = _asn(start)
        if asn is None or not start.isdigit() or asn + value - 1 > ASN_MAX:
            raise DelegationError(f"bad ASN range {start}+{value}", lineno, name)
    else:
        try:
            version, net, _ = parse_prefix(start, strict=False)
        except ValueError as exc:
            raise DelegationError(str(exc), lineno, name) from None
        if "/" in start or version != int(kind[3]):
            raise DelegationError(f"{start!r} is not an {kind} start address", lineno, name)
        if kind == "ipv4" and net + value > 1 << 32:
            raise DelegationError(f"{start} + {value} addresses runs past 255.255.255.255", lineno, name)
        if kind == "ipv6":
            if value > 128:
                raise DelegationError(f"bad IPv6 prefix length {value}", lineno, name)
            if net & ((1 << (128 - value)) - 1):
                raise DelegationError(f"{start}/{value} has host bits set", lineno, name)
    date = None
    if date_text and date_text.strip("0"):
        try:
            date = dt.datetime.strptime(date_text, "%Y%m%d").date()
        except ValueError:
            raise DelegationError(f"bad date {date_text!r} (expected YYYYMMDD)", lineno, name) from None
    if not status or not status.replace("-", "").isalpha():
        raise DelegationError(f"bad status {status!r}", lineno, name)
    return Delegation(registry, cc, kind, start, value, date, status.lower(), opaque or None, lineno)


# ------------------------------------------------------------------------------- bogons


def load_bogons(source: Source) -> list[str]:
    """A bogon list (Team Cymru ``fullbogons-ipv4.txt`` / ``-ipv6.txt``, or any file of one
    prefix per line; ``#`` comments and blank lines skipped) → prefixes in file order, in
    canonical text (``2001:db8::/32``). Host bits set beyond the length are an error."""
    name = _name(source)
    out = []
    for lineno, text in _lines(source, BogonError):
        text = text.split("#", 1)[0].strip()
        if not text:
            continue
        try:
            version, net, length = parse_prefix(text)
        except ValueError as exc:
            raise BogonError(str(exc), lineno, name) from None
        out.append(_prefix_text(version, net, length))
    return out


# ------------------------------------------------------------------------ relationships

#: ``rel[(a, b)] == P2C``: a is a provider of b (CAIDA's ``-1``).
P2C = -1
#: ``rel[(a, b)] == C2P``: a is a customer of b (the reverse of a P2C entry).
C2P = 1
#: ``rel[(a, b)] == P2P``: a and b peer (CAIDA's ``0``), stored both ways.
P2P = 0
#: ``rel[(a, b)] == S2S``: siblings (CAIDA's ``2``, only in the oldest files), stored both ways.
S2S = 2

_REVERSE = {P2C: C2P, C2P: P2C, P2P: P2P, S2S: S2S}


def load_as_relationships(source: Source) -> dict[tuple[int, int], int]:
    """CAIDA AS relationships (``*.as-rel.txt[.bz2]`` serial-1, ``*.as-rel2.txt`` serial-2).

    Lines are ``as1|as2|rel`` (serial-2 adds ``|source``), ``#`` lines are comments.
    ``rel`` is ``-1`` (as1 is a provider of as2) or ``0`` (peers); ``1`` (as1 is a customer
    of as2) and ``2`` (siblings) from older files are accepted too.

    Convention: both directions are stored, ``rel[(a, b)]`` reads "a is <rel> of b":
    ``rel[(p, c)] == P2C == -1`` and ``rel[(c, p)] == C2P == +1`` for a provider p of a
    customer c; ``rel[(a, b)] == rel[(b, a)] == P2P == 0`` for peers. A pair listed twice
    with different relationships raises :class:`RelationshipError` naming both lines.
    """
    name = _name(source)
    rel: dict[tuple[int, int], int] = {}
    seen: dict[tuple[int, int], int] = {}
    for lineno, text in _lines(source, RelationshipError):
        text = text.strip()
        if not text or text.startswith("#"):
            continue
        parts = text.split("|")
        if len(parts) not in (3, 4):
            raise RelationshipError(f"expected as1|as2|rel or as1|as2|rel|source, got {text[:80]!r}",
                                    lineno, name)
        a, b = _asn(parts[0]), _asn(parts[1])
        if a is None or b is None or not parts[0].strip().isdigit() or not parts[1].strip().isdigit():
            raise RelationshipError(f"bad ASN in {text[:80]!r}", lineno, name)
        try:
            value = int(parts[2])
        except ValueError:
            value = None
        if value not in _REVERSE:
            raise RelationshipError(f"relationship {parts[2]!r} is not -1, 0, 1 or 2", lineno, name)
        if a == b:
            raise RelationshipError(f"AS{a} related to itself", lineno, name)
        key = (a, b)
        if key in rel and rel[key] != value:
            raise RelationshipError(f"AS{a}-AS{b} given as {value} here and as {rel[key]} on line "
                                    f"{seen[key]}", lineno, name)
        rel[key] = value
        rel[(b, a)] = _REVERSE[value]
        seen[key] = seen[(b, a)] = lineno
    return rel
