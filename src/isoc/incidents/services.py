"""What changes the incident database, each one transaction: storing a VERIS record
(from the importer or the demo), importing files and folders, removing demo data; and
the report's figures."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

from django.db import transaction

from isoc.incidents import trends, veris
from isoc.incidents.models import Incident, IncidentChange
from isoc.pulse.models import Dataset, DataSource

#: The VCDB as a Pulse data source (the licence as its site states it).
VCDB = {
    "slug": "vcdb",
    "name": "VERIS Community Database (VCDB)",
    "publisher": "Verizon RISK Team and the VERIS community",
    "licence": "CC BY-SA 4.0 (Creative Commons Attribution-ShareAlike 4.0 International)",
    "url": "https://github.com/vz-risk/VCDB",
    "description": "Publicly disclosed security incidents coded in the VERIS schema (veriscommunity.net).",
}
DATASET_SLUG = "veris-incidents"
DEMO_DATASET_SLUG = "demo-incidents"
JSON_SUFFIXES = (".json",)  # compared case-insensitively: the VCDB has both .json and .JSON

#: Fields compared on re-import to record what changed.
_STORED = ("master_id", "source_id", "reference", "summary", "schema_version", "security_incident", "confidence",
           "year", "month", "day", "actions", "actors", "assets", "data_disclosure", "data_varieties",
           "records_affected", "integrity", "availability", "victim_name", "industry", "sector", "countries",
           "employee_count", "discovery_unit", "discovery_value", "discovery_days", "discovery_methods",
           "notified_year", "notified_month", "notified_day", "preventable")


class IncidentError(ValueError):
    """A refusal, with the field it concerns (for form errors and the API)."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message, self.field = message, field


def _fields(record: veris.IncidentRecord) -> dict:
    notified = record.notification or (None, None, None)
    return {
        "master_id": record.master_id, "source_id": record.source_id[:100], "reference": record.reference,
        "summary": record.summary, "schema_version": record.schema_version[:20],
        "security_incident": record.security_incident, "confidence": record.confidence,
        "year": record.year, "month": record.month, "day": record.day,
        "actions": record.actions, "actors": record.actors, "assets": record.assets,
        "data_disclosure": record.data_disclosure, "data_varieties": record.data_varieties,
        "records_affected": record.records_affected, "integrity": record.integrity,
        "availability": record.availability, "victim_name": record.victim_name[:300],
        "industry": record.industry, "sector": trends.sector_of(record.industry), "countries": record.countries,
        "employee_count": record.employee_count, "discovery_unit": record.discovery_unit,
        "discovery_value": record.discovery_value,
        "discovery_days": trends.days_to_discovery(record.discovery_unit, record.discovery_value),
        "discovery_methods": record.discovery_methods,
        "notified_year": notified[0], "notified_month": notified[1], "notified_day": notified[2],
        "preventable": trends.is_preventable(record),
    }


def store_record(record: veris.IncidentRecord, dataset: Dataset, *, origin: str, sha256: str = "",
                 is_demo: bool = False) -> tuple[Incident, str]:
    """Create or update the incident with ``record.incident_id``; returns it and what
    happened: "created", "updated" (an ``IncidentChange`` names the fields) or
    "unchanged". An imported incident never becomes demo data, nor the reverse."""
    values = _fields(record)
    with transaction.atomic():
        incident = Incident.objects.select_for_update().filter(incident_id=record.incident_id).first()
        if incident is None:
            incident = Incident.objects.create(incident_id=record.incident_id, dataset=dataset, origin=origin[:500],
                                               sha256=sha256, is_demo=is_demo, raw=record.raw, **values)
            return incident, "created"
        if incident.is_demo != is_demo:
            raise IncidentError(f"incident {record.incident_id!r} is already stored as "
                                f"{'demo' if incident.is_demo else 'imported'} data", "incident_id")
        changed = [name for name, value in values.items() if getattr(incident, name) != value]
        if not changed and incident.raw == record.raw:
            return incident, "unchanged"
        for name, value in values.items():
            setattr(incident, name, value)
        incident.raw, incident.dataset, incident.origin, incident.sha256 = record.raw, dataset, origin[:500], sha256
        incident.save()
        IncidentChange.objects.create(incident=incident, origin=origin[:500], sha256=sha256,
                                      fields=changed or ["raw"], note="re-imported")
        return incident, "updated"


