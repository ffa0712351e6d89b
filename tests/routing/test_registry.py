"""Registry loaders against the real files (CIDR-report AS names, AFRINIC delegation
statistics, Team Cymru full bogons) and hand-written CAIDA relationships; malformed input
must raise the loader's error class naming the line, never anything else."""

from __future__ import annotations

import bz2
import gzip
import io
import json
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from isoc.routing.registry import (
    C2P,
    P2C,
    P2P,
    S2S,
    ASName,
    AsnamesError,
    BogonError,
    ChecksumError,
    DelegationError,
    Delegations,
    RegistryError,
    RelationshipError,
    load_as_relationships,
    load_asnames,
    load_bogons,
    load_delegations,
    parse_asname,
    range_to_prefixes,
)

FUZZ = settings(max_examples=150, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


def _country(shared_data: Path) -> Path:
    return shared_data / "country"


def _afrinic(shared_data: Path) -> Path:
    return _country(shared_data) / "rir" / "delegated-afrinic-extended-latest"


# ------------------------------------------------------------------------------ asnames


def test_asnames_real_file(shared_data: Path) -> None:
    names = load_asnames(_country(shared_data) / "asn" / "asnames.json.gz")
    assert len(names) == 77586
    # Entries read from the file: "GOOGLE - Google Inc., US", "KENET-AS, KE",
    # "SVOD-AS Svod ltd., RU", "-Reserved AS-, ZZ", "SLLNET Stockholms Lans Landsting, na",
    # "GSC-FORTCOLLINS - Gannett Supply Corp. - Fort Collins, CO, US".
    assert names[15169] == ASName(15169, "GOOGLE", "Google Inc.", "US")
    assert names[36914] == ASName(36914, "KENET-AS", "", "KE")
    assert names[58146] == ASName(58146, "SVOD-AS", "Svod ltd.", "RU")
    assert names[0] == ASName(0, "-Reserved AS-", "", None)
    assert names[19399] == ASName(19399, "SLLNET", "Stockholms Lans Landsting", None)
    assert names[53734] == ASName(53734, "GSC-FORTCOLLINS", "Gannett Supply Corp. - Fort Collins, CO", "US")
    # 3,735 entries end in ", ZZ" and one in ", na": those have no country.
    assert sum(n.country is None for n in names.values()) == 3736
    assert sum(n.country == "KE" for n in names.values()) == 87
    assert all(n.country is None or (len(n.country) == 2 and n.country.isupper())
               for n in names.values())


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("GOOGLE - Google Inc., US", ("GOOGLE", "Google Inc.", "US")),
        ("KENET-AS, KE", ("KENET-AS", "", "KE")),
        ("CELLNEXT-SOLUTIONS-AP Cellnext Solutions Limited -, IN",
         ("CELLNEXT-SOLUTIONS-AP", "Cellnext Solutions Limited", "IN")),
        ("WORKSOFT-01 - Worksoft, Inc, US", ("WORKSOFT-01", "Worksoft, Inc", "US")),
        ("-Private Use AS-, ZZ", ("-Private Use AS-", "", None)),
        ("NO-COUNTRY Some Org", ("NO-COUNTRY", "Some Org", None)),
        ("EYEMG - EYEMG - interactive media group, US", ("EYEMG", "EYEMG - interactive media group", "US")),
    ],
)
def test_parse_asname_shapes(text: str, expected: tuple) -> None:
    assert parse_asname(1, text) == ASName(1, *expected)


