"""Routing imports end to end on the real files: reference data, VRPs, an MRT RIB and update
files through `isoc import`, what they store (Parquet routes validated against the VRPs,
incidents, snapshots, scores, the BGP visibility signal), and what a bad file does (rejected,
nothing stored)."""

from __future__ import annotations

import bz2
import ipaddress
import random
from pathlib import Path

import duckdb
import pytest

from isoc.pulse.importing import import_file
from isoc.pulse.models import Dataset, ImportRun
from isoc.routing import rov, store, vrps
from isoc.routing.models import (
    AutonomousSystem,
    CountryScore,
    NetworkScore,
    RoutingIncident,
    Snapshot,
)
from isoc.shutdowns.models import Signal

pytestmark = pytest.mark.django_db

RIB = "mrt/pyasn/rib.20140523.0600_firstMB.bz2"
UPDATES = "mrt/dfz_name_and_shame/sydney.updates.20220601.0230.bz2"
FULL_VRPS = "rpki/rpkilog/rpkiclient_summary_20250720T093135Z.json.bz2"
SMALL_VRPS = "rpki/rpki-validator-js/test.json"


def _ok(result):
    assert result.error is None, result.error
    assert result.outcome == ImportRun.Outcome.APPLIED
    return result


def test_reference_data_imports(shared_data: Path):
    _ok(import_file("rir-delegations", shared_data / "country/rir/delegated-afrinic-extended-latest"))
    kenet = AutonomousSystem.objects.get(asn=36914)
    assert (kenet.country_id, kenet.rir) == ("KE", "afrinic")
    assert kenet.registered_on is not None
    _ok(import_file("asnames", shared_data / "country/asn/asnames.json.gz"))
    assert AutonomousSystem.objects.count() >= 77_586
    google = AutonomousSystem.objects.get(asn=15169)
    assert google.name == "GOOGLE" and google.country_id == "US"
    # The registry's country wins over the names list's.
    assert AutonomousSystem.objects.get(asn=36914).country_id == "KE"
    for name in ("fullbogons-ipv4.txt", "fullbogons-ipv6.txt"):
        _ok(import_file("bogons", shared_data / "country/bogons" / name))
    assert len(store.bogon_prefixes()) == 1_479 + 130_320
    # Same file again: nothing changes.
    again = import_file("bogons", shared_data / "country/bogons/fullbogons-ipv4.txt")
    assert again.outcome == ImportRun.Outcome.UNCHANGED


def test_as_relationships_import(tmp_path: Path):
    text = "# source:topology|BGP\n1|2|-1\n2|3|0\n"
    path = tmp_path / "20250101.as-rel.txt.bz2"
    path.write_bytes(bz2.compress(text.encode()))
    result = _ok(import_file("as-relationships", path))
    assert result.rows_stored == 2
    rel = store.relationships()
    assert rel[(1, 2)] == -1 and rel[(2, 1)] == 1 and rel[(2, 3)] == rel[(3, 2)] == 0


@pytest.mark.parametrize("content", [b"", b"1|2\n", b"1|x|-1\n", b"\x00\xff garbage"])
def test_bad_relationships_file_is_rejected(tmp_path: Path, content: bytes):
    path = tmp_path / "as-rel.txt"
    path.write_bytes(content)
    result = import_file("as-relationships", path)
    assert result.outcome == ImportRun.Outcome.REJECTED and result.error is not None
    assert not Dataset.objects.filter(importer="as-relationships").exists()


def test_vrp_import_keeps_parquet_and_snapshot(shared_data: Path):
    result = _ok(import_file("vrps", shared_data / SMALL_VRPS))
    assert result.rows_stored == 5_000
    snap = Snapshot.objects.get(kind=Snapshot.Kind.VRPS)
    assert snap.rows == 5_000
    ds, index = store.vrp_index()
    assert ds == snap.dataset
    expected = rov.build_index(vrps.load_vrps(shared_data / SMALL_VRPS))
    for prefix, origin in [("218.103.58.0/23", 4515), ("213.74.5.0/26", 34984), ("203.126.124.0/24", 9404)]:
        assert index.validate_one(prefix, origin) == expected.validate_one(prefix, origin)


