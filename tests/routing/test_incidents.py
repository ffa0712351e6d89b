"""Routing incident detection: every rule on small hand-built element tables, interval
bookkeeping against a naive per-second reference, and real RouteViews data (dnas's expected
stats for the Sydney updates; a RouteViews RIB against the full 2025 VRP export)."""

from __future__ import annotations

import ipaddress
import json
from pathlib import Path

import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from isoc.routing.elements import ELEMENT_SCHEMA, NO_ORIGIN, read_batches, read_table
from isoc.routing.incidents import (
    BOGON_ASNS,
    INCIDENT_SCHEMA,
    bogon_asn_category,
    detect,
    incident_rows,
    incidents_table,
    is_bogon_asn,
)
from isoc.routing.rov import ValidationState, build_index
from isoc.routing.vrps import from_records, load_vrps

BOGONS = ["0.0.0.0/8", "10.0.0.0/8", "192.0.2.0/24", "100.64.0.0/10", "2001:db8::/32", "3ffe::/16"]


def el(ts, kind, peer, prefix, path=None, *, path_id=None, aggregator=""):
    """One element row. ``peer`` is the peer's ASN (its IP is derived); ``path`` bgpdump text."""
    row = {
        "source": "BGP4MP",
        "kind": kind,
        "timestamp": ts,
        "microsecond": 0,
        "peer_ip": f"198.51.100.{peer % 250}",
        "peer_asn": peer,
        "prefix": prefix,
        "path_id": path_id,
        "origin_asn": NO_ORIGIN,
    }
    if kind != "W":
        asns = [int(a) for a in path.replace("{", " ").replace("}", " ").replace(",", " ").split()]
        row.update(
            as_path=path,
            path_asns=asns,
            origin_asn=NO_ORIGIN if path.rstrip().endswith("}") else asns[-1],
            origin="IGP",
            next_hop="198.51.100.1",
            local_pref=0,
            med=0,
            communities="",
            atomic_aggregate=False,
            aggregator=aggregator,
        )
    return row


def table(*rows) -> pa.Table:
    return pa.Table.from_pylist(list(rows), schema=ELEMENT_SCHEMA)


def run(*rows, **kw):
    kw.setdefault("bogon_prefixes", BOGONS)
    return detect([table(*rows)], **kw)


def only(incidents, kind):
    return [x for x in incidents if x.kind == kind]


# -- bogon prefixes ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("prefix", "cover"),
    [
        ("10.0.0.0/8", "10.0.0.0/8"),  # equal
        ("10.1.2.0/24", "10.0.0.0/8"),  # inside
        ("10.255.255.255/32", "10.0.0.0/8"),
        ("100.127.0.0/16", "100.64.0.0/10"),
        ("2001:db8:1::/48", "2001:db8::/32"),
        ("11.0.0.0/8", None),
        ("0.0.0.0/0", None),  # covers 0.0.0.0/8 but is not inside a bogon
        ("8.0.0.0/7", None),  # covers 10/8? no: 8.0.0.0/7 is 8-9; still not inside
        ("2001:db8::/31", None),  # less specific than the bogon
        ("3ffe:ffff::/32", "3ffe::/16"),
    ],
)
def test_bogon_prefix(prefix, cover):
    incidents = only(run(el(100, "A", 1, prefix, "1 2 3")), "bogon-prefix")
    if cover is None:
        assert incidents == []
    else:
        [x] = incidents
        assert (x.culprit_asn, x.origin_asn, x.prefixes, x.evidence) == (3, 3, (prefix,), {"bogon_prefix": cover})


def test_bogon_prefix_evidence_is_the_most_specific_cover():
    [x] = only(run(el(1, "A", 1, "10.1.2.0/24", "1 2"), bogon_prefixes=["10.0.0.0/8", "10.1.0.0/16"]), "bogon-prefix")
    assert x.evidence == {"bogon_prefix": "10.1.0.0/16"}


