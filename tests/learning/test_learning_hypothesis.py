"""The quiz grader with arbitrary answers: a grade or a clear error, never anything else;
and through the page, a 302 to the result or a 400 with the error, never a 500."""

from __future__ import annotations

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from isoc.learning import quiz, services

QUESTIONS = [
    {"kind": "single", "prompt": "p", "choices": [{"text": "a", "correct": True}, {"text": "b", "correct": False}],
     "points": 1},
    {"kind": "multiple", "prompt": "p", "choices": [{"text": "a", "correct": True}, {"text": "b", "correct": True},
                                                    {"text": "c", "correct": False}], "points": 2},
    {"kind": "short", "prompt": "p", "accept": ["TCP/IP"], "points": 1},
    {"kind": "open", "prompt": "p", "points": 3},
]
values = st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30),
                      lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=3), children,
                                                                                          max_size=3), max_leaves=8)
answers = st.one_of(values, st.dictionaries(st.sampled_from(["0", "1", "2", "3", "4", "-1", "x", " 1"]) | st.text(max_size=4),
                                            values, max_size=5))


@given(answers)
@settings(max_examples=400)
def test_grader_gives_a_grade_or_a_clear_error(raw):
    try:
        clean, grade = quiz.grade(QUESTIONS, raw)
    except quiz.AnswerError as exc:
        assert exc.message and (exc.index is None or 0 <= exc.index < len(QUESTIONS))
        return
    assert set(grade.points) <= {"0", "1", "2"} and grade.awaiting == [3]
    for k, pts in grade.points.items():
        assert 0 <= pts <= QUESTIONS[int(k)]["points"]
    assert 0 <= quiz.score(QUESTIONS, grade.points) <= 100


@given(st.dictionaries(st.sampled_from(["0", "1", "2", "3"]), st.sampled_from(["0", "1", "2"])))
def test_right_answers_always_score_what_they_should(picks):
    clean, grade = quiz.grade(QUESTIONS[:2], {"0": ["0"], "1": ["0", "1"]})
    assert grade.points == {"0": 1, "1": 2}


form_values = st.lists(st.text(max_size=20) | st.sampled_from(["0", "1", "2", "99", "-1", ""]), max_size=3)


@pytest.mark.django_db
@given(st.dictionaries(st.sampled_from(["q0", "q1", "q2", "q3", "kind0", "kind1", "zz"]), form_values, max_size=6))
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
def test_quiz_page_never_fails_with_a_500(course, learner, form):
    c = Client(raise_request_exception=False)
    c.force_login(learner)
    base = "/learning/en/how-packets-travel/quizzes/routers-and-networks/"
    enrolment = services.enrolment_of(learner, course) or services.enrol(learner, course)
    enrolment.attempts.all().delete()
    attempt = services.start_attempt(enrolment, "routers-and-networks")
    data = {k: [v.replace("\x00", "") for v in vs] for k, vs in form.items()}
    response = c.post(f"{base}attempts/{attempt.number}/submit/", data)
    assert response.status_code in (302, 400), response.status_code
