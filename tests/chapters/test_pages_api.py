"""Chapter pages and API: who sees what, join and leave, the officer dashboard, the CSV
export and the annual report form."""

from __future__ import annotations

from datetime import date

import pytest
from django.utils import timezone

from isoc.chapters import models as cm
from isoc.chapters import services as cs

pytestmark = pytest.mark.django_db


def test_index_lists_bureaus_groups_and_map(client, live):
    html = client.get("/chapters/").content.decode()
    assert "Estonia Chapter" in html and "Accessibility Standing Group" in html
    assert 'world.svg#ee"' in html and 'world.svg#lv"' not in html  # Estonia drawn on the map
    assert html.count("<caption>") == 1 and html.count("No chapters in this bureau yet.") == 5


def test_chapter_page_for_a_visitor(client, live):
    html = client.get(live.get_absolute_url()).content.decode()
    assert "In good standing" in html and "25 members" in html and "Sign in to join" in html
    assert "Officer dashboard" not in html


def test_member_joins_and_leaves(client, live, new_person):
    p = new_person(isoc_member=False)
    client.force_login(p)
    r = client.post(f"/chapters/{live.slug}/join/", follow=True)
    assert "Welcome to Estonia Chapter" in r.content.decode()
    assert cs.is_member(p, live)
    r = client.post(f"/chapters/{live.slug}/join/", follow=True)
    assert "already a member" in r.content.decode()
    client.post(f"/chapters/{live.slug}/leave/")
    assert not cs.is_member(p, live)
    assert client.get(f"/chapters/{live.slug}/join/").status_code == 405


def test_dashboard_and_csv_only_for_officers_and_staff(client, live, new_person, staff):
    outsider = live.people[10]
    client.force_login(outsider)
    assert client.get(f"/chapters/{live.slug}/dashboard/").status_code == 403
    assert client.get(f"/chapters/{live.slug}/members.csv").status_code == 403
    assert client.get(f"/chapters/{live.slug}/reports/new/").status_code == 403
    client.force_login(live.people[0])
    assert client.get(f"/chapters/{live.slug}/dashboard/").status_code == 200
    rows = client.get(f"/chapters/{live.slug}/members.csv").content.decode().splitlines()
    assert rows[0].startswith("first_name") and len(rows) == 26
    client.force_login(staff)
    assert client.get(f"/chapters/{live.slug}/dashboard/").status_code == 200
    # An officer of one chapter cannot open another's dashboard.
    other = cs.form_chapter(name="Latvia", actor=staff, community=cs.Community(country="LV"))
    client.force_login(live.people[0])
    assert client.get(f"/chapters/{other.slug}/dashboard/").status_code == 403


def test_members_csv_is_formula_safe(client, live):
    p = live.people[12]
    p.first_name = "=HYPERLINK(1)"
    p.save()
    client.force_login(live.people[0])
    assert "'=HYPERLINK(1)" in client.get(f"/chapters/{live.slug}/members.csv").content.decode()


def test_report_form_files_and_shows_errors(client, live, monkeypatch):
    cm.Chapter.objects.filter(pk=live.pk).update(chartered_at=timezone.now().replace(year=timezone.now().year - 1))
    client.force_login(live.people[0])
    url = f"/chapters/{live.slug}/reports/new/"
    year = timezone.now().year - 1
    r = client.post(url, {"year": year, "activities": "", "membership_count": "-1", "income": "0",
                          "expenses": "0", "currency": "USD"})
    html = r.content.decode()
    assert r.status_code == 200 and 'aria-invalid="true"' in html
    assert not cm.AnnualReport.objects.exists()
    r = client.post(url, {"year": year, "activities": "Two meetups.", "membership_count": "25", "income": "10",
                          "expenses": "5", "currency": "EUR"})
    assert r.status_code == 302
    report = cm.AnnualReport.objects.get()
    assert (report.year, report.filed_by, report.currency) == (year, live.people[0], "EUR")


def test_api_list_detail_bureaus(client, live):
    body = client.get("/api/v1/chapters/?bureau=europe&kind=chapter").json()
    assert body["count"] == 1 and body["items"][0]["slug"] == live.slug and body["items"][0]["member_count"] == 25
    assert client.get("/api/v1/chapters/?state=bogus").status_code == 422
    detail = client.get(f"/api/v1/chapters/{live.slug}").json()
    assert detail["in_good_standing"] is True and [o["role"] for o in detail["officers"]] == [
        "chair", "secretary", "treasurer"]
    assert [h["kind"] for h in detail["history"]] == ["formed", "chartered"]
    youth = client.get("/api/v1/chapters/youth").json()
    assert youth["in_good_standing"] is False
    assert {f["rule"] for f in youth["failures"]} == {"too-few-members", "missing-officer"}
    bureaus = client.get("/api/v1/chapters/bureaus").json()
    assert bureaus["count"] == 6 and bureaus["items"][0] == {"slug": "africa", "name": "Africa", "chapters": 0}
    assert {b["slug"]: b["chapters"] for b in bureaus["items"]}["europe"] == 1
    assert client.get("/api/v1/chapters/nope").status_code == 404


def test_admin_forms_chapter_through_the_service(client, live, staff):
    client.force_login(staff)
    data = {"name": "Tartu Chapter", "slug": "tartu", "kind": "chapter", "country": "EE", "subdivision": "EE-78",
            "extra_countries": "[]", "community": "Tartu", "description": "", "website": "",
            "officer_terms-TOTAL_FORMS": 0, "officer_terms-INITIAL_FORMS": 0,
            "transitions-TOTAL_FORMS": 0, "transitions-INITIAL_FORMS": 0}
    r = client.post("/admin/chapters/chapter/add/", data)
    assert r.status_code == 200 and "overlaps that of Estonia Chapter" in r.content.decode()
    r = client.post("/admin/chapters/chapter/add/", {**data, "approve_overlap": "on"})
    assert r.status_code == 302, r.content.decode()[:3000]
    tartu = cm.Chapter.objects.get(slug="tartu")
    assert tartu.overlap_approved_by == staff and tartu.transitions.get().kind == "formed"
    assert date.today() >= tartu.formed_at.date()
