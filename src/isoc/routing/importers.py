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



# ------------------------------------------------------------------ reference data


def _registry_errors(path: Path, call):
    from isoc.routing import registry

    try:
        return call()
    except registry.RegistryError as exc:
        raise MalformedFile(path, getattr(exc, "line", None), None, str(exc)) from exc


class _ReferenceImporter(Importer):
    dataset_kind = "reference"

    def dataset_slug(self, path: Path) -> str:
        # One dataset per kind of file: importing a newer release replaces the older one.
        return f"{self.name}-{_stem(path)}"


def _stem(path: Path) -> str:
    import re

    name = path.name.lower()
    name = re.sub(r"\.(gz|bz2|txt|json)$", "", re.sub(r"\.(gz|bz2)$", "", name))
    return "".join(ch if ch.isalnum() else "-" for ch in name).strip("-")[:80]


@register_importer("asnames")
class AsNamesImporter(_ReferenceImporter):
    version = "1"
    source = SourceInfo(slug="cidr-report", name="CIDR Report AS names", publisher="The CIDR Report (Geoff Huston, APNIC)",
                        licence="Publicly available", url="https://www.cidr-report.org/as2.0/autnums.html")
    description = "AS numbers with their names, descriptions and countries."

    def dataset_slug(self, path: Path) -> str:
        return "asnames"

    def parse(self, path: Path) -> Parsed:
        from isoc.routing import registry

        names = _registry_errors(path, lambda: registry.load_asnames(path))
        if not names:
            raise MalformedFile(path, None, None, "no AS names in the file")
        return Parsed(rows=list(names.values()))

    def apply(self, dataset, rows) -> int:
        from isoc.routing.services import store_as_names

        return store_as_names(dataset, rows)


@register_importer("rir-delegations")
class DelegationsImporter(_ReferenceImporter):
    version = "1"
    source = SourceInfo(slug="rir-stats", name="RIR delegation statistics", publisher="The Regional Internet Registries (NRO)",
                        licence="Publicly available statistics", url="https://www.nro.net/about/rirs/statistics/")
    description = "Which registry delegated each AS number and address block, to which country, when."

    def dataset_slug(self, path: Path) -> str:
        # delegated-afrinic-extended-latest → rir-delegations-afrinic (one per registry)
        parts = path.name.split("-")
        rir = parts[1] if len(parts) > 2 and parts[0] == "delegated" else _stem(path)
        return f"rir-delegations-{rir}"

    def parse(self, path: Path) -> Parsed:
        from isoc.routing import registry

        result = _registry_errors(path, lambda: registry.load_delegations(path))
        meta = {"report": {"md5_verified": result.md5_verified, "counts": {f"{k}": v for k, v in result.counts().items()}}}
        return Parsed(rows=[result], rows_read=len(result.records), meta=meta)

    def apply(self, dataset, rows) -> int:
        from isoc.routing.services import store_delegations

        return store_delegations(dataset, rows[0])


@register_importer("bogons")
class BogonsImporter(_ReferenceImporter):
    version = "1"
    source = SourceInfo(slug="team-cymru-bogons", name="Team Cymru full bogons", publisher="Team Cymru",
                        licence="Publicly available reference", url="https://www.team-cymru.com/bogon-reference")
    description = "Address space that should never appear in the global routing table (unallocated or reserved)."

    def parse(self, path: Path) -> Parsed:
        from isoc.routing import registry

        prefixes = _registry_errors(path, lambda: registry.load_bogons(path))
        if not prefixes:
            raise MalformedFile(path, None, None, "no prefixes in the file")
        return Parsed(rows=prefixes)

    def apply(self, dataset, rows) -> int:
        from isoc.routing.services import store_reference_table

        return store_reference_table(dataset, "bogons", {"prefix": rows})


@register_importer("as-relationships")
class RelationshipsImporter(_ReferenceImporter):
    version = "1"
    source = SourceInfo(slug="caida-as-relationships", name="CAIDA AS relationships", publisher="CAIDA, UC San Diego",
                        licence="CAIDA AUP for public data", url="https://www.caida.org/catalog/datasets/as-relationships/")
    description = "Provider-to-customer and peer-to-peer relationships between ASes (for route-leak detection)."

    def dataset_slug(self, path: Path) -> str:
        return "as-relationships"

    def parse(self, path: Path) -> Parsed:
        from isoc.routing import registry

        rel = _registry_errors(path, lambda: registry.load_as_relationships(path))
        if not rel:
            raise MalformedFile(path, None, None, "no relationships in the file")
        return Parsed(rows=[rel], rows_read=len(rel) // 2)

    def apply(self, dataset, rows) -> int:
        from isoc.routing.services import store_reference_table

        rel = rows[0]
        return store_reference_table(dataset, "relationships", {
            "a": [a for a, _b in rel], "b": [b for _a, b in rel], "rel": list(rel.values())}) // 2


__all__ = ["AsNamesImporter", "BogonsImporter", "DelegationsImporter", "RelationshipsImporter", "VrpImporter", "tables"]


# ------------------------------------------------------------------------------- MRT


@register_importer("mrt")
class MrtImporter(Importer):
    """A RIB dump or a file of updates from a route collector (RIPE RIS, RouteViews…)."""

    version = "1"
    source = SourceInfo(slug="bgp-collectors", name="Public BGP route collectors",
                        publisher="RIPE NCC RIS, University of Oregon RouteViews and others",
                        licence="Free to use with attribution (RIPE NCC RIS terms; RouteViews)",
                        url="https://www.ris.ripe.net/")
    dataset_kind = "routing"
    description = "BGP routes (MRT): RIB entries and updates, validated against RPKI, with detected incidents."

    def parse(self, path: Path) -> Parsed:
        from isoc.routing import pipeline, store

        context = store.pipeline_context()
        with_visibility = self.options.get("visibility", "yes") != "no"
        result = pipeline.analyse(path, context, with_visibility=with_visibility)
        if result.summary.elements == 0:
            detail = "; ".join(str(w) for w in result.warnings[:3])
            raise MalformedFile(path, None, None, "no BGP route in the file (not MRT, or unsupported record types)"
                                + (f": {detail}" if detail else ""))
        first = result.summary.first_seen
        kind = "RIB" if result.is_rib else "updates"
        when = datetime.fromtimestamp(first, tz=UTC) if first is not None else None
        meta = {
            "title": f"BGP {kind} {path.name}" + (f" ({when:%Y-%m-%d %H:%M} UTC)" if when else ""),
            "retrieved_at": when or datetime.now(tz=UTC),
            "report": {"elements": result.summary.elements, "routes": result.routes.num_rows,
                       "incidents": len(result.incidents), "warnings": [str(w) for w in result.warnings[:100]],
                       "validated": result.validated},
        }
        return Parsed(rows=[result], rows_read=result.summary.elements, meta=meta)

    def apply(self, dataset, rows) -> int:
        from isoc.routing.services import store_route_import

        return store_route_import(dataset, rows[0])
