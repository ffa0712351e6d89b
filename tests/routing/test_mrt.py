"""The MRT decoder against real dumps: bgpdump's own expected output line for line, truncated
RouteViews RIBs, and damaged input that must never crash or hang."""

from __future__ import annotations

import bz2
import gzip
import io
import struct
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from isoc.routing.bgpdump_format import as_path_str, format_element, format_elements
from isoc.routing.mrt import (
    AS_SEQUENCE,
    AS_SET,
    MrtWarning,
    ip_str,
    iter_elements,
    merge_as4_path,
    read_records,
)

BGPDUMP_INPUTS = [
    "bview.20020722.2337.gz",
    "bview.64k_stream_overflow.gz",
    "bview.ipv4_unicast_add_path.gz",
    "updates.20020722.2238.gz",
    "updates.20070211.0141.gz",
    "updates.20100722.2015.gz",
    "updates.20160811.1600.gz",
    "updates.long_withdrawal.gz",
    "updates.nlri_mask_trailing_bits.gz",
]
# Files whose output does not match bgpdump yet, with what is missing. Empty: all nine match.
# Entries become strict xfails, so a file that starts passing is noticed.
NOT_YET: dict[str, str] = {}

FUZZ = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def _bgpdump(shared_data: Path) -> Path:
    return shared_data / "mrt" / "ripe-bgpdump"


def _decompressed(path: Path) -> bytes:
    return gzip.decompress(path.read_bytes())


def _lines(source, warnings: list[MrtWarning] | None = None) -> list[str]:
    sink = warnings if warnings is not None else []
    return list(format_elements(iter_elements(source, sink.append)))


@pytest.mark.parametrize(
    "name",
    [
        pytest.param(n, marks=pytest.mark.xfail(strict=True, reason=NOT_YET[n]))
        if n in NOT_YET
        else n
        for n in BGPDUMP_INPUTS
    ],
)
def test_matches_bgpdump_line_for_line(shared_data: Path, name: str) -> None:
    base = _bgpdump(shared_data)
    expected = gzip.decompress((base / "test_expect" / f"{name}.bgp.gz").read_bytes())
    expected_lines = expected.decode().splitlines()
    warnings: list[MrtWarning] = []
    got = _lines(base / "test_data" / name, warnings)
    first_diff = next(
        (i for i, (g, e) in enumerate(zip(got, expected_lines, strict=False)) if g != e), None
    )
    assert first_diff is None, (
        f"line {first_diff + 1}:\n got {got[first_diff]}\n exp {expected_lines[first_diff]}"
    )
    assert len(got) == len(expected_lines)
    if name == "updates.nlri_mask_trailing_bits.gz":
        # Its NLRI ends in a torn prefix: bgpdump prints the intact one, and so do we, with a warning.
        assert len(warnings) == 1 and warnings[0].offset == 0
    else:
        assert warnings == []


def test_every_test_data_file_is_covered(shared_data: Path) -> None:
    """A new input in the data folder must be added to the comparison, not silently skipped."""
    present = sorted(p.name for p in (_bgpdump(shared_data) / "test_data").iterdir())
    assert present == sorted(BGPDUMP_INPUTS)


def test_truncated_routeviews_rib_keeps_every_complete_record(shared_data: Path) -> None:
    path = shared_data / "mrt" / "pyasn" / "rib.20140523.0600_firstMB.bz2"
    warnings: list[MrtWarning] = []
    records = list(read_records(path, warnings.append))
    kinds = [(r.type, r.subtype) for r in records]
    assert kinds[0] == (13, 1)  # PEER_INDEX_TABLE
    assert kinds[1:] == [(13, 2)] * 9072  # RIB_IPV4_UNICAST, the torn 9,073rd is not invented
    assert len(warnings) == 1
    last = records[-1]
    # The warning names where the torn record starts: right after the last intact one.
    assert warnings[0].offset == last.offset + 12 + len(last.body)
    assert f"byte offset {warnings[0].offset}" in str(warnings[0])

    elements = list(iter_elements(iter(records)))
    first = elements[0]
    assert (first.prefix, first.timestamp) == ("0.0.0.0/0", 1400824800)
    assert first.attrs.as_path == [(AS_SEQUENCE, (2905, 65023, 16637))]
    seq1 = [e for e in elements if e.prefix == "1.0.0.0/24"]
    assert len(seq1) == 32
    assert seq1[0].attrs.as_path == [(AS_SEQUENCE, (701, 6453, 15169))]

    origins: dict[str, set[str]] = {}
    for e in elements:
        seg_type, asns = e.attrs.as_path[-1]
        origin = [(seg_type, asns[-1:])] if seg_type == AS_SEQUENCE else [(seg_type, asns)]
        origins.setdefault(e.prefix, set()).add(as_path_str(origin))
    # Ground truth from pyasn's own tests (SOURCES.md).
    assert origins["1.0.4.0/24"] == {"56203"}
    assert origins["1.0.5.0/24"] == {"56203"}
    assert origins["1.0.20.0/23"] == {"2519"}
    assert origins["1.0.38.0/24"] == {"24155"}
    assert origins["1.0.128.0/17"] == {"9737"}
    assert origins["1.1.57.0/24"] == {"132537"}
    assert origins["1.38.0.0/17"] == {"{38266}"}
    assert origins["1.116.0.0/16"] == {"131334"}
    assert "{50923}" in origins["5.128.0.0/14"]
    assert origins["5.128.0.0/16"] == {"31200"}


