"""Importing VERIS files: the 50 real VCDB files (counts checked against the files
themselves), idempotence by incident_id, malformed files reported and skipped without
losing the others, provenance, the CLI, and the demo incidents."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from incident_samples import MINIMAL, record, write
from typer.testing import CliRunner

from isoc.incidents import demo, services
from isoc.incidents.models import Incident, IncidentChange
from isoc.pulse.models import Dataset, ImportRun
from isoc.site.cli import app

pytestmark = pytest.mark.django_db


def _facts_of_files(folder: Path) -> dict:
    """What the files hold, read with plain json (not the importer)."""
    data = [json.loads(p.read_text()) for p in sorted(folder.iterdir())]
    return {
        "ids": {d["incident_id"] for d in data},
        "years": Counter(d["timeline"]["incident"]["year"] for d in data),
        "actions": Counter(a for d in data for a in d["action"]),
        "breaches": sum(1 for d in data if d.get("attribute", {}).get("confidentiality", {}).get("data_disclosure") == "Yes"),
        "records": {d["incident_id"]: d.get("attribute", {}).get("confidentiality", {}).get("data_total") for d in data},
    }


def test_the_real_vcdb_files_are_imported_with_their_provenance(vcdb, merged_schema):
    facts = _facts_of_files(vcdb)
    results = services.import_paths([vcdb], schema=merged_schema)
    assert len(results) == 50 and all(r.error is None for r in results)
    assert Incident.objects.count() == len(facts["ids"]) == 50
    assert set(Incident.objects.values_list("incident_id", flat=True)) == facts["ids"]
    assert Counter(Incident.objects.values_list("year", flat=True)) == facts["years"]
    assert Counter(a for acts in Incident.objects.values_list("actions", flat=True) for a in acts) == facts["actions"]
    assert Incident.objects.filter(data_disclosure="Yes").count() == facts["breaches"]
    assert dict(Incident.objects.values_list("incident_id", "records_affected")) == facts["records"]
    dataset = Dataset.objects.get(slug=services.DATASET_SLUG)
    assert dataset.source.slug == "vcdb" and "CC BY-SA 4.0" in dataset.source.licence and not dataset.is_demo
    runs = ImportRun.objects.filter(importer="veris")
    assert runs.count() == 50 and set(runs.values_list("outcome", flat=True)) == {"applied"}
    moveit = Incident.objects.get(incident_id="adb23ac0-a063-11ef-859f-c58fde63a385")
    assert moveit.origin == "01034482-f586-412a-9127-1d1354a9f22c.JSON" and len(moveit.sha256) == 64


def test_importing_again_changes_nothing_and_duplicates_nothing(vcdb):
    services.import_paths([vcdb])
    first = dict(Incident.objects.values_list("incident_id", "updated_at"))
    results = services.import_paths([vcdb])
    assert all(r.error is None and r.rows_stored == 0 for r in results)
    assert dict(Incident.objects.values_list("incident_id", "updated_at")) == first
    assert not IncidentChange.objects.exists()


def test_a_changed_file_updates_its_incident_and_says_what_changed(tmp_path):
    path = write(tmp_path, "a.json", record())
    services.import_paths([path])
    write(tmp_path, "a.json", record(timeline={"incident": {"year": 2022}, "discovery": {"unit": "Days", "value": 3}}))
    [result] = services.import_paths([path])
    assert result.error is None and result.rows_stored == 1
    incident = Incident.objects.get()
    assert (incident.year, incident.discovery_days) == (2022, 3.0)
    change = IncidentChange.objects.get()
    assert {"year", "month", "discovery_unit", "discovery_value", "discovery_days"} <= set(change.fields)


def test_malformed_files_are_reported_and_skipped_and_the_others_stored(tmp_path):
    write(tmp_path, "1-good.json", record(incident_id="good-1"))
    write(tmp_path, "2-enum.json", record(incident_id="bad-enum", security_incident="Perhaps"))
    write(tmp_path, "3-missing.json", record(incident_id="bad-missing", timeline={"incident": {"month": 1}}))
    write(tmp_path, "4-truncated.json", json.dumps(record(incident_id="bad-truncated"))[:-40])
    write(tmp_path, "5-array.JSON", [MINIMAL])
    (tmp_path / "6-latin1.json").write_bytes(json.dumps(record(incident_id="bad-enc", summary="é"), ensure_ascii=False).encode().replace(b"\xc3\xa9", b"\xe9"))
    write(tmp_path, "7-good.JSON", record(incident_id="good-2"))
    (tmp_path / "notes.txt").write_text("not an incident")
    results = {Path(r.path).name: r for r in services.import_paths([tmp_path])}
    assert sorted(results) == ["1-good.json", "2-enum.json", "3-missing.json", "4-truncated.json", "5-array.JSON",
                               "6-latin1.json", "7-good.JSON"]
    assert set(Incident.objects.values_list("incident_id", flat=True)) == {"good-1", "good-2"}
    assert results["2-enum.json"].error.field == "security_incident"
    assert "'Perhaps' is not one of VERIS's values" in results["2-enum.json"].summary()
    assert results["3-missing.json"].error.field == "timeline.incident.year"
    assert "not valid JSON" in results["4-truncated.json"].error.message
    assert "JSON object" in results["5-array.JSON"].error.message
    assert results["6-latin1.json"].error is not None
    rejected = ImportRun.objects.filter(outcome="rejected")
    assert rejected.count() == 5
    assert rejected.get(origin="2-enum.json").report["error"]["field"] == "security_incident"


def test_a_file_that_fails_while_storing_stores_nothing(tmp_path):
    """The demo holds incident demo-0001; a file claiming that id is refused whole."""
    demo.generate(size=3)
    [result] = services.import_paths([write(tmp_path, "x.json", record(incident_id="demo-0001"))])
    assert result.error is not None and result.error.field == "incident_id"
    assert Incident.objects.get(incident_id="demo-0001").is_demo
    assert Incident.objects.filter(is_demo=False).count() == 0


def test_the_cli_imports_and_names_the_rejected_file_and_field(tmp_path):
    write(tmp_path, "good.json", record(incident_id="cli-good"))
    write(tmp_path, "bad.json", record(incident_id="cli-bad", victim={**MINIMAL["victim"], "employee_count": "Many"}))
    result = CliRunner().invoke(app, ["incidents", "import", str(tmp_path)])
    assert result.exit_code == 1, result.output
    assert "bad.json: rejected, nothing stored" in result.output and "victim.employee_count" in result.output
    assert "2 files: 1 imported or unchanged, 1 rejected" in result.output
    assert Incident.objects.filter(incident_id="cli-good").exists()
    again = CliRunner().invoke(app, ["incidents", "import", str(tmp_path / "good.json")])
    assert again.exit_code == 0 and Incident.objects.count() == 1


def test_the_cli_refuses_a_missing_path(tmp_path):
    result = CliRunner().invoke(app, ["incidents", "import", str(tmp_path / "nope")])
    assert result.exit_code == 2 and "no such file or folder" in " ".join(result.output.split())


def test_the_framework_command_imports_veris_too(tmp_path):
    path = write(tmp_path, "one.json", record(incident_id="via-import"))
    result = CliRunner().invoke(app, ["import", "veris", str(path)])
    assert result.exit_code == 0, result.output
    assert Incident.objects.filter(incident_id="via-import").exists()


def test_demo_incidents_are_generated_labelled_and_removed_by_reset(tmp_path):
    services.import_paths([write(tmp_path, "real.json", record(incident_id="real-1"))])
    assert demo.generate(size=20)["incidents"] == 20
    assert demo.generate(size=20)["incidents"] == 0  # once only
    assert Incident.objects.filter(is_demo=True).count() == 20
    assert all(i.victim_name.startswith("Demo organization") for i in Incident.objects.filter(is_demo=True))
    assert Dataset.objects.get(slug=services.DEMO_DATASET_SLUG).is_demo
    assert not services.shows_demo()  # real incidents exist: the figures are theirs
    demo.generate(size=5, reset=True)
    assert Incident.objects.filter(is_demo=True).count() == 5
    services.remove_demo()
    assert list(Incident.objects.values_list("incident_id", flat=True)) == ["real-1"]


hostile_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=10), children, max_size=3),
    max_leaves=15)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(field=st.sampled_from(["incident_id", "action", "actor", "asset", "attribute", "timeline", "victim",
                              "discovery_method", "summary", "schema_version", "plus"]),
       value=hostile_values, raw=st.binary(max_size=60))
def test_hostile_files_are_stored_whole_or_rejected_whole(tmp_path_factory, field, value, raw):
    folder = tmp_path_factory.mktemp("hostile")
    Incident.objects.exclude(incident_id="steady").delete()  # examples share the test's transaction
    before = Incident.objects.count()
    junk = {**MINIMAL, "incident_id": "hostile", field: value}
    write(folder, "b-good.json", record(incident_id="steady"))
    (folder / "a-raw.json").write_bytes(raw)
    (folder / "c-junk.json").write_text(json.dumps(junk), encoding="utf-8")
    results = {Path(r.path).name: r for r in services.import_paths([folder])}
    assert results["b-good.json"].error is None and Incident.objects.filter(incident_id="steady").exists()
    stored = Incident.objects.exclude(incident_id="steady")
    if results["c-junk.json"].error is None:
        assert stored.count() == 1
    else:
        assert results["c-junk.json"].error.message and not stored.exists()
    assert Incident.objects.count() <= before + 2
