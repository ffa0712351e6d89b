"""The parsers without a database: hostile rows give MalformedFile naming the file and row
(or are left out with a note), never another exception; reconciliation rules."""

from __future__ import annotations

import ipaddress
import json
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from isoc.infra import pch, peeringdb, reconcile_ixps
from isoc.infra.ixps_records import normalise_name, parse_asn, parse_prefix
from isoc.pulse.importing import MalformedFile

EX_HEAD = ", ".join(pch.EXCHANGE_HEADER)
SUB_HEAD = ", ".join(pch.SUBNETS_HEADER)
MEM_HEAD = ", ".join(pch.MEMBERSHIP_HEADER)
GOOD_EX = "932, Africa, Angola, Luanda, Angola Internet Exchange, Active, Ethernet, Association, 20060317, http://www.angola-ixp.ao, , , 12, 0, 0"
GOOD_SUB = "932, AO-IXP, Active, IPv4, Unicast, None, 196.223.9.0/24, 12"
GOOD_MEM = "196.223.9.0/24, 196.223.9.10, , 37119, Unitel, S.A."


def write_pch(d: Path, ex=(GOOD_EX,), sub=(GOOD_SUB,), mem=(GOOD_MEM,)) -> Path:
    d.mkdir(parents=True, exist_ok=True)
    (d / pch.EXCHANGE).write_text("\n".join([EX_HEAD, *ex]) + "\n", encoding="utf-8")
    (d / pch.SUBNETS).write_text("\n".join([SUB_HEAD, *sub]) + "\n", encoding="utf-8")
    (d / pch.MEMBERSHIP).write_text("\n".join([MEM_HEAD, *mem]) + "\n", encoding="utf-8")
    return d


def test_pch_small_directory(tmp_path):
    s = pch.parse_dir(write_pch(tmp_path), date(2017, 2, 8))
    (ao,) = s.ixps
    assert (ao.country, ao.name, ao.long_name, ao.status, ao.established) == ("AO", "AO-IXP", "Angola Internet Exchange", "active", date(2006, 3, 17))
    (m,) = s.members
    # The organisation is the last column and keeps its ", " ("Unitel, S.A.").
    assert (m.asn, m.addresses, m.organisation, m.route_server_peer) == (37119, ("196.223.9.10",), "Unitel, S.A.", None)


def test_pch_requires_a_date(tmp_path):
    with pytest.raises(ValueError, match="as_of"):
        pch.parse_dir(write_pch(tmp_path), None)  # type: ignore[arg-type]


@pytest.mark.parametrize(("files", "name", "row", "field"), [
    ({"ex": ["x32, Africa, Angola, Luanda, AIX, Active, E, A, 0, , , , 0, 0, 0"]}, pch.EXCHANGE, 2, "exchange_point_id"),
    ({"ex": ["932, Africa, Angola"]}, pch.EXCHANGE, 2, "city"),
    ({"mem": [GOOD_MEM, "196.223.9.0/24, 196.223.9.300, , 1, X"]}, pch.MEMBERSHIP, 3, "ip"),
    ({"mem": ["196.223.9.0/24, 196.223.9.11, , AS-FOO, X"]}, pch.MEMBERSHIP, 2, "asn"),
    ({"sub": ["nine, AO, Active, IPv4, , , 1.2.3.0/24, 0"]}, pch.SUBNETS, 2, "exchange_point_id"),
])
def test_pch_malformed_row_named(tmp_path, files, name, row, field):
    d = write_pch(tmp_path, **{k: tuple(v) for k, v in files.items()})
    with pytest.raises(MalformedFile) as err:
        pch.parse_dir(d, date(2017, 1, 1))
    assert (Path(err.value.path).name, err.value.row, err.value.field) == (name, row, field)


def test_pch_wrong_header(tmp_path):
    d = write_pch(tmp_path)
    (d / pch.SUBNETS).write_text("id, name\n1, x\n", encoding="utf-8")
    with pytest.raises(MalformedFile, match="ixp_subnets.csv, row 1"):
        pch.parse_dir(d, date(2017, 1, 1))


hostile = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=80)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ex=st.lists(hostile, max_size=3), sub=st.lists(hostile, max_size=3), mem=st.lists(hostile, max_size=3))
def test_pch_hostile_rows_never_crash(tmp_path_factory, ex, sub, mem):
    d = write_pch(tmp_path_factory.mktemp("pch"), ex=[GOOD_EX, *ex], sub=[GOOD_SUB, *sub], mem=[GOOD_MEM, *mem])
    try:
        s = pch.parse_dir(d, date(2017, 1, 1))
    except MalformedFile as exc:
        assert Path(exc.path).name in (pch.EXCHANGE, pch.SUBNETS, pch.MEMBERSHIP) and exc.message
    else:
        assert all(1 <= m.asn < 2**32 for m in s.members or [])


def write_pdb(d: Path, ix=None, lan=None, pfx=None, netixlan=None, generated=1476883542.27) -> Path:
    d.mkdir(parents=True, exist_ok=True)
    ix = ix if ix is not None else [{"id": 1, "name": "DE-CIX Frankfurt", "name_long": "DE-CIX", "country": "DE",
                                      "city": "Frankfurt", "status": "ok", "website": "https://de-cix.net",
                                      "created": "2010-07-29T00:00:00Z", "region_continent": "Europe"}]
    lan = lan if lan is not None else [{"id": 10, "ix_id": 1, "name": "", "rs_asn": 6695}]
    pfx = pfx if pfx is not None else [{"id": 5, "ixlan_id": 10, "prefix": "80.81.192.0/21", "protocol": "IPv4"}]
    for name, data in (("ix.json", ix), ("ixlan.json", lan), ("ixpfx.json", pfx), ("netixlan.json", netixlan)):
        if data is not None:
            (d / name).write_text(json.dumps({"meta": {"generated": generated}, "data": data}))
    return d


