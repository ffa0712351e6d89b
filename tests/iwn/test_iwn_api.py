"""The impact assessment API: questionnaire, a saved report by share token, evaluate."""

from __future__ import annotations

import pytest

from isoc.iwn import services
from isoc.iwn.questionnaire import CURRENT

pytestmark = pytest.mark.django_db
BASE = "/api/v1/impact-assessment"


def test_the_questionnaire(client):
    body = client.get(f"{BASE}/questionnaire").json()
    assert body["version"] == CURRENT.version
    assert [a["value"] for a in body["answers"]] == ["yes", "no", "not_sure", "na"]
    parts = [p for s in body["steps"] for p in s["parts"]]
    assert len(parts) == 15 and parts[0]["questions"][0]["harm_if"] == ["yes"]
    r = client.get(f"{BASE}/questionnaire?version=1999.1")
    assert r.status_code == 404 and r.json() == {"detail": "No such questionnaire edition.", "errors": []}


def test_evaluate_without_saving(client):
    r = client.post(f"{BASE}/evaluate", {"answers": {"privacy.1": "yes", "privacy.2": "no"}},
                    content_type="application/json")
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["verdict"] == "may_harm" and body["answered"] == 2
    privacy = next(f for f in body["findings"] if f["key"] == "privacy")
    assert privacy["verdict"] == "may_harm" and privacy["reasons"] and privacy["verdict_label"] == "May harm"
    from isoc.iwn.models import Assessment

    assert not Assessment.objects.exists()


@pytest.mark.parametrize("payload, field", [
    ({"answers": {"privacy.1": "perhaps"}}, "answers.privacy.1"),
    ({"answers": {"no.such": "yes"}}, "answers.no.such"),
    ({"answers": {"privacy.1": 3}}, "answers.privacy.1"),
    ({"answers": "yes"}, "answers"),
    ({}, "answers"),
    ({"answers": {}, "version": "0.1"}, None),
])
def test_evaluate_refuses_bad_answers_in_the_shared_error_shape(client, payload, field):
    r = client.post(f"{BASE}/evaluate", payload, content_type="application/json")
    assert r.status_code == 422, r.content
    body = r.json()
    assert set(body) == {"detail", "errors"}
    if field:
        assert body["errors"][0]["field"] == field
    r = client.post(f"{BASE}/evaluate", "not json", content_type="application/json")
    assert r.status_code in (400, 422) and "detail" in r.json()


def test_a_saved_report_by_share_token(client):
    a, _token = services.create_assessment(title="API report", country="KE")
    services.save_answers(a, {"reachability.2": "yes"})
    body = client.get(f"{BASE}/reports/{a.share_token}").json()
    assert body["title"] == "API report" and body["country"] == "KE" and body["answers"] == {"reachability.2": "yes"}
    assert body["verdict"] == "may_harm" and body["counts"]["may_harm"] == 1
    assert "edit_token" not in str(body) and a.edit_token_hash not in str(body)
    r = client.get(f"{BASE}/reports/unknown-token-00")
    assert r.status_code == 404 and r.json()["detail"] == "Not found."
    r = client.get(f"{BASE}/reports/bad token!")
    assert r.status_code == 422 and r.json()["errors"]
