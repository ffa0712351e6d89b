"""The learning pages through the test client: the learner's path from the catalog to the
certificate, and who may open what (visitor, learner, facilitator, staff)."""

from __future__ import annotations

import subprocess
from datetime import date, timedelta

import pytest
from django.test import Client

from isoc.learning import services
from isoc.learning.models import Cohort, Enrolment, QuizAttempt

from .conftest import answers_all_right

pytestmark = pytest.mark.django_db
BASE = "/learning/en/how-packets-travel/"


def _client(person) -> Client:
    c = Client()
    c.force_login(person)
    return c


def test_catalog_filters_by_language_topic_and_level(client, course):
    page = client.get("/learning/?language=en&topic=network-operations&level=beginner")
    assert page.status_code == 200 and "How packets travel" in page.content.decode()
    assert "How packets travel" not in client.get("/learning/?language=fr").content.decode()
    assert "How packets travel" not in client.get("/learning/?level=advanced").content.decode()
    assert client.get("/learning/?language=xx&topic=%00&page=abc").status_code == 200  # nonsense filters ignored


def test_a_learner_enrols_reads_passes_the_quiz_and_gets_a_certificate(course, learner):
    c = _client(learner)
    assert "Enrol" in c.get(BASE).content.decode()
    assert c.post(BASE + "enrol/").status_code == 302
    assert c.get(BASE + "resume/")["Location"].endswith("lessons/01-packets/")
    for key in ("01-packets", "02-addresses", "03-routers"):
        page = c.get(f"{BASE}lessons/{key}/")
        assert page.status_code == 200
    assert ('<img src="/learning/en/how-packets-travel/files/images/packets.svg" width="300" height="60" loading="lazy"'
            in c.get(BASE + "lessons/01-packets/").content.decode())
    assert c.get(BASE + "files/images/packets.svg").status_code == 200
    assert c.get(BASE + "files/resources/address-sizes.txt")["Content-Disposition"].startswith("attachment")
    c.post(BASE + "quizzes/routers-and-networks/start/")
    attempt = QuizAttempt.objects.get()
    form = {}
    for i, q in enumerate(attempt.questions):
        right = answers_all_right(attempt.questions)[str(i)]
        form[f"q{i}"] = [str(k) for k in right] if isinstance(right, list) else right
        form[f"kind{i}"] = q["kind"]
    response = c.post(BASE + "quizzes/routers-and-networks/attempts/1/submit/", form)
    assert response["Location"].endswith("attempts/1/")
    result = c.get(response["Location"]).content.decode()
    assert "Passed: 100.00%" in result
    enrolment = Enrolment.objects.get()
    assert enrolment.status == "completed"
    pdf = c.get(f"/learning/certificates/{enrolment.certificate.code}.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf" and pdf.content[:4] == b"%PDF"
    dashboard = c.get("/learning/my/").content.decode()
    assert "How packets travel" in dashboard and "100%" in dashboard


def test_certificate_pdf_carries_the_name_course_and_code(course, learner, tmp_path):
    from .conftest import complete_course

    certificate = complete_course(services.enrol(learner, course))
    pdf = _client(learner).get(f"/learning/certificates/{certificate.code}.pdf").content
    (tmp_path / "c.pdf").write_bytes(pdf)
    text = subprocess.run(["pdftotext", str(tmp_path / "c.pdf"), "-"], capture_output=True, text=True, check=True).stdout
    assert "Linus Learner" in text and "How packets travel" in text and certificate.code in text
    assert "/learning/certificates/verify/?code=" in text


def test_a_bad_answer_is_a_form_error_not_a_500(course, learner):
    c = _client(learner)
    c.post(BASE + "enrol/")
    c.post(BASE + "quizzes/routers-and-networks/start/")
    attempt = QuizAttempt.objects.get()
    single = next(i for i, q in enumerate(attempt.questions) if q["kind"] == "single")
    page = c.post(BASE + "quizzes/routers-and-networks/attempts/1/submit/", {f"q{single}": ["0", "2"]})
    assert page.status_code == 400 and "Choose exactly one answer." in page.content.decode()
    page = c.post(BASE + "quizzes/routers-and-networks/attempts/1/submit/", {f"q{single}": "99"})
    assert page.status_code == 400
    attempt.refresh_from_db()
    assert attempt.state == "in_progress"


def test_lessons_and_quizzes_need_an_enrolment(client, course, learner):
    assert client.get(BASE + "lessons/01-packets/")["Location"].startswith("/accounts/login/")
    c = _client(learner)
    assert c.get(BASE + "lessons/01-packets/")["Location"] == BASE
    assert c.get(BASE + "quizzes/routers-and-networks/")["Location"] == BASE
    c.post(BASE + "enrol/")
    assert c.get(BASE + "lessons/no-such-lesson/").status_code == 404
    assert c.get(BASE + "quizzes/no-such-quiz/").status_code == 404


def test_visitors_may_verify_certificates_and_see_nothing_else(client, course, learner, other_person):
    from .conftest import complete_course

    certificate = complete_course(services.enrol(learner, course))
    page = client.get(f"/learning/certificates/verify/?code={certificate.code}").content.decode()
    assert "Valid certificate." in page and "Linus Learner" in page and "learner@example.org" not in page
    assert "not a valid code" in client.get("/learning/certificates/verify/?code=ZZZZ").content.decode()
    # Only the learner and staff download the PDF; anyone else is told nothing (404).
    assert _client(other_person).get(f"/learning/certificates/{certificate.code}.pdf").status_code == 404
    assert client.get(f"/learning/certificates/{certificate.code}.pdf").status_code == 302


def test_staff_revoke_a_certificate_and_verification_says_so(client, course, learner, staff):
    from .conftest import complete_course

    certificate = complete_course(services.enrol(learner, course))
    assert _client(learner).get(f"/learning/certificates/{certificate.code}/revoke/").status_code == 403
    s = _client(staff)
    assert s.post(f"/learning/certificates/{certificate.code}/revoke/", {"reason": ""}).status_code == 400
    assert s.post(f"/learning/certificates/{certificate.code}/revoke/", {"reason": "Fraud"}).status_code == 302
    assert "was revoked" in client.get(f"/learning/certificates/verify/?code={certificate.code}").content.decode()


@pytest.mark.parametrize("path", ["/learning/grading/", "/learning/reports/", "/learning/reports.csv",
                                  "/learning/author/"])
def test_staff_pages_refuse_visitors_and_members(client, course, learner, path):
    assert client.get(path)["Location"].startswith("/accounts/login/")
    assert _client(learner).get(path).status_code == 403


def test_facilitator_sees_their_queue_and_grades_with_feedback(course, staff, learner, facilitator, other_person):
    from isoc.learning.models import Question

    q = course.modules.get(key="routers-and-networks").quiz
    Question.objects.create(quiz=q, order=9, kind="open", prompt="Explain longest prefix match.", points=2)
    services.publish(course, actor=staff)
    cohort = Cohort.objects.create(course=course, name="Spring", starts_on=date.today(),
                                   ends_on=date.today() + timedelta(days=30))
    cohort.facilitators.add(facilitator)
    enrolment = services.enrol(learner, course, cohort=cohort)
    attempt = services.start_attempt(enrolment, "routers-and-networks")
    attempt = services.submit_attempt(attempt, answers_all_right(attempt.questions))
    f = _client(facilitator)
    assert "Grade attempt 1" in f.get("/learning/grading/").content.decode()
    assert _client(other_person).get(f"/learning/grading/{attempt.pk}/").status_code == 403
    open_index = next(i for i, x in enumerate(attempt.questions) if x["kind"] == "open")
    bad = f.post(f"/learning/grading/{attempt.pk}/", {f"points_{open_index}": "9"})
    assert bad.status_code == 400 and "Points must be from 0 to 2" in bad.content.decode()
    assert f.post(f"/learning/grading/{attempt.pk}/", {f"points_{open_index}": "2",
                                                      f"feedback_{open_index}": "Well put."}).status_code == 302
    result = _client(learner).get(f"{BASE}quizzes/routers-and-networks/attempts/1/").content.decode()
    assert "Well put." in result and "Passed" in result
    assert _client(staff).get("/learning/grading/").status_code == 200


def test_csrf_protects_enrolment_and_quiz_posts(course, learner):
    c = Client(enforce_csrf_checks=True)
    c.force_login(learner)
    assert c.post(BASE + "enrol/").status_code == 403
    assert not Enrolment.objects.exists()
    services.enrol(learner, course)
    assert c.post(BASE + "quizzes/routers-and-networks/start/").status_code == 403
    assert c.post(BASE + "withdraw/").status_code == 403


def test_members_only_course_says_why_before_and_refuses_on_post(course, learner):
    from isoc.learning.models import Course

    Course.objects.filter(pk=course.pk).update(enrolment="members")
    c = _client(learner)
    assert "active membership" in c.get(BASE).content.decode()
    c.post(BASE + "enrol/")
    assert not Enrolment.objects.exists()


def test_staff_author_reorder_preview_and_publish(course, staff):
    s = _client(staff)
    pk = course.pk
    assert s.get("/learning/author/").status_code == 200
    assert s.post("/learning/author/", {"slug": "Bad Slug"}).status_code == 400
    assert s.post("/learning/author/", {"slug": "how-packets-travel", "language": "en", "title": "Dup",
                                        "topic": "internet-history", "level": "beginner", "enrolment": "open",
                                        "estimated_hours": 1, "pass_mark": 70}).status_code == 409
    assert s.post(f"/learning/author/{pk}/", {"title": "Going further"}).status_code == 302
    module = course.modules.get(key="going-further")
    assert s.post(f"/learning/author/{pk}/modules/{module.pk}/", {"action": "add", "title": "Peering",
                                                                  "body": "# Peering\n\n<script>x</script>IXPs"}
                  ).status_code == 302
    preview = s.get(f"/learning/author/{pk}/preview/peering/").content.decode()
    assert "IXPs" in preview and "<script>x" not in preview
    first, second = course.modules.values_list("pk", flat=True)[:2]
    s.post(f"/learning/author/{pk}/move/", {"kind": "module", "item": second, "direction": "up"})
    assert list(course.modules.values_list("pk", flat=True)[:2]) == [second, first]
    assert s.post(f"/learning/author/{pk}/publish/", {"note": "Peering"}).status_code == 302
    course.refresh_from_db()
    assert course.published_version == 2


def test_reports_and_csv(course, learner, staff):
    from .conftest import complete_course

    complete_course(services.enrol(learner, course))
    s = _client(staff)
    for by in ("course", "cohort", "country", "month"):
        assert s.get(f"/learning/reports/?by={by}").status_code == 200
    csv = s.get("/learning/reports.csv?by=course").content.decode()
    assert csv.splitlines()[0] == "group,enrolments,active,completed,withdrawn,attempts,passed,pass_rate"
    assert "how-packets-travel (en),1,0,1,0,1,1,100.0" in csv
    assert s.get("/learning/reports.csv?by=nonsense").status_code == 404


def test_home_page_shows_learners_trained(client, course, learner):
    from .conftest import complete_course

    complete_course(services.enrol(learner, course))
    assert "1 learner trained" in client.get("/").content.decode()


def test_api_catalog_detail_and_verification(client, course, learner):
    from .conftest import complete_course

    listing = client.get("/api/v1/learning/courses?language=en").json()
    assert listing["count"] == 1 and listing["items"][0]["slug"] == "how-packets-travel"
    assert client.get("/api/v1/learning/courses?level=expert").status_code == 422
    detail = client.get("/api/v1/learning/courses/en/how-packets-travel").json()
    assert [m["quiz"] for m in detail["modules"]] == [None, "Check your understanding: packets and routers"]
    missing = client.get("/api/v1/learning/courses/fr/how-packets-travel")
    assert missing.status_code == 404 and missing.json()["detail"]
    certificate = complete_course(services.enrol(learner, course))
    ok = client.get(f"/api/v1/learning/certificates/verify?code={certificate.code}").json()
    assert ok["state"] == "valid" and ok["name"] == "Linus Learner"
    assert client.get("/api/v1/learning/certificates/verify?code=AAAA").json() == {
        "state": "mistyped", "name": None, "course": None, "issued_at": None}
    assert client.get("/api/v1/learning/certificates/verify").status_code == 422
