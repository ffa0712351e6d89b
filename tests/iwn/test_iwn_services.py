"""Assessment services: tokens, history, merging answers, refusals that change nothing."""

from __future__ import annotations

import pytest

from isoc.iwn import demo, services
from isoc.iwn.models import Assessment

pytestmark = pytest.mark.django_db


def test_create_keeps_only_the_edit_tokens_hash(person):
    a, token = services.create_assessment(title="  Spaces  ", owner=person, language="fr")
    assert a.title == "Spaces" and a.language == "fr" and a.owner == person
    assert token not in (a.edit_token_hash, a.share_token) and len(a.share_token) >= 20
    assert a.edit_token_hash == services.hash_token(token)
    b, token_b = services.create_assessment(title="Another")
    assert b.share_token != a.share_token and token_b != token


def test_who_may_edit(person, other_person):
    a, token = services.create_assessment(title="Owned", owner=person)
    assert services.may_edit(a, person, None)
    assert not services.may_edit(a, other_person, None)
    assert services.may_edit(a, other_person, token)
    assert not services.may_edit(a, other_person, token + "x")
    assert not services.may_edit(a, None, "")
    anonymous, anon_token = services.create_assessment(title="Anonymous")
    assert not services.may_edit(anonymous, person, None) and services.may_edit(anonymous, None, anon_token)


def test_answers_merge_step_by_step_with_an_event_per_change():
    a, _token = services.create_assessment(title="Merge")
    services.save_answers(a, {"privacy.1": "yes"}, questions=["privacy.1", "privacy.2"])
    services.save_answers(a, {"capacity.1": "no"}, questions=["capacity.1", "capacity.2"])
    services.save_answers(a, {"privacy.1": ""}, questions=["privacy.1", "privacy.2"])  # cleared
    services.save_answers(a, {"capacity.1": "no"}, questions=["capacity.1"])  # no change: no event
    a.refresh_from_db()
    assert a.answers == {"capacity.1": "no"}
    assert [(e.kind, e.changed) for e in a.events.all()] == [
        ("created", []), ("answers", ["privacy.1"]), ("answers", ["capacity.1"]), ("answers", ["privacy.1"])]


@pytest.mark.parametrize("answers, questions, field", [
    ({"privacy.1": "maybe"}, None, "privacy.1"),
    ({"privacy.9": "yes"}, None, "privacy.9"),
    ({"privacy.1": "yes"}, ["nope"], "nope"),
])
def test_bad_answers_change_nothing(answers, questions, field):
    a, _token = services.create_assessment(title="Refused")
    services.save_answers(a, {"privacy.2": "no"})
    with pytest.raises(services.RuleViolation) as exc:
        services.save_answers(a, answers, questions=questions)
    assert exc.value.field == field
    a.refresh_from_db()
    assert a.answers == {"privacy.2": "no"} and a.events.count() == 2


def test_details_refusals():
    a, _token = services.create_assessment(title="Details")
    for kwargs, field in [({"title": ""}, "title"), ({"title": "x" * 201}, "title"),
                          ({"title": "ok", "proposal": "\x00"}, "proposal"), ({"title": "ok", "country": "XX"}, "country")]:
        with pytest.raises(services.RuleViolation) as exc:
            services.update_details(a, **kwargs)
        assert exc.value.field == field
    a.refresh_from_db()
    assert a.title == "Details"
    services.update_details(a, title="Details", proposal="", country="")
    assert a.events.count() == 1  # nothing changed, nothing logged


def test_the_demo_makes_two_labelled_samples_and_removes_them():
    assert demo.generate() == {"assessments": 2}
    assert demo.generate() == {"assessments": 2}  # idempotent
    harmful, fine = (Assessment.objects.get(title__startswith=t) for t in ("Demo: a national", "Demo: an open"))
    assert harmful.is_demo and services.report_of(harmful).verdict == "may_harm"
    assert services.report_of(fine).verdict == "no_harm"
    services.create_assessment(title="Real")
    demo.remove()
    assert list(Assessment.objects.values_list("title", flat=True)) == ["Real"]
