"""`isoc routing dump` and `isoc routing validate`, run as the real command (a subprocess),
on the real files: bgpdump's exact text, warnings with byte offsets on damaged input, and
the summary and per-route output of validation."""

from __future__ import annotations

import csv
import gzip
import os
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from isoc.routing import rov, vrps

ISOC = [sys.executable, "-m", "isoc.site.cli"]


def run(*args: str) -> subprocess.CompletedProcess:
    # A wide terminal: Rich wraps error panels at 80 columns, which can split a message
    # naming a long temporary path across lines.
    return subprocess.run([*ISOC, *args], capture_output=True, text=True, timeout=300,
                          env={**os.environ, "COLUMNS": "400"})


def test_dump_matches_bgpdump_line_for_line(shared_data: Path):
    name = "updates.20100722.2015.gz"
    result = run("routing", "dump", str(shared_data / "mrt/ripe-bgpdump/test_data" / name))
    assert result.returncode == 0, result.stderr
    expected = gzip.open(shared_data / "mrt/ripe-bgpdump/test_expect" / f"{name}.bgp.gz", "rt").read()
    assert result.stdout == expected


def test_dump_of_a_torn_file_keeps_every_record_and_names_the_offset(shared_data: Path):
    result = run("routing", "dump", str(shared_data / "mrt/pyasn/rib6.20151101.0600_firstMB.bz2"))
    assert result.returncode == 0
    assert result.stdout.count("\n") > 6_870  # every complete record's entries
    assert "byte offset" in result.stderr and "warning:" in result.stderr


def test_dump_of_a_missing_file_is_a_clear_error(tmp_path: Path):
    result = run("routing", "dump", str(tmp_path / "nope.mrt"))
    assert result.returncode == 2 and "does not exist" in result.stderr


def test_validate_prints_a_summary_and_writes_every_route(shared_data: Path, tmp_path: Path):
    mrt = shared_data / "mrt/ripe-bgpdump/test_data/updates.20160811.1600.gz"
    vrp_file = shared_data / "rpki/rpki-validator-js/test.json"
    out_csv, out_parquet = tmp_path / "states.csv", tmp_path / "states.parquet"
    result = run("routing", "validate", str(mrt), "--vrps", str(vrp_file), "--csv", str(out_csv),
                 "--parquet", str(out_parquet))
    assert result.returncode == 0, result.stderr
    for label in ("valid", "invalid-as", "invalid-length", "not-found"):
        assert label in result.stdout
    rows = list(csv.DictReader(out_csv.open()))
    assert len(rows) == pq.read_table(out_parquet).num_rows > 1_000
    index = rov.build_index(vrps.load_vrps(vrp_file))
    names = {0: "valid", 1: "invalid-as", 2: "invalid-length", 3: "not-found"}
    for row in rows[::50]:
        assert row["state"] == names[index.validate_one(row["prefix"], int(row["origin_asn"]))]


def test_validate_with_a_bad_vrp_file_says_so(shared_data: Path, tmp_path: Path):
    bad = tmp_path / "vrps.json"
    bad.write_text('{"roas": [{"prefix": "1.2.3.0/24", "maxLength": 99, "asn": 1}]}')
    result = run("routing", "validate", str(shared_data / "mrt/ripe-bgpdump/test_data/updates.20020722.2238.gz"),
                 "--vrps", str(bad))
    assert result.returncode == 2
    assert "maxLength" in result.stderr or "max" in result.stderr.lower()


@pytest.mark.parametrize("args", [["routing"], ["routing", "validate"]])
def test_usage_errors(args):
    result = run(*args)
    assert result.returncode != 0
