"""MANRS-style scores: incident weights at every boundary, month splits, RPKI score and ROA
coverage, readiness per action, and country aggregation."""

from __future__ import annotations

import calendar
from datetime import date

import pyarrow as pa
import pytest
from hypothesis import given
from hypothesis import strategies as st

from isoc.routing.elements import ELEMENT_SCHEMA
from isoc.routing.incidents import Incident
from isoc.routing.rov import build_index
from isoc.routing.scores import (
    ANTI_SPOOFING_NOTE,
    FILTERING_METRICS,
    INCIDENT_TOLERANCE,
    RouteStats,
    country_scores,
    incident_weight,
    metric_readiness,
    month_of,
    month_shares,
    monthly_incidents,
    network_scores,
    originated_routes,
    route_stats,
)
from isoc.routing.vrps import from_records

H = 3600
D = 86400


def ts(y, m, d, h=0, mi=0, s=0) -> int:
    return calendar.timegm((y, m, d, h, mi, s))


def inc(kind="bogon-prefix", culprit=64500, start=0, duration=0, prefix="10.0.0.0/8") -> Incident:
    return Incident(kind, culprit, (prefix,), culprit, f"1 {culprit}", start, start + duration, duration, 1, {})


@pytest.mark.parametrize(
    ("duration", "weight"),
    [
        (0, 0.5),
        (29 * 60 + 59, 0.5),  # 29:59
        (30 * 60, 1.0),  # 30:00
        (H, 1.0),
        (D - 1, 1.0),  # 23:59:59
        (D, 2.0),  # 24:00:00 starts the second day
        (2 * D - 1, 2.0),
        (2 * D, 3.0),
        (10 * D + 5, 11.0),
    ],
)
def test_incident_weight_boundaries(duration, weight):
    assert incident_weight(duration) == weight


def test_negative_duration_is_refused():
    with pytest.raises(ValueError):
        incident_weight(-1)


@given(st.integers(0, 400 * D), st.integers(0, 400 * D))
def test_weight_is_monotonic(a, b):
    lo, hi = sorted((a, b))
    assert incident_weight(lo) <= incident_weight(hi)
    # at most one point per started day of difference (plus the half point under 30 minutes)
    assert incident_weight(hi) - incident_weight(lo) <= (hi - lo) // D + 1.5


def test_month_of():
    assert month_of(ts(2024, 2, 29, 23, 59, 59)) == date(2024, 2, 1)
    assert month_of(ts(2024, 3, 1)) == date(2024, 3, 1)
    assert month_of(ts(2024, 12, 31, 23, 59, 59)) == date(2024, 12, 1)


def test_month_shares_split_by_seconds():
    # 6 h in January, 18 h in February
    start = ts(2024, 1, 31, 18)
    assert month_shares(start, start + D) == [(date(2024, 1, 1), 0.25), (date(2024, 2, 1), 0.75)]
    # December into January: the year rolls over
    start = ts(2023, 12, 31, 12)
    assert month_shares(start, start + D) == [(date(2023, 12, 1), 0.5), (date(2024, 1, 1), 0.5)]
    # ending exactly at midnight: nothing in the next month
    assert month_shares(ts(2024, 1, 31), ts(2024, 2, 1)) == [(date(2024, 1, 1), 1.0)]
    # zero length: the month of its start
    assert month_shares(ts(2024, 2, 1), ts(2024, 2, 1)) == [(date(2024, 2, 1), 1.0)]
    # three months
    shares = month_shares(ts(2024, 1, 31), ts(2024, 3, 2))
    assert [m for m, _ in shares] == [date(2024, 1, 1), date(2024, 2, 1), date(2024, 3, 1)]
    assert [round(f * 31, 9) for _, f in shares] == [1, 29, 1]  # 2024 is a leap year


@given(st.integers(ts(2020, 1, 1), ts(2030, 1, 1)), st.integers(0, 200 * D))
def test_month_shares_sum_to_one(start, duration):
    shares = month_shares(start, start + duration)
    assert sum(f for _, f in shares) == pytest.approx(1.0)
    months = [m for m, _ in shares]
    assert months == sorted(set(months)) and months[0] == month_of(start)


