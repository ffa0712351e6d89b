"""Personal data in the shutdown tracker (see isoc.site.personal_data): shutdowns are
about countries and networks; a person appears only as who revised an event."""

from __future__ import annotations

from isoc.site.personal_data import detach, not_personal

COVERS = {
    "shutdowns.ShutdownEvent": not_personal("a government-ordered shutdown, from public reports"),
    "shutdowns.EventRevision": detach("actor"),
    "shutdowns.Evidence": not_personal("a link to a public report about a shutdown, with its label"),
}


def export(person) -> dict:
    return {}


def erase(person, actor) -> dict:
    return {}
