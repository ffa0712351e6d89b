"""Personal data in routing security (see isoc.site.personal_data): none. Networks and
MANRS participants are organisations; a network's contact address is the public role
address from the registries it was imported from."""

from __future__ import annotations

from isoc.site.personal_data import not_personal

COVERS = {
    "routing.AutonomousSystem": not_personal("a network (ASN) with its public role contact from the registries"),
    "routing.ManrsParticipant": not_personal("an organisation taking part in MANRS"),
    "routing.ParticipantNetwork": not_personal("a MANRS participant's network"),
}


def export(person) -> dict:
    return {}


def erase(person, actor) -> dict:
    return {}