def test_monthly_incidents_split_weight_and_count_in_each_month():
    start = ts(2024, 1, 31, 18)
    x = inc(start=start, duration=D)  # weight 2, 1/4 in January
    y = inc(kind="moas", start=ts(2024, 2, 10), duration=60)  # 0.5 in February
    z = inc(culprit=64501, start=ts(2024, 2, 10), duration=H)
    out = monthly_incidents([x, y, z])
    jan = out[(64500, date(2024, 1, 1))]
    feb = out[(64500, date(2024, 2, 1))]
    assert (jan.incidents, jan.weight, jan.weight_by_kind) == (1, 0.5, {"bogon-prefix": 0.5})
    assert (feb.incidents, feb.weight) == (2, 2.0)
    assert feb.weight_by_kind == {"bogon-prefix": 1.5, "moas": 0.5}
    assert feb.count_by_kind == {"bogon-prefix": 1, "moas": 1}
    assert out[(64501, date(2024, 2, 1))].weight == 1.0
    by_country = monthly_incidents([x, y, z], country_of={64500: "NL"})
    assert set(by_country) == {("NL", date(2024, 1, 1)), ("NL", date(2024, 2, 1))}  # 64501: no country


def test_ongoing_incident_is_weighed_by_its_duration_so_far():
    x = Incident("moas", 1, ("10.0.0.0/8",), 1, "2 1", ts(2024, 5, 1), None, 2 * H, 3, {})
    assert monthly_incidents([x])[(1, date(2024, 5, 1))].weight == 1.0


# -- RPKI -------------------------------------------------------------------------------------


def test_route_stats_score_and_coverage():
    index = build_index(
        from_records([("203.0.113.0/24", 24, 64500), ("198.51.100.0/22", 22, 64500), ("192.0.2.0/24", 24, 64501)])
    )
    prefixes = ["203.0.113.0/24", "203.0.113.0/24", "198.51.100.0/22", "198.51.101.0/24", "8.8.8.0/24",
                "192.0.2.0/24", "192.0.2.0/24"]
    origins = [64500, 64500, 64500, 64500, 64500, 64500, 64501]  # the duplicate counts once
    stats = route_stats(prefixes, origins, index)
    s = stats[64500]
    assert (s.routes, s.valid, s.invalid_length, s.invalid_as, s.not_found) == (5, 2, 1, 1, 1)
    assert s.rpki_score == pytest.approx(2 / 5 - 10 * 2 / 5)  # -3.6: not clamped
    assert s.roa_coverage == pytest.approx(4 / 5)
    t = stats[64501]
    assert (t.routes, t.valid, t.rpki_score, t.roa_coverage) == (1, 1, 1.0, 1.0)
    empty = RouteStats(1)
    assert (empty.rpki_score, empty.roa_coverage, empty.valid_fraction) == (None, None, None)


def test_originated_routes_are_distinct_and_skip_withdrawals_and_as_sets():
    base = {"source": "BGP4MP", "timestamp": 1, "peer_ip": "192.0.2.1", "peer_asn": 1}
    rows = [
        dict(base, kind="A", prefix="10.0.0.0/8", origin_asn=5, path_asns=[1, 5]),
        dict(base, kind="B", prefix="10.0.0.0/8", origin_asn=5, path_asns=[2, 5]),
        dict(base, kind="A", prefix="10.0.0.0/8", origin_asn=6, path_asns=[1, 6]),
        dict(base, kind="A", prefix="11.0.0.0/8", origin_asn=-1, path_asns=[1, 7]),
        dict(base, kind="W", prefix="12.0.0.0/8", origin_asn=-1),
    ]
    t = pa.Table.from_pylist(rows, schema=ELEMENT_SCHEMA)
    prefixes, origins = originated_routes([t.slice(0, 2), t.slice(2)])
    assert sorted(zip(prefixes, origins.tolist(), strict=True)) == [("10.0.0.0/8", 5), ("10.0.0.0/8", 6)]


