"""BGP visibility signal: hand-built element tables with known answers, a brute-force check
on the real RouteViews RIB excerpt, and the RIB followed by real and synthetic updates."""

from __future__ import annotations

from collections import Counter, defaultdict
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from isoc.routing.elements import ELEMENT_SCHEMA, NO_ORIGIN, read_batches
from isoc.routing.registry import load_asnames, load_delegations
from isoc.routing.visibility import Peer, bgp_visibility, union_counts

# the real data folder, located as tests/conftest.py does (module-scoped fixtures below)
SHARED_DATA = Path(__file__).resolve().parents[3] / "shared" / "data"
T0 = 1_700_000_100  # a multiple of 300: the snapshot's bin
FULL = [("192.0.2.1", 64501), ("192.0.2.2", 64502), ("192.0.2.3", 64503), ("2001:db8::4", 64504)]
PARTIAL = ("192.0.2.9", 64509)


def _rows(kind: str, t: int, peers, prefix: str, origin: int = 100, path_id: int | None = None) -> list[dict]:
    return [
        {"source": "TABLE_DUMP2" if kind == "B" else "BGP4MP", "kind": kind, "timestamp": t,
         "microsecond": 0, "peer_ip": ip, "peer_asn": asn, "prefix": prefix, "path_id": path_id,
         "origin_asn": NO_ORIGIN if kind == "W" else origin,
         "path_asns": None if kind == "W" else [asn] + ([origin] if origin >= 0 else []), "as_path": None if kind == "W" else f"{asn} {origin}"}
        for ip, asn in peers
    ]


def _table(*groups: list[dict]) -> pa.Table:
    return pa.Table.from_pylist([row for group in groups for row in group], schema=ELEMENT_SCHEMA)


COUNTRY = {"10.0.0.0/16": "KE", "10.1.0.0/24": "KE", "10.0.5.0/24": "UG", "10.2.0.0/16": None}


def _cc(prefixes):
    return [COUNTRY.get(p) for p in prefixes]


def _rib() -> list[dict]:
    return (_rows("B", T0, FULL, "10.0.0.0/16", 100) + _rows("B", T0, FULL, "10.1.0.0/24", 200)
            + _rows("B", T0, [PARTIAL], "10.0.0.0/16", 100))


def test_withdrawal_drops_in_its_bin_and_exactly_half_is_not_visible() -> None:
    updates = (_rows("W", T0 + 400, FULL[:2], "10.0.0.0/16")  # 2 of 4 left: exactly half
               + _rows("A", T0 + 450, [PARTIAL], "10.0.0.0/16")  # not a full-feed peer
               + _rows("A", T0 + 700, FULL[:1], "10.0.0.0/16"))  # 3 of 4 again
    vis = bgp_visibility([_table(_rib()), _table(updates)], _cc)
    assert list(vis.timestamps) == [T0, T0 + 300, T0 + 600]
    assert vis.full_feed_peers == sorted(Peer(ip, asn) for ip, asn in FULL)
    assert vis.table_sizes[Peer(*PARTIAL)] == 1 and vis.table_sizes[Peer(*FULL[0])] == 2
    assert list(vis.by_country["KE"]) == [257, 1, 257]
    assert list(vis.by_asn[100]) == [256, 0, 256]
    assert list(vis.by_asn[200]) == [1, 1, 1]
    assert list(vis.total) == [257, 1, 257]
    series = vis.series
    assert set(series) == {("country", "KE"), ("asn", 100), ("asn", 200)}
    ts, values = series["asn", 100]
    assert ts.dtype == np.int64 and values.dtype == np.float64


def test_a_batch_may_span_bins_and_the_last_row_of_a_bin_wins() -> None:
    updates = (_rows("W", T0 + 10, FULL[:3], "10.1.0.0/24")
               + _rows("A", T0 + 20, FULL[:3], "10.1.0.0/24", 200)  # back within the same bin
               + _rows("A", T0 + 310, FULL[:2], "10.1.0.0/24", 200)
               + _rows("W", T0 + 320, FULL[:3], "10.1.0.0/24"))  # gone by the end of bin 1
    vis = bgp_visibility([_table(_rib() + updates)], _cc)
    assert list(vis.by_asn[200]) == [1, 0]