def test_bogon_prefix_from_an_as_set_is_blamed_on_the_aggregator():
    [x] = only(run(el(1, "A", 1, "10.0.0.0/8", "1 2 {3,4}", aggregator="2 192.0.2.1")), "bogon-prefix")
    assert (x.culprit_asn, x.origin_asn) == (2, NO_ORIGIN)


# -- bogon ASNs -------------------------------------------------------------------------------


@pytest.mark.parametrize(("first", "last", "category", "source"), BOGON_ASNS)
def test_bogon_asn_ranges_are_inclusive(first, last, category, source):
    assert is_bogon_asn([first, last]).all()
    assert bogon_asn_category(first) == bogon_asn_category(last) == (category, source)
    outside = [a for a in (first - 1, last + 1) if 0 <= a <= 2**32 - 1]
    for a in outside:
        if not any(f <= a <= t for f, t, _, _ in BOGON_ASNS):
            assert not is_bogon_asn([a])[0]
            assert bogon_asn_category(a) is None


def test_bogon_asn_table_spot_checks():
    assert is_bogon_asn([0, 23456, 64496, 64511, 64512, 65534, 65535, 65536, 65551, 65552, 131071,
                         4200000000, 4294967294, 4294967295]).all()
    assert not is_bogon_asn([1, 23455, 23457, 64495, 131072, 4199999999, 3356, 396982]).any()


@pytest.mark.parametrize(
    ("path", "culprit", "bogons"),
    [
        ("7 6939 23456", 6939, [23456]),  # bogon origin: the neighbour that passed it on
        ("7 2 64512 3", 2, [64512]),
        ("7 64512 2 64513", 2, [64512, 64513]),  # first network that should have filtered
        ("7 2 65551 64512 3", 2, [65551, 64512]),
    ],
)
def test_bogon_asn_culprit(path, culprit, bogons):
    [x] = only(run(el(1, "A", 7, "203.0.113.0/24", path)), "bogon-asn")
    assert x.culprit_asn == culprit
    assert [b["asn"] for b in x.evidence["bogon_asns"]] == bogons
    assert x.evidence["propagated_by"] == culprit


def test_no_bogon_asn_in_a_clean_path():
    assert run(el(1, "A", 7, "203.0.113.0/24", "7 3356 13335")) == []


# -- RPKI -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def vrp_index():
    return build_index(
        from_records([("203.0.113.0/24", 24, 64500), ("198.18.0.0/15", 16, 64501), ("192.0.2.0/24", 24, 64502)])
    )


@pytest.mark.parametrize(
    ("prefix", "origin", "state"),
    [
        ("203.0.113.0/24", 64500, None),  # valid
        ("203.0.113.0/24", 3, "invalid-as"),
        ("203.0.113.128/25", 64500, "invalid-length"),
        ("198.18.0.0/16", 64501, None),
        ("198.19.0.0/17", 64501, "invalid-length"),
        ("8.8.8.0/24", 15169, None),  # not found
    ],
)
def test_rpki_invalid(vrp_index, prefix, origin, state):
    incidents = only(run(el(1, "A", 1, prefix, f"1 {origin}"), vrp_index=vrp_index), "rpki-invalid")
    if state is None:
        assert incidents == []
    else:
        [x] = incidents
        assert (x.culprit_asn, x.evidence) == (origin, {"state": state})


def test_rpki_as_set_route_is_invalid_when_covered(vrp_index):
    [x] = only(run(el(1, "A", 1, "203.0.113.0/24", "1 64500 {64500}"), vrp_index=vrp_index), "rpki-invalid")
    assert (x.origin_asn, x.culprit_asn, x.evidence) == (NO_ORIGIN, 64500, {"state": "invalid-as", "as_set": True})


# -- route state and intervals ----------------------------------------------------------------

BAD = "10.1.0.0/16"  # a bogon: every announcement of it is an offence


