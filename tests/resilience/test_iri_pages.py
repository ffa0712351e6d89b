"""Pages, API and CLI of the index, on a small computed quarter: visitor, member and
staff see the same public pages; the what-if view recomputes without storing; bad input
gives a 4xx (the API's in the shared error shape); downloads carry every input."""

from __future__ import annotations

import csv
import io
import json

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from isoc.pulse.models import Dataset, DataSource
from isoc.resilience import services
from isoc.resilience.inputs import POPULATION, Input
from isoc.resilience.models import CountryScore, InputValue
from isoc.site.cli import app

pytestmark = pytest.mark.django_db
Q1, Q2 = "2026-Q1", "2026-Q2"
COUNTRIES = ("FR", "DE", "KE", "BR", "IN", "JP")


@pytest.fixture
def computed():
    source = DataSource.objects.create(slug="test-src", name="Test source", publisher="Tests", licence="CC0")
    dataset = Dataset.objects.create(source=source, slug="test-inputs", title="Test inputs", kind="indicator",
                                     origin="test", importer="test", importer_version="1")
    for step, quarter in enumerate((Q1, Q2)):
        rows = []
        for n, cc in enumerate(COUNTRIES):
            rows.append(Input(cc, POPULATION, 1e6 * (n + 1), dataset))
            for code in ("ipv6-adoption", "fixed-download", "mobile-download", "https-adoption", "gdp-per-capita", "ixps"):
                rows.append(Input(cc, code, 10.0 * (n + 1) + step, dataset))
        services.record_inputs(quarter, rows)
        services.compute_quarter(quarter)
    return dataset


@pytest.fixture(params=["visitor", "member", "staff"])
def any_client(request, client, person, staff):
    if request.param == "member":
        client.force_login(person)
    elif request.param == "staff":
        client.force_login(staff)
    return client


def test_overview_map_and_table(any_client, computed):
    r = any_client.get("/pulse/resilience/")
    html = r.content.decode()
    assert r.status_code == 200
    assert html.count('<g class="sd-country">') == len(COUNTRIES)
    assert "#in\"" in html and Q2 in html
    assert html.index("India") < html.index("France")  # ranked
    r = any_client.get(f"/pulse/resilience/?quarter={Q1}&region=isoc-africa")
    html = r.content.decode()
    assert r.status_code == 200 and "Kenya" in html and "France" not in html.split("Ranking")[1]


def test_overview_bad_filters_and_no_scores(client, computed):
    assert client.get("/pulse/resilience/?region=nowhere").status_code == 400
    assert client.get("/pulse/resilience/?quarter=1999-Q1").status_code == 400
    CountryScore.objects.all().delete()
    r = client.get("/pulse/resilience/")
    assert r.status_code == 200 and "No scores computed yet" in r.content.decode()


def test_country_breakdown(any_client, computed):
    r = any_client.get("/pulse/resilience/countries/ke/")
    html = r.content.decode()
    assert r.status_code == 200
    for text in ("Pillars and dimensions", "Change over quarters", Q1, "Test inputs", "Traffic localisation", "missing",
                 "Peers", "Africa"):
        assert text in html, text
    assert any_client.get("/pulse/resilience/countries/zz/").status_code == 404
    assert any_client.get("/pulse/resilience/countries/us/").status_code == 404  # no score


def test_country_panel_on_the_pulse_page(client, computed):
    html = client.get("/pulse/countries/ke/").content.decode()
    assert "Internet Resilience Index" in html and "/pulse/resilience/countries/ke/" in html


def test_methodology_from_the_configuration(client):
    html = client.get("/pulse/resilience/methodology/").content.decode()
    for text in ("2026.1", "Tukey", "linear interpolation", "IXPs per population", "routing:invalid-share", "lower", "50"):
        assert text in html, text


def test_what_if(any_client, computed):
    before = CountryScore.objects.get(quarter=Q2, country="FR").overall
    r = any_client.get("/pulse/resilience/what-if/?country=fr&indicator=fixed-download&value=500")
    html = r.content.decode()
    assert r.status_code == 200 and 'id="new-overall"' in html
    after = float(html.split('id="new-overall">')[1].split("<")[0])
    assert after > before
    assert CountryScore.objects.get(quarter=Q2, country="FR").overall == before  # nothing stored
    assert InputValue.objects.get(quarter=Q2, country="FR", indicator="fixed-download").value == 11


@pytest.mark.parametrize("query", ["country=fr&indicator=fixed-download&value=fast", "country=zz&indicator=ixps&value=1",
                                   "country=fr&indicator=nope&value=1", "country=fr&indicator=ixps&value=-1",
                                   "country=fr&indicator=ixps&value=inf"])
def test_what_if_bad_input_is_a_form_error(client, computed, query):
    r = client.get(f"/pulse/resilience/what-if/?{query}")
    assert r.status_code == 400 and 'class="errorlist' in r.content.decode()


def test_what_if_from_a_country_page_is_not_an_error(client, computed):
    r = client.get(f"/pulse/resilience/what-if/?country=ke&quarter={Q1}")
    html = r.content.decode()
    assert r.status_code == 200 and 'class="errorlist' not in html and '<option value="ke" selected>' in html


def test_what_if_without_population_for_a_per_capita_indicator(client, computed):
    InputValue.objects.filter(country="FR", indicator=POPULATION).delete()
    r = client.get(f"/pulse/resilience/what-if/?country=fr&indicator=ixps&value=3&quarter={Q2}")
    assert r.status_code == 400 and "no population figure" in r.content.decode()


