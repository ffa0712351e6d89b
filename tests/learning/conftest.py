"""Fixtures for the learning tests: the small demo course imported and published, and
people in each role around it (a learner, a member, a facilitator, the secretariat)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

ROOT_CONFTEST = Path(__file__).resolve().parents[1] / "conftest.py"
SMOKE = Path(__file__).resolve().parents[2] / "src" / "isoc" / "learning" / "demo_courses" / "demo-smoke-en"


@pytest.fixture
def smoke_folder(tmp_path) -> Path:
    """A private copy of the small course folder, free to damage."""
    target = tmp_path / "course"
    shutil.copytree(SMOKE, target)
    return target


@pytest.fixture
def course(db, smoke_folder, staff):
    from isoc.learning import services

    return services.import_course(smoke_folder, publish_it=True, actor=staff)


@pytest.fixture
def make_person(request):
    return request.config.pluginmanager.get_plugin(str(ROOT_CONFTEST)).make_person


@pytest.fixture
def learner(db, make_person):
    return make_person("learner@example.org", first_name="Linus", last_name="Learner", country="KE")


@pytest.fixture
def facilitator(db, make_person):
    return make_person("facilitator@example.org", first_name="Fay", last_name="Facilitator", country="FR")


def answers_all_right(questions: list[dict]) -> dict:
    """The right answer to every question of an attempt (open ones left to a facilitator)."""
    out = {}
    for i, q in enumerate(questions):
        if q["kind"] in ("single", "multiple"):
            out[str(i)] = [k for k, c in enumerate(q["choices"]) if c["correct"]]
        elif q["kind"] == "short":
            out[str(i)] = q["accept"][0]
        else:
            out[str(i)] = "My considered answer."
    return out


def complete_course(enrolment):
    """See every lesson and pass every quiz; returns the certificate."""
    from isoc.learning import services

    spec = services.published_spec(enrolment.course)
    certificate = None
    for lesson in spec.lessons():
        certificate = services.record_lesson_seen(enrolment, lesson.key) or certificate
    for key, _quiz in spec.quizzes():
        attempt = services.start_attempt(enrolment, key)
        services.submit_attempt(attempt, answers_all_right(attempt.questions))
    enrolment.refresh_from_db()
    return getattr(enrolment, "certificate", None)