def test_interval_spans_all_peers_and_counts_them():
    [x] = run(
        el(100, "A", 1, BAD, "1 5"),
        el(200, "A", 2, BAD, "2 5"),
        el(300, "W", 1, BAD),
        el(400, "W", 2, BAD),
        el(500, "A", 3, "11.0.0.0/8", "3 5"),
    )
    assert (x.start, x.end, x.duration, x.peers) == (100, 400, 300, 2)


def test_a_gap_makes_two_incidents_and_merge_gap_joins_them():
    rows = [el(100, "A", 1, BAD, "1 5"), el(300, "W", 1, BAD), el(350, "A", 1, BAD, "1 5"), el(400, "W", 1, BAD)]
    assert [(x.start, x.end) for x in run(*rows)] == [(100, 300), (350, 400)]
    assert [(x.start, x.end) for x in run(*rows, merge_gap=50)] == [(100, 400)]
    assert [(x.start, x.end) for x in run(*rows, merge_gap=49)] == [(100, 300), (350, 400)]


def test_withdraw_and_reannounce_in_the_same_second_is_one_incident():
    [x] = run(el(100, "A", 1, BAD, "1 5"), el(300, "W", 1, BAD), el(300, "A", 1, BAD, "1 6 5"), el(900, "W", 1, BAD))
    assert (x.start, x.end) == (100, 900)


def test_replacing_announcement_ends_the_offence():
    [x] = run(el(100, "A", 1, "8.0.0.0/8", "1 64512 5"), el(160, "A", 1, "8.0.0.0/8", "1 2 5"))
    assert (x.kind, x.start, x.end, x.duration) == ("bogon-asn", 100, 160, 60)


def test_still_present_at_the_end_has_no_end():
    [x] = run(el(100, "A", 1, BAD, "1 5"), el(150, "A", 2, "11.0.0.0/8", "2 5"))
    assert (x.end, x.duration) == (None, 50)
    [x] = run(el(100, "A", 1, BAD, "1 5"), observation_end=1000)
    assert (x.end, x.duration) == (None, 900)


def test_rib_rows_set_routes_and_updates_change_them():
    rows = [el(100, "B", 1, BAD, "1 5"), el(100, "B", 2, BAD, "2 5"), el(200, "W", 1, BAD), el(250, "W", 2, BAD)]
    for r in rows[:2]:
        r["source"] = "TABLE_DUMP2"
    [x] = run(*rows)
    assert (x.start, x.end, x.peers) == (100, 250, 2)


def test_add_path_ids_are_separate_slots():
    [x] = run(
        el(100, "A", 1, BAD, "1 5", path_id=1),
        el(110, "A", 1, BAD, "1 6 5", path_id=2),
        el(120, "W", 1, BAD, path_id=1),
        el(200, "W", 1, BAD, path_id=2),
    )
    assert (x.start, x.end, x.peers) == (100, 200, 1)


def test_withdrawal_of_an_unknown_route_is_ignored():
    assert run(el(100, "W", 1, BAD), el(110, "A", 2, "11.0.0.0/8", "2 5")) == []


def test_collector_column_separates_peers():
    rows = [el(100, "A", 1, BAD, "1 5"), el(100, "A", 1, BAD, "1 5"), el(200, "W", 1, BAD)]
    t = table(*rows)
    t = t.append_column("collector", pa.array(["rrc00", "rrc01", "rrc00"]))
    [x] = detect([t], bogon_prefixes=BOGONS)
    assert (x.end, x.peers) == (None, 2)  # rrc01's copy stays


def test_out_of_order_rows_count_at_the_latest_time():
    [x] = run(el(100, "A", 1, BAD, "1 5"), el(200, "A", 2, "11.0.0.0/8", "2 5"), el(150, "W", 1, BAD))
    assert (x.start, x.end) == (100, 200)


