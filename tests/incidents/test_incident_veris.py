"""Reading and checking VERIS records (Django-free): the real VCDB files pass, broken
records are refused with the field named, hostile JSON never crashes the reader."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from incident_samples import MINIMAL, record

from isoc.incidents import trends, veris


def test_every_real_vcdb_file_passes_the_core_and_the_full_schema(vcdb, merged_schema):
    full = veris.load_schema(merged_schema)
    files = sorted(vcdb.iterdir())
    assert len(files) == 50
    for path in files:
        for schema in (None, full):
            rec = veris.read_record(path.read_bytes(), schema)
            assert rec.incident_id == json.loads(path.read_text())["incident_id"].strip()


def test_a_real_record_is_read_in_veris_terms(vcdb):
    rec = veris.read_record((vcdb / "01034482-f586-412a-9127-1d1354a9f22c.JSON").read_bytes())
    assert rec.actions == {"error": {"variety": ["Misconfiguration"], "vector": ["Carelessness"]}}
    assert rec.actors == {"internal": {"variety": ["System admin"], "motive": ["NA"]}}
    assert rec.records_affected == 103_316_633
    assert rec.data_varieties == ["Personal", "Sensitive Personal"]
    assert (rec.industry, rec.countries, rec.employee_count) == ("561611", ["US"], "1 to 10")
    assert rec.notification == (2024, 9, 23)
    assert rec.discovery_methods == {"external": ["Security researcher"]}
    assert trends.sector_of(rec.industry) == "Administrative services"


def test_legacy_spellings_are_read_as_todays(vcdb, merged_schema):
    rec = veris.read_record((vcdb / "00fd327e-6929-4b23-9c52-763bdee14080.json").read_bytes(),
                            veris.load_schema(merged_schema))
    assert "RAM scraper" in rec.actions["malware"]["variety"]


def test_the_minimal_record_passes():
    assert veris.validate(record()) == []


@pytest.mark.parametrize(("data", "field", "words"), [
    (record(incident_id=None), "incident_id", "is required"),
    (record(action=None), "action", "is required"),
    (record(security_incident="Maybe"), "security_incident", "not one of VERIS's values"),
    (record(timeline={"incident": {"month": 3}}), "timeline.incident.year", "is required"),
    (record(timeline={"incident": {"year": 1800}}), "timeline.incident.year", "below 1950"),
    (record(timeline={"incident": {"year": "2020"}}), "timeline.incident.year", "must be an integer"),
    (record(timeline={"incident": {"year": 2020}, "discovery": {"unit": "Fortnights", "value": 1}}),
     "timeline.discovery.unit", "not one of"),
    (record(victim={**MINIMAL["victim"], "employee_count": "Lots"}), "victim.employee_count", "not one of"),
    (record(victim={**MINIMAL["victim"], "industry": "ABC"}), "victim.industry", "expected form"),
    (record(victim={k: v for k, v in MINIMAL["victim"].items() if k != "government"}), "victim.government", "is required"),
    (record(actor={"external": {"variety": ["Unknown"], "motive": ["Boredom"]}}), "actor.external.motive", "not one of"),
    (record(attribute={"confidentiality": {"data_disclosure": "Yes", "data_total": -5}}),
     "attribute.confidentiality.data_total", "below 0"),
    (record(action={}), "action", "must not be empty"),
    (record(summary="nul \x00 inside"), "summary", "NUL"),
    ([1, 2], "", "JSON object"),
])
def test_broken_records_name_the_field(data, field, words):
    errors = veris.validate(data)
    assert errors, data
    assert errors[0][0] == field and words in errors[0][1], errors


def test_fields_required_only_from_1_4_are_not_required_of_older_records():
    old = record(schema_version="1.3.4", summary=None, victim={k: v for k, v in MINIMAL["victim"].items() if k != "government"})
    assert veris.validate(old) == []
    assert [f for f, _m in veris.validate({**old, "schema_version": "1.4.0"})] == ["summary", "victim.government"]


def test_the_full_schema_checks_every_enumeration(merged_schema):
    full = veris.load_schema(merged_schema)
    data = record(action={"hacking": {"variety": ["Telepathy"], "vector": ["Web application"]}})
    assert veris.validate(data) == []  # the core knows categories, not every variety
    errors = veris.validate(data, full)
    assert errors[0][0] == "action.hacking.variety" and "'Telepathy'" in errors[0][1]


@pytest.mark.parametrize("text", ["", "{", "NaN", '{"a": NaN}', '{"a": Infinity}', "[" * 100_000, "1" * 5000,
                                  '"\\ud800"', "null"])
def test_unreadable_json_is_an_invalid_record(text):
    with pytest.raises(veris.InvalidRecord):
        veris.read_record(text)


def test_preventable_values_are_veris_enumerations(merged_schema):
    """Our preventable rules name values the schema has (a typo would never match)."""
    schema = veris.load_schema(merged_schema)
    for rule in trends.PREVENTABLE_RULES:
        enum = schema["properties"]["action"]["properties"][rule.category]["properties"][rule.field]["items"]["enum"]
        assert set(rule.values) <= set(enum), rule


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4),
    max_leaves=25)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(st.one_of(
    json_values,
    # a valid record with one top-level field replaced by junk: the error names that field
    st.tuples(st.sampled_from(sorted(MINIMAL)), json_values).map(lambda kv: {**MINIMAL, kv[0]: kv[1]}),
))
def test_hostile_json_is_either_read_or_refused_with_a_field(data):
    text = json.dumps(data)
    try:
        rec = veris.read_record(text)
    except veris.InvalidRecord as exc:
        assert exc.errors and all(isinstance(f, str) and m for f, m in exc.errors)
        if isinstance(data, dict) and data.keys() == MINIMAL.keys():
            changed = next(k for k in MINIMAL if data[k] != MINIMAL[k])
            assert exc.field.split(".")[0] == changed
    else:
        assert isinstance(rec, veris.IncidentRecord) and rec.incident_id
