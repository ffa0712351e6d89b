"""The personal-data registry: what each app holds about a person, how it is exported
and how it is erased.

Each app that holds personal data has a ``personal_data.py`` module with:

- ``COVERS``: a dict from model label (``"events.Registration"``) to a :class:`Rule`
  saying what erasure does with that model's rows about the person (see the helpers
  :func:`delete`, :func:`anonymise`, :func:`detach`, :func:`not_personal`);
- ``export(person) -> dict``: that app's section of the person's export;
- ``erase(person, actor) -> dict``: delete or anonymise the app's rows about the person,
  returning counts (never contents) for the erasure's summary.

The registry runs every app's ``erase`` in the caller's transaction (members'
``erase_person`` is the one transaction); files on disk are removed only after the commit
(:func:`delete_file_after_commit`). The fields named by ``detach`` rules (the person as
the *actor* of someone else's record: who approved, graded, recorded…) are set to nobody
by :func:`detach_actor`, generically, so the declaration and the behaviour cannot drift
apart.

tests/privacy/test_coverage.py walks the model graph: a model with a link to a person or
a field that looks personal, and no rule here, fails the suite.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from types import ModuleType

from django.apps import apps
from django.db import transaction

# The apps whose personal_data module the registry collects, in erasure order: the
# people-centred apps before members, whose part pseudonymises the account itself last.
SECTIONS = (
    "chapters", "events", "elections", "learning", "fellowships", "iwn", "infra",
    "pulse", "shutdowns", "trust", "resilience", "routing", "enablers", "incidents", "members",
)

ACTIONS = ("delete", "anonymise", "detach", "not personal")


@dataclass(frozen=True)
class Rule:
    """What erasure does with one model's rows about a person.

    ``delete``: the rows about the person are removed (exported before).
    ``anonymise``: the rows stay for integrity (``why`` says which), with what identifies
    the person removed or pointing at the account's pseudonym.
    ``detach``: the person only appears as the actor of someone else's record; the
    ``fields`` are set to nobody (a nullable foreign key cleared, a many-to-many link
    removed); the record and its history stay.
    ``not personal``: the model's rows are not about a person (``why`` says why).
    A model may both hold the person's own rows and name them as actor: ``fields`` then
    lists the actor fields detached besides the main action."""

    action: str
    why: str = ""
    fields: tuple[str, ...] = field(default=())


def delete(*detached: str, why: str = "") -> Rule:
    return Rule("delete", why, detached)


def anonymise(why: str, *detached: str) -> Rule:
    return Rule("anonymise", why, detached)


def detach(*fields: str, why: str = "") -> Rule:
    return Rule("detach", why, fields)


def not_personal(why: str) -> Rule:
    return Rule("not personal", why)


def module(section: str) -> ModuleType:
    return importlib.import_module(f"isoc.{section}.personal_data")


def modules() -> dict[str, ModuleType]:
    return {section: module(section) for section in SECTIONS}


def coverage() -> dict[str, tuple[str, Rule]]:
    """Every declared model label, with the section declaring it and its rule."""
    covered: dict[str, tuple[str, Rule]] = {}
    for section, mod in modules().items():
        for label, rule in mod.COVERS.items():
            if label in covered:
                raise ValueError(f"{label} is declared by both {covered[label][0]} and {section}")
            covered[label] = (section, rule)
    return covered


def acted(person) -> dict[str, list[int]]:
    """The records where the person appears as actor (who approved, recorded, graded…),
    by model and field: part of the export, since the fact they acted is about them."""
    found: dict[str, list[int]] = {}
    for label, (_section, rule) in coverage().items():
        model = apps.get_model(label)
        for name in rule.fields:
            ids = list(model._default_manager.filter(**{name: person}).order_by("pk").values_list("pk", flat=True))
            if ids:
                found[f"{label}.{name}"] = ids
    return found


def export(person) -> dict:
    """Each app's section of the person's export, plus the records they acted on."""
    data = {getattr(mod, "SECTION", section): mod.export(person) for section, mod in modules().items()}
    data["acted_on"] = acted(person)
    return data


def erase(person, actor) -> dict[str, dict]:
    """Erase the person in every app, in the caller's transaction; the summary gives
    counts per app (what kind of rows, how many), never their contents. The caller
    finishes with :func:`detach_actor` once its own changes (which may name the person
    as actor) are made."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("personal_data.erase must run inside the erasure's transaction")
    summary: dict[str, dict] = {}
    for section, mod in modules().items():
        summary[section] = {k: v for k, v in mod.erase(person, actor).items() if v}
    return {k: v for k, v in summary.items() if v}


def detach_actor(person) -> dict[str, int]:
    """Set the person to nobody in every field a ``detach`` rule names."""
    detached: dict[str, int] = {}
    for label, (_section, rule) in coverage().items():
        model = apps.get_model(label)
        for name in rule.fields:
            n = _detach(model, name, person)
            if n:
                detached[f"{label}.{name}"] = n
    return detached


def _detach(model, name: str, person) -> int:
    """Set ``model.name`` to nobody where it is ``person``: a nullable foreign key is
    cleared; a many-to-many link (organisers, facilitators) is removed."""
    f = model._meta.get_field(name)
    if f.many_to_many:
        through = f.remote_field.through
        column = f.m2m_reverse_field_name()
        return through._default_manager.filter(**{column: person}).delete()[0]
    return model._default_manager.filter(**{name: person}).update(**{name: None})


def delete_file_after_commit(storage, name: str) -> None:
    """Remove a stored file once the erasure has committed: a rollback keeps it."""
    if name:
        transaction.on_commit(lambda: storage.delete(name))
