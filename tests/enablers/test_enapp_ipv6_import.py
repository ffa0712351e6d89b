"""Importing third-party IPv6 adoption series (APNIC, Google). No real sample files are in
the shared data folder: these files are built in the layouts the publishers use."""

from __future__ import annotations

import json
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from isoc.enablers import thirdparty
from isoc.enablers.models import ThirdPartyAdoption
from isoc.pulse.importing import MalformedFile, import_file
from isoc.pulse.models import ImportRun

APNIC_TABLE = """CC,Country,IPv6 Capable,IPv6 Preferred,Samples
XA,World,38.52%,37.10%,"12,345,678"
FR,France,78.31%,77.02%,"1,234,567"
KE,Kenya,14.05%,13.11%,"98,765"
XK,Kosovo,10.00%,9.50%,"1,000"
"""
APNIC_SERIES = """Date,V6 Capable,V6 Preferred,Samples
2025-12-01,76.5,75.0,1000
2026-01-01,78.3,77.0,1200
"""
GOOGLE_CSV = """Date,Country,IPv6 Adoption
2026-01-01,World,46.1%
2026-01-01,France,85.2%
2026-01-01,DE,75.9%
"""


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_apnic_table_with_the_date_option(tmp_path):
    parsed = thirdparty.parse_apnic(write(tmp_path, "apnic.csv", APNIC_TABLE), default_date=date(2026, 1, 1))
    assert [(p.country, p.percent, p.preferred, p.samples) for p in parsed.rows] == [
        ("", 38.52, 37.10, 12345678), ("FR", 78.31, 77.02, 1234567), ("KE", 14.05, 13.11, 98765)]
    assert [str(s) for s in parsed.skipped] == ["row 5 (country): unknown country 'XK'"]


def test_apnic_series_of_one_economy(tmp_path):
    parsed = thirdparty.parse_apnic(write(tmp_path, "fr.csv", APNIC_SERIES), economy="FR")
    assert [(p.country, p.date, p.percent) for p in parsed.rows] == [("FR", date(2025, 12, 1), 76.5), ("FR", date(2026, 1, 1), 78.3)]


def test_apnic_json_records(tmp_path):
    data = {"data": [{"cc": "FR", "date": "2026-01-01", "v6capable": 78.3, "v6preferred": 77.0, "samples": 5}]}
    parsed = thirdparty.parse_apnic(write(tmp_path, "a.json", json.dumps(data)))
    assert parsed.rows == [thirdparty.Point("FR", date(2026, 1, 1), 78.3, 77.0, 5)]


def test_google_csv_and_json(tmp_path):
    parsed = thirdparty.parse_google(write(tmp_path, "g.csv", GOOGLE_CSV))
    assert [(p.country, p.percent) for p in parsed.rows] == [("", 46.1), ("FR", 85.2), ("DE", 75.9)]
    parsed = thirdparty.parse_google(write(tmp_path, "g.json", json.dumps({"date": "2026-01-01", "countries": {"BR": 50.5}})))
    assert parsed.rows == [thirdparty.Point("BR", date(2026, 1, 1), 50.5)]


@pytest.mark.parametrize(("text", "message"), [
    ("CC,Country,Samples\nFR,France,1\n", "row 1: no ipv6capable"),
    ("CC,IPv6 Capable\nFR,78\nKE,abc\n", "row 3, field 'capable': 'abc' is not a percentage"),
    ("CC,IPv6 Capable\nFR,178\n", "row 2, field 'capable': '178' is not within 0–100"),
    ("CC,IPv6 Capable\nFR,78,9\n", "row 2: 3 fields, the header has 2"),
    ("CC,IPv6 Capable,Date\nFR,78,2026-13-01\n", "row 2, field 'date'"),
    ("CC,IPv6 Capable\nFR,78\n", "no date in the row"),
    ("CC,IPv6 Capable,Date\nFR,78,2026-01-01\nfr,79,2026-01-01\n", "row 3, field 'country': FR on 2026-01-01 already on row 2"),
    ("", "empty file"),
    ("[1, 2]", "row 1: a record is not an object"),
    ("{\"data\": [", "not JSON"),
])
def test_malformed_apnic_files_name_the_line(tmp_path, text, message):
    with pytest.raises(MalformedFile) as info:
        thirdparty.parse_apnic(write(tmp_path, "bad.csv", text),
                               default_date=None if "no date" in message else date(2026, 1, 1))
    assert message in str(info.value)


def test_non_utf8_is_refused(tmp_path):
    path = tmp_path / "latin.csv"
    path.write_bytes("CC,IPv6 Capable,Date\nCI,Côte,2026-01-01\n".encode("latin-1"))
    with pytest.raises(MalformedFile, match="not UTF-8"):
        thirdparty.parse_google(path)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.binary(max_size=400))
def test_hostile_bytes_either_parse_or_are_refused_cleanly(tmp_path, data):
    path = tmp_path / "hostile.csv"
    path.write_bytes(data)
    for parse in (thirdparty.parse_apnic, thirdparty.parse_google):
        try:
            parsed = parse(path, default_date=date(2026, 1, 1)) if parse is thirdparty.parse_google else parse(path)
        except MalformedFile:
            continue
        assert all(0 <= p.percent <= 100 and (p.country == "" or len(p.country) == 2) for p in parsed.rows)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.sampled_from(["FR", "KE", "XA", "zz", "", "France", "=cmd"]),
                          st.one_of(st.floats(allow_nan=True), st.text(max_size=6))), max_size=8))
def test_hostile_rows_either_parse_or_are_refused_cleanly(tmp_path, rows):
    path = tmp_path / "rows.json"
    path.write_text(json.dumps([{"cc": c, "capable": v, "date": "2026-01-01"} for c, v in rows]))
    try:
        parsed = thirdparty.parse_apnic(path)
    except MalformedFile as exc:
        assert exc.message
        return
    assert all(0 <= p.percent <= 100 for p in parsed.rows)


@pytest.mark.django_db
def test_import_records_the_source_and_is_idempotent(tmp_path):
    from isoc.pulse.importing import discover, get_importer

    discover()

    path = write(tmp_path, "apnic-2026-01.csv", APNIC_TABLE)
    result = import_file(get_importer("apnic-ipv6", date="2026-01-01"), path)
    assert result.outcome == "applied" and result.rows_stored == 3 and len(result.skipped) == 1
    stored = ThirdPartyAdoption.objects.get(country="FR")
    assert stored.percent == 78.31 and stored.dataset.source.publisher == "APNIC Labs"
    assert stored.dataset.origin == "apnic-2026-01.csv" and stored.dataset.sha256
    again = import_file(get_importer("apnic-ipv6", date="2026-01-01"), path)
    assert again.outcome == "unchanged" and ThirdPartyAdoption.objects.count() == 3


@pytest.mark.django_db
def test_a_malformed_file_stores_nothing_and_keeps_what_was_there(tmp_path):
    from isoc.pulse.importing import discover, get_importer

    discover()

    good = write(tmp_path, "google.csv", GOOGLE_CSV)
    import_file(get_importer("google-ipv6"), good)
    write(tmp_path, "google.csv", GOOGLE_CSV + "2026-01-01,Kenya,lots\n")
    result = import_file(get_importer("google-ipv6"), good)
    assert result.outcome == "rejected" and "row 5" in str(result.error)
    assert ThirdPartyAdoption.objects.count() == 3
    assert ImportRun.objects.filter(outcome="rejected").count() == 1
