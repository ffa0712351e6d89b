"""The compiled MRT decoder (isoc.routing._mrtdecode) against the pure-Python reference path.

Every real dump gives the same Arrow table, the same batch sizes and the same warnings both
ways, and the compiled rows print as bgpdump's expected lines. Damaged, truncated, random and
generated input must give the same result as the pure path too, and never crash or hang.
"""

from __future__ import annotations

import bz2
import functools
import gzip
import io
import itertools
import logging
import random
import struct
from pathlib import Path

import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from isoc.routing import elements, mrt
from isoc.routing.elements import ELEMENT_SCHEMA, format_row, read_batches

REAL_FILES = [
    "ripe-bgpdump/test_data/bview.20020722.2337.gz",
    "ripe-bgpdump/test_data/bview.64k_stream_overflow.gz",
    "ripe-bgpdump/test_data/bview.ipv4_unicast_add_path.gz",
    "ripe-bgpdump/test_data/updates.20020722.2238.gz",
    "ripe-bgpdump/test_data/updates.20070211.0141.gz",
    "ripe-bgpdump/test_data/updates.20100722.2015.gz",
    "ripe-bgpdump/test_data/updates.20160811.1600.gz",
    "ripe-bgpdump/test_data/updates.long_withdrawal.gz",
    "ripe-bgpdump/test_data/updates.nlri_mask_trailing_bits.gz",
    "pyasn/rib.20140523.0600_firstMB.bz2",
    "pyasn/rib6.20151101.0600_firstMB.bz2",
    "bgpkit-parser/updates.20000325.0345.gz",
    "dfz_name_and_shame/sydney.updates.20220601.0230.bz2",
]
BGPDUMP_INPUTS = [Path(n).name for n in REAL_FILES if n.startswith("ripe-bgpdump/")]

FUZZ = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@pytest.fixture(autouse=True)
def compiled_decoder() -> None:
    """Every test here is about the compiled decoder: it must be built (pip install -e .)."""
    assert elements.COMPILED is not None, (
        f"isoc.routing._mrtdecode is not usable: {elements._COMPILED_PROBLEM}"
    )


class Fallbacks:
    """Counts records the compiled path hands to the pure-Python decoder (a context manager)."""

    def __enter__(self) -> Fallbacks:
        self.count = 0
        self.real = elements._pure_decode

        def counting(*args):
            self.count += 1
            return self.real(*args)

        elements._pure_decode = counting
        return self

    def __exit__(self, *exc) -> None:
        elements._pure_decode = self.real


def _decode(source, engine: str, batch_size: int = 65536):
    """(table, warnings, batch sizes) of one engine; byte strings are wrapped per call."""
    if isinstance(source, bytes):
        source = io.BytesIO(source)
    warnings: list[mrt.MrtWarning] = []
    batches = list(read_batches(source, warnings.append, batch_size, engine=engine))
    for batch in batches:
        batch.validate(full=True)
    table = pa.Table.from_batches(batches, schema=ELEMENT_SCHEMA)
    return table, warnings, [b.num_rows for b in batches]


def _first_difference(a: pa.Table, b: pa.Table) -> str:
    for name in ELEMENT_SCHEMA.names:
        left, right = a[name].to_pylist(), b[name].to_pylist()
        if left != right:
            i = next(
                (i for i, (x, y) in enumerate(zip(left, right, strict=False)) if x != y),
                min(len(left), len(right)),
            )
            x = left[i] if i < len(left) else "<none>"
            y = right[i] if i < len(right) else "<none>"
            return f"column {name} row {i}: python {x!r}, compiled {y!r}"
    return "schemas or metadata differ"


def assert_same(source, batch_size: int = 65536) -> tuple[pa.Table, list[mrt.MrtWarning]]:
    pure = _decode(source, "python", batch_size)
    compiled = _decode(source, "compiled", batch_size)
    assert compiled[1] == pure[1], "warnings differ"
    assert compiled[0].num_rows == pure[0].num_rows
    assert compiled[0].equals(pure[0]), _first_difference(pure[0], compiled[0])
    assert compiled[2] == pure[2], "batch sizes differ"
    return compiled[0], compiled[1]


def _data(shared_data: Path, name: str) -> Path:
    return shared_data / "mrt" / name


@functools.lru_cache(maxsize=8)
def _plain(shared_data: Path, name: str) -> bytes:
    """The decompressed file, once per process: the fuzz tests cut it 150 times each."""
    raw = _data(shared_data, name).read_bytes()
    if raw[:2] == b"\x1f\x8b":
        return gzip.decompress(raw)
    return bz2.BZ2Decompressor().decompress(raw)  # tolerates pyasn's truncated streams


