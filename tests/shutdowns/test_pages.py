"""Shutdowns pages through the Django client: the overview's filters, map and counts;
an event's page (drafts hidden from the public, sources named, signals charted with
their data table), its CSV downloads; a country's shutdowns; the chart API."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from isoc.pulse.models import Country, Dataset, DataSource
from isoc.shutdowns.models import (
    DetectedOutage,
    EventSource,
    Evidence,
    Reason,
    ReviewState,
    ShutdownEvent,
    ShutdownType,
)

pytestmark = pytest.mark.django_db
ROOT_CONFTEST = Path(__file__).resolve().parents[1] / "conftest.py"


@pytest.fixture
def make_person(request):
    """``tests/conftest.py``'s ``make_person`` (every conftest module is named ``conftest``)."""
    return request.config.pluginmanager.get_plugin(str(ROOT_CONFTEST)).make_person


def at(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.fixture
def keepiton():
    source = DataSource.objects.create(slug="accessnow", name="Access Now #KeepItOn", publisher="Access Now",
                                       licence="CC BY 4.0")
    return Dataset.objects.create(source=source, slug="keepiton-stop", title="#KeepItOn STOP dataset",
                                  kind=Dataset.Kind.EVENTS, origin="stop.xlsx", importer="keepiton", importer_version="1")


@pytest.fixture
def ioda():
    source = DataSource.objects.create(slug="ioda", name="IODA", publisher="Georgia Tech", licence="research use")
    return Dataset.objects.create(source=source, slug="ioda-outages", title="IODA hand-investigated outages",
                                  kind=Dataset.Kind.EVENTS, origin="outages.csv", importer="ioda", importer_version="1")


def event(country="IN", start=None, hours=30, *, state=ReviewState.PUBLISHED, **fields):
    return ShutdownEvent.objects.create(
        country=Country.objects.get(code=country), starts_at=start or at(2023, 5, 1, 6),
        ends_at=(start or at(2023, 5, 1, 6)) + timedelta(hours=hours) if hours is not None else None, review_state=state,
        meets_deliberate=True, meets_removes_access=True, meets_affects_group=True, **fields)


@pytest.fixture
def events(keepiton, ioda):
    e1 = event("IN", at(2023, 5, 1, 6), 30, shutdown_type=ShutdownType.MOBILE, reason=Reason.EXAMS, area="Rajasthan",
               description="Mobile Internet cut during the exams.")
    EventSource.objects.create(event=e1, dataset=keepiton, external_id="2023-17", url="https://example.org/keepiton/17")
    EventSource.objects.create(event=e1, dataset=ioda, external_id="ioda-9")
    Evidence.objects.create(event=e1, kind=Evidence.Kind.LINK, label="Press report", url="https://example.org/news")
    e2 = event("IN", at(2022, 8, 3), 5, shutdown_type=ShutdownType.FULL, reason=Reason.PROTESTS)
    e3 = event("IR", at(2023, 9, 20), 72, shutdown_type=ShutdownType.FULL, reason=Reason.PROTESTS)
    e4 = event("ET", at(2023, 2, 9), 24 * 40, shutdown_type=ShutdownType.SERVICE, services="Facebook, Telegram",
               reason=Reason.CONFLICT)
    draft = event("PK", at(2023, 6, 1), 10, state=ReviewState.DRAFT, description="Unchecked report.")
    return {"in23": e1, "in22": e2, "ir": e3, "et": e4, "draft": draft}


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def test_overview_lists_published_events_with_counts_and_map(client, events):
    r = client.get("/pulse/shutdowns/")
    assert r.status_code == 200
    body = text(r)
    for name in ("India", "Iran", "Ethiopia"):
        assert name in body
    assert "Pakistan" not in body, "a draft is listed on the public overview"
    assert r.context["total"] == 4
    # map: a coloured country per country with events, drawn from the cached static geometry
    codes = [c.code for c in r.context["map"]]
    assert codes[0] == "IN" and sorted(codes) == ["ET", "IN", "IR"]
    assert re.search(r'<use href="/static/shutdowns/world[^"]*\.svg#in" fill="#', body)
    # counts by year (chart and table) and by type
    assert r.context["year_rows"] == [(2022, 1, [1, 0, 0]), (2023, 3, [1, 1, 1])]
    assert dict(r.context["type_rows"]) == {"Full network": 2, "Mobile only": 1, "Service blocking": 1}
    assert "<caption>Published events per country in the selected period</caption>" in body


def test_overview_filters_by_country_year_type_and_reason(client, events):
    r = client.get("/pulse/shutdowns/", {"country": "IN", "year": "2023"})
    assert [e.pk for e in r.context["events"]] == [events["in23"].pk]
    assert [(c.code, c.count) for c in r.context["map"]] == [("IN", 1)]
    # the counts by year keep every year (with the country filter)
    assert [y for y, _n, _t in r.context["year_rows"]] == [2022, 2023]
    r = client.get("/pulse/shutdowns/", {"type": "full"})
    assert {e.pk for e in r.context["events"]} == {events["in22"].pk, events["ir"].pk}
    r = client.get("/pulse/shutdowns/", {"reason": "conflict"})
    assert [e.pk for e in r.context["events"]] == [events["et"].pk]


def test_overview_period_counts_events_that_overlap_it(client, events):
    # Ethiopia's 40-day blocking started 9 Feb 2023 and was still going on 1 March.
    r = client.get("/pulse/shutdowns/", {"from": "2023-03-01", "to": "2023-03-05"})
    assert [e.pk for e in r.context["events"]] == [events["et"].pk]
    # from/to win over year
    r = client.get("/pulse/shutdowns/", {"year": "2022", "from": "2023-09-01", "to": "2023-12-31"})
    assert [e.pk for e in r.context["events"]] == [events["ir"].pk]


def test_overview_bad_filters_are_named_and_ignored(client, events):
    r = client.get("/pulse/shutdowns/", {"from": "2023-13-45", "country": "ZZ"})
    assert r.status_code == 200
    assert set(r.context["form"].errors) == {"start", "country"}
    assert r.context["total"] == 4
    body = r.content.decode()
    assert 'aria-invalid="true"' in body and 'class="errorlist' in body


def test_overview_paginates(client, keepiton):
    for i in range(55):
        event("KE", at(2021, 1, 1) + timedelta(days=i), 2)
    first = client.get("/pulse/shutdowns/")
    second = client.get("/pulse/shutdowns/", {"page": 2})
    assert len(first.context["events"]) == 50 and len(second.context["events"]) == 5
    assert 'rel="next"' in first.content.decode()


def test_event_page_shows_facts_sources_and_cost_section(client, events):
    e = events["in23"]
    r = client.get(f"/pulse/shutdowns/events/{e.pk}/")
    assert r.status_code == 200
    body = text(r)
    assert "Mobile only shutdown in India" in body
    assert "Rajasthan" in body and "Exams" in body and "Mobile Internet cut during the exams." in body
    # sources named, with their datasets linked
    assert "Access Now #KeepItOn" in body and "IODA" in body
    assert 'href="/pulse/datasets/keepiton-stop/"' in body
    assert 'href="https://example.org/keepiton/17"' in body and "Press report" in body
    # times in UTC and in the reader's zone
    assert '<time datetime="2023-05-01T06:00:00Z">' in body
    assert "1 day, 6 hours" in body
    assert "Estimated cost" in body


def test_draft_is_404_to_the_public_and_visible_to_staff(client, events, make_person):
    draft = events["draft"]
    assert client.get(f"/pulse/shutdowns/events/{draft.pk}/").status_code == 404
    assert client.get(f"/pulse/shutdowns/events/{draft.pk}/event.csv").status_code == 404
    assert client.get(f"/api/v1/pulse/shutdowns/events/{draft.pk}/signals").status_code == 404
    member = make_person("m@example.org")
    client.force_login(member)
    assert client.get(f"/pulse/shutdowns/events/{draft.pk}/").status_code == 404
    client.force_login(make_person("staff@example.org", staff=True))
    r = client.get(f"/pulse/shutdowns/events/{draft.pk}/")
    assert r.status_code == 200 and "only staff can see this page" in text(r)


def test_event_csv_download(client, events):
    e = events["et"]
    r = client.get(f"/pulse/shutdowns/events/{e.pk}/event.csv")
    assert r.status_code == 200
    assert r["Content-Type"].startswith("text/csv")
    assert f'filename="shutdown-{e.pk}.csv"' in r["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(r.content.decode())))
    assert len(rows) == 1
    row = rows[0]
    assert row["country"] == "ET" and row["type"] == "service" and row["services"] == "Facebook, Telegram"
    assert row["starts_at_utc"] == "2023-02-09T00:00:00+00:00" and row["duration_hours"] == "960.0"
    assert row["reason"] == "conflict" and row["status"] == "past"


def test_event_csv_names_every_source(client, events):
    r = client.get(f"/pulse/shutdowns/events/{events['in23'].pk}/event.csv")
    row = next(csv.DictReader(io.StringIO(r.content.decode())))
    assert row["sources"] == "#KeepItOn STOP dataset (2023-17) | IODA hand-investigated outages (ioda-9)"


def test_csv_cells_cannot_run_as_formulas(client, events):
    e = events["ir"]
    e.description = "=HYPERLINK(\"http://evil\")"
    e.save()
    row = next(csv.DictReader(io.StringIO(client.get(f"/pulse/shutdowns/events/{e.pk}/event.csv").content.decode())))
    assert row["description"].startswith("'=")


def test_map_api_counts_per_country(client, events):
    r = client.get("/api/v1/pulse/shutdowns/map", {"from": "2023-01-01", "to": "2023-12-31"})
    assert r.status_code == 200
    data = r.json()
    assert data["total"] == 3
    assert {c["code"]: c["count"] for c in data["countries"]} == {"IN": 1, "IR": 1, "ET": 1}
    assert client.get("/api/v1/pulse/shutdowns/map").json()["total"] == 4
    bad = client.get("/api/v1/pulse/shutdowns/map", {"from": "not-a-date"})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "from"


def test_map_api_and_page_agree(client, events):
    page = client.get("/pulse/shutdowns/", {"year": "2023", "type": "full"})
    api = client.get("/api/v1/pulse/shutdowns/map", {"year": "2023", "type": "full"}).json()
    assert [(c.code, c.count) for c in page.context["map"]] == [(c["code"], c["count"]) for c in api["countries"]]


def test_country_page_lists_its_events_by_year(client, events):
    r = client.get("/pulse/shutdowns/countries/in/")
    assert r.status_code == 200
    assert [e.pk for e in r.context["events"]] == [events["in23"].pk, events["in22"].pk]
    assert r.context["year_rows"][:2] == [(2022, 1), (2023, 1)]
    assert "Internet shutdowns in India" in text(r)
    assert client.get("/pulse/shutdowns/countries/zz/").status_code == 404


# --- signals ---------------------------------------------------------------------------


@pytest.fixture
def with_signal(events, settings, tmp_path):
    """Connected probes in Iran every 5 minutes around the event, dropping from about
    100 to 10 during it, plus the detector's alert window linked to the event."""
    signals = pytest.importorskip("isoc.shutdowns.signals")
    settings.DATA_DIR = tmp_path
    e = events["ir"]
    source = DataSource.objects.create(slug="ripe-atlas", name="RIPE Atlas", publisher="RIPE NCC", licence="RIPE NCC terms")
    dataset = Dataset.objects.create(source=source, slug="atlas-probes", title="RIPE Atlas connected probes",
                                     kind=Dataset.Kind.SIGNAL, origin="disco", importer="ihr-disco", importer_version="1")
    start = int(at(2023, 9, 17).timestamp())
    times = list(range(start, start + 8 * 86400, 300))
    drop_from, drop_to = int(e.starts_at.timestamp()), int(e.ends_at.timestamp())
    values = [10.0 if drop_from <= t < drop_to else 100.0 + (t // 300) % 7 for t in times]
    values[5] = float("nan")
    signal = signals.store_series(dataset, "IR", "probe-connectivity", times, values)
    outage = DetectedOutage.objects.create(country=e.country, starts_at=e.starts_at + timedelta(minutes=10),
                                           ends_at=e.ends_at - timedelta(minutes=30), score=90.0 * 4300,
                                           detector_version="1", event=e)
    outage.signals.add(signal)
    return e, signal, outage


def test_event_page_charts_its_signal_with_the_alert_window(client, with_signal):
    e, signal, outage = with_signal
    r = client.get(f"/pulse/shutdowns/events/{e.pk}/")
    body = r.content.decode()
    (view,) = r.context["signals"]
    assert view.signal == signal
    assert not view.chart.empty and view.chart.paths
    # one shaded window, placed where the detector's alert was, inside the plot
    (x, w), = view.chart.windows
    c = view.chart
    span = c.span_seconds
    expected_x = c.left + (outage.starts_at - c.start).total_seconds() / span * c.plot_width
    assert abs(x - expected_x) < 1.5 and abs(w - (outage.ends_at - outage.starts_at).total_seconds() / span * c.plot_width) < 1.5
    assert 'class="sd-window"' in body and 'class="sd-series"' in body
    assert "Connected probes over time; the shaded band is the alert window." in body
    # the data table: downsampled, low inside the window and high outside
    rows = view.table
    assert 10 < len(rows) <= 96
    inside = [v for _t, v, alert in rows if alert and v is not None]
    outside = [v for _t, v, alert in rows if not alert and v is not None]
    assert inside and outside and max(inside) < 50 < min(outside)
    assert "<details>" in body and "Data table (" in body
    assert "RIPE Atlas" in body


def test_event_signals_csv_and_api(client, with_signal):
    e, signal, outage = with_signal
    r = client.get(f"/pulse/shutdowns/events/{e.pk}/signals.csv")
    rows = list(csv.DictReader(io.StringIO(r.content.decode())))
    assert rows and {row["kind"] for row in rows} == {"probe-connectivity"}
    in_window = [float(row["value"]) for row in rows if row["in_alert_window"] == "True" and row["value"]]
    assert in_window and max(in_window) == 10.0
    data = client.get(f"/api/v1/pulse/shutdowns/events/{e.pk}/signals").json()
    assert [w["origin"] for w in data["windows"]] == ["detector"]
    assert data["windows"][0]["starts_at"].startswith("2023-09-20T00:10")
    (series,) = data["signals"]
    assert series["kind"] == "probe-connectivity" and series["dataset"] == "atlas-probes"
    assert len(series["points"]) == len(rows)  # fewer than 2000: not downsampled


def test_country_page_shows_latest_signal(client, with_signal):
    r = client.get("/pulse/shutdowns/countries/ir/")
    (view,) = r.context["signals"]
    assert not view.chart.empty
    assert "Latest signals" in r.content.decode()


# --- cost and the Pulse country panel ----------------------------------------------------


def test_event_page_shows_the_cost_estimate_with_its_inputs(client, events):
    pytest.importorskip("isoc.shutdowns.cost")
    from isoc.pulse.models import IndicatorValue
    from isoc.shutdowns.services import GDP_INDICATOR

    source = DataSource.objects.create(slug="worldbank", name="World Bank", publisher="World Bank", licence="CC BY 4.0")
    wdi = Dataset.objects.create(source=source, slug="wb-gdp", title="World Bank GDP (current US$)",
                                 kind=Dataset.Kind.INDICATOR, origin="gdp.csv", importer="worldbank", importer_version="1")
    IndicatorValue.objects.create(dataset=wdi, indicator=GDP_INDICATOR, country_id="IR", year=2022, value=365e9)
    e = events["ir"]  # national, full network, 72 hours
    r = client.get(f"/pulse/shutdowns/events/{e.pk}/")
    body = text(r)
    # 365e9 / 365 × 5 % × 1.0 × 1.0 × 3 days
    assert "$150,000,000.00" in body
    assert "Inputs of the estimate" in body and 'href="/pulse/datasets/wb-gdp/"' in body
    assert 'href="/pulse/shutdowns/methodology/"' in body
    # without GDP there is no figure, and the page says why
    r = client.get(f"/pulse/shutdowns/events/{events['et'].pk}/")
    assert "No estimate" in text(r)


def test_pulse_country_page_has_the_shutdowns_panel(client, events):
    panels = pytest.importorskip("isoc.pulse.country_panels")
    r = client.get("/pulse/countries/in/")
    assert r.status_code == 200
    found = [p for p in r.context["panels"] if p.slug == "shutdowns"]
    assert found, [p.slug for p in r.context["panels"]]
    html = found[0].html
    assert f'href="/pulse/shutdowns/events/{events["in23"].pk}/"' in html
    assert 'href="/pulse/shutdowns/countries/in/"' in html
    assert panels is not None
