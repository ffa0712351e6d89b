"""Fixtures for the IXP tests: the real PeeringDB and PCH directories (skipped when the
shared data folder is absent) and small hand-made snapshots."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from tests.conftest import SHARED_DATA

PEERINGDB_DIR = SHARED_DATA / "country" / "ixp" / "peeringdb-2016"
PCH_DIR = SHARED_DATA / "country" / "ixp" / "pch-2017"
PCH_AS_OF = date(2017, 2, 8)  # the day the PCH export was committed (SOURCES.md)


@pytest.fixture
def peeringdb_dir() -> Path:
    if not (PEERINGDB_DIR / "ix.json").is_file():
        pytest.skip(f"the PeeringDB 2016 sample is not in {PEERINGDB_DIR} (shared data folder absent)")
    return PEERINGDB_DIR


@pytest.fixture
def pch_dir() -> Path:
    if not (PCH_DIR / "ixp_exchange.csv").is_file():
        pytest.skip(f"the PCH 2017 export is not in {PCH_DIR} (shared data folder absent)")
    return PCH_DIR