# -- readiness --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("weight", "readiness"), [(0, 100.0), (0.5, 95.0), (5, 50.0), (INCIDENT_TOLERANCE, 0.0), (25, 0.0)]
)
def test_metric_readiness(weight, readiness):
    assert metric_readiness(weight) == pytest.approx(readiness)


def test_network_scores():
    may = date(2024, 5, 1)
    incidents = [
        inc("route-leak", 64500, ts(2024, 5, 3), 10 * 60),  # 0.5
        inc("moas", 64500, ts(2024, 5, 4), 3 * H),  # 1
        inc("more-specific", 64500, ts(2024, 5, 5), 3 * D),  # 4
        inc("rpki-invalid", 64500, ts(2024, 5, 6), 3 * H),  # 1, not a filtering metric
        inc("bogon-asn", 64502, ts(2024, 4, 6), 3 * H),  # April: not in May's scores
    ]
    stats = {64500: RouteStats(64500, routes=10, valid=8, invalid_as=1, not_found=1), 64501: RouteStats(64501)}
    contacts = {64500: True, 64503: False}
    scores = {s.asn: s for s in network_scores(may, incidents=incidents, route_stats=stats, contacts=contacts)}
    assert set(scores) == {64500, 64501, 64503}
    s = scores[64500]
    assert (s.incidents, s.incident_weight) == (4, 6.5)
    assert s.filtering_metrics == {"route-leak": 95.0, "bogon-prefix": 100.0, "bogon-asn": 100.0, "hijack": 50.0}
    assert s.filtering == pytest.approx((95 + 100 + 100 + 50) / 4)
    assert s.rpki_score == pytest.approx(0.8 - 10 * 0.1)
    assert s.global_validation == 0.0  # clamped
    assert s.roa_coverage == pytest.approx(0.9)
    assert (s.coordination, s.anti_spoofing) == (100.0, None)
    assert (scores[64501].global_validation, scores[64501].coordination, scores[64501].filtering) == (None, None, 100.0)
    assert scores[64503].coordination == 0.0
    good = network_scores(may, route_stats={1: RouteStats(1, routes=4, valid=3, not_found=1)})[0]
    assert good.global_validation == pytest.approx(75.0)
    assert set(FILTERING_METRICS) == {"route-leak", "bogon-prefix", "bogon-asn", "hijack"}
    assert "Spoofer" in ANTI_SPOOFING_NOTE


def test_country_scores_weight_networks_by_routes():
    may = date(2024, 5, 1)
    stats = {
        1: RouteStats(1, routes=90, valid=90),
        2: RouteStats(2, routes=10, valid=5, invalid_as=1, not_found=4),
        3: RouteStats(3),  # transit only: weight 1
    }
    incidents = [inc("route-leak", 3, ts(2024, 5, 2), 2 * D)]  # weight 3 -> filtering metric 70
    networks = network_scores(may, incidents=incidents, route_stats=stats, contacts={1: True, 2: False})
    [nl] = country_scores(networks, {1: "NL", 2: "NL", 3: "NL"})
    assert (nl.country, nl.month, nl.networks, nl.routes, nl.valid, nl.invalid, nl.not_found) == (
        "NL", may, 3, 100, 95, 1, 4)
    assert nl.rpki_score == pytest.approx(0.95 - 10 * 0.01)
    assert nl.roa_coverage == pytest.approx(0.96)
    assert (nl.incidents, nl.incident_weight) == (1, 3.0)
    s2 = 100 * max(0.0, 0.5 - 1.0)
    assert nl.global_validation == pytest.approx((90 * 100 + 10 * s2) / 100)  # 3 has none: left out
    assert nl.coordination == pytest.approx((90 * 100 + 10 * 0) / 100)
    filtering_3 = (70 + 100 + 100 + 100) / 4
    assert nl.filtering == pytest.approx((90 * 100 + 10 * 100 + 1 * filtering_3) / 101)
    assert country_scores(networks, {}) == []
