"""Personal data in the Online Trust Audit (see isoc.site.personal_data): audited
organisations and their domains; a person appears only as who recorded an adjustment
or changed an audit."""

from __future__ import annotations

from isoc.site.personal_data import detach, not_personal

COVERS = {
    "trust.Sector": not_personal("an industry sector"),
    "trust.AuditedOrganization": not_personal("an organisation whose public sites are audited"),
    "trust.AuditEvent": detach("actor"),
    "trust.Adjustment": detach("recorded_by"),
}


def export(person) -> dict:
    return {}


def erase(person, actor) -> dict:
    return {}