def _bookkeeping_ok(events, incidents, obs_end):
    """Covered seconds of the detector's incidents == the naive per-second reference."""
    state: dict[int, bool] = {}
    by_time: dict[int, list] = {}
    for t, peer, what in events:
        by_time.setdefault(t, []).append((peer, what))
    covered_ref = set()
    times = sorted(by_time)
    for i, t in enumerate(times):
        for peer, what in by_time[t]:
            if what == "W":
                state.pop(peer, None)
            else:
                state[peer] = what == "bad"
        nxt = times[i + 1] if i + 1 < len(times) else obs_end
        if any(state.values()):
            covered_ref.update(range(t, nxt))
    covered = set()
    for x in incidents:
        if x.end is not None and x.end == x.start:
            continue  # appeared and went within one second: no second is covered
        covered.update(range(x.start, x.end if x.end is not None else obs_end))
    spans = sorted((x.start, x.end if x.end is not None else obs_end) for x in incidents)
    disjoint = all(a[1] < b[0] for a, b in zip(spans, spans[1:], strict=False))
    return covered == covered_ref and disjoint


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 40), st.integers(1, 3), st.sampled_from(["bad", "good", "W"])),
        min_size=1,
        max_size=30,
    )
)
def test_intervals_match_a_per_second_reference(events):
    events = sorted(events, key=lambda e: e[0])
    rows = [
        el(t, "W", peer, BAD) if what == "W" else el(t, "A", peer, BAD, f"{peer} 3356 64512 5" if what == "bad" else f"{peer} 3356 5")
        for t, peer, what in events
    ]
    obs_end = 50
    incidents = detect([table(*rows)], bogon_prefixes=[], observation_end=obs_end)
    assert {x.kind for x in incidents} <= {"bogon-asn"}
    assert _bookkeeping_ok(events, incidents, obs_end)


# -- possible hijacks: MOAS -------------------------------------------------------------------

P = "203.0.113.0/24"


def test_moas_newcomer_is_the_suspect_from_its_start_to_its_withdrawal():
    [x] = only(
        run(
            el(100, "A", 1, P, "1 3356 64500"),
            el(100, "A", 2, P, "2 174 64500"),
            el(200, "A", 3, P, "3 1299 666"),
            el(300, "W", 3, P),
            el(400, "A", 1, "8.0.0.0/8", "1 2"),
        ),
        "moas",
    )
    assert (x.culprit_asn, x.origin_asn, x.start, x.end, x.peers) == (666, 666, 200, 300, 1)
    assert x.evidence == {"other_origins": [64500]}
    assert x.as_path == "3 1299 666"


def test_moas_ends_when_the_other_origin_goes():
    [x] = only(
        run(
            el(100, "A", 1, P, "1 3356 64500"),
            el(200, "A", 2, P, "2 1299 666"),
            el(250, "W", 1, P),
            el(400, "A", 2, "8.0.0.0/8", "2 1"),
        ),
        "moas",
    )
    assert (x.start, x.end) == (200, 250)


def test_moas_needs_the_routes_at_the_same_time():
    incidents = run(el(100, "A", 1, P, "1 3356 64500"), el(150, "W", 1, P), el(200, "A", 2, P, "2 1299 666"))
    assert only(incidents, "moas") == []


def test_moas_peer_switching_origin_is_not_a_conflict():
    incidents = run(el(100, "A", 1, P, "1 3356 64500"), el(200, "A", 1, P, "1 1299 666"))
    assert only(incidents, "moas") == []


def test_moas_ignores_direct_neighbours():
    # 64500 is 666's upstream in the observed path: provider and customer both originating
    incidents = run(el(100, "A", 1, P, "1 3356 64500"), el(200, "A", 2, P, "2 64500 666"))
    assert only(incidents, "moas") == []
    incidents = run(el(100, "A", 1, P, "1 666 64500"), el(200, "A", 2, P, "2 1299 666"))
    assert only(incidents, "moas") == []


