"""Every model that can hold personal data is declared in some app's personal_data.py,
found by walking the model graph: a model linked to a person (foreign key, one-to-one or
many-to-many to the user model), or with a field whose name looks personal. A new model
without a declaration fails here, naming the model and why it was picked up."""

from __future__ import annotations

import re

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model

from isoc.site import personal_data

# Field names that suggest a person's data: names, addresses (mail, postal, IP), phone
# numbers, birth dates, gender, documents, free-text about someone.
PERSONAL_FIELD = re.compile(
    r"(^|_)(email|e_mail|name|first_name|last_name|phone|mobile|address|addresses|ip|ip_address|username|"
    r"birth|birth_date|gender|passport|holder|label|receipt|participants|contact|contacts)($|_)")


def _person_links(model) -> list[str]:
    person = get_user_model()
    return [f.name for f in model._meta.get_fields()
            if (f.concrete or f.many_to_many) and f.is_relation and not f.auto_created and f.related_model is person]


def _personal_looking(model) -> list[str]:
    return [f.name for f in model._meta.concrete_fields if not f.is_relation and PERSONAL_FIELD.search(f.name)]


def _candidates() -> dict[str, list[str]]:
    found = {}
    for model in apps.get_models():
        why = _person_links(model) + _personal_looking(model)
        if why or model is get_user_model():
            found[model._meta.label] = why
    return found


def test_every_model_that_may_hold_personal_data_is_declared():
    covered = personal_data.coverage()
    missing = {label: why for label, why in _candidates().items() if label not in covered}
    assert not missing, (
        "models that may hold personal data have no rule in any app's personal_data.py "
        f"(COVERS): {missing}")


def test_every_declaration_names_a_real_model_and_a_known_action_with_its_reason():
    for label, (section, rule) in personal_data.coverage().items():
        apps.get_model(label)  # raises LookupError for a model that no longer exists
        assert rule.action in personal_data.ACTIONS, (label, rule)
        if rule.action in ("anonymise", "not personal"):
            assert rule.why, f"{label} ({section}): '{rule.action}' must say why"
        if rule.action == "detach":
            assert rule.fields, f"{label} ({section}): detach names the fields set to nobody"


def test_every_link_to_a_person_is_handled_by_its_declaration():
    """A link to a person is either the subject of the model's action (its rows are
    deleted, or kept and anonymised) or named as an actor field detached on erasure; a
    model declared 'not personal' may not link to a person at all."""
    person = get_user_model()
    for label, (_section, rule) in personal_data.coverage().items():
        model = apps.get_model(label)
        links = _person_links(model)
        if rule.action == "not personal":
            assert not links, f"{label} links to a person ({links}) but is declared not personal"
        if rule.action == "detach":
            assert set(links) <= set(rule.fields), f"{label}: {set(links) - set(rule.fields)} not detached"
        for name in rule.fields:
            f = model._meta.get_field(name)
            assert f.related_model is person, f"{label}.{name} does not link to a person"
            assert f.many_to_many or f.null, f"{label}.{name} cannot be set to nobody (not nullable)"


def test_a_new_model_holding_personal_data_would_fail_the_suite():
    """The check above is not vacuous: a declaration removed is a failure."""
    covered = personal_data.coverage()
    candidates = _candidates()
    assert "events.Registration" in candidates and "members.Person" in candidates
    assert "elections.Ballot" in candidates  # picked up by its receipt; declared not personal, with a reason
    del covered["events.Registration"]
    assert [label for label in candidates if label not in covered] == ["events.Registration"]


@pytest.mark.parametrize("section", personal_data.SECTIONS)
def test_each_section_exports_and_erases(section):
    module = personal_data.module(section)
    assert callable(module.export) and callable(module.erase) and isinstance(module.COVERS, dict)
