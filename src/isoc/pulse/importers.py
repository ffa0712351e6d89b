"""Importers of the pulse app: World Bank indicators (``isoc import worldbank FILE…``).

Two formats are read:

- the World Development Indicators bulk CSV (``API_<CODE>_DS2_en_csv_v2*.csv``): four
  lines of preamble ("Data Source", "Last Updated Date"), then a header ``Country Name,
  Country Code, Indicator Name, Indicator Code, 1960, 1961, …`` and one row per country
  with one column per year (empty when there is no value);
- the long format ``Country Name,Country Code,Year,Value`` (as republished in
  datasets/gdp and datasets/population). Its indicator comes from ``--option
  indicator=CODE`` or, failing that, the file name: ``gdp.csv`` is NY.GDP.MKTP.CD (GDP,
  current US$), ``population.csv`` is SP.POP.TOTL.

Country codes are ISO 3166-1 alpha-3. Rows for aggregates the World Bank publishes
beside countries (World, regions, income groups) and for codes that are not ISO 3166-1
countries (Kosovo's XKX, the Channel Islands' CHI) are skipped and reported. A value
that is not a number, a row with the wrong number of fields (a truncated file) or a
missing header rejects the whole file, naming the row and field.
"""

from __future__ import annotations

import csv
import math
import re
from dataclasses import dataclass
from pathlib import Path

from isoc.pulse import regions
from isoc.pulse.importing import (
    Importer,
    MalformedFile,
    Parsed,
    Skip,
    SourceInfo,
    register_importer,
)

WDI_HEADER = ["Country Name", "Country Code", "Indicator Name", "Indicator Code"]
LONG_HEADER = ["Country Name", "Country Code", "Year", "Value"]
KNOWN_INDICATORS = {
    "NY.GDP.MKTP.CD": "GDP (current US$)",
    "SP.POP.TOTL": "Population, total",
    "NY.GDP.PCAP.KD": "GDP per capita (constant 2010 US$)",
    "IT.NET.USER.ZS": "Individuals using the Internet (% of population)",
}
INDICATOR_BY_FILE = {"gdp": "NY.GDP.MKTP.CD", "population": "SP.POP.TOTL"}
INDICATOR_CODE = re.compile(r"^[A-Z0-9]+(\.[A-Z0-9]+)+$")


@dataclass(frozen=True)
class Value:
    indicator: str
    country: str  # alpha-2
    year: int
    value: float


def _number(text: str, path: Path, row: int, field: str) -> float | None:
    text = text.strip()
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        raise MalformedFile(path, row, field, f"{text[:40]!r} is not a number") from None
    if not math.isfinite(value):
        raise MalformedFile(path, row, field, f"{text[:40]!r} is not a finite number")
    return value


def _country(code: str, name: str, row: int) -> tuple[str | None, Skip | None]:
    info = regions.by_alpha3().get(code.strip().upper())
    if info is None:
        return None, Skip(row, f"{name or code} ({code}) is not an ISO 3166-1 country (an aggregate or other area)",
                          "Country Code")
    return info.code, None


