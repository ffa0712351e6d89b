"""The importer framework: idempotence, atomicity, rejection naming row and field, dry runs,
the registry, the CLI and the Celery task."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from typer.testing import CliRunner

from isoc.pulse.importing import (
    Importer,
    MalformedFile,
    Parsed,
    Skip,
    SourceInfo,
    get_importer,
    import_file,
    register_importer,
    registered,
)
from isoc.pulse.models import Dataset, DataSource, ImportRun, IndicatorValue


@register_importer("test-toy")
class ToyImporter(Importer):
    """country,year,value rows; 'fail' in a value makes apply fail half way."""

    version = "1"
    dataset_kind = "indicator"
    source = SourceInfo(slug="toy", name="Toy source", publisher="Toy publisher", licence="CC0")

    def parse(self, path: Path) -> Parsed:
        rows, skipped = [], []
        with path.open(newline="") as fh:
            for n, line in enumerate(csv.reader(fh), start=1):
                if len(line) != 3:
                    raise MalformedFile(path, n, None, "expected 3 fields")
                cc, year, value = line
                if cc == "ZZ":
                    skipped.append(Skip(n, "not a country", "country"))
                    continue
                if not year.isdigit():
                    raise MalformedFile(path, n, "year", f"{year!r} is not a year")
                rows.append((cc, int(year), value))
        return Parsed(rows, skipped)

    def apply(self, dataset, rows) -> int:
        dataset.values.all().delete()
        for cc, year, value in rows:
            if value == "fail":
                raise MalformedFile(dataset.origin, None, "value", "refused while storing")
            IndicatorValue.objects.create(dataset=dataset, indicator="TOY", country_id=cc, year=year, value=float(value))
        return len(rows)


@pytest.fixture
def toy_file(tmp_path):
    path = tmp_path / "toy.csv"
    path.write_text("KE,2020,1.5\nZZ,2020,3\nFR,2021,2\n")
    return path


def test_registry_names_importers_and_refuses_unknown():
    assert registered()["test-toy"] is ToyImporter
    with pytest.raises(KeyError, match="test-toy"):
        get_importer("no-such-importer")


def test_apply_stores_with_provenance_and_reports_skips(db, toy_file):
    result = import_file(ToyImporter(), toy_file)
    assert result.outcome == "applied" and result.rows_read == 3 and result.rows_stored == 2
    assert [str(s) for s in result.skipped] == ["row 2 (country): not a country"]
    dataset = Dataset.objects.get(slug="test-toy-toy")
    assert dataset.source.publisher == "Toy publisher" and dataset.origin == "toy.csv"
    assert dataset.importer == "test-toy" and len(dataset.sha256) == 64
    run = ImportRun.objects.get(pk=result.run_id)
    assert (run.rows_read, run.rows_stored, run.rows_skipped) == (3, 2, 1)
    assert run.report["skipped"] == [{"row": 2, "field": "country", "reason": "not a country"}]


def test_same_file_again_is_unchanged(db, toy_file):
    import_file(ToyImporter(), toy_file)
    values = list(IndicatorValue.objects.values_list("pk", flat=True))
    again = import_file(ToyImporter(), toy_file)
    assert again.outcome == "unchanged"
    assert list(IndicatorValue.objects.values_list("pk", flat=True)) == values
    toy_file.write_text("KE,2020,9\n")
    changed = import_file(ToyImporter(), toy_file)
    assert changed.outcome == "applied"
    assert list(IndicatorValue.objects.values_list("country", "value")) == [("KE", 9.0)]


def test_malformed_file_is_rejected_naming_row_and_field_and_keeps_old_data(db, toy_file):
    import_file(ToyImporter(), toy_file)
    before = list(IndicatorValue.objects.values_list("country", "year", "value"))
    toy_file.write_text("KE,2020,1\nKE,20x0,2\n")
    result = import_file(ToyImporter(), toy_file)
    assert result.outcome == "rejected"
    assert (result.error.row, result.error.field) == (2, "year")
    assert "toy.csv, row 2, field 'year'" in str(result.error)
    assert list(IndicatorValue.objects.values_list("country", "year", "value")) == before
    assert ImportRun.objects.get(pk=result.run_id).report["error"]["row"] == 2


def test_failure_while_storing_rolls_everything_back(db, tmp_path):
    path = tmp_path / "half.csv"
    path.write_text("KE,2020,1\nFR,2020,fail\n")
    result = import_file(ToyImporter(), path)
    assert result.outcome == "rejected"
    assert not IndicatorValue.objects.exists()
    assert not Dataset.objects.filter(slug="test-toy-half").exists()
    assert not DataSource.objects.filter(slug="toy").exists()


def test_dry_run_stores_nothing(db, toy_file):
    result = import_file(ToyImporter(), toy_file, dry_run=True)
    assert result.outcome == "dry-run" and result.rows_stored == 2
    assert not IndicatorValue.objects.exists() and not Dataset.objects.exists()


def test_cli_prints_summary_and_skips_and_fails_on_malformed(db, toy_file, tmp_path):
    from isoc.site.cli import app

    runner = CliRunner()
    out = runner.invoke(app, ["import", "test-toy", str(toy_file)])
    assert out.exit_code == 0, out.output
    assert "toy.csv: applied, 3 rows read, stored 2, skipped 1" in out.output
    assert "skipped row 2 (country): not a country" in out.output
    bad = tmp_path / "bad.csv"
    bad.write_text("KE,2020\n")
    out = runner.invoke(app, ["import", "test-toy", str(bad)])
    assert out.exit_code == 1 and "bad.csv, row 1: expected 3 fields" in out.output
    out = runner.invoke(app, ["import", "no-such-importer", str(bad)])
    assert out.exit_code == 2


def test_celery_task(db, toy_file):
    from isoc.pulse.tasks import run_import

    outcome = run_import.delay("test-toy", str(toy_file)).get()
    assert outcome["outcome"] == "applied" and outcome["rows_stored"] == 2
    assert run_import.delay("test-toy", str(toy_file)).get()["outcome"] == "unchanged"
