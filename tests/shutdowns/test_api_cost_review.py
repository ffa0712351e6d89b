"""The shutdowns API (filters, pagination, errors, drafts not public), the cost model and
the review workflow with its history."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from tests.conftest import make_person

from isoc.members.services import RuleViolation
from isoc.pulse.models import Dataset, DataSource, IndicatorValue
from isoc.shutdowns import cost, services
from isoc.shutdowns.models import EventRevision, ReviewState, ShutdownEvent

pytestmark = pytest.mark.django_db
API = "/api/v1/pulse/shutdowns"


def _event(country="IN", start=datetime(2021, 3, 1, tzinfo=UTC), days=2, state=ReviewState.PUBLISHED, **kw):
    return ShutdownEvent.objects.create(country_id=country, starts_at=start, ends_at=start + timedelta(days=days),
                                        review_state=state, meets_deliberate=True, meets_removes_access=True,
                                        meets_affects_group=True, **kw)


def _gdp(country="IN", year=2020, value=2.66e12):
    src, _ = DataSource.objects.get_or_create(slug="world-bank", defaults={"name": "World Bank", "publisher": "WB", "licence": "CC BY 4.0"})
    ds, _ = Dataset.objects.get_or_create(slug="worldbank-gdp", defaults={"source": src, "title": "GDP", "kind": "indicator",
                                                                           "origin": "gdp.csv", "importer": "worldbank", "importer_version": "1"})
    IndicatorValue.objects.create(dataset=ds, indicator="NY.GDP.MKTP.CD", country_id=country, year=year, value=value)


# --- API -------------------------------------------------------------------------------


def test_list_filters_pagination_and_drafts_hidden(client):
    a = _event("IN", datetime(2021, 3, 1, tzinfo=UTC), shutdown_type="mobile", reason="protests", scope="regional")
    b = _event("MM", datetime(2022, 2, 1, tzinfo=UTC), reason="conflict")
    _event("IN", datetime(2021, 5, 1, tzinfo=UTC), state=ReviewState.DRAFT)
    _event("IN", datetime(2021, 6, 1, tzinfo=UTC), state=ReviewState.REJECTED)
    body = client.get(f"{API}/events").json()
    assert body["count"] == 2 and [e["id"] for e in body["items"]] == [b.pk, a.pk]
    assert [e["id"] for e in client.get(f"{API}/events?country=in").json()["items"]] == [a.pk]
    assert [e["id"] for e in client.get(f"{API}/events?year=2022").json()["items"]] == [b.pk]
    assert [e["id"] for e in client.get(f"{API}/events?from=2021-03-02&to=2021-03-02").json()["items"]] == [a.pk]
    assert [e["id"] for e in client.get(f"{API}/events?type=mobile").json()["items"]] == [a.pk]
    assert [e["id"] for e in client.get(f"{API}/events?reason=conflict").json()["items"]] == [b.pk]
    assert [e["id"] for e in client.get(f"{API}/events?scope=regional").json()["items"]] == [a.pk]
    page = client.get(f"{API}/events?page_size=1&page=2").json()
    assert page["count"] == 2 and [e["id"] for e in page["items"]] == [a.pk]


@pytest.mark.parametrize("query, field", [("type=orbital", "type"), ("year=abc", "year"), ("page=0", "page"),
                                          ("country=XYZ", "country")])
def test_bad_filters_are_422_in_the_error_shape(client, query, field):
    r = client.get(f"{API}/events?{query}")
    assert r.status_code == 422
    body = r.json()
    assert set(body) == {"detail", "errors"} and any(e["field"] == field for e in body["errors"])


def test_unknown_country_and_missing_event(client):
    r = client.get(f"{API}/events?country=QQ")
    assert r.status_code == 422 and "QQ" in r.json()["detail"]
    draft = _event(state=ReviewState.DRAFT)
    for url in (f"{API}/events/{draft.pk}", f"{API}/events/999999", f"{API}/events/{draft.pk}.csv"):
        r = client.get(url)
        assert r.status_code == 404 and r.json() == {"detail": "Not found.", "errors": []}


def test_detail_with_cost_and_csvs(client):
    _gdp()
    ev = _event(days=2)
    body = client.get(f"{API}/events/{ev.pk}").json()
    assert body["cost"]["amount"] == str(round(Decimal(2.66e12 / 365 * 0.05 * 2)))
    assert {i["source"] for i in body["cost"]["inputs"]} >= {"worldbank-gdp", cost.ASSUMPTION}
    one = list(csv.DictReader(io.StringIO(client.get(f"{API}/events/{ev.pk}.csv").content.decode())))
    assert [r["id"] for r in one] == [str(ev.pk)] and one[0]["country"] == "IN"
    _event("MM", state=ReviewState.DRAFT)
    rows = list(csv.DictReader(io.StringIO(client.get(f"{API}/events.csv?country=IN").content.decode())))
    assert [r["id"] for r in rows] == [str(ev.pk)]
    assert client.get(f"{API}/events.csv").status_code == 200


def test_summary_counts_published_only(client):
    _event("IN", datetime(2021, 1, 5, tzinfo=UTC), shutdown_type="mobile")
    _event("IN", datetime(2021, 2, 5, tzinfo=UTC))
    _event("MM", datetime(2022, 2, 5, tzinfo=UTC))
    _event("MM", datetime(2022, 3, 5, tzinfo=UTC), state=ReviewState.DRAFT)
    body = client.get(f"{API}/summary").json()
    assert body["total"] == 3
    assert body["by_year"] == [{"year": 2021, "total": 2, "by_type": {"full": 1, "mobile": 1}},
                               {"year": 2022, "total": 1, "by_type": {"full": 1}}]
    assert body["by_country"][0] == {"code": "IN", "name": "India", "count": 2}
    assert client.get(f"{API}/summary?year=2022").json()["total"] == 1


# --- cost --------------------------------------------------------------------------------


def test_cost_model_scales_and_states_its_inputs():
    t0 = datetime(2021, 1, 1, tzinfo=UTC)
    gdp = cost.Input("GDP (current US$)", 365e9, "worldbank-gdp", 2020)
    full = cost.estimate(country="XX", shutdown_type="full", starts_at=t0, ends_at=t0 + timedelta(days=2), now=t0, gdp=gdp)
    assert full.amount == Decimal(1e9 * 0.05 * 2)
    mobile = cost.estimate(country="XX", shutdown_type="mobile", starts_at=t0, ends_at=t0 + timedelta(days=2), now=t0, gdp=gdp)
    assert mobile.amount == full.amount * Decimal(str(cost.MOBILE_FACTOR))
    regional = cost.estimate(country="XX", shutdown_type="full", starts_at=t0, ends_at=t0 + timedelta(days=2), now=t0,
                             gdp=gdp, national=False, affected_share=cost.Input("affected share", 0.25, "census", 2020))
    assert regional.amount == full.amount / 4
    none = cost.estimate(country="XX", shutdown_type="full", starts_at=t0, ends_at=None, now=t0 + timedelta(days=1), gdp=None)
    assert none.amount is None and none.note == "no GDP data"
    assert ("GDP (current US$)", "worldbank-gdp", 2020) in [(i.name, i.source, i.year) for i in full.inputs]


def test_event_cost_uses_latest_gdp_and_says_when_absent():
    ev = _event("MM", datetime(2022, 2, 1, tzinfo=UTC), days=1)
    assert cost.estimate_for_event(ev) is None
    assert cost.estimate_for_event(ev, keep_empty=True).note == "no GDP data"
    _gdp("MM", 2019, 365e8)
    _gdp("MM", 2023, 999e9)  # after the event: not used
    est = cost.estimate_for_event(ev)
    assert est.amount == Decimal(1e8 * 0.05) and est.inputs[0].year == 2019


def test_methodology_page(client):
    r = client.get("/pulse/shutdowns/methodology/")
    assert r.status_code == 200
    assert b"not NetLoss" in r.content and cost.FORMULA.encode() in r.content


# --- review workflow --------------------------------------------------------------------


def test_review_workflow_rules_and_history():
    editor = make_person("editor@example.org", staff=True)
    reviewer = make_person("reviewer@example.org", staff=True)
    member = make_person("member@example.org")
    ev = ShutdownEvent.objects.create(
        country_id="IN", starts_at=datetime(2021, 3, 1, tzinfo=UTC), meets_removes_access=True, meets_affects_group=True)
    with pytest.raises(RuleViolation):
        services.update_event(ev, {"area": "Srinagar"}, member, "not staff")
    rev = services.update_event(ev, {"area": "Srinagar", "reason": "protests"}, editor, "from the news")
    assert rev.changes == {"area": ["", "Srinagar"], "reason": ["unknown", "protests"]} and rev.actor == editor
    assert services.update_event(ev, {"area": "Srinagar"}, editor) is None  # no change, no revision
    services.review(ev, editor)
    with pytest.raises(RuleViolation) as exc:
        services.publish(ev, reviewer)
    assert "deliberately induced" in exc.value.message and exc.value.code == "rule_not_met"
    services.update_event(ev, {"meets_deliberate": True}, editor, "order found")
    with pytest.raises(RuleViolation) as exc:
        services.publish(ev, editor)
    assert exc.value.code == "same_reviewer"
    services.publish(ev, reviewer, "checked")
    ev.refresh_from_db()
    assert ev.review_state == ReviewState.PUBLISHED
    with pytest.raises(RuleViolation):
        services.review(ev, reviewer)  # published → reviewed is not a move
    services.reject(ev, reviewer, "not a shutdown after all")
    states = [r.changes.get("review_state") for r in EventRevision.objects.filter(event=ev) if "review_state" in r.changes]
    assert states == [["draft", "reviewed"], ["reviewed", "published"], ["published", "rejected"]]