def test_truncated_ipv6_rib(shared_data: Path) -> None:
    warnings: list[MrtWarning] = []
    path = shared_data / "mrt" / "pyasn" / "rib6.20151101.0600_firstMB.bz2"
    records = list(read_records(path, warnings.append))
    assert [(r.type, r.subtype) for r in records] == [(13, 1)] + [(13, 4)] * 6870
    assert len(warnings) == 1
    elements = list(iter_elements(iter(records), warnings.append))
    assert len(warnings) == 1  # every intact record also decodes
    assert all(":" in e.prefix for e in elements)


def test_truncated_gzip_gives_a_prefix_of_the_expected_lines(shared_data: Path) -> None:
    base = _bgpdump(shared_data)
    raw = (base / "test_data" / "updates.20070211.0141.gz").read_bytes()
    expected = gzip.decompress(
        (base / "test_expect" / "updates.20070211.0141.gz.bgp.gz").read_bytes()
    ).decode()
    warnings: list[MrtWarning] = []
    got = _lines(io.BytesIO(raw[: len(raw) // 2]), warnings)
    assert 10_000 < len(got) < len(expected.splitlines())
    assert got == expected.splitlines()[: len(got)]
    assert len(warnings) == 1 and "compressed stream" in warnings[0].message


@pytest.mark.parametrize("length", [0xFFFFFFF0, 900])
def test_damaged_length_resynchronises_on_the_next_record(shared_data: Path, length: int) -> None:
    raw = _decompressed(_bgpdump(shared_data) / "test_data" / "updates.20020722.2238.gz")
    records = list(read_records(io.BytesIO(raw)))
    victim, after = records[10], records[11]
    data = bytearray(raw)
    struct.pack_into("!I", data, victim.offset + 8, length)  # absurd, too short, too long
    warnings: list[MrtWarning] = []
    kept = list(read_records(io.BytesIO(bytes(data)), warnings.append))
    assert kept == records[:10] + records[11:]
    skipped = after.offset - victim.offset
    assert warnings == [
        MrtWarning(
            victim.offset,
            f"damaged header; skipped {skipped} bytes, resynchronised at byte offset {after.offset}",
        )
    ]


def test_too_short_length_is_indistinguishable_from_damage_after_the_record(
    shared_data: Path,
) -> None:
    """A length that shrinks a record looks like an intact short record followed by garbage:
    the short record is kept (its body then fails to decode, with a warning) and the skip is
    reported where the garbage starts. No record after it is lost."""
    raw = _decompressed(_bgpdump(shared_data) / "test_data" / "updates.20020722.2238.gz")
    records = list(read_records(io.BytesIO(raw)))
    victim, after = records[10], records[11]
    data = bytearray(raw)
    struct.pack_into("!I", data, victim.offset + 8, 3)
    warnings: list[MrtWarning] = []
    kept = list(read_records(io.BytesIO(bytes(data)), warnings.append))
    assert kept == [*records[:10], victim._replace(body=victim.body[:3]), *records[11:]]
    assert [w.offset for w in warnings] == [victim.offset + 15]
    assert warnings[0].message.endswith(f"resynchronised at byte offset {after.offset}")
    list(iter_elements(iter(kept), warnings.append))
    assert [w.offset for w in warnings] == [victim.offset + 15, victim.offset]


def test_damaged_legacy_file_resynchronises_like_bgpkit(shared_data: Path) -> None:
    """bgpkit-parser's recovery fixture: 2,580 records, gaps at 188-198 and 4,554-4,568."""
    warnings: list[MrtWarning] = []
    path = shared_data / "mrt" / "bgpkit-parser" / "updates.20000325.0345.gz"
    records = list(read_records(path, warnings.append))
    assert len(records) == 2580
    assert [(w.offset, w.message.split("offset ")[-1]) for w in warnings] == [
        (188, "198"),
        (4554, "4568"),
    ]
    # Legacy type 5 is not decoded (yet): no elements, and no spurious warnings either.
    assert list(iter_elements(iter(records), warnings.append)) == []
    assert len(warnings) == 2


def test_plain_and_bzip2_are_detected_by_magic(shared_data: Path, tmp_path: Path) -> None:
    plain = _decompressed(_bgpdump(shared_data) / "test_data" / "updates.long_withdrawal.gz")
    (tmp_path / "a.gz").write_bytes(plain)  # misleading suffix: content decides
    (tmp_path / "b").write_bytes(bz2.compress(plain))
    a = _lines(tmp_path / "a.gz")
    b = _lines(tmp_path / "b")
    assert len(a) == 4096 and a == b


@FUZZ
@given(cut=st.integers(min_value=0, max_value=60_000))
def test_any_truncation_of_a_real_file_keeps_the_intact_records(
    shared_data: Path, cut: int
) -> None:
    data = _decompressed(_bgpdump(shared_data) / "test_data" / "updates.20100722.2015.gz")
    full = list(read_records(io.BytesIO(data)))
    warnings: list[MrtWarning] = []
    got = list(read_records(io.BytesIO(data[:cut]), warnings.append))
    intact = [r for r in full if r.offset + 12 + len(r.body) <= cut]
    assert got == intact
    if cut in {r.offset for r in full} or cut >= len(data):
        assert warnings == []  # a cut on a record boundary is a clean end of file
    else:
        torn_at = intact[-1].offset + 12 + len(intact[-1].body) if intact else 0
        assert [w.offset for w in warnings] == [torn_at]
    _lines(iter(got))  # decoding the intact part never raises


@FUZZ
@given(data=st.binary(max_size=4096))
def test_random_bytes_never_crash(data: bytes) -> None:
    warnings: list[MrtWarning] = []
    list(format_elements(iter_elements(io.BytesIO(data), warnings.append)))
    if data and len(data) < 12:
        assert warnings and warnings[0].offset == 0


@FUZZ
@given(
    record_index=st.integers(min_value=0, max_value=300),
    flips=st.lists(st.tuples(st.integers(0, 10_000), st.integers(0, 255)), max_size=8),
)
def test_damaged_bodies_never_crash(shared_data: Path, record_index: int, flips) -> None:
    """Corrupt bytes inside real records (headers intact): records are skipped with a warning, not raised."""
    data = _decompressed(_bgpdump(shared_data) / "test_data" / "updates.20160811.1600.gz")
    records = list(read_records(io.BytesIO(data[:200_000])))
    record = records[record_index % len(records)]
    body = bytearray(record.body)
    for pos, value in flips:
        if body:
            body[pos % len(body)] = value
    damaged = record._replace(body=bytes(body))
    for element in iter_elements(iter([records[0], damaged]), lambda w: None):
        format_element(element)


def test_ipv6_text_matches_bgpdump() -> None:
    def v6(text: str) -> bytes:
        import ipaddress

        return ipaddress.IPv6Address(text).packed

    assert ip_str(v6("2001:7f8:30:0:2:1:0:8447")) == "2001:7f8:30::2:1:0:8447"
    assert ip_str(v6("::ffff:193.0.0.56")) == "::ffff:193.0.0.56"
    assert ip_str(v6("::")) == "::"
    assert ip_str(v6("2001:db8::")) == "2001:db8::"
    assert ip_str(v6("1:0:0:2:0:0:0:3")) == "1:0:0:2::3"
    assert ip_str(v6("1:0:0:2:3:0:0:4")) == "1::2:3:0:0:4"  # first of two equal runs
    assert ip_str(bytes([11, 8, 0, 0])) == "11.8.0.0"


def test_as4_path_merge_rfc6793() -> None:
    as_path = [(AS_SEQUENCE, (3257, 23456, 23456, 1000))]
    as4 = [(AS_SEQUENCE, (196608, 200000, 1000))]
    assert merge_as4_path(as_path, as4) == [(AS_SEQUENCE, (3257, 196608, 200000, 1000))]
    # AS4_PATH longer than AS_PATH: ignored.
    assert merge_as4_path([(AS_SEQUENCE, (1, 2))], [(AS_SEQUENCE, (1, 2, 3))]) == [
        (AS_SEQUENCE, (1, 2))
    ]
    # A set counts as one.
    merged = merge_as4_path(
        [(AS_SEQUENCE, (1, 23456)), (AS_SET, (5, 6))], [(AS_SEQUENCE, (70000,)), (AS_SET, (5, 6))]
    )
    assert as_path_str(merged) == "1 70000 {5,6}"


def _update_record(
    subtype: int, attrs: bytes, nlri: bytes, withdrawn: bytes = b"", mrt_type: int = 16
) -> bytes:
    """A BGP4MP record around one UPDATE from AS 64496 (IPv4 session), built by hand."""
    as4 = subtype in (4, 7, 9, 11)
    peer = struct.pack("!IIHH" if as4 else "!HHHH", 64496, 64511, 0, 1)
    peer += bytes([192, 0, 2, 1, 192, 0, 2, 2])
    update = struct.pack("!H", len(withdrawn)) + withdrawn + struct.pack("!H", len(attrs))
    update += attrs + nlri
    msg = b"\xff" * 16 + struct.pack("!HB", 19 + len(update), 2) + update
    body = peer + msg
    if mrt_type == 17:
        body = struct.pack("!I", 123456) + body
    return struct.pack("!IHHI", 1700000000, mrt_type, subtype, len(body)) + body


def _attr(code: int, value: bytes, flags: int = 0x40) -> bytes:
    return struct.pack("!BBB", flags, code, len(value)) + value


def test_add_path_update_with_large_communities_and_microseconds() -> None:
    attrs = (
        _attr(1, b"\x00")
        + _attr(2, b"\x02\x02" + struct.pack("!II", 64496, 4200000000))
        + _attr(3, bytes([192, 0, 2, 1]))
        + _attr(32, struct.pack("!III", 4200000000, 1, 2), 0xC0)
    )
    nlri = struct.pack("!I", 7) + b"\x18\xc6\x33\x64"  # path id 7, 198.51.100.0/24
    withdrawn = struct.pack("!I", 9) + b"\x10\xcb\x00"  # path id 9, 203.0.0.0/16
    data = _update_record(9, attrs, nlri, withdrawn, mrt_type=17)
    warnings: list[MrtWarning] = []
    elements = list(iter_elements(io.BytesIO(data), warnings.append))
    assert warnings == []
    assert [(e.kind, e.prefix, e.path_id) for e in elements] == [
        ("W", "203.0.0.0/16", 9),
        ("A", "198.51.100.0/24", 7),
    ]
    announce = elements[1]
    assert announce.microsecond == 123456
    assert announce.attrs.large_communities == [(4200000000, 1, 2)]
    assert format_element(announce) == (
        "BGP4MP|1700000000|A|192.0.2.1|64496|198.51.100.0/24|64496 4200000000|IGP|192.0.2.1|0|0||NAG||"
    )


def test_two_byte_session_merges_as4_path_and_as4_aggregator() -> None:
    attrs = (
        _attr(1, b"\x00")
        + _attr(2, b"\x02\x03" + struct.pack("!HHH", 64496, 23456, 23456))
        + _attr(3, bytes([192, 0, 2, 1]))
        + _attr(7, struct.pack("!H", 23456) + bytes([10, 0, 0, 1]), 0xC0)
        + _attr(17, b"\x02\x02" + struct.pack("!II", 4200000000, 4200000001), 0xC0)
        + _attr(18, struct.pack("!I", 4200000001) + bytes([10, 0, 0, 1]), 0xC0)
    )
    data = _update_record(1, attrs, b"\x18\xc6\x33\x64")
    (element,) = iter_elements(io.BytesIO(data))
    assert format_element(element).endswith(
        "|64496 4200000000 4200000001|IGP|192.0.2.1|0|0||NAG|4200000001 10.0.0.1|"
    )