# ---------------------------------------------------------------------------------------------
# Real files


@pytest.mark.parametrize("name", REAL_FILES)
def test_real_file_same_as_pure_path(shared_data: Path, name: str) -> None:
    with Fallbacks() as fallbacks:
        table, warnings = assert_same(_data(shared_data, name))
    # Intact records are all decoded in C (a decoder that fell back on everything would also
    # give equal tables). The pure path takes only records next to damage: the torn NLRI of
    # nlri_mask_trailing_bits, and in bgpkit's damaged file the record before each gap.
    assert fallbacks.count <= len(warnings)
    if "bview.20020722" in name:
        assert table.num_rows == 115_521


def test_expected_files_are_all_listed(shared_data: Path) -> None:
    present = sorted(p.name for p in (_data(shared_data, "ripe-bgpdump") / "test_data").iterdir())
    assert present == sorted(BGPDUMP_INPUTS)


@pytest.mark.parametrize("name", BGPDUMP_INPUTS)
def test_compiled_rows_print_as_bgpdump(shared_data: Path, name: str) -> None:
    base = _data(shared_data, "ripe-bgpdump")
    expected = gzip.decompress((base / "test_expect" / f"{name}.bgp.gz").read_bytes()).decode()
    want = [line for line in expected.splitlines() if line.split("|")[2] != "STATE"]
    table, _, _ = _decode(base / "test_data" / name, "compiled")
    got = [format_row(row) for row in table.to_pylist()]
    first = next((i for i, (g, e) in enumerate(zip(got, want, strict=False)) if g != e), None)
    assert first is None, f"line {first + 1}:\n got {got[first]}\n exp {want[first]}"
    assert len(got) == len(want)


