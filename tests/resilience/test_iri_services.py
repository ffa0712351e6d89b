"""The services: recording inputs (refused whole when bad), collecting them from the other
apps with provenance, importing a third-party CSV, computing a quarter (history kept),
and the demo."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from isoc.pulse.models import Dataset, DataSource
from isoc.resilience import demo, services
from isoc.resilience.inputs import POPULATION, Input
from isoc.resilience.models import Computation, CountryScore, InputValue

pytestmark = pytest.mark.django_db
Q = "2026-Q2"


@pytest.fixture
def dataset():
    source = DataSource.objects.create(slug="test-src", name="Test source", publisher="Tests", licence="CC0")
    return Dataset.objects.create(source=source, slug="test-inputs", title="Test inputs", kind="indicator",
                                  origin="test", importer="test", importer_version="1")


def _inputs(dataset, countries=("FR", "DE", "KE", "BR", "IN")):
    rows = []
    for n, cc in enumerate(countries):
        rows.append(Input(cc, POPULATION, 1e6 * (n + 1), dataset))
        for code in ("ipv6-adoption", "fixed-download", "https-adoption", "gdp-per-capita", "ixps"):
            rows.append(Input(cc, code, 10.0 * (n + 1), dataset))
    return rows


def test_compute_a_quarter(dataset, staff):
    assert services.record_inputs(Q, _inputs(dataset)) == 30
    computation = services.compute_quarter(Q, actor=staff)
    assert computation.countries == 5 and computation.inputs == 25 and computation.version == "2026.1"
    scores = {s.country_id: s for s in CountryScore.objects.filter(quarter=Q)}
    assert set(scores) == {"FR", "DE", "KE", "BR", "IN"}
    assert scores["IN"].rank == 1 and scores["FR"].rank == 5
    # ixps per million people: 10/1, 20/2… all equal → 50 each
    assert scores["FR"].indicators["ixps"] == {"raw": 10.0, "adjusted": 10.0, "normalised": 50.0}
    assert scores["FR"].pillars["performance"]["coverage"] == pytest.approx(2 / 3 / 2)  # fixed download only
    # recomputing replaces the scores and keeps the history
    services.compute_quarter(Q)
    assert CountryScore.objects.filter(quarter=Q).count() == 5
    assert Computation.objects.filter(quarter=Q).count() == 2
    assert Computation.objects.filter(quarter=Q, is_current=True).count() == 1


def test_recording_again_replaces_a_value(dataset):
    services.record_inputs(Q, [Input("FR", "ixps", 3, dataset)])
    services.record_inputs(Q, [Input("FR", "ixps", 4, dataset, "2026")])
    v = InputValue.objects.get(quarter=Q, country="FR", indicator="ixps")
    assert (v.value, v.observed) == (4, "2026")


@pytest.mark.parametrize(("bad", "words"), [
    (lambda d: Input("FR", "no-such-indicator", 1, d), "not an indicator"),
    (lambda d: Input("QQ", "ixps", 1, d), "not a known country"),
    (lambda d: Input("FR", "ixps", float("nan"), d), "not a finite number"),
])
def test_a_bad_input_refuses_the_whole_batch(dataset, bad, words):
    with pytest.raises(services.ResilienceError, match=words):
        services.record_inputs(Q, [Input("DE", "ixps", 1, dataset), bad(dataset)])
    assert not InputValue.objects.exists()


@pytest.mark.parametrize("quarter", ["2026-Q5", "2026Q1", "", "26-Q1", "2026-q1x"])
def test_a_bad_quarter_is_refused(dataset, quarter):
    with pytest.raises(services.ResilienceError, match="not a quarter"):
        services.record_inputs(quarter, [Input("DE", "ixps", 1, dataset)])


def test_nothing_to_compute():
    with pytest.raises(services.ResilienceError, match="No input values"):
        services.compute_quarter(Q)


def test_collect_from_our_measurements(monkeypatch):
    from isoc.pulse.models import Country
    from isoc.routing.models import CountryScore as RoutingScore
    from isoc.routing.models import ManrsParticipant
    from isoc.shutdowns.models import ShutdownEvent

    RoutingScore.objects.create(country_id="FR", month=date(2026, 5, 1), routes=200, valid=150, invalid=10, not_found=40,
                                roa_coverage=0.8)
    RoutingScore.objects.create(country_id="DE", month=date(2026, 7, 1), routes=100, invalid=1, roa_coverage=0.5)  # after Q2
    ManrsParticipant.objects.create(name="Net A", slug="net-a", country_id="FR", joined_on=date(2020, 1, 1))
    ShutdownEvent.objects.create(country_id="IN", starts_at=datetime(2026, 3, 1, tzinfo=UTC), review_state="published",
                                 meets_deliberate=True, meets_removes_access=True, meets_affects_group=True)
    monkeypatch.setattr("isoc.infra.indicators.ixps_by_country", lambda as_of=None: {"FR": 3, "KE": 2})
    n = services.collect_inputs(Q)
    values = {(v.country_id, v.indicator): v for v in InputValue.objects.filter(quarter=Q).select_related("dataset")}
    assert values["FR", "rpki-coverage"].value == 80 and values["FR", "rpki-invalid"].value == 5
    assert ("DE", "rpki-coverage") not in values
    assert values["FR", "manrs-participants"].value == 1
    assert values["IN", "shutdowns"].value == 1 and values["FR", "shutdowns"].value == 0
    assert values["KE", "ixps"].value == 2
    assert n == len(values) == 3 + Country.objects.count() + 2
    # every value names its dataset, with its source and licence
    ixps = values["KE", "ixps"].dataset
    assert ixps.source.licence and "IXP" in ixps.title and ixps.retrieved_at


def test_collect_world_bank_series(shared_data):
    from isoc.pulse.importing import import_file

    folder = shared_data / "country" / "worldbank"
    for name in ("API_IT.NET.USER.ZS_DS2_en_csv_v2.csv", "population.csv"):
        if not (folder / name).exists():
            pytest.skip(f"{folder / name} is absent")
        import_file("worldbank", folder / name)
    services.collect_inputs("2017-Q4")
    users = InputValue.objects.get(quarter="2017-Q4", country="FR", indicator="internet-users")
    assert 70 < users.value <= 100 and users.observed.isdigit() and users.dataset.source.slug == "world-bank"
    assert InputValue.objects.filter(quarter="2017-Q4", indicator=POPULATION).count() > 150
    computation = services.compute_quarter("2017-Q4")
    assert computation.countries > 150
    # one pillar (Infrastructure) only: no overall score anywhere, never a zero
    assert not CountryScore.objects.filter(quarter="2017-Q4", overall__isnull=False).exists()


def test_import_a_third_party_csv(tmp_path):
    f = tmp_path / "speeds.csv"
    f.write_text("quarter,country,indicator,value,observed\n2026-Q2,FR,fixed-download,180.5,2026-06\n2026-Q2,de,fixed-latency,12,\n")
    assert services.import_inputs(f, source="Speed tests", publisher="Example", licence="CC BY 4.0") == 2
    v = InputValue.objects.get(country="FR", indicator="fixed-download")
    assert v.value == 180.5 and v.observed == "2026-06" and v.dataset.source.name == "Speed tests" and v.dataset.sha256


@pytest.mark.parametrize(("text", "words"), [
    ("quarter,country,value\n", "row 1: the header"),
    ("quarter,country,indicator,value\n2026-Q2,FR,fixed-download,fast\n", "row 2: 'fast' is not a number"),
    ("quarter,country,indicator,value\n2026-Q2,FR,fixed-download,1\n2026-Q9,FR,fixed-download,1\n", "row 3: '2026-Q9' is not a quarter"),
    ("quarter,country,indicator,value\n2026-Q2,XQ,fixed-download,1\n", "row 2: 'XQ' is not a known country"),
    ("quarter,country,indicator,value\n2026-Q2,FR,speed,1\n", "row 2: 'speed' is not an indicator"),
    ("quarter,country,indicator,value\n2026-Q2,FR\n", "row 2: expected at least 4 fields"),
    ("quarter,country,indicator,value\n", "no rows"),
])
def test_a_bad_csv_is_refused_naming_the_row(tmp_path, text, words):
    f = tmp_path / "bad.csv"
    f.write_text(text)
    with pytest.raises(services.ResilienceError, match=words):
        services.import_inputs(f, source="S", publisher="P", licence="L")
    assert not InputValue.objects.exists() and not Dataset.objects.filter(importer="resilience-inputs").exists()


def test_demo_generates_and_removes():
    result = demo.generate(reset=True)
    assert result["quarters"] == demo.QUARTERS and result["countries"] > 200
    assert CountryScore.objects.filter(quarter=demo.quarters()[-1], overall__isnull=False).count() > 200
    assert Dataset.objects.get(slug=demo.DATASET).is_demo
    assert demo.generate() == {}  # already there
    demo.remove()
    assert not CountryScore.objects.exists() and not InputValue.objects.exists() and not Computation.objects.exists()
