"""The incident pages and JSON API: trends, report HTML and PDF, methodology, one
incident; demo labelling; 404s in the API's error shape."""

from __future__ import annotations

import json

import pytest
from incident_samples import record

from isoc.incidents import demo, services, veris

pytestmark = pytest.mark.django_db


@pytest.fixture
def one():
    rec = veris.read_record(json.dumps(record(incident_id="page-1")))
    return services.store_record(rec, services.vcdb_dataset(), origin="test.json")[0]


def test_trends_page_lists_years_with_their_reports(client, one):
    page = client.get("/pulse/incidents/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "/pulse/incidents/report/2023/" in text and "/pulse/incidents/report/2023/pdf/" in text
    assert "Test Org" in text and "Demo data." not in text


def test_empty_trends_page_says_how_to_import(client):
    assert "isoc incidents import PATH" in client.get("/pulse/incidents/").content.decode()


def test_report_page_and_pdf(client, one):
    page = client.get("/pulse/incidents/report/2023/")
    assert page.status_code == 200 and "Cyber Incident &amp; Breach Trends 2023" in page.content.decode()
    pdf = client.get("/pulse/incidents/report/2023/pdf/")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF") and "cyber-incident-breach-trends-2023.pdf" in pdf["Content-Disposition"]
    assert client.get("/pulse/incidents/report/1999/").status_code == 404
    assert client.get("/pulse/incidents/report/1999/pdf/").status_code == 404


def test_incident_and_methodology_pages(client, one, staff_client):
    page = client.get(f"/pulse/incidents/{one.pk}/").content.decode()
    assert "Misconfiguration" in page and "Secure configuration and change review" in page and "14 days" in page
    assert client.get("/pulse/incidents/999999/").status_code == 404
    method = client.get("/pulse/incidents/methodology/").content.decode()
    assert "This is our definition" in method and "30.4375" in method
    assert staff_client.get("/pulse/incidents/").status_code == 200


def test_demo_figures_are_labelled(client):
    demo.generate(size=30)
    page = client.get("/pulse/incidents/").content.decode()
    assert "Demo data." in page
    year = services.incident_years()[-1]
    assert "Demo data." in client.get(f"/pulse/incidents/report/{year}/").content.decode()
    body = client.get("/api/v1/pulse/incidents/").json()
    assert body["source"]["is_demo"] is True and sum(y["incidents"] for y in body["years"]) == 30
    last = body["years"][-1]["year"]
    recent = client.get("/api/v1/pulse/incidents/", {"since": last}).json()["years"]
    assert recent == [body["years"][-1]]
    assert client.get("/api/v1/pulse/incidents/", {"since": 1800}).status_code == 422


def test_api_years_trends_and_incident(client, one):
    body = client.get("/api/v1/pulse/incidents/").json()
    assert body["years"] == [{"year": 2023, "incidents": 1}]
    assert body["source"]["name"].startswith("VERIS Community Database") and "CC BY-SA" in body["source"]["licence"]
    trends = client.get("/api/v1/pulse/incidents/trends/2023").json()
    assert trends["by_action"] == {"error": 1} and trends["by_sector"] == {"Healthcare": 1}
    assert trends["median_days_to_discovery"] == {"days": 14.0, "used": 1, "excluded": 0}
    assert trends["preventable"]["percent"] == 100.0 and "Our definition" in trends["preventable"]["definition"]
    assert trends["source"]["dataset"] == services.DATASET_SLUG
    item = client.get(f"/api/v1/pulse/incidents/{one.pk}").json()
    assert item["incident_id"] == "page-1" and item["actions"]["error"]["variety"] == ["Misconfiguration"]


@pytest.mark.parametrize(("url", "status"), [
    ("/api/v1/pulse/incidents/trends/2020", 404), ("/api/v1/pulse/incidents/trends/1800", 422),
    ("/api/v1/pulse/incidents/trends/abc", 422), ("/api/v1/pulse/incidents/999999", 404),
    ("/api/v1/pulse/incidents/0", 422),
])
def test_api_errors_have_the_shared_shape(client, one, url, status):
    response = client.get(url)
    assert response.status_code == status
    assert set(response.json()) == {"detail", "errors"}


def test_the_dataset_downloads_as_open_data(client, one):
    from django.urls import reverse

    url = reverse("api-1:pulse_dataset_download", kwargs={"slug": services.DATASET_SLUG, "fmt": "csv"})
    response = client.get(url)
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert response.status_code == 200 and b"page-1" in body and b"Healthcare" in body