def test_moas_ignores_rpki_valid_origins(vrp_index):
    # 64500 holds a ROA for P: its route is no hijack even as the newcomer
    incidents = run(el(100, "A", 1, P, "1 3356 666"), el(200, "A", 2, P, "2 1299 64500"), vrp_index=vrp_index)
    assert only(incidents, "moas") == []
    # ... while the unauthorised newcomer is reported (and RPKI-invalid)
    incidents = run(el(100, "A", 1, P, "1 3356 64500"), el(200, "A", 2, P, "2 1299 666"), vrp_index=vrp_index)
    assert [x.culprit_asn for x in only(incidents, "moas")] == [666]
    assert [x.culprit_asn for x in only(incidents, "rpki-invalid")] == [666]


def test_moas_in_a_snapshot_blames_the_minority_origin_or_both_on_a_tie():
    rib = [el(100, "B", 1, P, "1 3356 64500"), el(100, "B", 2, P, "2 174 64500"), el(100, "B", 3, P, "3 1299 666")]
    assert [x.culprit_asn for x in only(run(*rib), "moas")] == [666]
    tie = [el(100, "B", 1, P, "1 3356 64500"), el(100, "B", 3, P, "3 1299 666")]
    assert sorted(x.culprit_asn for x in only(run(*tie), "moas")) == [666, 64500]


def test_as_set_routes_take_no_part_in_moas():
    incidents = run(el(100, "A", 1, P, "1 3356 64500"), el(200, "A", 2, P, "2 1299 {666,667}"))
    assert only(incidents, "moas") == []


# -- possible hijacks: more-specifics ---------------------------------------------------------

COVER = "198.51.0.0/16"
SUB = "198.51.7.0/24"


def test_more_specific_of_another_origin():
    [x] = only(
        run(
            el(100, "A", 1, COVER, "1 3356 64500"),
            el(200, "A", 2, SUB, "2 1299 666"),
            el(300, "W", 2, SUB),
            el(400, "A", 1, "8.0.0.0/8", "1 2"),
        ),
        "more-specific",
    )
    assert (x.culprit_asn, x.prefixes, x.start, x.end) == (666, (SUB,), 200, 300)
    assert x.evidence == {"covering_prefix": COVER, "covering_origins": [64500]}


def test_more_specific_uses_the_most_specific_cover_and_ends_with_it():
    [x] = only(
        run(
            el(100, "A", 1, "198.0.0.0/8", "1 3356 64499"),
            el(100, "A", 1, COVER, "1 3356 64500"),
            el(200, "A", 2, SUB, "2 1299 666"),
            el(300, "W", 1, COVER),  # 198/8 remains, but only the nearest cover counts
            el(400, "A", 1, "8.0.0.0/8", "1 2"),
        ),
        "more-specific",
    )
    assert (x.start, x.end, x.evidence["covering_prefix"]) == (200, 300, COVER)


@pytest.mark.parametrize(
    "rows",
    [
        # the same origin holds the cover
        [el(100, "A", 1, COVER, "1 3356 666"), el(200, "A", 2, SUB, "2 1299 666")],
        # customer more-specific of its provider's aggregate
        [el(100, "A", 1, COVER, "1 3356 64500"), el(200, "A", 2, SUB, "2 64500 666")],
        # the more-specific was there first
        [el(100, "A", 2, SUB, "2 1299 666"), el(200, "A", 1, COVER, "1 3356 64500")],
        # a snapshot cannot tell who came first
        [el(100, "B", 1, COVER, "1 3356 64500"), el(100, "B", 2, SUB, "2 1299 666")],
        # the default route is nobody's cover
        [el(100, "A", 1, "0.0.0.0/0", "1 3356"), el(200, "A", 2, SUB, "2 1299 666")],
    ],
)
def test_more_specific_false_positive_controls(rows):
    assert only(run(*rows), "more-specific") == []


def test_more_specific_rpki_valid_is_not_suspect():
    index = build_index(from_records([(SUB, 24, 666)]))
    rows = [el(100, "A", 1, COVER, "1 3356 64500"), el(200, "A", 2, SUB, "2 1299 666")]
    assert only(run(*rows, vrp_index=index), "more-specific") == []


# -- route leaks ------------------------------------------------------------------------------

