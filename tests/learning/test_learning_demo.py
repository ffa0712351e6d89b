"""`isoc demo`'s learning part: every demo course folder imported and published, cohorts,
enrolments in every state consistent with the completion rule, all marked demo,
idempotent, and removed by ``remove`` (as ``isoc demo --reset`` does)."""

from __future__ import annotations

import pytest

from isoc.learning import demo, services
from isoc.learning.models import Certificate, Cohort, Course, Enrolment, QuizAttempt

pytestmark = pytest.mark.django_db


def test_demo_learning(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    from isoc.members import demo as members_demo

    members_demo.generate(people=80, organizations=2, seed=7)
    report = demo.generate(seed=7, count=60)
    folders = [p for p in demo.FOLDERS.iterdir() if (p / "course.yaml").is_file()]
    assert report["courses"] == len(folders) == Course.objects.filter(is_demo=True, status="published").count()
    assert report["enrolments"] == 60 == Enrolment.objects.filter(is_demo=True).count()
    assert Cohort.objects.filter(is_demo=True).count() == 2 * len(folders)
    states = set(Enrolment.objects.values_list("status", flat=True))
    assert states == {"active", "completed", "withdrawn"}
    assert QuizAttempt.objects.filter(passed=False).exists() and QuizAttempt.objects.filter(passed=True).exists()
    # Every completed enrolment meets the rule and has exactly one certificate that verifies.
    completed = Enrolment.objects.filter(status="completed")
    assert Certificate.objects.count() == completed.count() == report["certificates"]
    for e in completed[:20]:
        assert services.progress_of(e).complete
        assert services.verify(e.certificate.code).state == "valid"
    for e in Enrolment.objects.filter(status="active")[:50]:
        assert not services.progress_of(e).complete
    assert demo.generate(seed=7)["enrolments"] == 0  # idempotent
    demo.remove()
    assert not Enrolment.objects.exists() and not Course.objects.filter(is_demo=True).exists()
    members_demo.generate(people=10, organizations=1, seed=8, reset=True)  # the people can go now