def test_asnames_autnums_text_and_streams() -> None:
    text = ('<a href="/cgi-bin/as-report?as=AS0&view=2.0">AS0    </a> -Reserved AS-, ZZ\n'
            "AS36914 KENET-AS, KE\n"
            "junk line\n")
    names = load_asnames(io.StringIO(text))
    assert names == {0: ASName(0, "-Reserved AS-", "", None), 36914: ASName(36914, "KENET-AS", "", "KE")}
    assert load_asnames(io.BytesIO(bz2.compress(text.encode()))) == names
    assert load_asnames(io.BytesIO(gzip.compress(b'{"13335": "CLOUDFLARENET - CloudFlare, Inc., US"}'))) == {
        13335: ASName(13335, "CLOUDFLARENET", "CloudFlare, Inc.", "US")}


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ('{"1": "A, US",\n "x2": "B, US"}', 2, "not an ASN"),
        ('{"1": "A, US",\n "2": 5}', 2, "non-empty name"),
        ('{"1": "A, US",\n "2": "B, US",,}', 2, "invalid JSON"),
        ("[1, 2]", 1, "JSON object"),
        ("AS1 A, US\nAS99999999999 B, US\n", 2, "out of range"),
        ("AS1 A, US\nAS2\n", 2, "no name"),
    ],
)
def test_asnames_malformed(text: str, line: int, words: str) -> None:
    with pytest.raises(AsnamesError, match=words) as info:
        load_asnames(io.StringIO(text))
    assert info.value.line == line
    assert f"line {line}" in str(info.value)


