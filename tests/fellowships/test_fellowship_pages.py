"""The fellowship pages and API for each role — visitor, applicant, another applicant,
reviewer, conflicted reviewer, staff — with CSRF, blind review, and arbitrary input
through the application form (a clear error or a valid draft, never a 500)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.fellowships.conftest import ANSWERS, pdf

from isoc.fellowships import forms_schema
from isoc.fellowships import services as fs
from isoc.fellowships.models import Application, Call


def signed_in(person) -> Client:
    c = Client()
    c.force_login(person)
    return c


def form_data(track="open", **extra):
    data = {"track": track, "birth_date": "2000-05-01", "country": "KE", "gender": "woman", "action": "save",
            "q_motivation": ANSWERS["motivation"], "q_sector": ANSWERS["sector"], "q_languages": ["en", "fr"],
            "q_available_from": "2030-01-01", "q_hours": "5"}
    data.update(extra)
    return data


# --- public pages ------------------------------------------------------------------------------


def test_public_pages_for_a_visitor(client, call, open_track):
    for url in ("/fellowships/", "/fellowships/programmes/next-generation-leaders/", f"/fellowships/calls/{call.slug}/",
                "/fellowships/methodology/", "/fellowships/alumni/", "/fellowships/alumni/?programme=x&year=20&country=%00"):
        assert client.get(url).status_code == 200, url
    page = client.get(f"/fellowships/calls/{call.slug}/").content.decode()
    assert "Sign in to apply" in page and "Why this programme?" in page
    assert "population standard deviation" in client.get("/fellowships/methodology/").content.decode()


def test_a_draft_call_is_hidden_but_from_staff(call, staff_client):
    call.status = Call.Status.DRAFT
    call.save()
    assert Client().get(f"/fellowships/calls/{call.slug}/").status_code == 404
    assert staff_client.get(f"/fellowships/calls/{call.slug}/").status_code == 200


def test_signed_in_pages_send_a_visitor_to_sign_in(client, call, draft):
    for url in (f"/fellowships/calls/{call.slug}/apply/", "/fellowships/applications/", f"/fellowships/applications/"
                f"{draft.pk}/", "/fellowships/review/", f"/fellowships/calls/{call.slug}/manage/"):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url


# --- applying through the page ---------------------------------------------------------------------


def test_apply_over_two_visits_then_submit(call, open_track, applicant):
    c = signed_in(applicant)
    url = f"/fellowships/calls/{call.slug}/apply/"
    assert c.get(url).status_code == 200
    response = c.post(url, {"track": "open", "q_motivation": "Half done", "action": "save"})
    assert response.status_code == 302
    app = Application.objects.get(applicant=applicant)
    assert app.state == "draft" and app.answers == {"motivation": "Half done"}
    assert "Half done" in c.get(url).content.decode()  # the next visit shows the draft
    response = c.post(url, form_data(action="submit", q_cv=SimpleUploadedFile("cv.pdf", pdf())))
    assert response.status_code == 302 and response["Location"] == f"/fellowships/applications/{app.pk}/"
    app.refresh_from_db()
    assert app.state == "submitted" and app.documents.get().original_name == "cv.pdf"
    page = c.get(f"/fellowships/applications/{app.pk}/").content.decode()
    assert 'data-testid="status">Submitted' in page
    assert "Submitted" in c.get("/fellowships/applications/").content.decode()
    assert c.get(url).status_code == 302  # no second form once submitted


def test_missing_answers_are_named_on_the_form(call, open_track, applicant):
    c = signed_in(applicant)
    response = c.post(f"/fellowships/calls/{call.slug}/apply/", {"track": "open", "q_hours": "many", "action": "save"})
    assert response.status_code == 400
    assert 'id="id_q_hours_error"' in response.content.decode() and "Enter a number." in response.content.decode()
    response = c.post(f"/fellowships/calls/{call.slug}/apply/", form_data(action="submit"))
    assert response.status_code == 400 and "Upload a file here." in response.content.decode()
    assert Application.objects.get(applicant=applicant).state == "draft"  # the answers were saved


def test_a_renamed_executable_is_refused_on_the_form_and_the_answers_kept(call, open_track, applicant):
    c = signed_in(applicant)
    exe = SimpleUploadedFile("cv.pdf", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + b"\x00" * 200)
    response = c.post(f"/fellowships/calls/{call.slug}/apply/", form_data(q_cv=exe))
    assert response.status_code == 400
    text = response.content.decode()
    assert "not one of the accepted types" in text and 'id="id_q_cv_error"' in text
    app = Application.objects.get(applicant=applicant)
    assert app.answers["motivation"] == ANSWERS["motivation"] and not app.documents.exists()


def test_a_late_submission_through_the_page_says_the_deadline(draft, applicant, call):
    Call.objects.filter(pk=call.pk).update(closes_at=call.opens_at + timedelta(days=1))
    response = signed_in(applicant).post(f"/fellowships/calls/{call.slug}/apply/", form_data(action="submit"))
    assert response.status_code == 409
    assert "The deadline for this call passed on" in response.content.decode()
    draft.refresh_from_db()
    assert draft.state == "draft" and draft.answers == ANSWERS | {"hours": 5}


def test_ineligibility_reasons_are_shown(call, programme, applicant):
    programme.tracks.create(slug="young", name="Young", min_age=18, max_age=25)
    c = signed_in(applicant)
    response = c.post(f"/fellowships/calls/{call.slug}/apply/",
                      form_data(track="young", birth_date="1980-01-01", action="submit",
                                q_cv=SimpleUploadedFile("cv.pdf", pdf())))
    assert response.status_code == 409
    assert "up to the age of 25" in response.content.decode()


def test_csrf_is_required(call, open_track, applicant, draft, staff):
    for who, url in ((applicant, f"/fellowships/calls/{call.slug}/apply/"),
                     (applicant, f"/fellowships/applications/{draft.pk}/withdraw/"),
                     (staff, f"/fellowships/calls/{call.slug}/manage/notify/")):
        c = Client(enforce_csrf_checks=True)
        c.force_login(who)
        assert c.post(url, form_data()).status_code == 403, url
    assert Application.objects.get(pk=draft.pk).state == "draft"


TEXT = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=30)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow])
@given(data=st.dictionaries(st.sampled_from(["track", "birth_date", "country", "gender", "q_motivation", "q_sector",
                                             "q_languages", "q_available_from", "q_hours", "action", "junk"]),
                            st.one_of(TEXT, st.lists(TEXT, max_size=3)), max_size=8))
def test_arbitrary_form_input_gives_an_error_or_a_valid_draft(call, open_track, applicant, data):
    c = signed_in(applicant)
    response = c.post(f"/fellowships/calls/{call.slug}/apply/", data)
    assert response.status_code in (302, 400, 409), response.status_code
    app = Application.objects.filter(applicant=applicant).first()
    if app is not None:
        assert app.state == "draft"
        assert forms_schema.validate(call.application_form(), app.answers, partial=True).ok
        Application.objects.filter(pk=app.pk).delete()


# --- who sees what ---------------------------------------------------------------------------------


def test_another_applicant_cannot_see_or_touch_an_application(draft, someone, call):
    other = signed_in(someone())
    doc = draft.documents.get()
    for url in (f"/fellowships/applications/{draft.pk}/", f"/fellowships/applications/{draft.pk}/documents/{doc.pk}/"):
        assert other.get(url).status_code == 404
    assert other.post(f"/fellowships/applications/{draft.pk}/withdraw/").status_code == 404
    assert other.post(f"/fellowships/applications/{draft.pk}/documents/{doc.pk}/remove/").status_code == 404
    assert other.get(f"/fellowships/applications/{draft.pk}/endorse/").status_code == 404  # not an officer
    assert draft.documents.exists()


def test_the_applicant_and_staff_download_the_file_under_its_name(draft, applicant, staff_client):
    doc = draft.documents.get()
    url = f"/fellowships/applications/{draft.pk}/documents/{doc.pk}/"
    for c in (signed_in(applicant), staff_client):
        response = c.get(url)
        assert response.status_code == 200 and b"".join(response.streaming_content) == pdf()
        assert "wanjiru-kamau-cv.pdf" in response["Content-Disposition"]


@pytest.fixture
def reviewer(someone):
    return someone(first_name="Rita", last_name="Reviewer")


def test_a_blind_reviewer_sees_neither_name_email_chapter_nor_file_name(submitted, reviewer, staff):
    fs.assign_reviewer(submitted, reviewer, actor=staff)
    c = signed_in(reviewer)
    queue = c.get("/fellowships/review/").content.decode()
    page = c.get(f"/fellowships/review/{submitted.pk}/").content.decode()
    for secret in ("Wanjiru", "Kamau", submitted.applicant.email, "wanjiru-kamau-cv"):
        assert secret not in queue and secret not in page, secret
    assert ANSWERS["motivation"] in page
    doc = submitted.documents.get()
    response = c.get(f"/fellowships/applications/{submitted.pk}/documents/{doc.pk}/")
    assert response.status_code == 200 and "wanjiru" not in response["Content-Disposition"]
    assert 'filename="cv.pdf"' in response["Content-Disposition"]


def test_without_blind_review_the_reviewer_sees_the_name(submitted, reviewer, staff, call):
    Call.objects.filter(pk=call.pk).update(blind_review=False)
    fs.assign_reviewer(submitted, reviewer, actor=staff)
    assert "Wanjiru Kamau" in signed_in(reviewer).get(f"/fellowships/review/{submitted.pk}/").content.decode()


def test_a_conflicted_reviewer_gets_404_everywhere(submitted, reviewer, staff):
    fs.assign_reviewer(submitted, reviewer, actor=staff)
    c = signed_in(reviewer)
    response = c.post(f"/fellowships/review/{submitted.pk}/conflict/", {"reason": "My neighbour."})
    assert response.status_code == 302
    doc = submitted.documents.get()
    assert "Nothing to review." in c.get("/fellowships/review/").content.decode()
    for url in (f"/fellowships/review/{submitted.pk}/", f"/fellowships/applications/{submitted.pk}/documents/{doc.pk}/",
                f"/fellowships/applications/{submitted.pk}/"):
        assert c.get(url).status_code == 404, url
    assert c.post(f"/fellowships/review/{submitted.pk}/", {"score_motivation": "5", "score_impact": "5"}).status_code == 404


def test_an_unassigned_reviewer_gets_404(submitted, reviewer):
    assert signed_in(reviewer).get(f"/fellowships/review/{submitted.pk}/").status_code == 404


def test_reviewing_through_the_page(submitted, reviewer, staff):
    fs.assign_reviewer(submitted, reviewer, actor=staff)
    c = signed_in(reviewer)
    response = c.post(f"/fellowships/review/{submitted.pk}/", {"score_motivation": "9", "score_impact": "2"})
    assert response.status_code == 400 and "from 0 to 5" in response.content.decode()
    response = c.post(f"/fellowships/review/{submitted.pk}/", {"score_motivation": "4", "score_impact": "2",
                                                               "comment": "Clear plan."})
    assert response.status_code == 302
    assignment = submitted.assignments.get()
    assert assignment.review.raw_score == pytest.approx(10 / 3)


# --- the secretariat's page -----------------------------------------------------------------------


def test_the_selection_page_is_for_staff_only(call, submitted, person, staff_client):
    member_client = signed_in(person)
    url = f"/fellowships/calls/{call.slug}/manage/"
    assert member_client.get(url).status_code == 403
    assert member_client.post(f"/fellowships/calls/{call.slug}/manage/{submitted.pk}/decide/",
                              {f"d{submitted.pk}-outcome": "accepted", f"d{submitted.pk}-reason": "x"}).status_code == 403
    page = staff_client.get(url).content.decode()
    assert "Wanjiru Kamau" in page and 'data-testid="targets"' in page and "Africa" in page


def test_staff_assign_decide_and_notify_through_the_page(call, submitted, reviewer, staff_client, applicant,
                                                          django_capture_on_commit_callbacks):
    base = f"/fellowships/calls/{call.slug}/manage/{submitted.pk}"
    response = staff_client.post(f"{base}/assign/", {f"a{submitted.pk}-reviewer": "nobody@example.org"})
    assert response.status_code == 400 and "No account" in response.content.decode()
    response = staff_client.post(f"{base}/assign/", {f"a{submitted.pk}-reviewer": applicant.email})
    assert response.status_code == 409 and "your own application" in response.content.decode()
    assert staff_client.post(f"{base}/assign/", {f"a{submitted.pk}-reviewer": reviewer.email}).status_code == 302
    response = staff_client.post(f"{base}/decide/", {f"d{submitted.pk}-outcome": "accepted", f"d{submitted.pk}-reason": ""})
    assert response.status_code == 409 and "Give the reason" in response.content.decode()
    assert staff_client.post(f"{base}/decide/", {f"d{submitted.pk}-outcome": "accepted",
                                                 f"d{submitted.pk}-reason": "Strong plan."}).status_code == 302
    applicant_client = signed_in(applicant)
    # Not told yet: the applicant still sees "under review".
    assert 'data-testid="status">Under review' in applicant_client.get(
        f"/fellowships/applications/{submitted.pk}/").content.decode()
    page = staff_client.get(f"/fellowships/calls/{call.slug}/manage/").content.decode()
    assert "1 selected of 2 places." in page
    with django_capture_on_commit_callbacks(execute=True):
        assert staff_client.post(f"/fellowships/calls/{call.slug}/manage/notify/").status_code == 302
    assert [m.to for m in mail.outbox] == [[applicant.email]]
    page = applicant_client.get(f"/fellowships/applications/{submitted.pk}/").content.decode()
    assert 'data-testid="decision">Congratulations' in page and "Strong plan." in page


def test_onboarding_travel_and_alumni_through_the_pages(call, submitted, staff, applicant,
                                                       django_capture_on_commit_callbacks):
    call.programme.asks_travel = True
    call.programme.save()
    fs.record_decision(submitted, outcome="accepted", reason="Yes.", actor=staff)
    with django_capture_on_commit_callbacks(execute=True):
        fs.notify(call, actor=staff)
    c = signed_in(applicant)
    base = f"/fellowships/applications/{submitted.pk}"
    assert c.post(f"{base}/onboard/").status_code == 302
    response = c.post(f"{base}/travel/", {"arrival_date": "2026-12-05", "departure_date": "2026-12-01",
                                          "passport_country": "KE", "visa_needed": "true"})
    assert response.status_code == 409 and "on or after arrival" in response.content.decode()
    assert c.post(f"{base}/travel/", {"arrival_date": "2026-12-01", "departure_date": "2026-12-05",
                                      "passport_country": "KE", "visa_needed": "true"}).status_code == 302
    assert 'data-testid="travel-confirmed"' in c.get(f"{base}/").content.decode()
    assert c.post(f"{base}/alumni/", {"listed": "1"}).status_code == 302
    assert "Wanjiru Kamau" in Client().get("/fellowships/alumni/?country=KE").content.decode()
    assert "Wanjiru Kamau" not in Client().get("/fellowships/alumni/?country=FR").content.decode()


def test_an_officer_endorses_through_the_page(call, programme, applicant, live):
    track = programme.tracks.create(slug="endorsed", name="Endorsed", endorsement_required=True)
    app = fs.save_draft(call, applicant, track=track, profile=fs.Profile(birth_date=date(2000, 1, 1), country="KE",
                                                                         gender="woman"), answers=ANSWERS)
    chair = signed_in(live.people[0])
    url = f"/fellowships/applications/{app.pk}/endorse/"
    assert "Wanjiru Kamau" in chair.get(url).content.decode()
    assert chair.post(url, {"chapter": str(live.pk), "statement": "Yes."}).status_code == 302
    response = chair.post(url, {"chapter": str(live.pk)})
    assert response.status_code == 409 and "already endorsed" in response.content.decode()
    assert app.endorsements.count() == 1


# --- API ---------------------------------------------------------------------------------------------


def test_the_api(client, call, open_track, submitted, staff, django_capture_on_commit_callbacks):
    programmes = client.get("/api/v1/fellowships/programmes").json()
    assert {p["slug"] for p in programmes["items"]} == {"next-generation-leaders", "igf-ambassadors"}
    assert client.get("/api/v1/fellowships/programmes/nope").status_code == 404
    calls = client.get("/api/v1/fellowships/calls").json()["items"]
    assert [c["slug"] for c in calls] == [call.slug] and calls[0]["phase"] == "open"
    detail = client.get(f"/api/v1/fellowships/calls/{call.slug}").json()
    assert detail["form"][0]["name"] == "motivation" and detail["rubric"][0]["weight"] == 2
    assert client.get("/api/v1/fellowships/calls/nope").status_code == 404
    response = client.get("/api/v1/fellowships/alumni", {"country": "KEN"})
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "country"
    assert client.get("/api/v1/fellowships/alumni").json() == {"items": [], "count": 0}
    fs.record_decision(submitted, outcome="accepted", reason="Yes.", actor=staff)
    with django_capture_on_commit_callbacks(execute=True):
        fs.notify(call, actor=staff)
    fs.set_alumni_listing(submitted, person=submitted.applicant, listed=True)
    [alumnus] = client.get("/api/v1/fellowships/alumni", {"programme": "next-generation-leaders"}).json()["items"]
    assert alumnus == {"name": "Wanjiru Kamau", "programme": "next-generation-leaders", "year": call.year,
                       "country": "KE", "track": "open", "is_demo": False}