def test_routinator_build_time_is_the_snapshot_time(shared_data: Path):
    _ok(import_file("vrps", shared_data / "rpki/rpkilog/roa_test.routinator_jsonext"))
    snap = Snapshot.objects.get()
    assert snap.taken_at.isoformat() == "2025-03-09T21:45:54+00:00"


@pytest.mark.parametrize("content", [b"", b"{}", b'{"roas": [{"prefix": "10.0.0.0/8"}]}', b"ASN,IP Prefix\n",
                                     b'{"roas": [{"prefix": "10.0.0.0/33", "maxLength": 8, "asn": 1}]}',
                                     b"BZh91AY&SY garbage"])
def test_bad_vrp_file_is_rejected_naming_the_problem(tmp_path: Path, content: bytes):
    path = tmp_path / "vrps.json"
    path.write_bytes(content)
    result = import_file("vrps", path)
    assert result.outcome == ImportRun.Outcome.REJECTED
    assert str(result.error)
    assert not Snapshot.objects.exists()


def test_random_bytes_are_not_an_mrt_file(tmp_path: Path):
    path = tmp_path / "rib.mrt"
    path.write_bytes(random.Random(7).randbytes(20_000))
    result = import_file("mrt", path)
    assert result.outcome == ImportRun.Outcome.REJECTED
    assert "no BGP route" in str(result.error)
    assert not Snapshot.objects.exists() and not RoutingIncident.objects.exists()


def test_mrt_import_on_real_files(shared_data: Path):
    _ok(import_file("rir-delegations", shared_data / "country/rir/delegated-afrinic-extended-latest"))
    _ok(import_file("asnames", shared_data / "country/asn/asnames.json.gz"))
    _ok(import_file("bogons", shared_data / "country/bogons/fullbogons-ipv4.txt"))
    _ok(import_file("vrps", shared_data / FULL_VRPS))
    rib = _ok(import_file("mrt", shared_data / RIB))
    snap = Snapshot.objects.get(kind=Snapshot.Kind.ROUTES)
    assert snap.is_rib and snap.vrps is not None
    assert snap.rows == rib.rows_stored == 9_137
    assert snap.elements == 270_005
    # The torn last record is reported with its byte offset, the intact ones kept.
    assert any("torn record" in w["message"] for w in snap.warnings)
    assert snap.valid + snap.invalid_as + snap.invalid_length + snap.not_found == snap.rows
    # pyasn's own assertions about this file: origins of a few prefixes.
    path = store.absolute(snap.dataset.parquet_path)
    con = duckdb.connect()
    origins = dict(con.execute("SELECT prefix, origin_asn FROM read_parquet(?) WHERE prefix IN"
                               " ('1.0.4.0/24', '1.0.20.0/23', '1.0.128.0/17', '5.128.0.0/16')", [str(path)]).fetchall())
    assert origins == {"1.0.4.0/24": 56203, "1.0.20.0/23": 2519, "1.0.128.0/17": 9737, "5.128.0.0/16": 31200}
    # Every stored state is what the validator says for that route.
    index = rov.build_index(vrps.load_vrps(shared_data / FULL_VRPS))
    sample = con.execute("SELECT prefix, origin_asn, state FROM read_parquet(?) USING SAMPLE 300 ROWS", [str(path)]).fetchall()
    for prefix, origin, state in sample:
        assert state == index.validate_one(prefix, origin), (prefix, origin)
    # Incidents: the RPKI invalids found are the invalid routes.
    invalid = RoutingIncident.objects.filter(kind="rpki-invalid")
    assert invalid.count() == snap.invalid_as + snap.invalid_length
    # 2014 routes against the 2022 bogon list: whatever is flagged lies inside a listed bogon.


    bogons = set(store.bogon_prefixes())
    for incident in RoutingIncident.objects.filter(kind="bogon-prefix"):
        cover = incident.evidence["bogon_prefix"]
        assert cover in bogons
        assert ipaddress.ip_network(incident.prefix).subnet_of(ipaddress.ip_network(cover))
    # Scores for the month, networks and countries.
    assert NetworkScore.objects.filter(month="2014-05-01").count() > 1_000
    google = NetworkScore.objects.get(asn=15169, month="2014-05-01")
    assert google.routes > 0 and google.rpki_score is not None
    assert CountryScore.objects.filter(month="2014-05-01", country="US").exists()
    # The BGP visibility signal went to the signal store, per country and for large networks.
    signals = Signal.objects.filter(dataset=snap.dataset, kind="bgp")
    assert signals.filter(asn=None).count() > 50
    assert signals.exclude(asn=None).exists()
    assert snap.full_feed_peers == 30

    # Updates: an update file adds its own snapshot and incidents, and the dnas-known
    # bogon-ASN announcement (AS23456 origin) is among them.
    _ok(import_file("mrt", shared_data / UPDATES))
    updates = Snapshot.objects.get(kind=Snapshot.Kind.ROUTES, is_rib=False)
    assert updates.taken_at.year == 2022
    bogon = RoutingIncident.objects.get(kind="bogon-asn", prefix="103.56.124.0/22")
    assert bogon.culprit_asn == 6939 and bogon.evidence["bogon_asns"][0]["asn"] == 23456
    assert NetworkScore.objects.filter(month="2022-06-01", asn=6939).exists()


