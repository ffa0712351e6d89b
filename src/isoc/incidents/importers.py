"""``isoc import veris FILE…`` (and ``isoc incidents import PATH…``): VERIS incident JSON,
one incident per file as the VCDB publishes them (data/json/validated/*.json).

Each file is one run of the Pulse import framework: parsed and checked against the VERIS
schema (the built-in core, or the full published schema given as ``-o schema=PATH``), then
stored in one transaction with its ImportRun. A file that breaks the schema is rejected
with the field named, and nothing of it is stored. Idempotent by ``incident_id``: a file
imported again updates its incident (recording what changed) and never duplicates it.
Unlike the framework's other importers, a file does not replace the dataset: all the
files together are the ``veris-incidents`` dataset."""

from __future__ import annotations

from pathlib import Path

from isoc.incidents import veris
from isoc.pulse.importing import Importer, MalformedFile, Parsed, SourceInfo, register_importer
from isoc.pulse.opendata import Table, register_table

MAX_FILE_BYTES = 5 * 1024 * 1024  # the largest VCDB record is ~20 kB: a bigger file is not one incident


@register_importer("veris")
class VerisImporter(Importer):
    version = "1"
    source = SourceInfo(
        slug="vcdb", name="VERIS Community Database (VCDB)", publisher="Verizon RISK Team and the VERIS community",
        licence="CC BY-SA 4.0 (Creative Commons Attribution-ShareAlike 4.0 International)",
        url="https://github.com/vz-risk/VCDB",
        description="Publicly disclosed security incidents coded in the VERIS schema (veriscommunity.net).")
    dataset_kind = "events"
    description = "Security incidents in the VERIS community schema, one JSON file per incident."

    def __init__(self, **options: str):
        super().__init__(**options)
        schema = options.get("schema")
        self.schema = veris.load_schema(schema) if schema else None

    def dataset_slug(self, path: Path) -> str:
        from isoc.incidents.services import DATASET_SLUG

        return DATASET_SLUG

    def dataset_title(self, path: Path, parsed: Parsed) -> str:
        return "VERIS incidents"

    def parse(self, path: Path) -> Parsed:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise MalformedFile(path, None, None, f"larger than {MAX_FILE_BYTES // 1024 // 1024} MB: not one VERIS incident")
        try:
            record = veris.read_record(path.read_bytes(), self.schema)
        except veris.InvalidRecord as exc:
            raise MalformedFile(path, None, exc.field or None, str(exc)) from None
        return Parsed(rows=[record], rows_read=1, meta={"report": {"incident_id": record.incident_id}})

    def apply(self, dataset, rows: list[veris.IncidentRecord]) -> int:
        from isoc.incidents.services import IncidentError, store_record

        stored = 0
        for record in rows:
            try:
                _incident, outcome = store_record(record, dataset, origin=dataset.origin, sha256=dataset.sha256)
            except IncidentError as exc:
                raise MalformedFile(dataset.origin, None, exc.field, exc.message) from None
            stored += outcome != "unchanged"
        return stored


COLUMNS = ["incident_id", "year", "month", "day", "actions", "sector", "industry", "countries", "employee_count",
           "data_disclosure", "records_affected", "discovery_unit", "discovery_value", "discovery_days",
           "preventable", "source_id", "reference"]


@register_table("veris")
def incident_table(dataset) -> Table:
    """The incidents of a dataset as an open-data table (one row per incident)."""
    rows = dataset.incidents.order_by("year", "incident_id")
    return Table(COLUMNS, ((i.incident_id, i.year, i.month, i.day, ";".join(i.action_types), i.sector, i.industry,
                            ";".join(i.countries), i.employee_count, i.data_disclosure, i.records_affected,
                            i.discovery_unit, i.discovery_value, i.discovery_days, i.preventable, i.source_id,
                            i.reference) for i in rows.iterator()))
