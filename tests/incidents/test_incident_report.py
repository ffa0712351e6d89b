"""The annual report: HTML and a PDF that really renders (pdftoppm), from the CLI
(`isoc incidents report` and `isoc trust report`) and the service."""

from __future__ import annotations

import json

import pytest
from incident_samples import record
from pdf_pages import ink, rendered_pages
from typer.testing import CliRunner

from isoc.incidents import report, services, veris
from isoc.site.cli import app

pytestmark = pytest.mark.django_db


def store(**changes):
    dataset = services.vcdb_dataset()
    rec = veris.read_record(json.dumps(record(**changes)))
    return services.store_record(rec, dataset, origin="test")[0]


@pytest.fixture
def incidents():
    store(incident_id="r1")  # 2023, error/Misconfiguration (preventable), healthcare, 2 weeks
    store(incident_id="r2", action={"social": {"variety": ["Pretexting"], "vector": ["Phone"], "target": ["Unknown"]}},
          timeline={"incident": {"year": 2023}, "discovery": {"unit": "Days", "value": 30}})
    store(incident_id="r3", timeline={"incident": {"year": 2021}})


@pytest.mark.parametrize("group", ["trust", "incidents"])
def test_the_report_command_writes_html_and_a_pdf_that_renders(incidents, tmp_path, group):
    result = CliRunner().invoke(app, [group, "report", "--year", "2023", "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    html = (tmp_path / "out" / "cyber-incident-breach-trends-2023.html").read_text()
    assert "Cyber Incident &amp; Breach Trends 2023" in html
    assert html.count("<svg") == 4  # by type, by sector, by year, median time to discovery
    assert "50.0 %" in html and "1 of 2 incidents" in html  # preventable: r1 of r1, r2
    assert "22 days" in html  # median of 14 and 30
    assert "http" not in html.split("<body>")[0]  # nothing fetched: styles inline
    pages = rendered_pages(tmp_path / "out" / "cyber-incident-breach-trends-2023.pdf", tmp_path)
    assert len(pages) > 0
    assert ink(pages[0]) > 0.01


def test_the_report_in_another_language(incidents, tmp_path):
    written = report.write(2023, tmp_path, language="fr")
    assert 'lang="fr"' in written.html.read_text() and written.pdf.read_bytes().startswith(b"%PDF")


def test_a_year_without_incidents_is_refused_naming_the_years(incidents, tmp_path):
    result = CliRunner().invoke(app, ["trust", "report", "--year", "2019", "--out", str(tmp_path)])
    assert result.exit_code == 2
    assert "no incidents of 2019" in " ".join(result.output.split()) and "2021, 2023" in result.output
    assert not list(tmp_path.iterdir())


def test_an_unknown_language_is_refused(incidents, tmp_path):
    result = CliRunner().invoke(app, ["trust", "report", "--year", "2023", "--out", str(tmp_path), "--language", "xx"])
    assert result.exit_code == 2 and "--language" in result.output