def test_peeringdb_with_members(tmp_path):
    s = peeringdb.parse_dir(write_pdb(tmp_path, netixlan=[
        {"ixlan_id": 10, "asn": 3320, "ipaddr4": "80.81.192.1", "ipaddr6": None, "is_rs_peer": True},
        {"ixlan_id": 10, "asn": 3320, "ipaddr4": "80.81.192.2", "ipaddr6": "2001:7f8::cf8:0:1", "is_rs_peer": False}]))
    assert s.as_of == date(2016, 10, 19)
    (de,) = s.ixps
    assert de.prefixes == (ipaddress.ip_network("80.81.192.0/21"),) and de.lans[0].rs_asn == 6695
    (m,) = s.members
    assert m.addresses == ("80.81.192.1", "80.81.192.2", "2001:7f8::cf8:0:1") and m.route_server_peer is True


@pytest.mark.parametrize(("kwargs", "name", "row", "field"), [
    ({"ix": [{"id": "1", "name": "X", "country": "DE"}]}, "ix.json", 1, "id"),
    ({"ix": [{"id": 1, "country": "DE"}]}, "ix.json", 1, "name"),
    ({"lan": [{"id": 10}]}, "ixlan.json", 1, "ix_id"),
    ({"netixlan": [{"ixlan_id": 10, "asn": 3320}, {"ixlan_id": 10, "asn": -4}]}, "netixlan.json", 2, "asn"),
    ({"netixlan": [{"ixlan_id": 10, "asn": 1, "ipaddr4": "999.1.1.1"}]}, "netixlan.json", 1, "ipaddr4"),
    ({"generated": "yesterday"}, "ix.json", None, "meta.generated"),
])
def test_peeringdb_malformed_record_named(tmp_path, kwargs, name, row, field):
    with pytest.raises(MalformedFile) as err:
        peeringdb.parse_dir(write_pdb(tmp_path, **kwargs))
    assert (Path(err.value.path).name, err.value.row, err.value.field) == (name, row, field)


json_values = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | hostile,
                           lambda c: st.lists(c, max_size=3) | st.dictionaries(hostile, c, max_size=3), max_leaves=8)
ix_like = st.fixed_dictionaries({"id": st.integers(0, 5) | json_values, "name": hostile | json_values,
                                 "country": st.sampled_from(["DE", "de", "", "X1"]) | json_values},
                                optional={"city": json_values, "created": json_values, "status": json_values})


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ix=st.lists(ix_like, max_size=3), netixlan=st.lists(st.dictionaries(
    st.sampled_from(["ixlan_id", "asn", "ipaddr4", "ipaddr6", "is_rs_peer"]), json_values), max_size=3))
def test_peeringdb_hostile_records_never_crash(tmp_path_factory, ix, netixlan):
    d = write_pdb(tmp_path_factory.mktemp("pdb"), ix=ix, netixlan=netixlan)
    try:
        s = peeringdb.parse_dir(d)
    except MalformedFile as exc:
        assert exc.message and Path(exc.path).name.endswith(".json")
    else:
        assert all(len(i.country) == 2 for i in s.ixps)


def test_not_json_named(tmp_path):
    d = write_pdb(tmp_path)
    (d / "ixpfx.json").write_text("{not json")
    with pytest.raises(MalformedFile, match="ixpfx.json"):
        peeringdb.parse_dir(d)


def cand(key, country="FR", names=("france ix",), city="paris", prefixes=()):
    return reconcile_ixps.Candidate(key=key, country=country, names=frozenset(names), city=city,
                                    prefixes=tuple(ipaddress.ip_network(p) for p in prefixes))


def test_reconcile_prefix_first_then_name_and_ambiguity():
    existing = [cand("a", prefixes=["37.49.236.0/22"]), cand("b", names=("lyonix",), city="lyon"),
                cand("c", names=("sfinx",)), cand("d", names=("sfinx",))]
    new = [cand(1, names=("other name",), prefixes=["37.49.237.0/24"]),  # inside a's LAN
           cand(2, names=("lyonix",), city="lyon"), cand(3, names=("sfinx",)),
           cand(4, names=("lyonix",), city="grenoble")]
    result = reconcile_ixps.reconcile(new, existing)
    by_new = result.match_for()
    assert by_new[1].existing == "a" and by_new[1].rule == "prefix" and "37.49.236.0/22" in by_new[1].reason
    assert by_new[2].existing == "b" and by_new[2].rule == "name"
    assert 3 not in by_new and [a.existing for a in result.ambiguous if a.new == 3] == [("c", "d")]
    assert 4 not in by_new  # same name, another city


def test_two_records_claiming_one_exchange_are_both_kept_apart():
    result = reconcile_ixps.reconcile([cand(1), cand(2)], [cand("a")])
    assert result.matches == [] and {a.new for a in result.ambiguous} == {1, 2}


@given(st.text(max_size=40))
def test_parse_helpers_only_raise_value_error(text):
    for fn in (parse_prefix, parse_asn):
        try:
            fn(text)
        except ValueError:
            pass
    assert normalise_name(text) == normalise_name(normalise_name(text))