def json_files(paths: Iterable[str | Path]) -> list[Path]:
    """The files to import: each file given, and the ``*.json`` files (any case) inside
    each folder given, recursively, in name order. A path that does not exist is an error."""
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found.extend(sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in JSON_SUFFIXES))
        elif path.is_file():
            found.append(path)
        else:
            raise IncidentError(f"{path}: no such file or folder", "path")
    return found


def import_paths(paths: Sequence[str | Path], *, schema: str | Path | None = None, dry_run: bool = False,
                 actor=None) -> list:
    """Import VERIS JSON files and folders, each file on its own (one transaction, one
    ImportRun): a malformed file is reported and skipped, the others are stored.
    Returns the framework's ``ImportResult`` per file."""
    from isoc.incidents.importers import VerisImporter
    from isoc.pulse.importing import import_file

    options = {"schema": str(schema)} if schema else {}
    importer = VerisImporter(**options)
    return [import_file(importer, path, dry_run=dry_run, actor=actor) for path in json_files(paths)]


def vcdb_dataset(slug: str = DATASET_SLUG, *, is_demo: bool = False) -> Dataset:
    """The Dataset incidents belong to (created with the VCDB source when missing)."""
    if is_demo:  # the demo generator is the source of demo data, as in the other apps' demos
        source, _ = DataSource.objects.get_or_create(slug="demo", defaults={
            "name": "Demo data (generated)", "publisher": "isoc demo generator", "licence": "Generated, no real data"})
    else:
        source, _ = DataSource.objects.get_or_create(slug=VCDB["slug"], defaults={k: v for k, v in VCDB.items() if k != "slug"})
    dataset, _ = Dataset.objects.get_or_create(slug=slug, defaults={
        "source": source, "title": "VERIS incidents" if not is_demo else "Demo incidents (generated)",
        "kind": Dataset.Kind.EVENTS if not is_demo else Dataset.Kind.DEMO, "origin": "VERIS JSON files",
        "importer": "veris", "importer_version": "1", "is_demo": is_demo})
    return dataset


@transaction.atomic
def remove_demo() -> int:
    """Delete the demo incidents and their dataset; imported incidents are untouched."""
    count, _ = Incident.objects.filter(is_demo=True).delete()
    Dataset.objects.filter(slug=DEMO_DATASET_SLUG, is_demo=True).delete()
    return count


# --- Figures ------------------------------------------------------------------------------


def incident_years() -> list[int]:
    return sorted(set(shown_incidents().values_list("year", flat=True)))


def shows_demo() -> bool:
    """Whether the figures are those of the demo incidents: they are shown only while no
    real incident is imported, so the two are never mixed in one figure."""
    return not Incident.objects.filter(is_demo=False).exists() and Incident.objects.filter(is_demo=True).exists()


def shown_incidents():
    """The incidents the pages, API and report count: the imported ones, or the demo
    ones while there are none (see ``shows_demo``)."""
    return Incident.objects.filter(is_demo=shows_demo())


def all_incidents() -> list[Incident]:
    return list(shown_incidents().only(
        "id", "year", "actions", "industry", "discovery_unit", "discovery_value", "data_disclosure", "is_demo"))


def year_figures(year: int) -> trends.YearFigures:
    """The report's figures for incident year ``year``; refused for a year without incidents."""
    incidents = all_incidents()
    if not any(i.year == year for i in incidents):
        years = ", ".join(str(y) for y in sorted({i.year for i in incidents})) or "none"
        raise IncidentError(f"no incidents of {year} in the database (incident years: {years})", "year")
    return trends.year_figures(incidents, year)

