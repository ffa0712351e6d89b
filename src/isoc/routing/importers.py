"""Importers of the routing app (``isoc import NAME FILE…``):

- ``vrps``: validated ROA payloads from rpki-client JSON, Routinator jsonext, CSV;
- ``mrt``: a BGP RIB dump or update file (MRT, plain/gzip/bzip2) → routes validated against
  the latest VRPs, incidents, and the BGP visibility signal for shutdown detection;
- ``asnames``, ``rir-delegations``, ``bogons``, ``as-relationships``: the reference data the
  others use (AS names, registry countries, Team Cymru bogons, CAIDA AS relationships).

Parsing is the Django-free cores' (``vrps.py``, ``elements.py``, ``registry.py``…); the
heavy work of an MRT import runs in ``services.import_routes`` inside the import's
transaction, so a failure stores nothing.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from isoc.pulse.importing import Importer, MalformedFile, Parsed, SourceInfo, register_importer
from isoc.routing import tables, vrps

RPKI_SOURCE = SourceInfo(
    slug="rpki",
    name="RPKI validated ROA payloads",
    publisher="The five Regional Internet Registries' RPKI repositories, via a relying-party validator",
    licence="RIR RPKI data (publicly available; see each RIR's terms)",
    url="https://rpki.readthedocs.io/",
)


@register_importer("vrps")
class VrpImporter(Importer):
    version = "1"
    source = RPKI_SOURCE
    dataset_kind = "routing"
    description = "Validated ROA payloads (prefix, maxLength, origin AS) and ASPA records from an RPKI relying party."

    def parse(self, path: Path) -> Parsed:
        try:
            vrpset = vrps.load_vrps(path)
        except vrps.VRPError as exc:
            raise MalformedFile(path, exc.index + 1 if exc.index >= 0 else None, exc.field, str(exc)) from exc
        except (ValueError, EOFError) as exc:  # JSON, bz2, gzip or UTF-8 errors
            raise MalformedFile(path, None, None, f"not a VRP file (rpki-client/Routinator JSON or CSV): {exc}") from exc
        if len(vrpset) == 0:
            raise MalformedFile(path, None, "roas", "the file holds no VRPs")
        built = _build_time(path)
        meta = {
            "title": f"RPKI VRPs {built:%Y-%m-%d %H:%M} UTC" if built else f"RPKI VRPs: {path.name}",
            "retrieved_at": built or datetime.fromtimestamp(path.stat().st_mtime, tz=UTC),
            "report": {"vrps_v4": len(vrpset.v4), "vrps_v6": len(vrpset.v6), "aspas": len(vrpset.aspas)},
        }
        return Parsed(rows=[vrpset], rows_read=len(vrpset), meta=meta)

    def apply(self, dataset, rows) -> int:
        from isoc.routing.services import store_vrps

        return store_vrps(dataset, rows[0])


def _build_time(path: Path) -> datetime | None:
    """When the VRP set was built: rpki-client's ``buildtime`` or Routinator's ``generatedTime``
    (read from the file's head, where both tools write their metadata)."""
    import bz2
    import gzip
    import re

    raw = path.open("rb").read(4)
    opener = bz2.open if raw[:3] == b"BZh" else gzip.open if raw[:2] == b"\x1f\x8b" else open
    with opener(path, "rb") as fh:  # type: ignore[operator]
        head = fh.read(4096).decode("utf-8", "replace")
    match = re.search(r'"(?:buildtime|generatedTime)"\s*:\s*"([^"]+)"', head)
    if not match:
        return None
    try:
        value = datetime.fromisoformat(match.group(1).replace("Z", "+00:00"))
    except ValueError:
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


__all__ = ["VrpImporter", "tables"]