@register_importer("worldbank")
class WorldBankImporter(Importer):
    version = "1"
    dataset_kind = "indicator"
    source = SourceInfo(
        slug="world-bank", name="World Bank World Development Indicators", publisher="The World Bank",
        licence="CC BY 4.0", url="https://data.worldbank.org/",
        description="Country indicators (population, GDP, Internet use…) from the World Development Indicators.")
    description = "Yearly values per country from the World Bank's World Development Indicators."

    def _lines(self, path: Path) -> list[list[str]]:
        try:
            with path.open(encoding="utf-8-sig", newline="") as fh:
                return list(csv.reader(fh, strict=True))
        except csv.Error as exc:
            raise MalformedFile(path, None, None, f"not a CSV file: {exc}") from None
        except UnicodeDecodeError as exc:
            raise MalformedFile(path, None, None, f"not UTF-8 text: {exc}") from None

    def _format(self, lines: list[list[str]], path: Path) -> tuple[str, int]:
        """("wdi" | "long", index of the header line)."""
        for i, line in enumerate(lines[:10]):
            cells = [c.strip() for c in line]
            if cells[:4] == WDI_HEADER:
                return "wdi", i
            if cells[:4] == LONG_HEADER:
                return "long", i
        raise MalformedFile(path, 1, None, "no World Bank header (expected 'Country Name,Country Code,Indicator Name,"
                            "Indicator Code,<years>…' or 'Country Name,Country Code,Year,Value')")

    def _long_indicator(self, path: Path) -> str:
        code = self.options.get("indicator") or INDICATOR_BY_FILE.get(path.stem.lower())
        if not code:
            raise MalformedFile(path, None, "indicator", "a long-format file does not name its indicator: "
                                "give it with --option indicator=CODE (e.g. SP.POP.TOTL)")
        if not INDICATOR_CODE.match(code):
            raise MalformedFile(path, None, "indicator", f"{code!r} is not a World Bank indicator code")
        return code

    def _wdi_indicator(self, lines: list[list[str]], header_at: int, path: Path) -> tuple[str, str]:
        for line in lines[header_at + 1:]:
            if len(line) >= 4 and line[3].strip():
                return line[3].strip(), line[2].strip()
        raise MalformedFile(path, header_at + 2, "Indicator Code", "no data rows")

    def dataset_slug(self, path: Path) -> str:
        lines = self._lines(path)
        kind, at = self._format(lines, path)
        code = self._long_indicator(path) if kind == "long" else self._wdi_indicator(lines, at, path)[0]
        return "worldbank-" + code.lower().replace(".", "-")

    def parse(self, path: Path) -> Parsed:
        lines = self._lines(path)
        kind, at = self._format(lines, path)
        return self._parse_long(lines, at, path) if kind == "long" else self._parse_wdi(lines, at, path)

    def _parse_wdi(self, lines: list[list[str]], at: int, path: Path) -> Parsed:
        header = lines[at]
        years: list[tuple[int, int]] = []  # (column, year)
        for col, cell in enumerate(header[4:], start=4):
            cell = cell.strip()
            if not cell:
                continue
            if not cell.isdigit():
                raise MalformedFile(path, at + 1, cell, "a year column is not a year")
            years.append((col, int(cell)))
        code, name = self._wdi_indicator(lines, at, path)
        updated = next((line[1] for line in lines[:at] if len(line) > 1 and line[0] == "Last Updated Date"), "")
        rows: list[Value] = []
        skipped: list[Skip] = []
        read = 0
        for n, line in enumerate(lines[at + 1:], start=at + 2):
            if not any(c.strip() for c in line):
                continue
            read += 1
            if len(line) != len(header):
                raise MalformedFile(path, n, None, f"{len(line)} fields where the header has {len(header)} "
                                    "(truncated or garbled row)")
            if line[3].strip() != code:
                raise MalformedFile(path, n, "Indicator Code", f"{line[3]!r} in a file of {code}")
            country, skip = _country(line[1], line[0], n)
            if skip:
                skipped.append(skip)
                continue
            for col, year in years:
                value = _number(line[col], path, n, str(year))
                if value is not None:
                    rows.append(Value(code, country, year, value))
        title = f"{name or KNOWN_INDICATORS.get(code, code)} ({code})"
        description = "World Development Indicators" + (f", last updated {updated}" if updated else "") + "."
        return Parsed(rows=rows, skipped=skipped, rows_read=read,
                      meta={"title": title, "description": description, "indicator": code})

    def _parse_long(self, lines: list[list[str]], at: int, path: Path) -> Parsed:
        code = self._long_indicator(path)
        rows: list[Value] = []
        skipped: list[Skip] = []
        read = 0
        for n, line in enumerate(lines[at + 1:], start=at + 2):
            if not any(c.strip() for c in line):
                continue
            read += 1
            if len(line) != 4:
                raise MalformedFile(path, n, None, f"{len(line)} fields where the header has 4 (truncated or garbled row)")
            year_text = line[2].strip()
            if not (year_text.isdigit() and 1800 <= int(year_text) <= 2200):
                raise MalformedFile(path, n, "Year", f"{year_text[:40]!r} is not a year")
            value = _number(line[3], path, n, "Value")
            country, skip = _country(line[1], line[0], n)
            if skip:
                skipped.append(skip)
                continue
            if value is None:
                skipped.append(Skip(n, "no value", "Value"))
                continue
            rows.append(Value(code, country, int(year_text), value))
        title = f"{KNOWN_INDICATORS.get(code, code)} ({code})"
        return Parsed(rows=rows, skipped=skipped, rows_read=read,
                      meta={"title": title, "indicator": code,
                            "description": f"World Bank {KNOWN_INDICATORS.get(code, code)}, long format."})

    def apply(self, dataset, rows: list[Value]) -> int:
        from isoc.pulse.models import IndicatorValue

        dataset.values.all().delete()
        IndicatorValue.objects.bulk_create(
            (IndicatorValue(dataset=dataset, indicator=r.indicator, country_id=r.country, year=r.year, value=r.value)
             for r in rows), batch_size=2000)
        return len(rows)