def test_download_csv_and_parquet(client, computed):
    r = client.get(f"/pulse/resilience/download/?quarter={Q2}")
    assert r.status_code == 200 and r["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(b"".join(r.streaming_content).decode())))
    assert len(rows) == len(COUNTRIES)
    fr = next(row for row in rows if row["country"] == "FR")
    assert fr["fixed-download:raw"] == "11.0" and fr["fixed-download:dataset"] == "test-inputs"
    assert fr["population"] == "1000000.0" and fr["data-centres:raw"] == ""
    r = client.get("/pulse/resilience/download/?format=parquet")
    table = pq.read_table(io.BytesIO(r.content))
    assert table.num_rows == 2 * len(COUNTRIES) and "pillar:security" in table.column_names
    assert client.get("/pulse/resilience/download/?format=xls").status_code == 400
    assert client.get("/pulse/resilience/download/?quarter=2020-Q1").status_code == 404


# --- API ---------------------------------------------------------------------------------


def test_api_scores_country_methodology_what_if(client, computed):
    data = client.get("/api/v1/pulse/resilience/scores?region=isoc-africa").json()
    assert data["quarter"] == Q2 and [s["country"] for s in data["scores"]] == ["KE"]
    data = client.get(f"/api/v1/pulse/resilience/countries/fr?quarter={Q1}").json()
    assert data["quarter"] == Q1 and len(data["history"]) == 2 and data["region_mean"]["region"] == "isoc-europe"
    assert next(i for i in data["inputs"] if i["indicator"] == "ixps")["dataset"] == "test-inputs"
    tree = client.get("/api/v1/pulse/resilience/methodology").json()
    assert tree["version"] == "2026.1" and len(tree["pillars"]) == 4
    data = client.get("/api/v1/pulse/resilience/what-if?country=FR&indicator=fixed-download&value=500").json()
    assert data["after"]["overall"] > data["before"]["overall"] and data["old_value"] == 11
    assert client.get("/api/v1/pulse/resilience/download?format=parquet").status_code == 200


@pytest.mark.parametrize(("url", "status"), [
    ("/api/v1/pulse/resilience/scores?quarter=2026-Q9", 422),
    ("/api/v1/pulse/resilience/scores?quarter=2020-Q1", 404),
    ("/api/v1/pulse/resilience/scores?region=nowhere", 422),
    ("/api/v1/pulse/resilience/countries/zz", 404),
    ("/api/v1/pulse/resilience/countries/us", 404),
    ("/api/v1/pulse/resilience/countries/f1", 422),
    ("/api/v1/pulse/resilience/methodology?version=1999.1", 404),
    ("/api/v1/pulse/resilience/what-if?country=fr&indicator=nope&value=1", 422),
    ("/api/v1/pulse/resilience/what-if?country=zz&indicator=ixps&value=1", 422),
    ("/api/v1/pulse/resilience/what-if?country=fr&indicator=ixps&value=-1", 422),
    ("/api/v1/pulse/resilience/what-if?country=fr&indicator=ixps", 422),
    ("/api/v1/pulse/resilience/download?format=xls", 422),
    ("/api/v1/pulse/resilience/download?quarter=2020-Q1", 404),
])
def test_api_errors_have_the_shared_shape(client, computed, url, status):
    r = client.get(url)
    assert r.status_code == status
    body = r.json()
    assert set(body) == {"detail", "errors"}


def test_api_before_any_computation(client):
    r = client.get("/api/v1/pulse/resilience/scores")
    assert r.status_code == 404 and r.json()["detail"] == "No scores computed yet."


# --- CLI ---------------------------------------------------------------------------------


def _cli(*args):
    return CliRunner().invoke(app, ["resilience", *args], env={"COLUMNS": "300"})


def test_cli_compute_export_and_errors(computed, tmp_path):
    r = _cli("compute", "--quarter", Q2)
    assert r.exit_code == 0, r.output
    assert "6 countries" in r.output and "1. JP" in r.output
    r = _cli("export", "--quarter", Q2)
    assert r.exit_code == 0 and r.output.startswith("quarter,version,country")
    out = tmp_path / "iri.parquet"
    assert _cli("export", "--format", "parquet", "--out", str(out)).exit_code == 0
    assert pq.read_table(out).num_rows == 12
    r = _cli("compute", "--quarter", "2026-Q7")
    assert r.exit_code == 2 and "not a quarter" in r.output
    r = _cli("compute", "--quarter", "2020-Q1")
    assert r.exit_code == 2 and "No input values" in r.output
    assert _cli("export", "--quarter", "2020-Q1").exit_code == 2


def test_cli_import_collect_and_check_config(tmp_path):
    f = tmp_path / "v.csv"
    f.write_text("quarter,country,indicator,value\n2026-Q2,FR,fixed-download,100\n")
    r = _cli("import-inputs", str(f), "--source", "S", "--publisher", "P", "--licence", "CC0")
    assert r.exit_code == 0 and "1 input values imported" in r.output
    f.write_text("quarter,country,indicator,value\n2026-Q2,FR,fixed-download,x\n")
    r = _cli("import-inputs", str(f), "--source", "S", "--publisher", "P", "--licence", "CC0")
    assert r.exit_code == 2 and "row 2" in r.output
    assert _cli("collect", "--quarter", "2026-Q2").exit_code == 0
    assert _cli("check-config", "src/isoc/resilience/config/iri-2026.1.yaml").exit_code == 0
    bad = tmp_path / "bad.yaml"
    bad.write_text(json.dumps({"version": "x", "pillars": [{"code": "a", "name": "A", "dimensions": []}]}))
    r = _cli("check-config", str(bad))
    assert r.exit_code == 2 and "pillars[0].dimensions" in r.output
