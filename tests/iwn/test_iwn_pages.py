"""Impact assessment pages: an anonymous author's journey, who may edit (share link
read-only, edit token, owner), CSRF, hostile input, the PDF and "my assessments"."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from isoc.iwn import services
from isoc.iwn.models import Assessment, AssessmentEvent
from isoc.iwn.questionnaire import CURRENT

pytestmark = pytest.mark.django_db
STEPS = len(CURRENT.steps)


def start(client: Client, title: str = "Gateway decree", **extra) -> Assessment:
    response = client.post("/impact-assessment/new/", {"title": title, "proposal": "All traffic via two gateways.",
                                                       "country": "", **extra})
    assert response.status_code == 302, response.content[:500]
    return Assessment.objects.get(title=title)


def step_keys(number: int) -> list[str]:
    return [q.key for p in CURRENT.steps[number - 1].parts for q in p.questions]


def test_the_introduction_explains_the_properties(client):
    page = client.get("/impact-assessment/").content.decode()
    assert "Common global identifiers" in page and "Start an assessment" in page
    assert "Unrestricted reachability" in page


def test_an_anonymous_author_answers_step_by_step_and_sees_the_report(client):
    a = start(client)
    assert a.owner is None and a.questionnaire_version == CURRENT.version
    first = client.get(f"/impact-assessment/{a.share_token}/step/1/")
    page = first.content.decode()
    assert first.status_code == 200 and "Step 1 of 9" in page
    edit_link = re.search(r"<code>(http://testserver/impact-assessment/[^<]+/edit/[^<]+/)</code>", page).group(1)
    assert "Keep this edit link" not in client.get(f"/impact-assessment/{a.share_token}/step/1/").content.decode()
    # Step 3 (decentralised management): answers signalling harm, saved on "next".
    keys = step_keys(3)
    r = client.post(f"/impact-assessment/{a.share_token}/step/3/", {keys[0]: "yes", keys[1]: "not_sure", "action": "next"})
    assert r["Location"] == f"/impact-assessment/{a.share_token}/step/4/"
    r = client.post(f"/impact-assessment/{a.share_token}/step/4/", {"action": "back"})
    assert r["Location"] == f"/impact-assessment/{a.share_token}/step/3/"
    r = client.post(f"/impact-assessment/{a.share_token}/step/{STEPS}/", {"action": "finish"})
    assert r["Location"] == f"/impact-assessment/{a.share_token}/"
    a.refresh_from_db()
    assert a.answers == {keys[0]: "yes", keys[1]: "not_sure"}
    report = client.get(f"/impact-assessment/{a.share_token}/").content.decode()
    assert "May harm" in report and "Central control of routing" in report and "Delete this assessment" in report
    assert [e.kind for e in a.events.all()] == ["created", "answers"]
    # The edit link works in another browser and is then remembered there.
    other = Client()
    assert other.get(f"/impact-assessment/{a.share_token}/step/2/").status_code == 403
    assert other.get(edit_link.removeprefix("http://testserver"))["Location"].endswith("/step/1/")
    assert other.get(f"/impact-assessment/{a.share_token}/step/2/").status_code == 200


def test_the_share_link_is_read_only_for_everyone_else(client, person, other_person, staff):
    a, token = services.create_assessment(title="Shared", owner=person)
    signed_in, staff_member = Client(), Client()
    signed_in.force_login(other_person)
    staff_member.force_login(staff)
    for reader in (client, signed_in, staff_member):
        page = reader.get(f"/impact-assessment/{a.share_token}/")
        assert page.status_code == 200 and "Delete this assessment" not in page.content.decode()
        assert reader.get(f"/impact-assessment/{a.share_token}/step/1/").status_code == 403
        assert reader.get(f"/impact-assessment/{a.share_token}/details/").status_code == 403
        assert reader.post(f"/impact-assessment/{a.share_token}/step/1/", {"action": "save"}).status_code == 403
        assert reader.post(f"/impact-assessment/{a.share_token}/delete/").status_code == 403
        # A wrong or another assessment's token never grants edit.
        other, other_token = services.create_assessment(title="Other")
        assert reader.get(f"/impact-assessment/{a.share_token}/edit/{other_token}/").status_code == 404
        assert reader.get(f"/impact-assessment/{a.share_token}/edit/{token[:-1]}x/").status_code == 404
        assert reader.get(f"/impact-assessment/{a.share_token}/step/1/").status_code == 403
    assert Assessment.objects.filter(pk=a.pk).exists()
    assert client.get("/impact-assessment/nonexistent-token-123/").status_code == 404
    assert client.get("/impact-assessment/bad%00token-123456/").status_code == 404
    assert client.get(f"/impact-assessment/{a.share_token}/edit/x%00yyyyyyyyy/").status_code == 404


def test_the_owner_edits_deletes_and_lists_their_assessments(member_client, person):
    a = start(member_client, "Mine")
    assert a.owner == person
    assert "Keep this edit link" not in member_client.get(f"/impact-assessment/{a.share_token}/step/1/").content.decode()
    listing = member_client.get("/impact-assessment/mine/").content.decode()
    assert "Mine" in listing
    r = member_client.post(f"/impact-assessment/{a.share_token}/details/", {"title": "Mine, renamed", "proposal": "",
                                                                             "country": "KE"})
    assert r.status_code == 302
    a.refresh_from_db()
    assert (a.title, a.country_id) == ("Mine, renamed", "KE")
    assert a.events.filter(kind=AssessmentEvent.Kind.DETAILS).exists()
    # The owner edits from a fresh session too (no token needed).
    fresh = Client()
    fresh.force_login(person)
    assert fresh.get(f"/impact-assessment/{a.share_token}/step/2/").status_code == 200
    assert fresh.post(f"/impact-assessment/{a.share_token}/delete/").status_code == 302
    assert not Assessment.objects.filter(pk=a.pk).exists()


def test_my_assessments_needs_signing_in(client, other_person, person):
    services.create_assessment(title="Grace's", owner=other_person)
    assert client.get("/impact-assessment/mine/").status_code == 302
    client.force_login(person)
    assert "Grace" not in client.get("/impact-assessment/mine/").content.decode()


def test_posts_need_the_csrf_token(person):
    strict = Client(enforce_csrf_checks=True)
    assert strict.post("/impact-assessment/new/", {"title": "No token"}).status_code == 403
    a, token = services.create_assessment(title="Strict")
    strict.get(f"/impact-assessment/{a.share_token}/edit/{token}/")
    assert strict.post(f"/impact-assessment/{a.share_token}/step/1/", {"action": "save"}).status_code == 403
    assert strict.post(f"/impact-assessment/{a.share_token}/delete/").status_code == 403
    assert Assessment.objects.filter(pk=a.pk).exists() and not Assessment.objects.filter(title="No token").exists()


def test_bad_details_are_form_errors_and_nothing_is_made(client):
    r = client.post("/impact-assessment/new/", {"title": "", "proposal": "x"})
    assert r.status_code == 400 and "This field is required." in r.content.decode()
    r = client.post("/impact-assessment/new/", {"title": "t" * 201})
    assert r.status_code == 400 and "under 200 characters" in r.content.decode()
    r = client.post("/impact-assessment/new/", {"title": "Huge", "proposal": "p" * 20_001})
    assert r.status_code == 400
    for country in ("ZZ", "K\x00", "KEN"):
        r = client.post("/impact-assessment/new/", {"title": "Where", "country": country})
        assert r.status_code == 400 and "Choose a country" in r.content.decode()
    assert not Assessment.objects.exists()


def test_an_unknown_answer_is_refused_and_keeps_what_was_saved(client):
    a = start(client)
    keys = step_keys(1)
    client.post(f"/impact-assessment/{a.share_token}/step/1/", {keys[0]: "no", "action": "save"})
    r = client.post(f"/impact-assessment/{a.share_token}/step/1/", {keys[0]: "yes", keys[1]: "perhaps", "action": "next"})
    assert r.status_code == 400 and "not one of yes, no, not sure" in r.content.decode()
    a.refresh_from_db()
    assert a.answers == {keys[0]: "no"}
    assert client.get(f"/impact-assessment/{a.share_token}/step/{STEPS + 1}/").status_code == 404
    assert client.get(f"/impact-assessment/{a.share_token}/step/0/").status_code == 404


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow])
@given(st.dictionaries(st.one_of(st.sampled_from(step_keys(2)), st.text(min_size=1, max_size=20)),
                       st.text(max_size=50), max_size=8))
def test_hostile_step_posts_never_fail_the_server(client, data):
    a, token = services.create_assessment(title="Hostile")
    client.get(f"/impact-assessment/{a.share_token}/edit/{token}/")
    before = dict(a.answers)
    try:
        r = client.post(f"/impact-assessment/{a.share_token}/step/2/", {**data, "action": "save"})
    except ValueError:  # the test client refuses some text (e.g. NUL in a key) before sending it
        return
    assert r.status_code in (302, 400)
    a.refresh_from_db()
    if r.status_code == 400:
        assert a.answers == before
    else:
        assert set(a.answers) <= set(step_keys(2))


def test_the_pdf_names_the_title_and_a_harmed_property(client, tmp_path):
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext (poppler-utils) is not installed")
    a, _token = services.create_assessment(title="Gateway decree for PDF")
    services.save_answers(a, {"global-identifiers.1": "yes"})
    r = client.get(f"/impact-assessment/{a.share_token}/report.pdf")
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    assert 'filename="iwn-assessment-gateway-decree-for-pdf.pdf"' in r["Content-Disposition"]
    (tmp_path / "r.pdf").write_bytes(r.content)
    text = subprocess.run(["pdftotext", "-layout", str(tmp_path / "r.pdf"), "-"], capture_output=True, text=True,
                          check=True).stdout
    squashed = " ".join(text.split())
    assert "Gateway decree for PDF" in squashed
    assert "Common global identifiers" in squashed and "May harm" in squashed
    assert "single global namespace" in squashed


def test_the_report_and_questionnaire_are_translated(client):
    a, _token = services.create_assessment(title="Traduit")
    client.cookies.load({"django_language": "fr"})
    page = client.get(f"/impact-assessment/{a.share_token}/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Pas assez d" in page


def test_staff_see_assessments_and_their_history_in_the_admin(staff_client, person):
    a, _token = services.create_assessment(title="Seen by the secretariat")
    services.save_answers(a, {"privacy.1": "yes"})
    assert "Seen by the secretariat" in staff_client.get("/admin/iwn/assessment/").content.decode()
    page = staff_client.get(f"/admin/iwn/assessment/{a.pk}/change/").content.decode()
    assert "answers changed" in page
    assert staff_client.get("/admin/iwn/assessment/add/").status_code == 403
    member = Client()
    member.force_login(person)
    assert member.get("/admin/iwn/assessment/").status_code == 302