def test_importing_the_same_mrt_file_twice_changes_nothing(shared_data: Path):
    path = shared_data / "mrt/ripe-bgpdump/test_data/updates.20100722.2015.gz"
    _ok(import_file("mrt", path))
    counts = (Snapshot.objects.count(), RoutingIncident.objects.count(), NetworkScore.objects.count())
    assert import_file("mrt", path).outcome == ImportRun.Outcome.UNCHANGED
    assert (Snapshot.objects.count(), RoutingIncident.objects.count(), NetworkScore.objects.count()) == counts


def test_recompute_is_idempotent(shared_data: Path):
    from isoc.routing.services import recompute_scores

    _ok(import_file("vrps", shared_data / SMALL_VRPS))
    _ok(import_file("mrt", shared_data / "mrt/ripe-bgpdump/test_data/updates.20070211.0141.gz"))
    before = sorted(NetworkScore.objects.values_list("asn", "month", "routes", "rpki_score", "incident_weight"))
    recompute_scores()
    recompute_scores()
    after = sorted(NetworkScore.objects.values_list("asn", "month", "routes", "rpki_score", "incident_weight"))
    assert before == after and before


def test_routes_imported_before_vrps_are_validated_by_revalidate(shared_data: Path):
    from isoc.routing.services import revalidate

    with pytest.raises(ValueError, match="no VRPs imported"):
        revalidate()
    _ok(import_file("mrt", shared_data / "mrt/ripe-bgpdump/test_data/updates.20160811.1600.gz"))
    snap = Snapshot.objects.get()
    assert snap.vrps is None and snap.valid + snap.invalid_as + snap.invalid_length + snap.not_found == 0
    assert not NetworkScore.objects.exclude(rpki_score=None).exists()
    _ok(import_file("vrps", shared_data / FULL_VRPS))
    [done] = revalidate()
    snap.refresh_from_db()
    assert snap.vrps is not None and snap.valid + snap.invalid_as + snap.invalid_length + snap.not_found == snap.rows
    index = store.vrp_index()[1]
    con = duckdb.connect()
    rows = con.execute("SELECT prefix, origin_asn, state FROM read_parquet(?) USING SAMPLE 200 ROWS",
                       [str(store.absolute(snap.dataset.parquet_path))]).fetchall()
    assert all(state == index.validate_one(p, o) for p, o, state in rows)
    assert NetworkScore.objects.exclude(rpki_score=None).exists()
