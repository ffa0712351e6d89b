"""``isoc enablers scan``: a list of fleet domains into Parquet, a rerun that skips them,
clear errors for a bad list or option, and the hand-over to the database when the enablers
app offers ``record_scan``."""

from __future__ import annotations

import sys

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from isoc.site.cli import app


@pytest.fixture
def recorded(monkeypatch):
    """Stand in for the database hand-over (the enablers app's record_scan)."""
    from isoc.enablers import cli

    files = []

    def record(paths):
        files.extend(paths)
        return True

    monkeypatch.setattr(cli, "_record", record)
    monkeypatch.setitem(sys.modules, "isoc.enablers.probes_web", None)  # DNS and email only
    return files


def run(*args):
    return CliRunner().invoke(app, ["enablers", "scan", *args], env={"COLUMNS": "300"})


def test_scan_writes_parquet_then_a_rerun_skips_what_is_there(fleet, tmp_path, recorded):
    if fleet.network.mode != "netns":
        pytest.skip("the command uses standard ports; the loopback fleet has high ones (ScanConfig covers that)")
    listing = tmp_path / "top.csv"
    listing.write_text("1,secure.test\n2,plain.test\n3,missing.test\n4,secure.test\n")
    out = tmp_path / "out"
    args = [str(listing), "--out", str(out), "--resolver", f"{fleet.dns.resolver[0]}:{fleet.dns.resolver[1]}",
            "--ca-bundle", str(fleet.ca.ca_pem), "--dkim-selector", "s1", "--timeout", "2", "--concurrency", "2"]
    result = run(*args)
    assert result.exit_code == 0, result.output
    assert "3 domains in" in result.output and "stored scan" in result.output
    rows = {r["domain"]: r for r in pq.read_table(out).to_pylist()}
    assert sorted(rows) == ["missing.test", "plain.test", "secure.test"]
    assert rows["secure.test"]["dnssec"] == "secure" and rows["secure.test"]["dkim_selectors"] == ["s1"]
    assert rows["plain.test"]["smtp_starttls"] is False and rows["missing.test"]["dns_error"] == "NXDOMAIN"
    assert recorded == sorted(out.glob("*.parquet"))

    again = run(*args)
    assert again.exit_code == 0, again.output
    assert "0 domains in" in again.output and "skipped" in again.output
    assert len(recorded) == 1  # nothing new to store


def test_limit_takes_the_first_domains(fleet, tmp_path, recorded):
    listing = tmp_path / "list.txt"
    listing.write_text("missing.test\nalso-missing.test\n")
    result = run(str(listing), "--out", str(tmp_path / "out"), "--limit", "1",
                 "--resolver", f"{fleet.dns.resolver[0]}:{fleet.dns.resolver[1]}")
    assert result.exit_code == 0, result.output
    assert pq.read_table(tmp_path / "out").column("domain").to_pylist() == ["missing.test"]


def test_a_bad_list_is_refused_naming_its_lines(tmp_path, recorded):
    listing = tmp_path / "list.txt"
    listing.write_text("good.example\nbad..example\n\nhttp://x.example\n")
    result = run(str(listing), "--out", str(tmp_path / "out"))
    assert result.exit_code == 2
    assert "2 bad lines" in result.output and "line 2:" in result.output and "line 4:" in result.output
    assert not (tmp_path / "out").exists()  # nothing scanned


@pytest.mark.parametrize(("option", "value", "message"), [
    ("--resolver", "resolver.example:53", "must be an IP address"),
    ("--resolver", "10.0.0.1:99999", "port must be a number"),
    ("--format", "xml", "one of auto, plain, umbrella"),
    ("--concurrency", "0", "greater than or equal to 1"),
])
def test_bad_options_are_refused(tmp_path, option, value, message):
    listing = tmp_path / "list.txt"
    listing.write_text("a.example\n")
    result = run(str(listing), "--out", str(tmp_path / "out"), option, value)
    assert result.exit_code == 2 and message in result.output


def test_resolver_forms():
    from isoc.enablers.cli import parse_resolver
    from isoc.enablers.config import Resolver

    assert parse_resolver("10.0.0.1") == Resolver("10.0.0.1", 53)
    assert parse_resolver("10.0.0.1:5353") == Resolver("10.0.0.1", 5353)
    assert parse_resolver("[fd00::1]:5353") == Resolver("fd00::1", 5353)
    assert parse_resolver("fd00::1") == Resolver("fd00::1", 53)


@pytest.mark.django_db
def test_the_scan_files_are_recorded_in_the_database(tmp_path):
    """What ``isoc enablers scan`` does with each file it wrote: the scan and its domains
    are stored, and recording the same file again changes nothing."""
    from datetime import UTC, datetime

    import pyarrow.parquet as pq

    from isoc.enablers.cli import _record
    from isoc.enablers.models import DomainSummary, Scan
    from isoc.enablers.results import DomainResult, to_table

    path = tmp_path / "scan-cli-00000.parquet"
    rows = [DomainResult(domain=d, scanned_at=datetime(2026, 12, 1, tzinfo=UTC), resolver="192.0.2.53:53",
                         scan="scan-cli", a=["192.0.2.1"], https_ok=True) for d in ("a.example.fr", "b.example")]
    pq.write_table(to_table(rows), path)
    _record([path])
    _record([path])
    assert list(Scan.objects.values_list("identifier", flat=True)) == ["scan-cli"]
    assert sorted(DomainSummary.objects.values_list("domain", flat=True)) == ["a.example.fr", "b.example"]


@pytest.mark.django_db
def test_a_scan_file_the_database_refuses_is_said_and_kept(tmp_path, capsys):
    import typer

    from isoc.enablers.cli import _record
    from isoc.enablers.models import Scan

    path = tmp_path / "scan-bad-00000.parquet"
    path.write_bytes(b"PAR1 not really parquet")
    with pytest.raises(typer.Exit) as exited:
        _record([path])
    assert exited.value.exit_code == 1
    assert str(path) in capsys.readouterr().err.replace("\n", "")
    assert path.exists() and not Scan.objects.exists()
