"""Personal data in the Internet Resilience Index (see isoc.site.personal_data): scores
of countries; a person appears only as who ran a computation."""

from __future__ import annotations

from isoc.site.personal_data import detach

COVERS = {
    "resilience.Computation": detach("actor"),
}


def export(person) -> dict:
    return {}


def erase(person, actor) -> dict:
    return {}
