"""Helpers for the incident tests (a plain module; fixtures are in conftest.py): where
the real VCDB sample is (used in place, never copied), and small VERIS records built
from the schema's own fields."""

from __future__ import annotations

import copy
import json
from pathlib import Path

SHARED_DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"

INCIDENTS = SHARED_DATA / "incidents"
JSON_DIR = INCIDENTS / "json"
MERGED_SCHEMA = INCIDENTS / "schema" / "verisc-merged.json"

#: A minimal valid VERIS 1.4.0 record: every field the schema requires, and values from
#: its enumerations.
MINIMAL = {
    "schema_version": "1.4.0",
    "incident_id": "test-0001",
    "security_incident": "Confirmed",
    "summary": "A constructed test incident.",
    "source_id": "isoc-test",
    "reference": "https://example.org/test",
    "action": {"error": {"variety": ["Misconfiguration"], "vector": ["Carelessness"]}},
    "actor": {"internal": {"variety": ["System admin"], "motive": ["NA"]}},
    "asset": {"assets": [{"variety": "S - Database"}], "cloud": ["Unknown"]},
    "attribute": {"confidentiality": {"data_disclosure": "Yes", "data_total": 42, "data": [{"variety": "Personal"}]}},
    "timeline": {"incident": {"year": 2023, "month": 5}, "discovery": {"unit": "Weeks", "value": 2}},
    "discovery_method": {"external": {"variety": ["Security researcher"]}},
    "victim": {"victim_id": "Test Org", "industry": "622110", "country": ["EE"], "employee_count": "11 to 100",
               "government": ["NA"]},
}


def record(**changes) -> dict:
    """A copy of MINIMAL with top-level keys replaced (None deletes the key)."""
    data = copy.deepcopy(MINIMAL)
    for key, value in changes.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    return data


def write(folder: Path, name: str, data) -> Path:
    path = folder / name
    path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    return path