# 10 and 30 are providers of 20; 40 is 10's customer; 50 and 20 peer; 60 and 50 peer;
# 70 is 50's provider; 30 is 80's provider; 10 and 90 peer; 90 is 91's provider
RELS = {(10, 20): -1, (30, 20): -1, (10, 40): -1, (20, 50): 0, (50, 60): 0, (70, 50): -1, (30, 80): -1,
        (10, 90): 0, (90, 91): -1}
DOWN, UP, ACROSS = "provider-to-customer", "customer-to-provider", "peer-to-peer"


@pytest.mark.parametrize(
    ("path", "triple", "via"),
    [
        # 40 up to 10, down to 20, up to 30: 20 leaks its provider's route to another provider
        ("30 20 10 40", (10, 20, 30), (DOWN, UP)),
        ("30 20 20 20 10 40", (10, 20, 30), (DOWN, UP)),  # prepending collapsed
        ("50 20 10 40", (10, 20, 50), (DOWN, ACROSS)),  # provider route to a peer
        ("80 30 20 50", (50, 20, 30), (ACROSS, UP)),  # peer route to a provider
        ("60 50 20 40", (20, 50, 60), (ACROSS, ACROSS)),  # peer route to a peer (40-20 unknown)
        ("70 50 20 30", (30, 20, 50), (DOWN, ACROSS)),  # two valleys (20, then 50): nearest the origin
    ],
)
def test_route_leak_valleys(path, triple, via):
    observer = int(path.split()[0])
    [x] = only(run(el(100, "A", observer, "8.8.8.0/24", path), relationships=RELS), "route-leak")
    assert (x.evidence["from_asn"], x.evidence["leaker_asn"], x.evidence["to_asn"]) == triple
    assert x.culprit_asn == triple[1]
    assert (x.evidence["received_via"], x.evidence["sent_via"]) == via
    assert x.origin_asn == int(path.split()[-1])


@pytest.mark.parametrize(
    "path",
    [
        "10 40",  # up only
        "20 10 40",  # up, down
        "91 90 10 40",  # up, across, down: the valley-free shape
        "50 20 40",  # 40-20 unknown, then across
        "30 20 99 10 40",  # unknown links at the would-be valley: not proven
        "30 20 {10,11} 40",  # AS_SET
        "30 20 10 20 40",  # loop
    ],
)
def test_no_route_leak(path):
    assert only(run(el(1, "A", 1, "8.8.8.0/24", path), relationships=RELS), "route-leak") == []


def test_route_leak_groups_prefixes_and_reports_the_valley_nearest_the_origin():
    incidents = run(
        el(100, "A", 70, "8.8.8.0/24", "70 50 20 10 40"),  # valleys at 20 (10->20->50) and 50 (20->50->70)
        el(110, "A", 70, "9.9.9.0/24", "70 50 20 10 40"),
        el(200, "W", 70, "8.8.8.0/24"),
        el(300, "W", 70, "9.9.9.0/24"),
        relationships=RELS,
    )
    [x] = only(incidents, "route-leak")
    assert x.culprit_asn == 20
    assert x.prefixes == ("8.8.8.0/24", "9.9.9.0/24")
    assert (x.start, x.end) == (100, 300)


def test_no_leaks_without_relationships():
    assert only(run(el(100, "A", 30, "8.8.8.0/24", "30 20 10 40")), "route-leak") == []


# -- output -----------------------------------------------------------------------------------


def test_incidents_table_and_rows_are_serialisable(vrp_index):
    incidents = run(el(100, "A", 1, BAD, "1 64512 5"), el(100, "A", 1, P, "1 3"), vrp_index=vrp_index)
    assert {x.kind for x in incidents} == {"bogon-prefix", "bogon-asn", "rpki-invalid"}
    t = incidents_table(incidents)
    assert t.schema == INCIDENT_SCHEMA and t.num_rows == 3
    rows = incident_rows(incidents)
    json.dumps(rows)
    assert [json.loads(e) for e in t.column("evidence").to_pylist()] == [r["evidence"] for r in rows]


