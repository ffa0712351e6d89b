"""World Bank importer on the real files in ../shared/data/country/worldbank/."""

from __future__ import annotations

import csv
import math

import pytest

from isoc.pulse import regions
from isoc.pulse.importers import WorldBankImporter
from isoc.pulse.importing import import_file
from isoc.pulse.models import Dataset, ImportRun, IndicatorValue


@pytest.fixture
def wb(shared_data):
    folder = shared_data / "country" / "worldbank"
    if not folder.is_dir():
        pytest.skip(f"{folder} is absent")
    return folder


def _wdi_expected(path):
    """Country values and aggregate rows as the file itself says (read independently)."""
    with path.open(encoding="utf-8-sig", newline="") as fh:
        lines = [line for line in csv.reader(fh)]
    header_at = next(i for i, line in enumerate(lines) if line[:2] == ["Country Name", "Country Code"])
    header = lines[header_at]
    values, aggregates = {}, 0
    for line in lines[header_at + 1:]:
        if not line:
            continue
        info = regions.by_alpha3().get(line[1])
        if info is None:
            aggregates += 1
            continue
        for col, year in enumerate(header[4:], start=4):
            if year and line[col]:
                values[(info.code, int(year))] = float(line[col])
    return values, aggregates, lines[header_at + 1][3]


def _long_expected(path):
    values, skipped = {}, 0
    with path.open(newline="") as fh:
        for row in csv.DictReader(fh):
            info = regions.by_alpha3().get(row["Country Code"])
            if info is None or not row["Value"]:
                skipped += 1
                continue
            values[(info.code, int(row["Year"]))] = float(row["Value"])
    return values, skipped


def _stored(indicator):
    return {(c, y): v for c, y, v in IndicatorValue.objects.filter(indicator=indicator).values_list("country", "year", "value")}


def test_wdi_bulk_file(db, wb):
    path = wb / "API_IT.NET.USER.ZS_DS2_en_csv_v2.csv"
    expected, aggregates, code = _wdi_expected(path)
    result = import_file(WorldBankImporter(), path)
    assert result.outcome == "applied"
    assert result.rows_stored == len(expected) and len(result.skipped) == aggregates > 0
    assert any("World (WLD)" in s.reason for s in result.skipped)
    stored = _stored(code)
    assert stored.keys() == expected.keys()
    for key in [("AW", 2016), ("AF", 2010), ("US", 2000)]:
        if key in expected:
            assert math.isclose(stored[key], expected[key])
    dataset = Dataset.objects.get(slug="worldbank-it-net-user-zs")
    assert "Individuals using the Internet" in dataset.title and dataset.source.licence == "CC BY 4.0"


@pytest.mark.parametrize(("name", "indicator"), [("population.csv", "SP.POP.TOTL"), ("gdp.csv", "NY.GDP.MKTP.CD")])
def test_long_format_names_indicator_by_file(db, wb, name, indicator):
    expected, skipped = _long_expected(wb / name)
    result = import_file(WorldBankImporter(), wb / name)
    assert result.outcome == "applied" and result.rows_stored == len(expected)
    assert len(result.skipped) == skipped
    stored = _stored(indicator)
    assert stored.keys() == expected.keys()
    some = sorted(expected)[:: max(1, len(expected) // 7)]
    assert all(math.isclose(stored[k], expected[k]) for k in some)


def test_long_format_needs_an_indicator_for_other_names(db, wb, tmp_path):
    copy = tmp_path / "numbers.csv"
    copy.write_bytes((wb / "population.csv").read_bytes()[:2000].rsplit(b"\n", 1)[0] + b"\n")
    rejected = import_file(WorldBankImporter(), copy)
    assert rejected.outcome == "rejected" and rejected.error.field == "indicator"
    applied = import_file(WorldBankImporter(indicator="SP.POP.TOTL"), copy)
    assert applied.outcome == "applied" and applied.dataset_slug == "worldbank-sp-pop-totl"


def test_reimport_changes_nothing(db, wb):
    path = wb / "population.csv"
    import_file(WorldBankImporter(), path)
    before = list(IndicatorValue.objects.order_by("pk").values_list("pk", "value"))
    again = import_file(WorldBankImporter(), path)
    assert again.outcome == "unchanged"
    assert list(IndicatorValue.objects.order_by("pk").values_list("pk", "value")) == before


def _garble(src, dst, line_no, old_field_index, new_text):
    lines = src.read_text(encoding="utf-8-sig").splitlines(keepends=True)
    fields = next(csv.reader([lines[line_no - 1]]))
    fields[old_field_index] = new_text
    lines[line_no - 1] = ",".join(f'"{f}"' for f in fields) + "\n"
    dst.write_text("".join(lines), encoding="utf-8")


def test_garbled_value_rejects_file_naming_row_and_year(db, wb, tmp_path):
    import_file(WorldBankImporter(), wb / "population.csv")
    before = IndicatorValue.objects.count()
    src = wb / "API_IT.NET.USER.ZS_DS2_en_csv_v2.csv"
    header = next(line for line in csv.reader(src.open(encoding="utf-8-sig")) if line[:1] == ["Country Name"])
    bad = tmp_path / src.name
    _garble(src, bad, 20, 4 + header[4:].index("2010"), "12,5x")
    result = import_file(WorldBankImporter(), bad)
    assert result.outcome == "rejected"
    assert (result.error.row, result.error.field) == (20, "2010")
    assert IndicatorValue.objects.count() == before
    assert not Dataset.objects.filter(slug="worldbank-it-net-user-zs").exists()
    assert ImportRun.objects.filter(outcome="rejected").count() == 1


def test_truncated_file_rejected_and_stored_data_untouched(db, wb, tmp_path):
    path = wb / "population.csv"
    import_file(WorldBankImporter(), path)
    before = list(IndicatorValue.objects.order_by("pk").values_list("pk", "value"))
    data = path.read_bytes()
    cut = data[: len(data) // 2]
    cut = cut[: cut.rindex(b",")] + b"\n"  # ends in the middle of a row
    truncated = tmp_path / "population.csv"
    truncated.write_bytes(cut)
    result = import_file(WorldBankImporter(), truncated)
    assert result.outcome == "rejected"
    assert result.error.row == cut.count(b"\n")
    assert "truncated" in result.error.message
    assert list(IndicatorValue.objects.order_by("pk").values_list("pk", "value")) == before
