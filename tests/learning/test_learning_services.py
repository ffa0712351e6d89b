"""The learning rules, one by one, through the services."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from isoc.learning import services
from isoc.learning.models import (
    Certificate,
    Cohort,
    Course,
    Enrolment,
    EnrolmentChange,
    QuizAttempt,
)

from .conftest import answers_all_right, complete_course

pytestmark = pytest.mark.django_db


def test_import_publishes_version_one_with_every_lesson_and_quiz(course):
    assert course.status == Course.Status.PUBLISHED and course.published_version == 1
    spec = services.published_spec(course)
    assert [lesson.key for lesson in spec.lessons()] == ["01-packets", "02-addresses", "03-routers"]
    assert [k for k, _q in spec.quizzes()] == ["routers-and-networks"]
    assert course.files.count() == 2  # the image and the resource


def test_reimporting_the_same_folder_publishes_nothing_new(course, smoke_folder, staff):
    services.import_course(smoke_folder, publish_it=True, actor=staff)
    assert course.versions.count() == 1


# --- enrolment restrictions ------------------------------------------------------------------


def test_open_course_takes_anyone_signed_in_and_logs_it(course, learner):
    enrolment = services.enrol(learner, course)
    assert enrolment.status == Enrolment.Status.ACTIVE
    assert list(EnrolmentChange.objects.filter(enrolment=enrolment).values_list("to_status", flat=True)) == ["active"]


def test_enrolling_twice_is_refused(course, learner):
    services.enrol(learner, course)
    with pytest.raises(services.LearningError, match="already enrolled"):
        services.enrol(learner, course)


def test_members_only_course_needs_an_active_membership(course, learner, other_person):
    from isoc.members import services as ms

    Course.objects.filter(pk=course.pk).update(enrolment=Course.Enrolment.MEMBERS)
    course.refresh_from_db()
    with pytest.raises(services.LearningError, match="members"):
        services.enrol(learner, course)
    assert not Enrolment.objects.exists()
    ms.join(other_person, "global")
    assert services.enrol(other_person, course).status == Enrolment.Status.ACTIVE


def test_cohort_course_needs_a_running_cohort_of_that_course(course, learner, other_person):
    Course.objects.filter(pk=course.pk).update(enrolment=Course.Enrolment.COHORT)
    course.refresh_from_db()
    with pytest.raises(services.LearningError, match="cohort"):
        services.enrol(learner, course)
    ended = Cohort.objects.create(course=course, name="Old", starts_on=date(2020, 1, 1), ends_on=date(2020, 3, 1))
    with pytest.raises(services.LearningError, match="ended"):
        services.enrol(learner, course, cohort=ended)
    today = date.today()
    running = Cohort.objects.create(course=course, name="Now", starts_on=today, ends_on=today + timedelta(days=30))
    assert services.enrol(learner, course, cohort=running).cohort == running


def test_unpublished_course_takes_nobody(staff, learner):
    draft = services.create_course(actor=staff, slug="draft-only", language="en", title="Draft", topic="internet-history",
                                   level="beginner")
    with pytest.raises(services.LearningError, match="not published"):
        services.enrol(learner, draft)


def test_withdraw_then_enrol_again_keeps_progress(course, learner):
    enrolment = services.enrol(learner, course)
    services.record_lesson_seen(enrolment, "01-packets")
    services.withdraw(enrolment, actor=learner)
    with pytest.raises(services.LearningError, match="withdrew"):
        services.record_lesson_seen(enrolment, "02-addresses")
    again = services.enrol(learner, course)
    assert again.pk == enrolment.pk and again.views.count() == 1
    assert list(again.history.values_list("to_status", flat=True)) == ["active", "withdrawn", "active"]


# --- progress and resume ------------------------------------------------------------------------


def test_resume_goes_to_the_first_unseen_lesson_after_the_last_opened(course, learner):
    enrolment = services.enrol(learner, course)
    spec = services.published_spec(course)
    assert services.resume_lesson(enrolment, spec) == "01-packets"
    services.record_lesson_seen(enrolment, "01-packets")
    enrolment.refresh_from_db()
    assert services.resume_lesson(enrolment, spec) == "02-addresses"
    with pytest.raises(services.LearningError):
        services.record_lesson_seen(enrolment, "no-such-lesson")


# --- quizzes: draw, attempts, pass mark ----------------------------------------------------------


def test_an_attempt_in_progress_is_the_same_on_reload(course, learner):
    enrolment = services.enrol(learner, course)
    first = services.start_attempt(enrolment, "routers-and-networks")
    again = services.start_attempt(enrolment, "routers-and-networks")
    assert first.pk == again.pk and first.questions == again.questions


def test_draw_takes_the_quiz_size_from_the_bank_and_depends_only_on_the_seed(course, learner):
    from isoc.learning import quiz

    bank = services.published_spec(course).quizzes()[0][1].questions
    assert quiz.draw(bank, 2, 7) == quiz.draw(bank, 2, 7)
    assert len(quiz.draw(bank, 2, 7)) == 2
    draws = {tuple(q["prompt"] for q in quiz.draw(bank, 2, s)) for s in range(40)}
    assert len(draws) > 1  # different seeds draw differently


def test_attempt_limit_is_enforced(course, learner):
    enrolment = services.enrol(learner, course)
    for _ in range(3):  # the quiz allows 3
        attempt = services.start_attempt(enrolment, "routers-and-networks")
        services.submit_attempt(attempt, {})
        assert attempt.__class__.objects.get(pk=attempt.pk).passed is False
    with pytest.raises(services.LearningError, match="all 3 attempts"):
        services.start_attempt(enrolment, "routers-and-networks")


def test_pass_mark_decides_and_the_score_is_a_percentage(course, learner):
    enrolment = services.enrol(learner, course)
    attempt = services.start_attempt(enrolment, "routers-and-networks", seed=1)
    right = answers_all_right(attempt.questions)
    # Two of three right: 66.67% ≥ the quiz's pass mark of 60.
    wrong_one = next(k for k, q in enumerate(attempt.questions) if q["kind"] == "short")
    right[str(wrong_one)] = "OSPF"
    done = services.submit_attempt(attempt, right)
    assert str(done.score) == "66.67" and done.passed is True


def test_short_answers_ignore_case_and_spaces(course, learner):
    enrolment = services.enrol(learner, course)
    attempt = services.start_attempt(enrolment, "routers-and-networks")
    answers = answers_all_right(attempt.questions)
    short = next(k for k, q in enumerate(attempt.questions) if q["kind"] == "short")
    answers[str(short)] = "  border   gateway PROTOCOL "
    assert services.submit_attempt(attempt, answers).score == 100


def test_nonsense_answers_are_refused_and_the_attempt_stays_open(course, learner):
    enrolment = services.enrol(learner, course)
    attempt = services.start_attempt(enrolment, "routers-and-networks")
    single = next(k for k, q in enumerate(attempt.questions) if q["kind"] == "single")
    with pytest.raises(services.LearningError) as err:
        services.submit_attempt(attempt, {str(single): ["0", "1"]})
    assert err.value.field == f"q{single}"
    with pytest.raises(services.LearningError):
        services.submit_attempt(attempt, {"99": "x"})
    attempt.refresh_from_db()
    assert attempt.state == QuizAttempt.State.IN_PROGRESS


def test_someone_else_cannot_submit_my_attempt(course, learner, other_person):
    enrolment = services.enrol(learner, course)
    attempt = services.start_attempt(enrolment, "routers-and-networks")
    with pytest.raises(services.LearningError):
        services.submit_attempt(attempt, {}, actor=other_person)


# --- open answers graded by a facilitator ---------------------------------------------------------


def _with_open_question(course, staff):
    from isoc.learning.models import Question

    q = course.modules.get(key="routers-and-networks").quiz
    Question.objects.create(quiz=q, order=9, kind="open", prompt="Explain longest prefix match.", points=2)
    services.publish(course, actor=staff)


def test_facilitator_grades_open_answers_with_feedback_and_completion_follows(course, staff, learner, facilitator,
                                                                              other_person):
    _with_open_question(course, staff)
    today = date.today()
    cohort = Cohort.objects.create(course=course, name="C", starts_on=today, ends_on=today + timedelta(days=9))
    cohort.facilitators.add(facilitator)
    enrolment = services.enrol(learner, course, cohort=cohort)
    for key in ("01-packets", "02-addresses", "03-routers"):
        services.record_lesson_seen(enrolment, key)
    attempt = services.start_attempt(enrolment, "routers-and-networks")
    attempt = services.submit_attempt(attempt, answers_all_right(attempt.questions))
    assert attempt.state == QuizAttempt.State.AWAITING_GRADING and attempt.passed is None
    assert list(services.grading_queue(facilitator)) == [attempt]
    assert list(services.grading_queue(other_person)) == []
    open_index = next(k for k, q in enumerate(attempt.questions) if q["kind"] == "open")
    with pytest.raises(services.LearningError):
        services.grade_attempt(attempt, actor=other_person, points={str(open_index): 2})
    with pytest.raises(services.LearningError) as err:
        services.grade_attempt(attempt, actor=facilitator, points={str(open_index): 5})
    assert err.value.field == f"points_{open_index}"
    graded = services.grade_attempt(attempt, actor=facilitator, points={str(open_index): 1},
                                    feedback={str(open_index): "Name the table lookup."})
    assert graded.state == QuizAttempt.State.GRADED and graded.score == 80 and graded.passed
    assert graded.feedback == {str(open_index): "Name the table lookup."}
    enrolment.refresh_from_db()
    assert enrolment.status == Enrolment.Status.COMPLETED and enrolment.certificate


# --- completion and certificates -------------------------------------------------------------------


def test_completion_needs_every_lesson_and_every_quiz(course, learner):
    enrolment = services.enrol(learner, course)
    attempt = services.start_attempt(enrolment, "routers-and-networks")
    services.submit_attempt(attempt, answers_all_right(attempt.questions))
    services.record_lesson_seen(enrolment, "01-packets")
    enrolment.refresh_from_db()
    assert enrolment.status == Enrolment.Status.ACTIVE and not Certificate.objects.exists()
    services.record_lesson_seen(enrolment, "02-addresses")
    certificate = services.record_lesson_seen(enrolment, "03-routers")
    enrolment.refresh_from_db()
    assert enrolment.status == Enrolment.Status.COMPLETED and certificate.enrolment == enrolment
    assert certificate.learner_name == "Linus Learner"
    assert services.has_completed(learner, course)


def test_certificate_is_issued_once(course, learner):
    enrolment = services.enrol(learner, course)
    certificate = complete_course(enrolment)
    assert services.issue_certificate(enrolment).pk == certificate.pk
    assert services.check_completion(enrolment).pk == certificate.pk
    services.record_lesson_seen(enrolment, "01-packets")  # seeing a lesson again issues nothing new
    assert Certificate.objects.count() == 1


def test_certificate_mail_is_sent_once_on_completion(course, learner, mailoutbox, django_capture_on_commit_callbacks):
    enrolment = services.enrol(learner, course)
    with django_capture_on_commit_callbacks(execute=True):
        certificate = complete_course(enrolment)
    assert len(mailoutbox) == 1 and certificate.code in mailoutbox[0].body


def test_has_completed_counts_any_language_version(course, learner, staff, smoke_folder):
    import yaml

    data = yaml.safe_load((smoke_folder / "course.yaml").read_text())
    data["language"] = "fr"
    (smoke_folder / "course.yaml").write_text(yaml.safe_dump(data))
    french = services.import_course(smoke_folder, publish_it=True, actor=staff)
    assert french.slug == course.slug and french.pk != course.pk
    complete_course(services.enrol(learner, course))
    assert services.has_completed(learner, french)


def test_verify_a_valid_a_revoked_a_forged_and_a_mistyped_code(course, learner, staff):
    certificate = complete_course(services.enrol(learner, course))
    valid = services.verify(certificate.code.lower().replace("-", " "))
    assert (valid.state, valid.name, valid.course) == ("valid", "Linus Learner", "How packets travel")
    # One character changed: the HMAC check fails, so it is a typo (or forged), not an unknown code.
    raw = certificate.code.replace("-", "")
    typo = raw[:3] + ("A" if raw[3] != "A" else "B") + raw[4:]
    assert services.verify(typo).state == "mistyped"
    assert services.verify("not a code").state == "mistyped"
    # A well-formed code (right HMAC) that no certificate carries: unknown.
    from django.conf import settings

    from isoc.learning import certificates

    other = certificates.new_code(settings.SECRET_KEY.encode())
    assert services.verify(other).state == "unknown"
    # A code made with another key (a forger without ours) fails the check.
    assert services.verify(certificates.new_code(b"not-our-key")).state in ("mistyped",)
    with pytest.raises(services.LearningError):
        services.revoke_certificate(certificate, actor=learner, reason="x")
    with pytest.raises(services.LearningError):
        services.revoke_certificate(certificate, actor=staff, reason=" ")
    services.revoke_certificate(certificate, actor=staff, reason="Plagiarised quiz answers")
    revoked = services.verify(certificate.code)
    assert revoked.state == "revoked" and revoked.name == "" and revoked.course == ""


def test_learners_trained_counts_people_with_a_completed_course_once(course, learner, other_person, staff,
                                                                     smoke_folder):
    assert services.learners_trained() == 0
    complete_course(services.enrol(learner, course))
    services.enrol(other_person, course)
    assert services.learners_trained() == 1


# --- authoring ----------------------------------------------------------------------------------


def test_publish_freezes_a_version_while_staff_edit_the_draft(course, staff, learner):
    module = course.modules.first()
    services.save_lesson(module, actor=staff, title="A new lesson", body="Draft text")
    assert "a-new-lesson" not in [lesson.key for lesson in services.published_spec(course).lessons()]
    version = services.publish(course, actor=staff, note="new lesson")
    course.refresh_from_db()
    assert version.number == course.published_version == 2
    assert "a-new-lesson" in [lesson.key for lesson in services.published_spec(course).lessons()]


def test_reorder_modules_and_lessons(course, staff, learner):
    modules = list(course.modules.values_list("pk", flat=True))
    services.reorder_modules(course, list(reversed(modules)), actor=staff)
    assert list(course.modules.values_list("pk", flat=True)) == list(reversed(modules))
    with pytest.raises(services.LearningError):
        services.reorder_modules(course, modules[:1], actor=staff)
    with pytest.raises(services.LearningError):
        services.reorder_modules(course, modules, actor=learner)
    module = course.modules.get(key="packets-and-addresses")
    lessons = list(module.lessons.values_list("pk", flat=True))
    services.reorder_lessons(module, services.moved(lessons, lessons[1], -1), actor=staff)
    assert list(module.lessons.values_list("pk", flat=True)) == [lessons[1], lessons[0]]


def test_only_staff_author(course, learner):
    with pytest.raises(services.LearningError):
        services.save_module(course, actor=learner, title="Mine")
    with pytest.raises(services.LearningError):
        services.create_course(actor=learner, slug="x", language="en", title="X", topic="internet-history",
                               level="beginner")


def test_publishing_an_empty_course_is_refused(staff):
    course = services.create_course(actor=staff, slug="empty", language="en", title="Empty", topic="internet-history",
                                    level="beginner")
    with pytest.raises(services.LearningError, match="at least one lesson"):
        services.publish(course, actor=staff)
    assert course.versions.count() == 0