def test_empty_input():
    assert detect([], bogon_prefixes=BOGONS) == []
    assert detect([table()], bogon_prefixes=BOGONS) == []


# -- real data --------------------------------------------------------------------------------


def _prefix_list(path: Path) -> list[str]:
    """Team Cymru bogon list format: one prefix per line, ``#`` comments."""
    out = []
    for line in path.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            out.append(line)
    return out


SHARED_DATA = Path(__file__).resolve().parents[3] / "shared" / "data"  # as tests/conftest.py


@pytest.fixture(scope="module")
def real():
    if not SHARED_DATA.is_dir():
        pytest.skip(f"real test data folder {SHARED_DATA} is absent")
    return SHARED_DATA


@pytest.fixture(scope="module")
def full_vrps(real):
    return build_index(load_vrps(real / "rpki" / "rpkilog" / "rpkiclient_summary_20250720T093135Z.json.bz2"))


@pytest.fixture(scope="module")
def sydney(real):
    base = real / "mrt" / "dfz_name_and_shame" / "sydney.updates.20220601.0230.bz2"
    # dnas stores each listed route as a JSON document inside the JSON
    listed = ("bogon_origin_asns", "bogon_prefixes", "invalid_len", "most_bogon_asns", "most_origin_asns")
    expected = {k: [json.loads(x) for x in v] if k in listed else v
                for k, v in json.loads(Path(f"{base}.json").read_text()).items()}
    return read_table(base), expected


@pytest.fixture(scope="module")
def full_bogons(real):
    bogons = real / "country" / "bogons"
    return _prefix_list(bogons / "fullbogons-ipv4.txt") + _prefix_list(bogons / "fullbogons-ipv6.txt")


def test_sydney_bogon_origin_as23456(sydney, full_bogons, full_vrps):
    elements, expected = sydney
    incidents = detect([elements], bogon_prefixes=full_bogons, vrp_index=full_vrps)
    # dnas: one bogon origin, AS23456 for 103.56.124.0/22 seen from AS135895 at 02:39
    [dnas] = expected["bogon_origin_asns"]
    bogon_origin = [x for x in only(incidents, "bogon-asn") if is_bogon_asn([x.origin_asn])[0]]
    assert [(x.prefix, x.origin_asn) for x in bogon_origin] == [(dnas["prefix"], int(dnas["origin_asns"][0]))]
    [x] = bogon_origin
    assert x.as_path == " ".join(dnas["as_path"])
    assert x.start == 1654051147  # 2022-06-01 02:39:07, dnas's "20220601.0239"
    assert x.end == x.start  # replaced by a clean path within the same second
    # dnas's "most_bogon_asns" names AS6939 as the network passing AS23456 on: our culprit
    assert x.culprit_asn == int(expected["most_bogon_asns"][0]["as_path"][0]) == 6939
    # dnas found no bogon ASN anywhere else in the file
    assert len(only(incidents, "bogon-asn")) == 1


def test_sydney_no_bogon_prefix_from_the_special_purpose_registry(sydney):
    """dnas checks the IANA special-purpose (martian) prefixes and found none; with the same
    list we find none either (full bogons add unallocated space: see the next test)."""
    elements, expected = sydney
    martians = ["0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12",
                "192.0.0.0/24", "192.0.2.0/24", "192.168.0.0/16", "198.18.0.0/15", "198.51.100.0/24",
                "203.0.113.0/24", "224.0.0.0/4", "240.0.0.0/4", "::/8", "100::/64", "2001:db8::/32",
                "fc00::/7", "fe80::/10", "fec0::/10", "ff00::/8"]
    assert expected["bogon_prefixes"] == []
    assert only(detect([elements], bogon_prefixes=martians), "bogon-prefix") == []


