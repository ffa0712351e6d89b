"""Fixtures of the incident tests: the real VCDB sample and the VERIS schema, used in
place (never copied), skipped with a reason when absent."""

from __future__ import annotations

from pathlib import Path

import pytest
from incident_samples import JSON_DIR, MERGED_SCHEMA


@pytest.fixture

def vcdb(shared_data) -> Path:
    if not JSON_DIR.is_dir():
        pytest.skip(f"the VCDB sample {JSON_DIR} is absent")
    return JSON_DIR


@pytest.fixture
def merged_schema(shared_data) -> Path:
    if not MERGED_SCHEMA.is_file():
        pytest.skip(f"the VERIS schema {MERGED_SCHEMA} is absent")
    return MERGED_SCHEMA