def test_overlapping_prefixes_count_once_per_key() -> None:
    rib = (_rows("B", T0, FULL, "10.0.0.0/16", 100) + _rows("B", T0, FULL, "10.0.128.0/17", 100)
           + _rows("B", T0, FULL, "10.0.0.0/24", 100) + _rows("B", T0, FULL, "10.0.5.0/24", 300)
           + _rows("B", T0, FULL, "10.0.7.0/25", 100)  # longer than /24: ignored
           + _rows("B", T0, FULL, "0.0.0.0/0", 100)  # shorter than /8: ignored
           + _rows("B", T0, FULL, "2001:db8::/32", 100))  # IPv6: ignored
    vis = bgp_visibility([_table(rib)], _cc)
    assert vis.by_asn[100][0] == 256
    assert vis.by_asn[300][0] == 1  # the more-specific of another AS counts for it too
    assert vis.by_country["KE"][0] == 256  # 10.0.128.0/17 and /24 unknown: AS fallback absent
    assert vis.by_country["UG"][0] == 1
    assert vis.total[0] == 256


def test_moas_counts_for_the_country_not_for_an_as_and_as_fallback() -> None:
    rib = (_rows("B", T0, FULL[:2], "10.0.0.0/16", 100) + _rows("B", T0, FULL[2:], "10.0.0.0/16", 400)
           + _rows("B", T0, FULL, "10.2.0.0/16", 500) + _rows("B", T0, FULL[:3], "10.3.0.0/24", 600)
           + _rows("B", T0, FULL[3:], "10.3.0.0/24", 700))
    vis = bgp_visibility([_table(rib)], _cc, {500: "TZ", 600: "RW", 100: "US"})
    assert vis.by_country["KE"][0] == 256
    assert 100 not in vis.by_asn and 400 not in vis.by_asn
    assert vis.by_country["TZ"][0] == 256  # no prefix country: the origin's
    assert vis.by_asn[600][0] == 1 and vis.by_country["RW"][0] == 1  # 3 of 4 with AS600
    assert vis.asn_country == {500: "TZ", 600: "RW"}


def test_as_set_origin_counts_for_no_as() -> None:
    rib = _rows("B", T0, FULL, "10.0.0.0/16", NO_ORIGIN)
    vis = bgp_visibility([_table(rib)], _cc)
    assert vis.by_country["KE"][0] == 256 and vis.by_asn == {}


def test_quiet_bins_filled_long_gaps_not_and_end_extends() -> None:
    updates = _rows("W", T0 + 1000, FULL, "10.1.0.0/24") + _rows("A", T0 + 9000, FULL, "10.1.0.0/24", 200)
    vis = bgp_visibility([_table(_rib()), _table(updates)], _cc, max_gap_seconds=3600)
    assert list(vis.timestamps) == [T0, T0 + 300, T0 + 600, T0 + 900, T0 + 9000]
    assert list(vis.by_asn[200]) == [1, 1, 1, 0, 1]
    vis = bgp_visibility([_table(_rib())], _cc, end=T0 + 1200)
    assert list(vis.timestamps) == [T0, T0 + 300, T0 + 600, T0 + 900]
    assert list(vis.by_country["KE"]) == [257] * 4


def test_add_path_prefix_carried_while_any_path_remains() -> None:
    rib = (_rows("B", T0, FULL, "10.1.0.0/24", 200, path_id=1) + _rows("B", T0, FULL, "10.1.0.0/24", 200, path_id=2)
           + _rows("B", T0, FULL, "10.0.0.0/16", 100, path_id=1))
    updates = (_rows("W", T0 + 300, FULL, "10.1.0.0/24", path_id=1)
               + _rows("W", T0 + 600, FULL, "10.1.0.0/24", path_id=2))
    vis = bgp_visibility([_table(rib), _table(updates)], _cc)
    assert list(vis.by_asn[200]) == [1, 1, 0]
    assert list(vis.by_asn[100]) == [256, 256, 256]