@pytest.mark.parametrize(
    "name", ["ripe-bgpdump/test_data/updates.20160811.1600.gz", "pyasn/rib.20140523.0600_firstMB.bz2"]
)
def test_small_reads_and_batches_cross_every_boundary(
    shared_data: Path, name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Tiny reads, calls and batches: records straddle reads, the peer table is carried
    across calls, and batches are cut inside records."""
    monkeypatch.setattr(mrt, "_READ_CHUNK", 4096)
    monkeypatch.setattr(elements, "_CHUNK", 5000)
    monkeypatch.setattr(elements, "_MAX_ROWS", 7)
    plain = _plain(shared_data, name)[:600_000]
    assert_same(plain, batch_size=1000)


def test_plain_bz2_and_gzip_inputs_agree(shared_data: Path, tmp_path: Path) -> None:
    plain = _plain(shared_data, "ripe-bgpdump/test_data/updates.20100722.2015.gz")
    (tmp_path / "x.bz2").write_bytes(plain)  # the suffix lies: content decides
    (tmp_path / "y").write_bytes(bz2.compress(plain))
    a, _ = assert_same(tmp_path / "x.bz2")
    b, _ = assert_same(tmp_path / "y")
    assert a.equals(b) and a.num_rows == 5614


# ---------------------------------------------------------------------------------------------
# Damage


def test_truncated_gzip_stream(shared_data: Path) -> None:
    raw = _data(shared_data, "ripe-bgpdump/test_data/updates.20070211.0141.gz").read_bytes()
    table, warnings = assert_same(raw[: len(raw) // 2])
    assert table.num_rows > 10_000
    assert len(warnings) == 1 and "compressed stream" in warnings[0].message


@pytest.mark.parametrize("length", [0xFFFFFFF0, 900, 3, 0])
def test_damaged_length_fields(shared_data: Path, length: int) -> None:
    raw = _plain(shared_data, "ripe-bgpdump/test_data/updates.20020722.2238.gz")
    records = list(mrt.read_records(io.BytesIO(raw)))
    data = bytearray(raw)
    for victim in (records[10], records[200], records[-1]):
        struct.pack_into("!I", data, victim.offset + 8, length)
    _, warnings = assert_same(bytes(data))
    assert warnings


def test_damaged_peer_index_table_keeps_the_previous_one(shared_data: Path) -> None:
    """A second PEER_INDEX_TABLE that does not decode: both paths warn and keep the first."""
    plain = _plain(shared_data, "ripe-bgpdump/test_data/bview.ipv4_unicast_add_path.gz")
    records = list(mrt.read_records(io.BytesIO(plain)))
    pit = records[0]
    assert (pit.type, pit.subtype) == (13, 1)
    end = pit.offset + 12 + len(pit.body)
    broken = struct.pack("!IHHI", pit.timestamp, 13, 1, 7) + pit.body[:7]
    data = plain[:end] + broken + plain[end:]
    table, warnings = assert_same(data)
    assert table.num_rows == 62 and len(warnings) == 1


def test_rib_entries_without_peer_table(shared_data: Path) -> None:
    plain = _plain(shared_data, "ripe-bgpdump/test_data/bview.ipv4_unicast_add_path.gz")
    first = list(mrt.read_records(io.BytesIO(plain)))[1]
    table, warnings = assert_same(plain[first.offset :])
    assert table.num_rows == 0 and warnings


@FUZZ
@given(cut=st.integers(min_value=0, max_value=200_000))
def test_any_truncation(shared_data: Path, cut: int) -> None:
    plain = _plain(shared_data, "ripe-bgpdump/test_data/updates.20160811.1600.gz")
    assert_same(plain[:cut])


@FUZZ
@given(cut=st.integers(min_value=0, max_value=300_000))
def test_any_truncation_of_a_rib(shared_data: Path, cut: int) -> None:
    plain = _plain(shared_data, "pyasn/rib6.20151101.0600_firstMB.bz2")
    assert_same(plain[:cut])


@FUZZ
@given(
    start=st.integers(min_value=0, max_value=150_000),
    flips=st.lists(st.tuples(st.integers(0, 30_000), st.integers(0, 255)), min_size=1, max_size=12),
    which=st.sampled_from(
        [
            "ripe-bgpdump/test_data/updates.20160811.1600.gz",
            "ripe-bgpdump/test_data/updates.20100722.2015.gz",
            "ripe-bgpdump/test_data/updates.20070211.0141.gz",
            "pyasn/rib.20140523.0600_firstMB.bz2",
            "ripe-bgpdump/test_data/bview.20020722.2337.gz",
        ]
    ),
)
def test_flipped_bytes_anywhere(shared_data: Path, start: int, flips, which: str) -> None:
    """Damage in headers and bodies alike: resynchronisation, skipped records, partial NLRI."""
    plain = _plain(shared_data, which)
    # Keep the peer table of a RIB so that its entries decode.
    head = list(mrt.read_records(io.BytesIO(plain[:100_000])))[0]
    keep = head.offset + 12 + len(head.body) if head.type == 13 else 0
    start = min(start, max(0, len(plain) - 30_000))
    data = bytearray(plain[:keep] + plain[max(start, keep) : max(start, keep) + 30_000])
    for pos, value in flips:
        data[pos % len(data)] = value
    assert_same(bytes(data))


@FUZZ
@given(data=st.binary(max_size=4096))
def test_random_bytes(data: bytes) -> None:
    assert_same(data)


@FUZZ
@given(data=st.binary(min_size=1, max_size=600))
def test_random_bodies_behind_plausible_headers(data: bytes) -> None:
    """Random bodies reach the record decoders (random bytes rarely pass the header checks)."""
    rng = random.Random(data)
    out = b""
    pos = 0
    while pos < len(data):
        n = rng.randrange(0, 120)
        mrt_type, subtype = rng.choice(
            [(12, 1), (12, 2), (13, 1), (13, 2), (13, 4), (13, 8), (13, 10), (16, 0), (16, 1),
             (16, 4), (16, 5), (16, 9), (17, 4), (17, 11)]
        )  # fmt: skip
        body = data[pos : pos + n]
        out += struct.pack("!IHHI", 1_700_000_000, mrt_type, subtype, len(body)) + body
        pos += n
    assert_same(out)


# ---------------------------------------------------------------------------------------------
# Generated, well-formed records: every decoding branch, compared with the pure path


def _attr(code: int, value: bytes, flags: int = 0x40) -> bytes:
    if len(value) > 255:
        return struct.pack("!BBH", flags | 0x10, code, len(value)) + value
    return struct.pack("!BBB", flags, code, len(value)) + value


_COMMUNITIES = st.sampled_from(
    [0, 1, 0xFFFFFF01, 0xFFFFFF02, 0xFFFFFF03, 0xFFFFFF04, 0x0CB90064, 0xFFFFFFFF]
)
_ASNS = st.sampled_from([0, 1, 3257, 23456, 64496, 65535, 65536, 196608, 4200000000, 4294967295])


@st.composite
def _prefix(draw, addr_len: int = 4, add_path: bool = False) -> bytes:
    bits = draw(st.integers(0, addr_len * 8))
    raw = draw(st.binary(min_size=(bits + 7) // 8, max_size=(bits + 7) // 8))  # trailing bits too
    path_id = struct.pack("!I", draw(st.integers(0, 2**32 - 1))) if add_path else b""
    return path_id + bytes([bits]) + raw


@st.composite
def _as_path(draw, asn_len: int) -> bytes:
    out = b""
    for _ in range(draw(st.integers(0, 4))):
        seg_type = draw(st.sampled_from([1, 2, 2, 2, 3, 4, 0, 7]))
        asns = draw(st.lists(_ASNS, max_size=6))
        fmt = f"!{len(asns)}H" if asn_len == 2 else f"!{len(asns)}I"
        asns = [a & 0xFFFF for a in asns] if asn_len == 2 else asns
        out += bytes([seg_type, len(asns)]) + struct.pack(fmt, *asns)
    return out


_ADDRS = st.sampled_from(
    [
        bytes(4), bytes([192, 0, 2, 1]), bytes([255] * 4), bytes(16),
        bytes(10) + b"\xff\xff" + bytes([10, 0, 0, 1]),
        bytes.fromhex("20010db8000000000000000000000001"),
        bytes.fromhex("20010db8000000010000000000000000"),
        bytes.fromhex("fe800000000000000000000000000001"),
        bytes.fromhex("00010000000200000000000000000003"),
        bytes.fromhex("00010000000000020003000000000004"),
    ]
)  # fmt: skip


@st.composite
def _next_hop_field(draw) -> bytes:
    kind = draw(st.sampled_from(["v4", "v6", "v6ll", "rd4", "rd6", "odd", "none"]))
    v4 = draw(_ADDRS.filter(lambda a: len(a) == 4))
    v6 = draw(_ADDRS.filter(lambda a: len(a) == 16))
    return {
        "v4": v4,
        "v6": v6,
        "v6ll": v6 + draw(_ADDRS.filter(lambda a: len(a) == 16)),
        "rd4": bytes(8) + v4,
        "rd6": bytes(8) + v6,
        "odd": draw(st.binary(min_size=1, max_size=40)),
        "none": b"",
    }[kind]


@st.composite
def _attributes(draw, asn_len: int, add_path: bool, rib: bool) -> bytes:
    out = b""
    for _ in range(draw(st.integers(0, 9))):
        code = draw(st.sampled_from([1, 2, 3, 4, 5, 6, 7, 8, 14, 15, 17, 18, 32, 99]))
        if code == 1:
            value = bytes([draw(st.integers(0, 4))])
        elif code == 2:
            value = draw(_as_path(asn_len))
        elif code == 17:
            value = draw(_as_path(4))
        elif code == 3:
            value = draw(_ADDRS.filter(lambda a: len(a) == 4))
        elif code in (4, 5):
            value = struct.pack("!I", draw(st.integers(0, 2**32 - 1)))
        elif code == 6:
            value = b""
        elif code in (7, 18):
            asn = draw(_ASNS)
            size = 4 if code == 18 else asn_len
            value = (struct.pack("!H", asn & 0xFFFF) if size == 2 else struct.pack("!I", asn)) + draw(
                _ADDRS.filter(lambda a: len(a) == 4)
            )
        elif code == 8:
            comms = draw(st.lists(_COMMUNITIES, max_size=5))
            value = struct.pack(f"!{len(comms)}I", *comms)
        elif code == 32:
            value = struct.pack("!III", 1, 2, 3) * draw(st.integers(0, 2))
        elif code in (14, 15):
            afi = draw(st.sampled_from([1, 2, 2, 3]))
            addr_len = {1: 4, 2: 16}.get(afi, 4)
            prefixes = b"".join(draw(st.lists(_prefix(addr_len, add_path), max_size=4)))
            if code == 15:
                value = struct.pack("!HB", afi, 1) + prefixes
            elif rib and draw(st.booleans()):
                hop = draw(_next_hop_field().filter(lambda h: 0 < len(h) < 256))
                value = bytes([len(hop)]) + hop  # TABLE_DUMP_V2's abbreviated form
            else:
                hop = draw(_next_hop_field())
                value = struct.pack("!HBB", afi, 1, len(hop)) + hop + b"\x00" + prefixes
        else:
            value = draw(st.binary(max_size=8))
        if draw(st.integers(0, 29)) == 0:
            value = draw(st.binary(max_size=20))  # a damaged value: both paths must reject it
        out += _attr(code, value, draw(st.sampled_from([0x40, 0x80, 0xC0])))
    return out


@st.composite
def _bgp4mp_record(draw) -> bytes:
    subtype = draw(st.sampled_from([1, 1, 4, 4, 4, 9, 9, 0, 5, 6, 7, 8, 10, 11, 3]))
    as4 = subtype in (4, 5, 7, 9, 11)
    add_path = subtype in (8, 9, 10, 11)
    afi = draw(st.sampled_from([1, 2]))
    peer_as = draw(_ASNS)
    head = struct.pack("!IIHH", peer_as, 64511, 0, afi) if as4 else struct.pack(
        "!HHHH", peer_as & 0xFFFF, 64511, 0, afi
    )
    addr = draw(_ADDRS.filter(lambda a: len(a) == (4 if afi == 1 else 16)))
    head += addr * 2
    if subtype in (0, 5):
        body = head + struct.pack("!HH", 1, 6)
    else:
        withdrawn = b"".join(draw(st.lists(_prefix(4, add_path), max_size=3)))
        attrs = draw(_attributes(2 if not as4 else 4, add_path, False))
        nlri = b"".join(draw(st.lists(_prefix(4, add_path), min_size=1, max_size=3)))
        update = struct.pack("!H", len(withdrawn)) + withdrawn + struct.pack("!H", len(attrs))
        update += attrs + nlri
        msg_type = draw(st.sampled_from([2, 2, 2, 2, 2, 4]))
        body = head + b"\xff" * 16 + struct.pack("!HB", 19 + len(update), msg_type) + update
    mrt_type = draw(st.sampled_from([16, 17]))
    if mrt_type == 17:
        body = struct.pack("!I", draw(st.integers(0, 999_999))) + body
    return struct.pack("!IHHI", 1_700_000_000, mrt_type, subtype, len(body)) + body


@st.composite
def _rib_stream(draw) -> bytes:
    peers = draw(st.lists(st.tuples(st.integers(0, 3), _ADDRS, _ASNS), min_size=1, max_size=4))
    body = bytes([10, 0, 0, 1]) + struct.pack("!H", 4) + b"view" + struct.pack("!H", len(peers))
    for peer_type, addr, asn in peers:
        addr = (addr + bytes(16))[:16] if peer_type & 1 else addr[:4]
        asn_bytes = struct.pack("!I", asn) if peer_type & 2 else struct.pack("!H", asn & 0xFFFF)
        body += bytes([peer_type]) + bytes([1, 2, 3, 4]) + addr + asn_bytes
    out = struct.pack("!IHHI", 1_700_000_000, 13, 1, len(body)) + body
    for seq in range(draw(st.integers(1, 4))):
        subtype = draw(st.sampled_from([2, 3, 4, 5, 8, 9, 10, 11]))
        addr_len = 16 if subtype in (4, 5, 10, 11) else 4
        add_path = subtype >= 8
        entries = b""
        count = draw(st.integers(0, 3))
        for _ in range(count):
            attrs = draw(_attributes(4, False, True))
            entries += struct.pack("!HI", draw(st.integers(0, len(peers) - 1)), 1_700_000_000)
            if add_path:
                entries += struct.pack("!I", draw(st.integers(0, 2**32 - 1)))
            entries += struct.pack("!H", len(attrs)) + attrs
        body = struct.pack("!I", seq) + draw(_prefix(addr_len)) + struct.pack("!H", count) + entries
        out += struct.pack("!IHHI", 1_700_000_000, 13, subtype, len(body)) + body
    return out


@st.composite
def _table_dump_record(draw) -> bytes:
    subtype = draw(st.sampled_from([1, 2]))
    a = 16 if subtype == 2 else 4
    prefix = draw(_ADDRS.filter(lambda x: len(x) == a))
    bits = draw(st.integers(0, a * 8))
    peer = draw(_ADDRS.filter(lambda x: len(x) == a))
    attrs = draw(_attributes(2, False, False))
    body = struct.pack("!HH", 0, 1) + prefix + bytes([bits, 1]) + struct.pack("!I", 0) + peer
    body += struct.pack("!HH", draw(_ASNS) & 0xFFFF, len(attrs)) + attrs
    return struct.pack("!IHHI", 1_700_000_000, 12, subtype, len(body)) + body


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(
    records=st.lists(
        st.one_of(_bgp4mp_record(), _table_dump_record()), min_size=1, max_size=6
    ),
    rib=_rib_stream(),
)
def test_generated_records(records: list[bytes], rib: bytes) -> None:
    data = b"".join(records) + rib
    with Fallbacks() as fallbacks:
        _, warnings = assert_same(data)
    if not warnings:
        assert fallbacks.count == 0, "a record the pure path decodes cleanly fell back"


def _update(attrs: bytes, nlri: bytes = b"\x18\xc6\x33\x64", subtype: int = 1) -> bytes:
    """A BGP4MP record around one UPDATE from AS 64496 over IPv4."""
    as4 = subtype in (4, 7)
    peer = struct.pack("!IIHH" if as4 else "!HHHH", 64496, 64511, 0, 1)
    peer += bytes([192, 0, 2, 1, 192, 0, 2, 2])
    update = struct.pack("!H", 0) + struct.pack("!H", len(attrs)) + attrs + nlri
    body = peer + b"\xff" * 16 + struct.pack("!HB", 19 + len(update), 2) + update
    return struct.pack("!IHHI", 1700000000, 16, subtype, len(body)) + body


def _as2(*asns: int, seg_type: int = 2) -> bytes:
    return bytes([seg_type, len(asns)]) + struct.pack(f"!{len(asns)}H", *asns)


def _as4(*asns: int, seg_type: int = 2) -> bytes:
    return bytes([seg_type, len(asns)]) + struct.pack(f"!{len(asns)}I", *asns)


_NH = _attr(3, bytes([192, 0, 2, 1]))


def _records(stream: bytes) -> list[bytes]:
    out, pos = [], 0
    while pos < len(stream):
        end = pos + 12 + struct.unpack_from("!I", stream, pos + 8)[0]
        out.append(stream[pos:end])
        pos = end
    return out


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    records=st.lists(st.one_of(_bgp4mp_record(), _table_dump_record()), min_size=1, max_size=4),
    rib=_rib_stream(),
    damage=st.lists(
        st.tuples(st.integers(0, 40), st.integers(0, 1000), st.lists(st.tuples(st.integers(0, 2000), st.integers(0, 255)), max_size=3)),
        min_size=1,
        max_size=4,
    ),
)  # fmt: skip
def test_cut_and_corrupted_generated_records(records, rib, damage) -> None:
    """Well-formed records cut short and with bytes flipped (headers stay consistent): every
    bounds check of the record decoders is reached with real structure before it."""
    recs = _records(b"".join(records) + rib)
    for which, cut, flips in damage:
        i = which % len(recs)
        head, body = recs[i][:12], bytearray(recs[i][12:])
        if cut < len(body):
            del body[cut:]
        for pos, value in flips:
            if body:
                body[pos % len(body)] = value
        recs[i] = head[:8] + struct.pack("!I", len(body)) + bytes(body)
    assert_same(b"".join(recs))


def _alone(record: bytes, peer_table: bytes | None) -> None:
    """decode() on one record in a buffer of exactly its size (no slack to over-read into:
    run under AddressSanitizer with PYTHONMALLOC=malloc, see bench/README.md), checked
    against the pure path on the same record."""
    status, pos, _, _, _, rows, cols = elements.COMPILED.decode(
        bytes(record), 0, True, None, peer_table, 1 << 16
    )
    ts, mrt_type, subtype, length = struct.unpack_from("!IHHI", record)
    body = record[12:]
    us = 0
    if mrt_type == 17 and len(body) >= 4:
        us, body = struct.unpack_from("!I", body)[0], body[4:]
    rec = mrt.MrtRecord(0, ts, mrt_type, subtype, body, us)
    table = None if peer_table is None else mrt.MrtRecord(0, 0, 13, 1, peer_table)
    problems: list[mrt.MrtWarning] = []
    _, want = elements._pure_decode(rec, table, problems.append)
    if status == elements._ST_IRREGULAR:
        assert pos == 0 and rows == 0
        assert problems or (mrt_type == 17 and (length < 4 or us > 999_999)) or len(record) < 12
    else:
        assert problems == [] and pos == len(record)
        got = elements._piece(rows, cols) if rows else None
        assert rows == len(want)
        if rows:
            assert got.equals(elements._batch(want))


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    records=st.lists(st.one_of(_bgp4mp_record(), _table_dump_record()), min_size=1, max_size=3),
    rib=_rib_stream(),
    cut=st.integers(0, 1000),
    flips=st.lists(st.tuples(st.integers(0, 2000), st.integers(0, 255)), max_size=3),
)
def test_each_damaged_record_alone(records, rib, cut, flips) -> None:
    recs = _records(b"".join(records))
    rib_recs = _records(rib)
    peer_table = rib_recs[0][12:]
    for rec in recs + rib_recs[1:]:
        for damaged in (rec, rec[: 12 + cut], rec[:12] + bytes(rec[12:])[::-1]):
            body = bytearray(damaged[12:])
            for pos, value in flips:
                if body:
                    body[pos % len(body)] = value
            whole = damaged[:8] + struct.pack("!I", len(body)) + bytes(body)
            _alone(whole, peer_table)
    _alone(rib_recs[0], None)


def test_each_real_record_alone(shared_data: Path) -> None:
    for name in REAL_FILES:
        peer_table = None
        records = mrt.read_records(_data(shared_data, name), lambda w: None)
        for record in itertools.islice(records, 1500):
            raw = record.body
            if record.type == 17:
                raw = struct.pack("!I", record.microsecond) + raw
            header = struct.pack("!IHHI", record.timestamp, record.type, record.subtype, len(raw))
            _alone(header + raw, peer_table)
            if (record.type, record.subtype) == (13, 1):
                peer_table = record.body


def test_as4_merge_and_large_communities_by_hand() -> None:
    attrs = (
        _attr(1, b"\x00")
        + _attr(2, _as2(64496, 23456, 23456))
        + _NH
        + _attr(7, struct.pack("!H", 23456) + bytes([10, 0, 0, 1]), 0xC0)
        + _attr(17, _as4(4200000000, 4200000001), 0xC0)
        + _attr(18, struct.pack("!I", 4200000001) + bytes([10, 0, 0, 1]), 0xC0)
        + _attr(32, struct.pack("!III", 4200000000, 1, 2), 0xC0)
    )
    table, warnings = assert_same(_update(attrs))
    assert warnings == []
    (row,) = table.to_pylist()
    assert format_row(row).endswith(
        "|64496 4200000000 4200000001|IGP|192.0.2.1|0|0||NAG|4200000001 10.0.0.1|"
    )
    assert row["path_asns"] == [64496, 4200000000, 4200000001]
    assert row["origin_asn"] == 4200000001


@pytest.mark.parametrize(
    ("attrs", "column", "value"),
    [
        # ORIGIN values beyond 2 print as INCOMPLETE, as bgpdump does.
        (_attr(1, b"\x03") + _NH, "origin", "INCOMPLETE"),
        (_NH, "origin", "INCOMPLETE"),
        # An AGGREGATOR that is not AS_TRANS makes AS4_AGGREGATOR and AS4_PATH stale.
        (
            _attr(2, _as2(1, 23456)) + _attr(7, struct.pack("!H", 5) + bytes(4))
            + _attr(17, _as4(70000)) + _attr(18, struct.pack("!I", 70001) + bytes(4)) + _NH,
            "as_path",
            "1 23456",
        ),
        # AS4_PATH starting with an empty AS_SEQUENCE joins it onto the kept AS_PATH run.
        (_attr(2, _as2(1, 23456)) + _attr(17, _as4()) + _NH, "origin_asn", 23456),
        (_attr(2, _as2(1, 23456)) + _attr(17, b"") + _NH, "origin_asn", 23456),
        # AS4_PATH longer than AS_PATH is ignored; confederations count 0, sets 1.
        (_attr(2, _as2(1)) + _attr(17, _as4(2, 3)) + _NH, "as_path", "1"),
        (
            _attr(2, _as2(1, 2, seg_type=3) + _as2(9, 23456) + _as2(5, 6, seg_type=1))
            + _attr(17, _as4(70000) + _as4(5, 6, seg_type=1)) + _NH,
            "as_path",
            "(1 2) 9 70000 {5,6}",
        ),
        (
            _attr(2, _as2(5, 6, seg_type=1) + _as2(1, 23456)) + _attr(17, _as4(70000)) + _NH,
            "as_path",
            "{5,6} 1 70000",
        ),
        (_attr(2, _as2(7, 8, seg_type=4) + _as2(seg_type=1)) + _NH, "as_path", "[7,8] {}"),
        (_attr(2, _as2(7, 8) + _as2(9, seg_type=1)) + _NH, "origin_asn", -1),
        (_attr(2, _as2(7, 8) + _as2(9, seg_type=0)) + _NH, "as_path", "7 8 9"),
        # The last of duplicated attributes wins.
        (_attr(4, struct.pack("!I", 1)) + _attr(4, struct.pack("!I", 2)) + _NH, "med", 2),
        (
            _attr(8, struct.pack("!II", 0xFFFFFF01, 0x0CB90064)) + _attr(8, struct.pack("!I", 0xFFFFFF03)) + _NH,
            "communities",
            "local-AS",
        ),
        # Next hop: NEXT_HOP for IPv4 routes, else MP_REACH's, else all-ones.
        (_attr(14, struct.pack("!HBB", 1, 1, 4) + bytes([10, 9, 9, 9, 0])), "next_hop", "10.9.9.9"),
        (b"", "next_hop", "255.255.255.255"),
        (_attr(14, struct.pack("!HBB", 1, 1, 4) + bytes([10, 9, 9, 9, 0])) + _NH, "next_hop", "192.0.2.1"),
        (_attr(14, struct.pack("!HBB", 1, 1, 12) + bytes(8) + bytes([10, 9, 9, 9, 0])), "next_hop", "10.9.9.9"),
        (_attr(14, struct.pack("!HBB", 1, 1, 5) + bytes(5) + b"\x00"), "next_hop", "255.255.255.255"),
    ],
)  # fmt: skip
def test_attribute_rules_by_hand(attrs: bytes, column: str, value) -> None:
    table, warnings = assert_same(_update(attrs))
    assert warnings == []
    assert table[column].to_pylist() == [value]


@pytest.mark.parametrize(
    "attrs",
    [
        _attr(32, struct.pack("!II", 1, 2)) + _NH,  # LARGE_COMMUNITIES not a multiple of 12
        _attr(8, b"\x00\x01\x02") + _NH,
        _attr(1, b"") + _NH,
        _attr(3, bytes(5)),
        _attr(5, bytes(3)) + _NH,
        _attr(7, bytes(7)) + _NH,  # 2-byte session: AGGREGATOR is 6 bytes
        _attr(18, bytes(6)) + _NH,
        _attr(2, b"\x02\x02\x00\x01") + _NH,  # segment runs past the attribute
        _attr(17, b"\x02\x01\x00\x01") + _NH,
        _attr(14, struct.pack("!HBB", 1, 1, 4) + bytes(4)),  # no reserved byte
        _attr(14, struct.pack("!HBB", 2, 1, 16) + bytes(17) + b"\x81"),  # /129
        _attr(15, b"\x00\x02"),
        _attr(15, struct.pack("!HB", 1, 1) + b"\x18\x0a"),  # prefix runs past
        b"\x40\x01",  # attribute header runs past
        b"\x50\x01\x00",
    ],
)
def test_damaged_attributes_by_hand(attrs: bytes) -> None:
    good = _update(_NH)
    table, warnings = assert_same(good + _update(attrs) + good)
    assert table.num_rows == 2 and len(warnings) == 1
    assert "undecodable" in warnings[0].message


@pytest.mark.parametrize("microsecond", [0, 999_999, 1_000_000, 2**31, 2**32 - 1])
def test_out_of_range_microseconds_are_null(microsecond: int) -> None:
    """A damaged BGP4MP_ET microsecond field (RFC 6396: below 10**6) does not fail the batch."""
    record = _update(_NH)
    body = struct.pack("!I", microsecond) + record[12:]
    data = struct.pack("!IHHI", 1700000000, 17, 1, len(body)) + body
    table, warnings = assert_same(data + record)
    assert warnings == []
    want = microsecond if microsecond < 1_000_000 else None
    assert table["microsecond"].to_pylist() == [want, 0]


# ---------------------------------------------------------------------------------------------
# Without the compiled module


def test_missing_module_falls_back_with_one_warning(
    shared_data: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    path = _data(shared_data, "ripe-bgpdump/test_data/updates.20100722.2015.gz")
    compiled, _, _ = _decode(path, "compiled")
    monkeypatch.setattr(elements, "COMPILED", None)
    monkeypatch.setattr(elements, "_COMPILED_PROBLEM", "not built (test)")
    monkeypatch.setattr(elements, "_warned_pure", False)
    with caplog.at_level(logging.WARNING, logger="isoc.routing.elements"):
        first, _, _ = _decode(path, "auto")
        second, _, _ = _decode(path, "auto")
    assert first.equals(compiled) and second.equals(compiled)
    messages = [r.getMessage() for r in caplog.records if r.name == "isoc.routing.elements"]
    assert len(messages) == 1 and "not built (test)" in messages[0]
    with pytest.raises(ImportError):
        _decode(path, "compiled")
