"""Open data: the Pulse API (countries, datasets, indicators, downloads) and pages."""

from __future__ import annotations

import csv
import io
import json

import pyarrow.parquet as pq
import pytest

from isoc.pulse import country_panels
from isoc.pulse.importing import Importer, Parsed, SourceInfo, import_file
from isoc.pulse.models import IndicatorValue


class SmallWB(Importer):
    """A tiny World Bank-like dataset so tests know every value."""

    name = "test-small"
    version = "1"
    dataset_kind = "indicator"
    source = SourceInfo(slug="small", name="Small Bank", publisher="Small publisher", licence="CC BY 4.0")

    def __init__(self, indicator="SP.POP.TOTL", values=None, **options):
        super().__init__(**options)
        self.indicator = indicator
        self.values = values or []

    def dataset_slug(self, path):
        return "small-" + self.indicator.lower().replace(".", "-")

    def parse(self, path):
        return Parsed(self.values, meta={"title": f"Small {self.indicator}"})

    def apply(self, dataset, rows):
        IndicatorValue.objects.bulk_create(IndicatorValue(dataset=dataset, indicator=self.indicator, country_id=c,
                                                          year=y, value=v) for c, y, v in rows)
        return len(rows)


@pytest.fixture
def small(db, tmp_path):
    pop = tmp_path / "pop.csv"
    pop.write_text("population")
    gdp = tmp_path / "gdp.csv"
    gdp.write_text("gdp")
    import_file(SmallWB("SP.POP.TOTL", [("KE", 2019, 51.0e6), ("KE", 2020, 52.0e6), ("FR", 2020, 67.0e6)]), pop)
    import_file(SmallWB("NY.GDP.MKTP.CD", [("KE", 2020, 1.0e11), ("KE", 2021, 1.1e11)]), gdp)


def test_countries_with_regions_and_region_filter(client, db):
    body = client.get("/api/v1/pulse/countries", {"region": "isoc-middle-east", "page_size": 500}).json()
    codes = {c["code"] for c in body["items"]}
    assert body["count"] == len(codes) and {"SA", "IR", "AE"} <= codes and "TR" not in codes
    everything = client.get("/api/v1/pulse/countries", {"page_size": 500}).json()
    assert everything["count"] == 249
    ke = next(c for c in everything["items"] if c["code"] == "KE")
    assert ke["isoc_region"]["name"] == "Africa" and ke["m49_subregion"]["slug"] == "m49-202"


def test_country_detail_has_series_naming_dataset(client, small):
    body = client.get("/api/v1/pulse/countries/ke").json()
    pop = next(s for s in body["series"] if s["indicator"] == "SP.POP.TOTL")
    assert pop["values"] == [[2019, 51.0e6], [2020, 52.0e6]]
    assert pop["dataset"]["slug"] == "small-sp-pop-totl" and pop["dataset"]["source"] == "Small Bank"
    assert client.get("/api/v1/pulse/countries/zz").json() == {"detail": "Not found.", "errors": []}


def test_datasets_and_provenance_with_runs(client, small):
    items = client.get("/api/v1/pulse/datasets").json()["items"]
    assert {d["slug"] for d in items} == {"small-sp-pop-totl", "small-ny-gdp-mktp-cd"}
    body = client.get("/api/v1/pulse/datasets/small-sp-pop-totl").json()
    assert body["source"]["publisher"] == "Small publisher" and body["origin"] == "pop.csv"
    assert body["importer"] == "test-small" and body["rows"] == 3
    assert [r["outcome"] for r in body["runs"]] == ["applied"]
    assert set(body["downloads"]) == {"csv", "json", "parquet"}


def test_indicators_filtered_and_paginated(client, small):
    body = client.get("/api/v1/pulse/indicators", {"indicator": "SP.POP.TOTL", "country": "ke", "from": 2020}).json()
    assert body == {"count": 1, "items": [{"indicator": "SP.POP.TOTL", "country": "KE", "year": 2020,
                                           "value": 52.0e6, "dataset": "small-sp-pop-totl"}]}
    page = client.get("/api/v1/pulse/indicators", {"page_size": 2, "page": 2}).json()
    assert page["count"] == 5 and len(page["items"]) == 2
    bad = client.get("/api/v1/pulse/indicators", {"to": "soon"})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "to"


def test_downloads_in_three_formats_agree(client, small):
    url = "/api/v1/pulse/datasets/small-sp-pop-totl/download/"
    response = client.get(url + "csv")
    assert response["Content-Disposition"] == 'attachment; filename="small-sp-pop-totl.csv"'
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0] == ["indicator", "country", "year", "value"] and len(rows) == 4
    assert ["SP.POP.TOTL", "KE", "2019", "51000000.0"] in rows
    as_json = client.get(url + "json").json()
    assert as_json["dataset"]["licence"] == "CC BY 4.0" and len(as_json["rows"]) == 3
    assert {"indicator": "SP.POP.TOTL", "country": "FR", "year": 2020, "value": 67.0e6} in as_json["rows"]
    table = pq.read_table(io.BytesIO(client.get(url + "parquet").content))
    assert table.num_rows == 3 and table.column("value").to_pylist().count(52.0e6) == 1
    assert json.loads(table.schema.metadata[b"isoc.dataset"])["source"] == "Small Bank"
    assert client.get(url + "xlsx").status_code == 422


def test_pages_name_sources_and_link_downloads(client, small):
    index = client.get("/pulse/").content.decode()
    assert "Small SP.POP.TOTL" in index and "Small Bank" in index and "/pulse/countries/ke/" in index
    page = client.get("/pulse/datasets/small-sp-pop-totl/").content.decode()
    assert "Small publisher" in page and "CC BY 4.0" in page and "pop.csv" in page
    assert "/api/v1/pulse/datasets/small-sp-pop-totl/download/parquet" in page
    country = client.get("/pulse/countries/ke/").content.decode()
    assert "52,000,000" in country and 'href="/pulse/datasets/small-sp-pop-totl/"' in country
    assert client.get("/pulse/countries/zz/").status_code == 404
    assert client.get("/pulse/datasets/nothing/").status_code == 404


def test_country_panels_registry(client, db):
    from django.template import Template

    def panel(request, country):
        if country.code != "KE":
            return None
        return country_panels.Panel(title="Test panel", template=Template("<p>panel body {{ x }} {{ country.code }}</p>"),
                                    context={"x": 41})

    country_panels.register(panel)
    try:
        ke = client.get("/pulse/countries/ke/").content.decode()
        fr = client.get("/pulse/countries/fr/").content.decode()
    finally:
        country_panels.unregister(panel)
    assert "Test panel" in ke and "<p>panel body 41 KE</p>" in ke
    assert "Test panel" not in fr


@pytest.mark.parametrize("url", ["/api/v1/pulse/datasets/a%00b", "/api/v1/pulse/countries/%00",
                                 "/pulse/datasets/a%00b/", "/pulse/countries/%00/", "/pulse/countries/k%00/",
                                 "/pulse/stories/?country=%00&topic=%00x"])
def test_nul_bytes_are_refused_not_errors(client, db, url):
    assert client.get(url).status_code in (200, 404, 422)