def test_explicit_peers_without_snapshot_and_errors() -> None:
    updates = _rows("A", T0 + 5, FULL, "10.0.0.0/16", 100) + _rows("A", T0 + 5, [PARTIAL], "10.1.0.0/24", 200)
    peers = [Peer(ip, asn) for ip, asn in FULL[:3]]
    vis = bgp_visibility([_table(updates)], _cc, full_feed_peers=peers)
    assert vis.full_feed_peers == sorted(peers) and vis.table_sizes == {}
    assert vis.by_country == {"KE": pytest.approx(np.array([256.0]))}
    with pytest.raises(ValueError, match="no full-feed peer"):
        bgp_visibility([_table(updates)], _cc)
    with pytest.raises(ValueError, match="no route elements"):
        bgp_visibility([], _cc)
    with pytest.raises(ValueError, match="full_feed_fraction"):
        bgp_visibility([_table(_rib())], _cc, full_feed_fraction=0)


def test_full_feed_fraction_and_delegations_as_prefix_country() -> None:
    import io

    d = load_delegations(io.StringIO(
        "2|t|1|2|0|0|0\nt|KE|ipv4|10.0.0.0|65536|20000101|allocated|X\nt|UG|ipv4|10.1.0.0|256|20000101|allocated|Y\n"))
    rib = _rows("B", T0, FULL + [PARTIAL], "10.0.0.0/16", 100) + _rows("B", T0, FULL, "10.1.0.0/24", 200)
    vis = bgp_visibility([_table(rib)], d.countries_of_prefixes, full_feed_fraction=0.4)
    assert len(vis.full_feed_peers) == 5
    assert vis.by_country["KE"][0] == 256 and vis.by_country["UG"][0] == 1


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 63), st.integers(1, 16), st.integers(0, 3)), max_size=30))
def test_union_counts_matches_brute_force(intervals) -> None:
    first = np.array([i[0] for i in intervals], np.int64)
    count = np.array([i[1] for i in intervals], np.int64)
    labels = np.array([i[2] for i in intervals], np.int64)
    got = union_counts(first, count, labels, 4)
    want = [len({x for f, c, lab in intervals if lab == k for x in range(f, f + c)}) for k in range(4)]
    assert list(got) == want


# ---------------------------------------------------------------------------- real data


@pytest.fixture(scope="module")
def rib_table() -> pa.Table:
    path = SHARED_DATA / "mrt" / "pyasn" / "rib.20140523.0600_firstMB.bz2"
    if not path.is_file():
        pytest.skip(f"real test data {path} is absent")
    return pa.Table.from_batches(list(read_batches(path, on_warning=lambda w: None)), schema=ELEMENT_SCHEMA)


@pytest.fixture(scope="module")
def asn_country() -> dict[int, str | None]:
    path = SHARED_DATA / "country" / "asn" / "asnames.json.gz"
    if not path.is_file():
        pytest.skip(f"real test data {path} is absent")
    return {asn: name.country for asn, name in load_asnames(path).items()}


def _brute_force(table: pa.Table, peers: set[tuple[str, int]], asn_cc) -> tuple[dict, dict, int]:
    """Per-prefix peer sets and /24 sets in plain Python (RIB only, no add-path)."""
    carriers: dict[str, dict[tuple[str, int], int]] = defaultdict(dict)
    for row in table.select(["peer_ip", "peer_asn", "prefix", "origin_asn"]).to_pylist():
        peer = (row["peer_ip"], row["peer_asn"])
        if peer in peers:
            carriers[row["prefix"]][peer] = row["origin_asn"]
    by_as: dict[int, set[int]] = defaultdict(set)
    by_cc: dict[str, set[int]] = defaultdict(set)
    every: set[int] = set()
    for prefix, seen in carriers.items():
        addr, length = prefix.split("/")
        if ":" in addr or not 8 <= int(length) <= 24 or 2 * len(seen) <= len(peers):
            continue
        a, b, c, _ = (int(x) for x in addr.split("."))
        first = (a << 16) | (b << 8) | c
        blocks = set(range(first, first + 2 ** (24 - int(length))))
        every |= blocks
        origin, votes = Counter(seen.values()).most_common(1)[0]
        if 2 * votes > len(peers) and origin != NO_ORIGIN:
            by_as[origin] |= blocks
            if asn_cc.get(origin):
                by_cc[asn_cc[origin]] |= blocks
    return ({k: len(v) for k, v in by_as.items()}, {k: len(v) for k, v in by_cc.items()}, len(every))


