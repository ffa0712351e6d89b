"""The README's "Reading the bulk data" DuckDB queries run as written on files in our layout:
a scan folder as ``isoc enablers scan`` writes it, and a dataset's Parquet download."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

README = (Path(__file__).resolve().parents[2] / "README.md").read_text()


def _readme_sql() -> list[str]:
    section = README.split("## Reading the bulk data", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```sql\n(.*?)```", section, re.S)


def _scan_folder(folder: Path) -> None:
    """Two scans, the first written in two batch files, as the scanner does."""
    import pyarrow.parquet as pq

    from isoc.enablers.results import DomainResult, to_table

    def result(domain: str, scan: str, ipv6: bool, tls13: bool | None, dnssec: bool) -> DomainResult:
        return DomainResult(domain=domain, scanned_at=datetime(2026, 1, 5, tzinfo=UTC), resolver="127.0.0.1:53",
                            scan=scan, ipv6_reachable=ipv6, tls13=tls13, dnssec_secure=dnssec)

    folder.mkdir()
    first, second = "scan-20260105T000000", "scan-20260601T000000"
    pq.write_table(to_table([result("a.example", first, True, True, False),
                             result("b.example", first, False, True, False)]), folder / f"{first}-00000.parquet")
    pq.write_table(to_table([result("c.example", first, False, None, True),
                             result("d.example", first, True, False, False)]), folder / f"{first}-00001.parquet")
    pq.write_table(to_table([result("a.example", second, True, True, True)]), folder / f"{second}-00000.parquet")


def test_the_readme_has_the_two_duckdb_queries():
    assert len(_readme_sql()) == 2


def test_the_scan_query_reads_a_scan_folder(tmp_path, monkeypatch):
    import duckdb

    _scan_folder(tmp_path / "scans")
    monkeypatch.chdir(tmp_path)
    rows = duckdb.sql(_readme_sql()[0]).fetchall()
    # first scan: 4 domains, IPv6 2/4, TLS 1.3 2 of the 3 known, DNSSEC 1/4
    assert rows == [("scan-20260105T000000", 4, 0.5, 0.667, 0.25), ("scan-20260601T000000", 1, 1.0, 1.0, 1.0)]


@pytest.mark.django_db
def test_the_indicator_query_reads_a_dataset_download(tmp_path, monkeypatch, shared_data):
    import duckdb

    from isoc.pulse.importing import import_file
    from isoc.pulse.models import Dataset, IndicatorValue
    from isoc.pulse.opendata import table_for, to_parquet

    result = import_file("worldbank", shared_data / "country/worldbank/API_IT.NET.USER.ZS_DS2_en_csv_v2.csv")
    assert result.outcome == "applied", result.summary()
    dataset = Dataset.objects.get(slug="worldbank-it-net-user-zs")
    (tmp_path / f"{dataset.slug}.parquet").write_bytes(to_parquet(table_for(dataset), {"slug": dataset.slug}))
    monkeypatch.chdir(tmp_path)
    rows = duckdb.sql(_readme_sql()[1]).fetchall()
    expected = list(IndicatorValue.objects.filter(dataset=dataset, year=2016).order_by("-value", "country_id")
                    .values_list("country_id", "value")[:10])
    assert rows == expected and len(rows) == 10