def test_asnames_truncated_gzip(shared_data: Path) -> None:
    raw = (_country(shared_data) / "asn" / "asnames.json.gz").read_bytes()
    with pytest.raises(AsnamesError):
        load_asnames(io.BytesIO(raw[: len(raw) // 2]))


# -------------------------------------------------------------------------- delegations


def test_afrinic_delegations(shared_data: Path) -> None:
    path = _afrinic(shared_data)
    d = load_delegations(path)
    assert d.md5_verified  # 4623c7498dab9874cc022b42aef5a684, as published in the .md5
    counts = d.counts()
    assert sum(v for (t, _), v in counts.items() if t == "asn") == 3326
    assert sum(v for (t, _), v in counts.items() if t == "ipv4") == 5089
    assert sum(v for (t, _), v in counts.items() if t == "ipv6") == 6604
    assert counts["asn", "allocated"] == 2272
    assert counts["ipv4", "assigned"] == 1486
    assert counts["ipv6", "reserved"] == 2977
    assert d.summaries == {("afrinic", "asn"): 3326, ("afrinic", "ipv4"): 5089, ("afrinic", "ipv6"): 6604}
    assert d.headers[0]["serial"] == "20230323"
    # afrinic|KE|asn|36914|1|20060915|allocated|F3615A34 ; 37000 is "available" (ZZ).
    assert d.country_of_asn(36914) == "KE"
    rec = d.asn_delegation(36914)
    assert rec is not None and rec.opaque_id == "F3615A34" and rec.date.isoformat() == "2006-09-15"
    assert d.country_of_asn(1228) == "ZA"
    assert d.country_of_asn(37000) is None
    assert d.country_of_asn(15169) is None
    assert list(d.countries_of_asns([36914, 1228, 37000, 15169])) == ["KE", "ZA", None, None]
    # afrinic|ZA|ipv4|41.0.0.0|2097152 (a /11), afrinic|KE|ipv4|41.57.96.0|4096 (a /20),
    # afrinic|ZA|ipv6|2001:4200::|32.
    got = d.countries_of_prefixes(["41.0.0.0/11", "41.0.1.0/24", "41.57.100.0/24", "41.57.96.0/20",
                                   "2001:4200:ab::/48", "2001:4201::/32", "8.8.8.0/24", "41.0.0.0/8", "junk"])
    assert list(got) == ["ZA", "ZA", "KE", "KE", "ZA", None, None, None, None]
    assert d.country_of_prefix("41.57.96.0/21") == "KE"


def test_non_power_of_two_ipv4_split(shared_data: Path) -> None:
    d = load_delegations(_afrinic(shared_data))
    odd = [r for r in d.records if r.type == "ipv4" and r.value & (r.value - 1)]
    assert len(odd) == 41
    by_start = {r.start: r for r in odd}
    # afrinic|..|ipv4|196.4.20.0|2560|...: 10 /24s → /22 + /22 + /23
    assert by_start["196.4.20.0"].prefixes == ["196.4.20.0/22", "196.4.24.0/22", "196.4.28.0/23"]
    for r in odd:
        total = sum(2 ** (32 - int(p.split("/")[1])) for p in r.prefixes)
        assert total == r.value
        assert d.country_of_prefix(r.prefixes[-1]) == (r.cc if r.delegated else None)


@given(st.integers(0, 2**32 - 1), st.integers(1, 2**32))
def test_range_to_prefixes_covers_exactly(start: int, count: int) -> None:
    if start + count > 2**32:
        with pytest.raises(ValueError):
            range_to_prefixes(start, count)
        return
    blocks = range_to_prefixes(start, count)
    position = start
    for net, length in blocks:
        assert net == position and net % 2 ** (32 - length) == 0
        position += 2 ** (32 - length)
    assert position == start + count
    assert len(blocks) <= 64


HAND = """\
2.3|test|20240101|6|19700101|20240101|+0000
test|*|asn|*|2|summary
test|*|ipv4|*|3|summary
test|*|ipv6|*|1|summary
test|NL|asn|1000|10|20000101|allocated|A1
test|ZZ|asn|2000|5||available|
test|NL|ipv4|10.0.0.0|768|20000101|allocated|A1
test|BE|ipv4|10.0.1.0|256|20000101|assigned|B1
test|DE|ipv4|10.0.3.0|256|20000101|allocated|C1
test|FR|ipv6|2001:db8::|32|20000101|allocated|D1
"""


def test_hand_written_nesting_and_ranges(tmp_path: Path) -> None:
    d = load_delegations(io.StringIO(HAND))
    assert not d.md5_verified
    assert [d.country_of_asn(a) for a in (999, 1000, 1009, 1010, 2001)] == [None, "NL", "NL", None, None]
    got = d.countries_of_prefixes(["10.0.0.0/24", "10.0.1.0/24", "10.0.1.128/25", "10.0.2.0/24",
                                   "10.0.0.0/23", "10.0.2.0/23", "10.0.3.0/24", "10.0.0.0/22",
                                   "2001:db8:1::/48", "2001:db8::/31", "2001:db8:ffff:ffff:ffff::1/128"])
    # The BE /24 nested in the NL range wins (longest match); a prefix straddling two
    # countries has none.
    assert list(got) == ["NL", "BE", "BE", "NL", None, None, "DE", None, "FR", None, "FR"]
    # the same file gzipped, from a path, with an .md5 next to it in GNU format
    path = tmp_path / "delegated-test-extended-latest.gz"
    path.write_bytes(gzip.compress(HAND.encode()))
    import hashlib

    (tmp_path / (path.name + ".md5")).write_text(f"{hashlib.md5(path.read_bytes()).hexdigest()}  {path.name}\n")
    assert load_delegations(path).md5_verified
    (tmp_path / (path.name + ".md5")).write_text(f"MD5 ({path.name}) = {'0' * 32}\n")
    with pytest.raises(ChecksumError, match="differs"):
        load_delegations(path)
    assert not load_delegations(path, verify_md5=False).md5_verified
    (tmp_path / (path.name + ".md5")).unlink()
    with pytest.raises(ChecksumError, match="no .*md5"):
        load_delegations(path, verify_md5=True)


def test_combine() -> None:
    a = load_delegations(io.StringIO(HAND))
    b = load_delegations(io.StringIO(HAND.replace("test", "other").replace("10.0.", "11.0.")
                                      .replace("|1000|", "|5000|").replace("2001:db8", "2001:db9")))
    both = Delegations.combine([a, b])
    assert len(both.records) == 12
    assert list(both.countries_of_prefixes(["10.0.3.0/24", "11.0.3.0/24"])) == ["DE", "DE"]
    assert both.country_of_asn(5001) == "NL"


@pytest.mark.parametrize(
    ("mutate", "line", "words"),
    [
        (lambda t: t.replace("|NL|asn|1000|10|", "|NL|asn|x1000|10|"), 5, "ASN range"),
        (lambda t: t.replace("|NL|asn|1000|10|", "|NL|asn|1000|0|"), 5, "bad value"),
        (lambda t: t.replace("|BE|ipv4|10.0.1.0|", "|BE|ipv4|10.0.1.300|"), 8, "IPv4 address"),
        (lambda t: t.replace("|BE|ipv4|10.0.1.0|", "|BE|ipv4|2001:db8::|"), 8, "not an ipv4"),
        (lambda t: t.replace("|FR|ipv6|2001:db8::|32|", "|FR|ipv6|2001:db8::|16|"), 10, "host bits"),
        (lambda t: t.replace("|DE|ipv4|10.0.3.0|256|20000101|", "|DE|ipv4|10.0.3.0|256|20001301|"), 9, "bad date"),
        (lambda t: t.replace("|DE|ipv4|", "|D3|ipv4|"), 9, "country code"),
        (lambda t: t.replace("|DE|ipv4|", "|DE|ipv5|"), 9, "unknown type"),
        (lambda t: t.replace("|DE|ipv4|10.0.3.0|256|20000101|allocated|C1", "|DE|ipv4"), 9, "fields"),
        (lambda t: t.replace("test|ZZ|asn|2000|5||available|\n", ""), 2, "summary says 2 asn"),
        (lambda t: t.replace("2.3|test|20240101|6|", "2.3|test|20240101|7|"), 1, "version line says 7"),
        (lambda t: t.split("\n", 1)[1], 1, "version line"),
        (lambda t: t.replace("255.255", "").replace("10.0.3.0|256", "255.255.255.0|512"), 9, "runs past"),
    ],
)
def test_delegations_malformed(mutate, line: int, words: str) -> None:
    with pytest.raises(DelegationError, match=words) as info:
        load_delegations(io.StringIO(mutate(HAND)))
    assert info.value.line == line


def test_truncated_afrinic_fails_counts(shared_data: Path) -> None:
    raw = _afrinic(shared_data).read_bytes()
    cut = raw[: raw.rfind(b"\n", 0, len(raw) // 2) + 1]
    with pytest.raises(DelegationError, match="truncated"):
        load_delegations(io.BytesIO(cut))
    assert len(load_delegations(io.BytesIO(cut), check_counts=False).records) < 15019
    with pytest.raises(DelegationError, match="line"):
        load_delegations(io.BytesIO(bz2.compress(raw)[:5000]))


# ------------------------------------------------------------------------------- bogons


def test_bogons_real(shared_data: Path) -> None:
    v4 = load_bogons(_country(shared_data) / "bogons" / "fullbogons-ipv4.txt")
    v6 = load_bogons(_country(shared_data) / "bogons" / "fullbogons-ipv6.txt")
    assert len(v4) == 1479
    assert len(v6) == 130320
    assert v4[:2] == ["0.0.0.0/8", "10.0.0.0/8"]
    assert v6[:2] == ["::/8", "100::/8"]
    assert len(set(v4)) == len(v4)


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("# c\n10.0.0.0/8\n10.0.0.1/8\n", 3, "host bits"),
        ("10.0.0.0/8\n\n10.0.0.0/33\n", 3, "prefix length"),
        ("10.0.0.0/8\nhello\n", 2, "address"),
        ("::/8\n2001:db8::g/32\n", 2, "address"),
    ],
)
def test_bogons_malformed(text: str, line: int, words: str) -> None:
    with pytest.raises(BogonError, match=words) as info:
        load_bogons(io.StringIO(text))
    assert info.value.line == line


# ------------------------------------------------------------------------ relationships

SERIAL1 = """\
# source:topology|BGP|20240101|...
# 1|2|-1 : 1 is a provider of 2
174|3356|0
3356|64500|-1
64500|64501|-1
"""
SERIAL2 = """\
# serial-2: <provider-as>|<customer-as>|-1|<source>
174|3356|0|bgp
3356|64500|-1|bgp
64500|64501|-1|mlp
"""


def test_relationships_serial1_and_2(tmp_path: Path) -> None:
    one = load_as_relationships(io.StringIO(SERIAL1))
    assert one == {(174, 3356): P2P, (3356, 174): P2P, (3356, 64500): P2C, (64500, 3356): C2P,
                   (64500, 64501): P2C, (64501, 64500): C2P}
    assert load_as_relationships(io.StringIO(SERIAL2)) == one
    path = tmp_path / "20240101.as-rel.txt.bz2"
    path.write_bytes(bz2.compress(SERIAL1.encode()))
    assert load_as_relationships(path) == one
    assert load_as_relationships(io.StringIO("1|2|1\n3|4|2\n")) == {(1, 2): C2P, (2, 1): P2C, (3, 4): S2S,
                                                                    (4, 3): S2S}
    # the same link listed from either side, consistently, is fine
    assert load_as_relationships(io.StringIO("1|2|-1\n2|1|1\n")) == {(1, 2): P2C, (2, 1): C2P}


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("1|2|-1\n1|2|0\n", 2, "line 1"),
        ("1|2|-1\n2|1|-1\n", 2, "given as"),
        ("1|2|-1\n1|2\n", 2, "expected"),
        ("1|2|-1\n1|x|0\n", 2, "bad ASN"),
        ("1|2|-1\n1|4294967296|0\n", 2, "bad ASN"),
        ("1|2|-2\n", 1, "not -1, 0"),
        ("# c\n5|5|0\n", 2, "itself"),
    ],
)
def test_relationships_malformed(text: str, line: int, words: str) -> None:
    with pytest.raises(RelationshipError, match=words) as info:
        load_as_relationships(io.StringIO(text))
    assert info.value.line == line


# ------------------------------------------------------------------------------ fuzzing

LOADERS = [
    (load_asnames, AsnamesError),
    (load_delegations, DelegationError),
    (load_bogons, BogonError),
    (load_as_relationships, RelationshipError),
]
_pieces = st.sampled_from(["|", "\n", "#", ",", " ", "/", ".", ":", "-1", "0", "AS", "{", "}", '"',
                           "summary", "asn", "ipv4", "ipv6", "10.0.0.0", "2001:db8::", "24", "ZZ",
                           "NL", "allocated", "2|x|1|3|0|0|0", "x|*|asn|*|1|summary", "\x00", "é"])
_texts = st.lists(st.one_of(_pieces, st.text(max_size=6)), max_size=40).map("".join)


@FUZZ
@given(text=_texts, which=st.integers(0, 3))
def test_fuzz_text_raises_only_the_loader_error(text: str, which: int) -> None:
    loader, error = LOADERS[which]
    try:
        loader(io.StringIO(text))
    except error as exc:
        assert isinstance(exc, RegistryError)


@FUZZ
@given(data=st.binary(max_size=200), which=st.integers(0, 3),
       wrap=st.sampled_from(["plain", "gzip", "bz2", "gzip-cut", "bz2-cut"]))
def test_fuzz_bytes_raise_only_the_loader_error(data: bytes, which: int, wrap: str) -> None:
    if wrap.startswith("gzip"):
        data = gzip.compress(data)
    elif wrap.startswith("bz2"):
        data = bz2.compress(data)
    if wrap.endswith("cut"):
        data = data[: max(4, len(data) // 2)]
    loader, error = LOADERS[which]
    try:
        loader(io.BytesIO(data))
    except error:
        pass


@FUZZ
@given(line=st.integers(4, 14), field=st.integers(0, 7), junk=st.sampled_from(["", "x", "-1", "99999999999",
                                                                                "1.2.3", "::", "|", "00000000"]))
def test_fuzz_damaged_delegation_field(line: int, field: int, junk: str) -> None:
    lines = HAND.splitlines()
    if line >= len(lines):
        return
    parts = lines[line].split("|")
    if field < len(parts):
        parts[field] = junk
    lines[line] = "|".join(parts)
    try:
        d = load_delegations(io.StringIO("\n".join(lines)))
    except DelegationError as exc:
        assert exc.line is not None or "version line" in str(exc)
    else:
        d.countries_of_prefixes(["10.0.0.0/24", "2001:db8::/48"])
        d.country_of_asn(1000)


def test_json_asnames_error_points_at_the_key_line() -> None:
    text = json.dumps({"1": "A, US", "2": "B, US", "bad": "C, US"}, indent=1)
    with pytest.raises(AsnamesError) as info:
        load_asnames(io.StringIO(text))
    assert info.value.line == 4
    assert np.isscalar(info.value.line)
