"""Personal data in the enabling-technology scans (see isoc.site.personal_data): none.
Scanned domains are public web sites; their addresses are servers' IP addresses."""

from __future__ import annotations

from isoc.site.personal_data import not_personal

COVERS = {
    "enablers.DomainSummary": not_personal("a public domain's scan; the addresses are its servers'"),
}


def export(person) -> dict:
    return {}


def erase(person, actor) -> dict:
    return {}
