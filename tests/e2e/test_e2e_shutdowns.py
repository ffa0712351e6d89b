"""The shutdowns tracker in a browser: open the overview, filter to a country and a
year, open an event, see its signals chart and its sources, download its CSV."""

from __future__ import annotations

import csv
import io
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from crawl import axe_violations, describe, page_problems
from playwright.sync_api import expect

SHOTS = Path(os.environ.get("ISOC_E2E_SCREENSHOTS", "")) if os.environ.get("ISOC_E2E_SCREENSHOTS") else None


def at(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def make_tracker(data_dir: Path):
    """Published events in three countries (one draft), two sources, one signal with an alert."""
    from isoc.pulse.models import Country, Dataset, DataSource
    from isoc.shutdowns.models import (
        DetectedOutage,
        EventSource,
        Evidence,
        ReviewState,
        ShutdownEvent,
    )
    from isoc.shutdowns.signals import store_series

    def event(code, start, hours, **fields):
        return ShutdownEvent.objects.create(
            country=Country.objects.get(code=code), starts_at=start, ends_at=start + timedelta(hours=hours),
            review_state=fields.pop("state", ReviewState.PUBLISHED), meets_deliberate=True,
            meets_removes_access=True, meets_affects_group=True, **fields)

    access_now = DataSource.objects.create(slug="accessnow", name="Access Now #KeepItOn", publisher="Access Now",
                                           licence="CC BY 4.0")
    keepiton = Dataset.objects.create(source=access_now, slug="keepiton-stop", title="#KeepItOn STOP dataset",
                                      kind=Dataset.Kind.EVENTS, origin="stop.xlsx", importer="keepiton", importer_version="1")
    ioda_source = DataSource.objects.create(slug="ioda", name="IODA", publisher="Georgia Tech", licence="research use")
    ioda = Dataset.objects.create(source=ioda_source, slug="ioda-outages", title="IODA hand-investigated outages",
                                  kind=Dataset.Kind.EVENTS, origin="outages.csv", importer="ioda", importer_version="1")
    atlas_source = DataSource.objects.create(slug="ripe-atlas", name="RIPE Atlas", publisher="RIPE NCC", licence="RIPE NCC")
    atlas = Dataset.objects.create(source=atlas_source, slug="atlas-probes", title="RIPE Atlas connected probes",
                                   kind=Dataset.Kind.SIGNAL, origin="disco", importer="ihr-disco", importer_version="1")

    for year in (2021, 2022, 2023):
        event("IN", at(year, 3, 10, 4), 20, shutdown_type="mobile", reason="exams", area="Rajasthan")
    event("ET", at(2023, 2, 9), 24 * 30, shutdown_type="service", services="Facebook, Telegram", reason="conflict")
    event("SD", at(2023, 4, 15), 24 * 6, reason="conflict")
    event("PK", at(2023, 5, 9), 24 * 3, shutdown_type="mobile", reason="protests", state=ReviewState.DRAFT)
    iran = event("IR", at(2023, 9, 20, 16), 30, reason="protests", area="",
                 description="Nationwide disconnection during protests, confirmed by measurement.")
    EventSource.objects.create(event=iran, dataset=keepiton, external_id="2023-IR-41", url="https://example.org/stop/41")
    EventSource.objects.create(event=iran, dataset=ioda, external_id="ioda-2023-0920")
    Evidence.objects.create(event=iran, kind=Evidence.Kind.LINK, label="News report", url="https://example.org/news/ir")
    start = int(at(2023, 9, 17).timestamp())
    times = list(range(start, start + 7 * 86400, 300))
    drop = (int(iran.starts_at.timestamp()), int(iran.ends_at.timestamp()))
    values = [8.0 if drop[0] <= t < drop[1] else 120.0 + (t // 3600) % 5 for t in times]
    signal = store_series(atlas, "IR", "probe-connectivity", times, values)
    outage = DetectedOutage.objects.create(country=iran.country, starts_at=iran.starts_at + timedelta(minutes=15),
                                           ends_at=iran.ends_at - timedelta(minutes=20), score=1.0,
                                           detector_version="1", event=iran)
    outage.signals.add(signal)
    return iran


@pytest.mark.e2e
def test_filter_open_event_see_chart_and_sources_download_csv(page, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    iran = make_tracker(tmp_path)

    page.goto("/pulse/shutdowns/")
    expect(page.get_by_role("heading", name="Internet shutdowns", level=1)).to_be_visible()
    world = page.get_by_role("img", name="World map")
    expect(world).to_be_visible()
    per_country = page.get_by_role("table", name="Published events per country in the selected period")
    expect(per_country.get_by_role("row")).to_have_count(1 + 4)  # header, IN, ET, SD, IR: not the draft (PK)
    expect(page.get_by_text("Pakistan")).to_have_count(0)
    if SHOTS:
        page.screenshot(path=str(SHOTS / "overview.png"), full_page=True)

    # Filter to India in 2023 with the form (no script needed).
    search = page.get_by_role("search", name="Filter shutdowns")
    search.get_by_label("Country").select_option(label="India")
    search.get_by_label("Year").select_option("2023")
    search.get_by_role("button", name="Apply").click()
    page.wait_for_url("**/pulse/shutdowns/?*country=IN*")
    events = page.get_by_role("table", name="Published events, newest first")
    expect(events.get_by_role("row")).to_have_count(2)
    expect(events).to_contain_text("India")
    expect(events.locator('time[datetime="2023-03-10T04:00:00Z"]')).to_have_count(1)
    expect(events.locator('time[datetime^="2022-"]')).to_have_count(0)

    # Open Iran's event from the unfiltered list.
    page.goto("/pulse/shutdowns/?year=2023&country=IR")
    page.get_by_role("table", name="Published events, newest first").get_by_role("link", name="Iran").click()
    expect(page.get_by_role("heading", name="Full network shutdown in Iran", level=1)).to_be_visible()
    chart = page.get_by_role("img", name="Connected probes over time")
    expect(chart).to_be_visible()
    expect(chart.locator("path.sd-series")).not_to_have_count(0)
    expect(chart.locator("rect.sd-window")).to_have_count(1)
    box = chart.bounding_box()
    assert box and box["width"] > 500 and box["height"] > 150
    sources = page.get_by_role("region", name="Sources")
    expect(sources).to_contain_text("Access Now #KeepItOn")
    expect(sources).to_contain_text("IODA")
    expect(sources.get_by_role("link", name="#KeepItOn STOP dataset")).to_have_attribute("href", "/pulse/datasets/keepiton-stop/")
    if SHOTS:
        page.screenshot(path=str(SHOTS / "event.png"), full_page=True)
    # the chart's data, downsampled, is one keyboard action away
    page.get_by_text("Data table (").first.click()
    expect(page.get_by_role("table", name="Connected probes, averaged over equal spans of time")).to_be_visible()

    with page.expect_download() as info:
        page.get_by_role("link", name="Download this event (CSV)").click()
    download = info.value
    assert download.suggested_filename == f"shutdown-{iran.pk}.csv"
    rows = list(csv.DictReader(io.StringIO(Path(download.path()).read_text(encoding="utf-8"))))
    assert len(rows) == 1
    assert rows[0]["country"] == "IR" and rows[0]["starts_at_utc"] == "2023-09-20T16:00:00+00:00"
    assert rows[0]["sources"] == "#KeepItOn STOP dataset (2023-IR-41) | IODA hand-investigated outages (ioda-2023-0920)"


@pytest.mark.e2e
def test_overview_on_a_phone(browsing, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    make_tracker(tmp_path)
    phone = browsing.new_page(viewport={"width": 375, "height": 740}, is_mobile=True)
    phone.goto("/pulse/shutdowns/")
    world = phone.get_by_role("img", name="World map")
    box = world.bounding_box()
    assert box and box["width"] <= 375
    # nothing makes the page scroll sideways: wide tables scroll inside their own box
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375 + 1
    if SHOTS:
        phone.screenshot(path=str(SHOTS / "overview-phone.png"), full_page=True)


@pytest.mark.e2e
def test_shutdowns_pages_meet_wcag_22_aa(page, settings, tmp_path):
    """axe-core on the overview (with a filter error shown), an event with its data table
    open, and a country page, plus the crawl's own checks (no third-party resources,
    errors tied to their fields)."""
    settings.DATA_DIR = tmp_path
    iran = make_tracker(tmp_path)
    found = []
    for path in ("/pulse/shutdowns/", "/pulse/shutdowns/?from=2023-02-31&country=IN",
                 f"/pulse/shutdowns/events/{iran.pk}/", "/pulse/shutdowns/countries/ir/"):
        page.goto(path)
        for details in page.locator("details").all():
            details.evaluate("d => d.open = true")
        violations = axe_violations(page)
        if violations:
            found.append(describe(path, violations))
        found += [f"{path}: {p}" for p in page_problems(page)]
    assert not found, "\n".join(found)