def test_sydney_full_bogons_find_unallocated_space(sydney, full_bogons):
    elements, _ = sydney
    found = only(detect([elements], bogon_prefixes=full_bogons), "bogon-prefix")
    assert found
    bogons = {ipaddress.ip_network(b) for b in full_bogons}
    for x in found:
        cover = ipaddress.ip_network(x.evidence["bogon_prefix"])
        assert cover in bogons
        assert ipaddress.ip_network(x.prefix).subnet_of(cover)


def test_sydney_rpki_invalid_length_matches_dnas(sydney, full_vrps):
    """dnas lists two invalid-length routes (against 2022 VRPs). 95.85.94.204/32 AS199524 is
    still invalid-length under the 2025 export; 2405:4000:800:8::/64 AS38082 has since been
    covered by a ROA (valid in 2025), so it must not be reported."""
    elements, expected = sydney
    invalid = {(x.prefix, x.origin_asn): x for x in only(detect([elements], vrp_index=full_vrps), "rpki-invalid")}
    dnas = {(r["prefix"], int(r["origin_asns"][0])) for r in expected["invalid_len"]}
    assert dnas == {("95.85.94.204/32", 199524), ("2405:4000:800:8::/64", 38082)}
    assert invalid[("95.85.94.204/32", 199524)].evidence == {"state": "invalid-length"}
    assert full_vrps.validate_one("2405:4000:800:8::/64", 38082) == ValidationState.VALID
    assert ("2405:4000:800:8::/64", 38082) not in invalid
    for prefix, origin in invalid:
        state = full_vrps.validate_one(prefix, origin)
        assert state in (ValidationState.INVALID_AS, ValidationState.INVALID_LENGTH)


def test_sydney_moas_of_dnas_most_origins_prefix(sydney):
    """dnas's "most_origin_asns": 167.248.135.0/24 with origins 394646, 3257, 4436 in the file.
    Origins that conflict while carried at the same time are reported, with the
    incumbent (3257, announced first of the three) as the other origin."""
    elements, expected = sydney
    [most] = expected["most_origin_asns"]
    prefix = most["prefix"]
    moas = [x for x in only(detect([elements]), "moas") if x.prefix == prefix]
    assert moas
    origins = {int(a) for a in most["origin_asns"]}
    for x in moas:
        assert x.culprit_asn in origins
        assert set(x.evidence["other_origins"]) <= origins
    assert {x.culprit_asn for x in moas} == {394646, 4436}
    assert all(x.evidence["other_origins"] == [3257] for x in moas)


def test_routeviews_rib_rpki_invalids_are_really_invalid(real, full_vrps):
    path = real / "mrt" / "pyasn" / "rib.20140523.0600_firstMB.bz2"
    batches = list(read_batches(path, on_warning=lambda w: None))  # truncated file: warnings expected
    incidents = detect(batches, vrp_index=full_vrps)
    invalid = only(incidents, "rpki-invalid")
    assert len(invalid) > 100
    for x in invalid:
        state = full_vrps.validate_one(x.prefix, x.origin_asn)
        assert x.evidence["state"] == {ValidationState.INVALID_AS: "invalid-as",
                                       ValidationState.INVALID_LENGTH: "invalid-length"}[state]
        assert x.start == 1400824800 and x.end is None and x.peers >= 1
    # every invalid (prefix, origin) of the RIB is reported, none twice
    t = pa.Table.from_batches(batches)
    pairs = {(p, o) for p, o in zip(t.column("prefix").to_pylist(), t.column("origin_asn").to_pylist(), strict=True)
             if o != NO_ORIGIN}
    prefixes, origins = zip(*sorted(pairs), strict=True)
    states = full_vrps.validate(prefixes, origins)
    expected = {pair for pair, s in zip(sorted(pairs), states.tolist(), strict=True) if s in (1, 2)}
    assert {(x.prefix, x.origin_asn) for x in invalid if x.origin_asn != NO_ORIGIN} == expected
    # the snapshot has bogon ASNs too: pyasn's first record is 0.0.0.0/0 via private AS65023
    assert any(x.prefix == "0.0.0.0/0" and x.culprit_asn == 2905 for x in only(incidents, "bogon-asn"))
