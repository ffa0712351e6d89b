"""Membership history across snapshots (join, stay, leave, come back; idempotence), and
the statistics against values computed by hand."""

from __future__ import annotations

import ipaddress
from datetime import date
from pathlib import Path

import pytest

from isoc.infra import indicators, queries_ixps
from isoc.infra.ixps_records import Snapshot, SourceIxp, SourceLan, SourceMember
from isoc.infra.models import Ixp, Membership
from isoc.infra.services import ixps as services

pytestmark = pytest.mark.django_db
D1, D2, D3 = date(2024, 1, 1), date(2025, 1, 15), date(2025, 6, 1)


def ixp(source_id="1", name="Kigali IX", country="RW", city="Kigali", prefix="196.49.7.0/24", status="active"):
    lan = SourceLan(source_id=source_id, prefixes=(ipaddress.ip_network(prefix),))
    return SourceIxp(source="peeringdb", source_id=source_id, name=name, long_name="", country=country, city=city,
                     region="Africa", status=status, website="https://www.rinex.rw", established=None, lans=(lan,))


def snap(on, members, ixps=None, source="peeringdb"):
    ms = [SourceMember(ixp_source_id=sid, asn=asn, route_server_peer=rs) for sid, asn, rs in members]
    return Snapshot(source=source, as_of=on, ixps=ixps or [ixp()], members=ms, files=[])


def store(s):
    return services.store_snapshot(s, directory=Path("/nonexistent"))


def stays(asn):
    return list(Membership.objects.filter(asn=asn).order_by("first_seen").values_list("first_seen", "last_seen", "left_on"))


def test_join_stay_leave_and_return():
    first = store(snap(D1, [("1", 100, True), ("1", 200, None)]))
    assert (first.joined, first.left) == (2, 0)
    second = store(snap(D2, [("1", 100, True), ("1", 300, False)]))
    assert (second.joined, second.left) == (1, 1)
    assert stays(100) == [(D1, D2, None)]
    assert stays(200) == [(D1, D1, D2)]  # absent on D2: left on D2
    assert stays(300) == [(D2, D2, None)]
    third = store(snap(D3, [("1", 100, True), ("1", 200, None), ("1", 300, False)]))
    assert (third.joined, third.left) == (1, 0)
    assert stays(200) == [(D1, D1, D2), (D3, D3, None)]  # came back: a second stay
    again = store(snap(D3, [("1", 100, True), ("1", 200, None), ("1", 300, False)]))
    assert again.outcome == "unchanged" and again.changes == 0
    assert stays(200) == [(D1, D1, D2), (D3, D3, None)]


def test_snapshot_without_member_file_leaves_history_alone():
    store(snap(D1, [("1", 100, True)]))
    store(Snapshot(source="peeringdb", as_of=D2, ixps=[ixp()], members=None, files=[]))
    assert stays(100) == [(D1, D1, None)]


def test_ixp_statistics_by_hand():
    # 2024-01-01: 100 (rs), 200 (rs unknown); 2025-01-15: 100, 300 (no rs); 2025-06-01: 100, 300, 400 (rs)
    store(snap(D1, [("1", 100, True), ("1", 200, None)]))
    store(snap(D2, [("1", 100, True), ("1", 300, False)]))
    store(snap(D3, [("1", 100, True), ("1", 300, False), ("1", 400, True)]))
    kigali = Ixp.objects.get()
    stats = queries_ixps.ixp_stats(kigali, D3)
    assert stats.members == 3
    # A year before D3 (2024-06-01) the members were 100 and 200: 3 - 2 = +1, +50 %.
    assert (stats.growth.before, stats.growth.added, stats.growth.percent) == (2, 1, 50.0)
    # Of 100, 300, 400 the source says: yes, no, yes → 2 of 3.
    assert stats.route_server_rate == pytest.approx(66.7)
    # On D1 the history does not reach back a year: growth not known (never 0).
    early = queries_ixps.ixp_stats(kigali, D1)
    assert early.growth.before is None and early.growth.percent is None
    # On D1 only 100 says (yes) → 100 %; 200 says nothing and does not count.
    assert early.route_server_rate == 100.0


def test_route_server_rate_not_known_when_no_source_says():
    store(snap(D1, [("1", 100, None)]))
    assert queries_ixps.ixp_stats(Ixp.objects.get(), D1).route_server_rate is None


def test_country_statistics_and_indicator():
    from isoc.routing.models import AutonomousSystem, NetworkScore

    two = [ixp(), ixp("2", "RINEX Huye", city="Huye", prefix="196.49.8.0/24"),
           ixp("3", "Old IX", city="Kigali", prefix="196.49.9.0/24", status="defunct")]
    store(snap(D3, [("1", 100, True), ("2", 100, False), ("2", 200, None), ("3", 900, True)], ixps=two))
    assert queries_ixps.country_stats("RW", D3).local_share is None  # routing has no month: not known
    for asn in (100, 200, 300, 400):
        AutonomousSystem.objects.create(asn=asn, name=f"AS{asn}", country_id="RW")
    AutonomousSystem.objects.create(asn=500, name="elsewhere", country_id="KE")
    for asn, routes in ((100, 5), (200, 1), (300, 2), (400, 0), (500, 9)):
        NetworkScore.objects.create(asn=asn, month=date(2025, 5, 1), routes=routes)
    stats = queries_ixps.country_stats("RW", D3)
    # Active IXPs: Kigali IX and RINEX Huye (Old IX is defunct); members 100 and 200.
    assert (stats.ixps, stats.members) == (2, 2)
    # Routed in RW: 100, 200, 300 (400 had no routes, 500 is Kenyan); at a local IXP: 100, 200.
    assert (stats.routed, stats.routed_at_local_ixp, stats.local_share) == (3, 2, pytest.approx(66.7))
    assert indicators.ixps_by_country(D3) == {"RW": 2}
    assert indicators.ixps_by_country(date(2020, 1, 1)) == {}


def test_an_older_snapshot_imported_late_only_moves_first_seen_back():
    store(snap(D2, [("1", 100, True)]))
    late = store(snap(D1, [("1", 100, True), ("1", 200, None)]))
    assert late.earlier == 1 and late.outcome == "applied"
    assert stays(100) == [(D1, D2, None)]
    # 200 is in the older snapshot only: a stay of that day, not marked as left by it.
    assert stays(200) == [(D1, D1, None)]
