"""Every bulk task, run twice (as a redelivery after a lost worker would), leaves the state
one run leaves. Eager mode: the task runs in this process, exactly as in a worker."""

from __future__ import annotations

import re
import socket
from datetime import UTC, datetime, timedelta

import pytest
from jobs_helpers import write_indicator_files

pytestmark = pytest.mark.django_db


def _import_state():
    from isoc.pulse.models import Dataset, ImportRun, IndicatorValue

    return (sorted(Dataset.objects.values_list("slug", "sha256")),
            sorted(IndicatorValue.objects.values_list("dataset__slug", "country_id", "year", "value")),
            ImportRun.objects.filter(outcome="applied").count())


def test_run_import_twice(tmp_path):
    from isoc.pulse.tasks import run_import

    [path] = write_indicator_files(tmp_path, 1, countries=5, years=range(2010, 2013))
    first = run_import.delay("worldbank", str(path)).get()
    state = _import_state()
    again = run_import.delay("worldbank", str(path)).get()
    assert (first["outcome"], again["outcome"]) == ("applied", "unchanged")
    assert _import_state() == state and state[2] == 1 and len(state[1]) == 15


def test_run_import_finds_a_file_under_the_data_folder_by_its_shared_name(settings, tmp_path):
    from isoc.pulse.tasks import run_import
    from isoc.site.celery import local_path, shared_path

    settings.DATA_DIR = tmp_path
    [path] = write_indicator_files(tmp_path / "incoming", 1, countries=3, years=range(2010, 2011))
    name = shared_path(path)
    assert name == "$ISOC_DATA_DIR/incoming/" + path.name and local_path(name) == path
    assert run_import.delay("worldbank", name).get()["outcome"] == "applied"
    assert shared_path("/srv/elsewhere/x.csv") == "/srv/elsewhere/x.csv"  # outside: absolute, as given


def test_detect_outages_twice(settings, tmp_path):
    from isoc.shutdowns.demo_signals import Outage, generate_demo_signals
    from isoc.shutdowns.models import DetectedOutage
    from isoc.shutdowns.tasks import detect_outages

    settings.DATA_DIR = tmp_path
    end = datetime(2026, 3, 1, tzinfo=UTC)
    start = end - timedelta(days=8)
    generate_demo_signals(["IR"], days=10, seed=1, outages=[Outage("IR", start, start + timedelta(hours=6), 0.1)], end=end)
    first = detect_outages.delay().get()
    state = sorted(DetectedOutage.objects.values_list("country_id", "asn", "starts_at", "ends_at", "state"))
    again = detect_outages.delay().get()
    assert first["detected"] == again["detected"] == 1 and first["ids"] == again["ids"]
    assert sorted(DetectedOutage.objects.values_list("country_id", "asn", "starts_at", "ends_at", "state")) == state


def _closed_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_scan_batch_twice(settings, tmp_path):
    """A resolver that answers nothing: every domain is measured quickly as unresolved,
    which is a full result row like any other."""
    from isoc.enablers.config import Resolver, ScanConfig
    from isoc.enablers.models import DomainSummary, Scan, ScanFile
    from isoc.enablers.tasks import config_to_dict, scan_batch

    settings.DATA_DIR = tmp_path
    config = config_to_dict(ScanConfig(resolvers=(Resolver("127.0.0.1", _closed_port()),), timeout=0.05, retries=0,
                                       domain_deadline=2, concurrency=8))
    domains = ["a.invalid", "b.invalid", "c.invalid"]
    out = str(tmp_path / "scans")
    first = scan_batch.delay(domains, out, "scan-20260105T000000", 7, config).get()
    state = (Scan.objects.count(), ScanFile.objects.count(), sorted(DomainSummary.objects.values_list("domain", flat=True)))
    again = scan_batch.delay(domains, out, "scan-20260105T000000", 7, config).get()
    assert (first["measured"], again["measured"]) == (3, 0)
    assert first["files"] == again["files"] and len(first["files"]) == 1
    assert first["files"][0].endswith("scan-20260105T000000-b00007-000.parquet")
    assert state == (1, 1, domains)
    assert (Scan.objects.count(), ScanFile.objects.count(),
            sorted(DomainSummary.objects.values_list("domain", flat=True))) == state


def test_write_report_twice(settings, tmp_path):
    from isoc.incidents.demo import generate
    from isoc.incidents.tasks import write_report

    settings.DATA_DIR = tmp_path
    generate(size=20, today=datetime(2026, 6, 1).date())
    first = write_report.delay(2023, str(tmp_path / "reports")).get()
    html = _undated((tmp_path / "reports").joinpath(first["html"].rsplit("/", 1)[1]).read_text())
    again = write_report.delay(2023, str(tmp_path / "reports")).get()
    assert first == again
    assert sorted(p.suffix for p in (tmp_path / "reports").iterdir()) == [".html", ".pdf"]
    assert _undated((tmp_path / "reports").joinpath(again["html"].rsplit("/", 1)[1]).read_text()) == html


def _undated(html: str) -> str:
    """The report without its "generated at" time."""
    return re.sub(r"<time[^>]*>[^<]*</time>", "", html)
