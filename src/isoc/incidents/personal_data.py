"""Personal data in breach incidents (see isoc.site.personal_data): none. The VERIS
community data names the breached organisation (``victim_name``), never a person."""

from __future__ import annotations

from isoc.site.personal_data import not_personal

COVERS = {
    "incidents.Incident": not_personal("a breach of an organisation, from the public VERIS data"),
}


def export(person) -> dict:
    return {}


def erase(person, actor) -> dict:
    return {}
