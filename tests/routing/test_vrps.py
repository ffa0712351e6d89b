"""Reading VRPs: every real format loads with its documented counts; malformed records are refused."""

from __future__ import annotations

import bz2
import json

import numpy as np
import pytest

from isoc.routing.vrps import ASPA, VRPError, from_records, load_vrps, parse_csv, parse_json

RPKILOG = "rpki/rpkilog"


def test_rpkiclient_2021_with_string_metadata(shared_data):
    vrps = load_vrps(shared_data / RPKILOG / "roa_test.rpkiclient2021_json")
    raw = json.loads((shared_data / RPKILOG / "roa_test.rpkiclient2021_json").read_text())
    unique = {(r["prefix"], r["maxLength"], r["asn"]) for r in raw["roas"]}
    assert len(vrps) == len(unique) == 70
    assert vrps.aspas == []
    first = int(np.flatnonzero((vrps.v4.asn == 13335) & (vrps.v4.length == 24))[0])
    assert vrps.v4.prefix(first) == "1.0.0.0/24"


def test_rpkiclient_2023_with_aspas(shared_data):
    vrps = load_vrps(shared_data / RPKILOG / "roa_test.rpkiclient2023_json")
    assert len(vrps) == 379
    assert vrps.aspas[1] == ASPA(15562, (2914, 8283, 51088, 206238), 1696139022)


def test_routinator_jsonext(shared_data):
    vrps = load_vrps(shared_data / RPKILOG / "roa_test.routinator_jsonext")
    assert (len(vrps.v4), len(vrps.v6)) == (1, 1)
    assert vrps.v6.prefix(0) == "2c0f:fff0::/32"
    assert int(vrps.v6.max_length[0]) == 128 and int(vrps.v6.asn[0]) == 37125


def test_rpki_validator_js_list(shared_data):
    vrps = load_vrps(shared_data / "rpki/rpki-validator-js/test.json")
    raw = json.loads((shared_data / "rpki/rpki-validator-js/test.json").read_text())
    assert len(raw) == 5000
    assert len(vrps) == len({(r["prefix"], r["maxLength"], r["asn"]) for r in raw})
    assert int((vrps.v4.asn == 0).sum() + (vrps.v6.asn == 0).sum()) == sum(r["asn"] == "0" for r in raw)


def test_full_rpki_client_export_counts(shared_data):
    """SOURCES.md and the file's own metadata: 723,521 unique VRPs, 100 ASPAs."""
    path = shared_data / RPKILOG / "rpkiclient_summary_20250720T093135Z.json.bz2"
    vrps = load_vrps(path)
    assert len(vrps) == 723_521
    assert len(vrps.aspas) == 100
    assert vrps.v4.hi.dtype == np.uint64 and vrps.v4.asn.dtype == np.uint32
    assert (vrps.v4.max_length >= vrps.v4.length).all() and (vrps.v6.max_length >= vrps.v6.length).all()


def test_csv_as_rpki_client_writes_it():
    text = (
        "ASN,IP Prefix,Max Length,Trust Anchor,Expires\n"
        "AS13335,1.0.0.0/24,24,apnic,1753453058\n"
        "AS13335,1.0.0.0/24,24,apnic,1753453058\n"  # duplicate: counted once
        "AS0,2001:db8::/32,48,ripe,1753453058\n"
    )
    vrps = parse_csv(text)
    assert (len(vrps.v4), len(vrps.v6)) == (1, 1)
    assert vrps.v6.prefix(0) == "2001:db8::/32" and int(vrps.v6.max_length[0]) == 48 and int(vrps.v6.asn[0]) == 0


def test_bz2_and_plain_give_the_same(tmp_path):
    doc = {"roas": [{"asn": 64496, "prefix": "192.0.2.0/24", "maxLength": 24, "ta": "x"}]}
    (tmp_path / "a.json").write_text(json.dumps(doc))
    (tmp_path / "a.json.bz2").write_bytes(bz2.compress(json.dumps(doc).encode()))
    a, b = load_vrps(tmp_path / "a.json"), load_vrps(tmp_path / "a.json.bz2")
    assert a.v4.prefix(0) == b.v4.prefix(0) == "192.0.2.0/24"


@pytest.mark.parametrize(
    ("record", "field", "words"),
    [
        (("192.0.2.0/24", 23, 1), "maxLength", "outside 24..32"),
        (("192.0.2.0/24", 33, 1), "maxLength", "outside"),
        (("2001:db8::/32", 129, 1), "maxLength", "outside 32..128"),
        (("192.0.2.1/24", 24, 1), "prefix", "bad prefix"),
        (("192.0.2.0/33", 33, 1), "prefix", "bad prefix"),
        (("not-a-prefix", 24, 1), "prefix", "bad prefix"),
        (("192.0.2.0/24", 24, 2**32), "asn", "out of range"),
        (("192.0.2.0/24", 24, -1), "asn", "out of range"),
        (("192.0.2.0/24", 24, "ASx"), "asn", "not an AS number"),
        (("192.0.2.0/24", 24, True), "asn", "not an AS number"),
        (("192.0.2.0/24", "24.5", 1), "maxLength", "not an integer"),
    ],
)
def test_malformed_record_names_index_and_field(record, field, words):
    good = ("198.51.100.0/24", 24, 64496)
    with pytest.raises(VRPError) as info:
        from_records([good, good, record])
    assert info.value.index == 2 and info.value.field == field
    assert "record 2" in str(info.value) and words in str(info.value)


def test_missing_key_in_json_record():
    with pytest.raises(VRPError, match=r"record 1: field 'maxLength': missing"):
        parse_json({"roas": [{"asn": 1, "prefix": "192.0.2.0/24", "maxLength": 24}, {"asn": 1, "prefix": "10.0.0.0/8"}]})


def test_csv_without_the_header_is_refused():
    with pytest.raises(VRPError, match="CSV header"):
        parse_csv("13335,1.0.0.0/24,24,apnic\n")
