"""The enabling technologies pages, the country section, the API, the admin, the demo and the CLI."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from enapp_helpers import result, write
from typer.testing import CliRunner

from isoc.enablers import demo, geo, services
from isoc.enablers.models import AdoptionFigure, DomainSummary, Scan, ThirdPartyAdoption

pytestmark = pytest.mark.django_db
HOSTING = geo.HostingMap(routes=geo.RouteTable.from_routes([("192.0.2.0/24", 64500)]), asn_countries={64500: "FR"})


@pytest.fixture
def measured(tmp_path):
    path = write(tmp_path / "scan-pages-00000.parquet", [
        result("shop.example.fr", "scan-pages", passed=["ipv6", "https", "tls13"], failed=["hsts", "dnssec"],
               why={"hsts": "no Strict-Transport-Security header", "dnssec": "zone is not signed (insecure)"},
               errors={"starttls": "timed out after 5.0 s"}),
        result("bank.example.de", "scan-pages", passed=["https", "hsts"], failed=["ipv6"]),
        result("news.example.com", "scan-pages", passed=["https"], failed=["ipv6", "hsts"]),
    ])
    return services.record_scan(path, hosting=HOSTING).scan


def test_overview_shows_the_trend_with_the_latest_share(client, measured):
    page = client.get("/pulse/enablers/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "scan-pages" in html and "Global adoption over time" in html
    assert "33.3% of 3 measured domains" in html  # IPv6: 1 of 3
    assert "our measurement" in html and "<svg" in html


def test_overview_without_scans_says_so(client):
    html = client.get("/pulse/enablers/").content.decode()
    assert "No scan recorded yet" in html


def test_domain_lookup_shows_every_check_and_why(client, measured):
    page = client.get("/pulse/enablers/domain/", {"domain": "https://Shop.Example.FR/some/page"})
    assert page.status_code == 200
    html = page.content.decode()
    assert "shop.example.fr" in html and "no Strict-Transport-Security header" in html
    assert 'id="check-hsts"' in html and "failed" in html and "not measured" in html
    assert "probe error: timed out after 5.0 s" in html


def test_unknown_and_invalid_domains_get_clear_messages(client, measured):
    page = client.get("/pulse/enablers/domain/", {"domain": "nowhere.example.net"})
    assert page.status_code == 404 and "is not in our measured set" in page.content.decode()
    page = client.get("/pulse/enablers/domain/", {"domain": "not a domain!"})
    assert page.status_code == 200 and "not a valid domain name" in page.content.decode()
    assert client.get("/pulse/enablers/domain/").status_code == 200


def test_methodology_explains_countries_and_checks(client):
    html = client.get("/pulse/enablers/methodology/").content.decode()
    assert "How a domain gets a country" in html and "Strict-Transport-Security" in html


def test_country_page_section_compares_with_region_and_world(client, measured):
    html = client.get("/pulse/countries/fr/").content.decode()
    assert "Enabling technologies" in html and "Domains under its ccTLD" in html and "Domains hosted there" in html
    # FR by ccTLD: shop only → IPv6 100%; world 33.3%; region (Europe: FR and DE pooled) 1 of 2 → 50%.
    assert "100.0%" in html and "33.3%" in html and "50.0%" in html
    assert "No enabling technologies measurement" in client.get("/pulse/countries/br/").content.decode()


def test_api_scans_adoption_country_domain(client, measured):
    assert client.get("/api/v1/pulse/enablers/scans").json()[0]["identifier"] == "scan-pages"
    assert len(client.get("/api/v1/pulse/enablers/scans", {"limit": 1}).json()) == 1
    assert client.get("/api/v1/pulse/enablers/scans", {"limit": 0}).status_code == 422
    trend = client.get("/api/v1/pulse/enablers/adoption", {"technology": "ipv6"}).json()
    assert trend["ours"][0]["percent"] == 33.3 and trend["ours"][0]["provenance"] == "isoc measurement, scan scan-pages, 3 domains"
    fr = client.get("/api/v1/pulse/enablers/countries/FR").json()
    assert {m["method"] for m in fr["methods"]} == {"cctld", "hosting"}
    dom = client.get("/api/v1/pulse/enablers/domains/shop.example.fr").json()
    hsts = next(c for c in dom["checks"] if c["name"] == "hsts")
    assert hsts == {"name": "hsts", "label": "HSTS", "result": "failed", "why": "no Strict-Transport-Security header", "error": ""}
    assert dom["cctld_country"] == "FR" and dom["hosting_asn"] == 64500


@pytest.mark.parametrize(("url", "status"), [
    ("/api/v1/pulse/enablers/domains/nowhere.example.net", 404),
    ("/api/v1/pulse/enablers/domains/bad%20name", 422),
    ("/api/v1/pulse/enablers/countries/ZZ", 404),
    ("/api/v1/pulse/enablers/countries/FRA", 422),
    ("/api/v1/pulse/enablers/adoption?technology=telnet", 422),
    ("/api/v1/pulse/enablers/adoption?method=cctld", 422),
    ("/api/v1/pulse/enablers/adoption?country=QQ&method=cctld", 422),
    ("/api/v1/pulse/enablers/figures/download?format=xlsx", 422),
])
def test_api_errors_have_the_shared_shape(client, measured, url, status):
    response = client.get(url)
    assert response.status_code == status
    assert set(response.json()) == {"detail", "errors"}


def test_figures_download_csv_and_parquet(client, measured, tmp_path):
    response = client.get("/api/v1/pulse/enablers/figures/download", {"format": "csv", "technology": "ipv6"})
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    world = next(r for r in rows if r["method"] == "global")
    assert (world["adopted"], world["measured"]) == ("1", "3")
    response = client.get("/api/v1/pulse/enablers/figures/download", {"format": "parquet"})
    (tmp_path / "f.parquet").write_bytes(response.content)
    assert pq.read_table(tmp_path / "f.parquet").num_rows == AdoptionFigure.objects.count()


def test_scan_dataset_downloads_per_domain_rows(client, measured):
    response = client.get(f"/api/v1/pulse/datasets/{measured.dataset.slug}/download/csv")
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode() if response.streaming else response.content.decode()
    assert "shop.example.fr" in text and "hsts" in text.splitlines()[0]


@pytest.mark.parametrize("who", ["visitor", "member", "staff"])
def test_pages_are_public_and_the_admin_is_staff_only(client, measured, person, staff, who):
    if who == "member":
        client.force_login(person)
    elif who == "staff":
        client.force_login(staff)
    for url in ("/pulse/enablers/", "/pulse/enablers/methodology/", "/pulse/enablers/domain/?domain=shop.example.fr"):
        assert client.get(url).status_code == 200
    admin = client.get("/admin/enablers/scan/")
    assert admin.status_code == (200 if who == "staff" else 302)
    if who == "staff":  # read-only: figures come from scans, not from typing
        assert client.get("/admin/enablers/scan/add/").status_code == 403


def test_demo_generates_labelled_scans_and_reset_removes_them(client, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    report = demo.generate()
    assert report == {"scans": demo.SCANS, "domains": len(demo.domains())}
    assert Scan.objects.filter(is_demo=True).count() == demo.SCANS and all(s.dataset.is_demo for s in Scan.objects.all())
    assert demo.generate() == {"scans": 0, "domains": 0}  # nothing twice
    failing = DomainSummary.objects.filter(domain=demo.DEMO_HSTS_FAILING).order_by("-scan__started_at").first()
    assert failing.checks["hsts"] is False and failing.why["hsts"] == "no Strict-Transport-Security header"
    html = client.get("/pulse/enablers/").content.decode()
    assert "demo" in html and "APNIC (demo)" in html
    demo.remove()
    assert not Scan.objects.exists() and not ThirdPartyAdoption.objects.exists()
    assert not (Path(tmp_path) / demo.DEMO_DIR).exists()


def test_cli_record_aggregate_and_import(tmp_path, settings):
    from isoc.site.cli import app

    settings.DATA_DIR = tmp_path
    runner = CliRunner()
    path = write(tmp_path / "scan-cli-00000.parquet", [result("a.example.fr", "scan-cli", passed=["ipv6"])])
    bad = tmp_path / "bad.parquet"
    bad.write_bytes(b"nope")
    out = runner.invoke(app, ["enablers", "record", str(path), str(bad)])
    assert out.exit_code == 1 and "recorded, scan scan-cli, 1 domains" in out.output and "bad.parquet" in out.output
    out = runner.invoke(app, ["enablers", "record", str(path)])
    assert out.exit_code == 0 and "unchanged" in out.output
    out = runner.invoke(app, ["enablers", "aggregate"])
    assert out.exit_code == 0 and "scan-cli: " in out.output
    assert runner.invoke(app, ["enablers", "aggregate", "--scan", "nope"]).exit_code == 2
    series = tmp_path / "apnic.csv"
    series.write_text("CC,IPv6 Capable\nFR,78.3%\n")
    out = runner.invoke(app, ["enablers", "import-ipv6", "--source", "apnic", "--date", "2026-01-01", str(series)])
    assert out.exit_code == 0 and "applied" in out.output
    assert ThirdPartyAdoption.objects.get().percent == 78.3
    series.write_text("CC,IPv6 Capable\nFR,lots\n")
    out = runner.invoke(app, ["enablers", "import-ipv6", "--source", "google", str(series)])
    assert out.exit_code == 1 and "rejected" in out.output
    assert runner.invoke(app, ["enablers", "import-ipv6", "--source", "bing", str(series)]).exit_code == 2