def test_real_rib_matches_brute_force(rib_table: pa.Table, asn_country) -> None:
    vis = bgp_visibility(rib_table.to_batches(max_chunksize=50_000), None, asn_country)
    # RouteViews 2014-05-23: 30 peers hold ≥ 96 % of the largest table, the next 79 %.
    assert len(vis.full_feed_peers) == 30
    assert max(vis.table_sizes.values()) == 8944
    assert list(vis.timestamps) == [1400824800 - 1400824800 % 300]
    peers = {(p.ip, p.asn) for p in vis.full_feed_peers}
    by_as, by_cc, total = _brute_force(rib_table, peers, asn_country)
    assert vis.total[0] == total > 300_000
    assert {a: int(v[0]) for a, v in vis.by_asn.items()} == by_as
    # no prefix country given: countries come from the origin AS alone, as in the brute force
    assert {c: int(v[0]) for c, v in vis.by_country.items()} == by_cc
    assert by_as[15169] >= 1  # 1.0.0.0/24 … is Google's in 2014 (pyasn: path ends in 15169)
    assert vis.asn_country[15169] == "US"


def test_real_rib_then_updates(rib_table: pa.Table, asn_country) -> None:
    rib = rib_table.to_batches(max_chunksize=100_000)
    base = bgp_visibility(rib, None, asn_country)
    # Real updates from another collector and year: their peers are not this RIB's, so
    # the signal is stable (the 8-year gap is missing input: no points in between).
    sydney = SHARED_DATA / "mrt" / "dfz_name_and_shame" / "sydney.updates.20220601.0230.bz2"
    updates = list(read_batches(sydney, on_warning=lambda w: None))
    vis = bgp_visibility(rib + updates, None, asn_country)
    assert vis.timestamps[0] == base.timestamps[0] and vis.timestamps.size > 2
    assert np.all(np.diff(vis.timestamps[1:]) == 300)
    assert np.all(vis.total == base.total[0]) and vis.total[0] > 0
    for key, (_, values) in vis.series.items():
        assert np.all(values == values[0]) and values[0] > 0, key

    # Synthetic updates from the RIB's own full-feed peers: 16 of 30 withdraw every prefix
    # of the largest AS 400 s after the dump (bin 2), and announce them again at +700 s.
    biggest = max(base.by_asn, key=lambda a: base.by_asn[a][0])
    mask = np.asarray(rib_table.column("origin_asn").to_numpy() == biggest)
    mine = rib_table.filter(pa.array(mask))
    prefixes = sorted(set(mine.column("prefix").to_pylist()))
    chosen = [(p.ip, p.asn) for p in base.full_feed_peers[:16]]
    t = int(rib_table.column("timestamp")[0].as_py())
    withdraw = [r for p in prefixes for r in _rows("W", t + 400, chosen, p)]
    back = [r for p in prefixes for r in _rows("A", t + 700, chosen, p, biggest)]
    vis = bgp_visibility(rib + [_table(withdraw), _table(back)], None, asn_country)
    assert list(vis.timestamps) == [base.timestamps[0] + 300 * i for i in range(3)]
    assert list(vis.by_asn[biggest]) == [base.by_asn[biggest][0], 0, base.by_asn[biggest][0]]
    shared = set(rib_table.filter(pa.array(np.isin(rib_table.column("prefix").to_numpy(zero_copy_only=False),
                                                   prefixes))).column("origin_asn").to_pylist())
    others = [a for a in base.by_asn if a not in shared]
    assert len(others) > 1000
    assert all(np.all(vis.by_asn[a] == base.by_asn[a][0]) for a in others)
    cc = asn_country[biggest]
    assert vis.by_country[cc][1] < vis.by_country[cc][0] == vis.by_country[cc][2]


def test_data_dir_is_located_like_the_other_routing_tests(shared_data: Path) -> None:
    assert (shared_data / "mrt" / "pyasn").is_dir()
