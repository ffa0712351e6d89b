"""Importers of the shutdowns app: ``isoc import keepiton FILE`` (Access Now #KeepItOn
STOP workbook) and ``isoc import ioda-outages FILE`` (IODA hand-investigated outages).

Parsing is in ``keepiton.py`` / ``ioda.py`` (pure); storing, with matching across
sources, is ``services.store_records``. Unlike an indicator file, an events file does not
replace what its dataset held: events carry staff review and edits, so a record seen
before (same dataset, same key) changes at most its own stored row, and a record that
disappeared from a newer file is reported, not deleted."""

from __future__ import annotations

from pathlib import Path

from isoc.pulse.importing import (
    Importer,
    MalformedFile,
    Parsed,
    Skip,
    SourceInfo,
    register_importer,
)
from isoc.shutdowns import ioda, keepiton, matching


def _parsed(path: Path, parse) -> Parsed:
    try:
        result: matching.ParseResult = parse(path)
    except matching.MalformedFile as exc:
        raise MalformedFile(path, exc.row, exc.field, exc.message) from exc  # type: ignore[arg-type]
    skipped = [Skip(row=s["row"], reason=s["reason"]) for s in result.skipped]
    return Parsed(rows=result.records, skipped=skipped, rows_read=result.rows_read,
                  meta={"report": {"unmapped": result.unmapped, "corrected": result.corrected}})


class _EventsImporter(Importer):
    dataset_kind = "events"
    event_level = True
    dataset_name = ""

    def dataset_slug(self, path: Path) -> str:
        # One dataset per source, whatever the file is called: a newer release of the
        # file updates the same records (matched by their keys).
        return self.dataset_name

    def apply(self, dataset, rows) -> int:
        from isoc.shutdowns.services import store_records

        counts = store_records(dataset, rows, event_level=self.event_level)
        self.last_counts = counts
        return counts["created"] + counts["matched"] + counts["record_updated"]


@register_importer("keepiton")
class KeepItOnImporter(_EventsImporter):
    version = keepiton.VERSION
    dataset_name = keepiton.DATASET
    description = "Access Now's #KeepItOn STOP dataset of Internet shutdowns, one row per shutdown."
    source = SourceInfo(slug="access-now", name="Access Now #KeepItOn", publisher="Access Now",
                        licence="Publicly released STOP data, © Access Now", url="https://www.accessnow.org/keepiton/")

    def dataset_title(self, path, parsed) -> str:
        return "Access Now #KeepItOn STOP dataset"

    def parse(self, path: Path) -> Parsed:
        return _parsed(path, keepiton.parse)


@register_importer("ioda-outages")
class IodaOutagesImporter(_EventsImporter):
    version = ioda.VERSION
    dataset_name = ioda.DATASET
    event_level = False
    description = "IODA's hand-investigated outages (Georgia Tech Internet Intelligence Lab), one row per outage window."
    source = SourceInfo(slug="ioda", name="IODA", publisher="Georgia Tech Internet Intelligence Lab",
                        licence="Academic dataset, no licence stated", url="https://ioda.inetintel.cc.gatech.edu/")

    def dataset_title(self, path, parsed) -> str:
        return "IODA investigated outages"

    def parse(self, path: Path) -> Parsed:
        return _parsed(path, ioda.parse)


# RIPE Atlas connection logs → probe-connectivity signals (``isoc import atlas-disco``).
from isoc.shutdowns import atlas  # noqa: E402,F401
