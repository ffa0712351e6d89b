"""One pass over an MRT file (Django-free): decode it once and feed every batch to the three
consumers — the route summary, the incident detector and the BGP visibility signal — then
validate the routes against the VRPs and attach each route's country.

The reference data comes in a :class:`Context` (the importer fills it from the database;
tests build one by hand), so this module runs anywhere.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa

from isoc.routing import elements, incidents, mrt, rov, visibility
from isoc.routing.summary import RouteSummary, Summarizer


@dataclass
class Context:
    vrp_index: rov.Index | None = None
    bogon_prefixes: list[str] = field(default_factory=list)
    relationships: Mapping[tuple[int, int], int] | None = None
    #: prefixes → country codes (or None), vectorised (e.g. ``Delegations.countries_of_prefixes``)
    prefix_country: Callable | None = None
    #: AS number → country code, the fallback for prefixes and the country of each AS series
    asn_country: Mapping[int, str] = field(default_factory=dict)
    #: what the VRPs came from (the importer keeps its dataset's id here), passed through
    vrp_source: object = None


@dataclass
class RouteImport:
    summary: RouteSummary
    incidents: list[incidents.Incident]
    visibility: visibility.Visibility | None
    warnings: list[mrt.MrtWarning]
    is_rib: bool
    validated: bool
    vrp_source: object = None
    #: the AS → country map the import was analysed with, so storing its incidents does not
    #: read the whole AS table a second time
    asn_country: Mapping[int, str] | None = None

    @property
    def routes(self) -> pa.Table:
        return self.summary.routes


def _tee(batches: Iterator[pa.RecordBatch], *sinks: Callable[[pa.RecordBatch], None]) -> Iterator[pa.RecordBatch]:
    for batch in batches:
        for sink in sinks:
            sink(batch)
        yield batch


def analyse(path: str | Path, context: Context, *, with_visibility: bool = True) -> RouteImport:
    """Decode ``path`` once; summarise, detect incidents, compute BGP visibility."""
    warnings: list[mrt.MrtWarning] = []
    batches = elements.read_batches(path, on_warning=warnings.append)
    return analyse_batches(batches, context, with_visibility=with_visibility, warnings=warnings)


def analyse_batches(batches: Iterable[pa.RecordBatch], context: Context, *, with_visibility: bool = True,
                    warnings: list[mrt.MrtWarning] | None = None) -> RouteImport:
    """As :func:`analyse`, for element batches from elsewhere (generated demo data, tests)."""
    warnings = warnings if warnings is not None else []
    sources: set[str] = set()
    summary = Summarizer()
    detector = incidents.Detector(
        bogon_prefixes=context.bogon_prefixes,
        vrp_index=context.vrp_index,
        relationships=context.relationships,
    )

    def note_source(batch: pa.RecordBatch) -> None:
        sources.update(v for v in batch.column(batch.schema.get_field_index("source")).unique().to_pylist() if v)

    stream = _tee(iter(batches), summary.add, detector.feed, note_source)
    vis = None
    if with_visibility:
        try:
            vis = visibility.bgp_visibility(stream, context.prefix_country, context.asn_country or None)
        except ValueError as exc:
            # A file of updates alone names no full-feed peers (they are judged on a RIB):
            # no visibility signal from it; the other consumers read on.
            warnings.append(mrt.MrtWarning(0, f"no BGP visibility signal: {exc}"))
    for _ in stream:  # without visibility, or batches left after it stopped reading
        pass
    route_summary = summary.finish()
    found = detector.finish(observation_end=route_summary.last_seen)
    is_rib = bool(sources) and sources <= {"TABLE_DUMP", "TABLE_DUMP2", "TABLE_DUMP2_AP"}
    validated = _annotate(route_summary, context)
    return RouteImport(route_summary, found, vis, warnings, is_rib, validated, context.vrp_source, context.asn_country)


def _annotate(summary: RouteSummary, context: Context) -> bool:
    """Fill the routes' ``state`` (against the VRPs) and ``country`` columns in place."""
    table = summary.routes
    if table.num_rows == 0:
        return context.vrp_index is not None
    prefixes = table["prefix"].to_pylist()
    origins = table["origin_asn"].to_numpy()
    if context.vrp_index is not None:
        states = context.vrp_index.validate(prefixes, origins.tolist())
        table = table.set_column(table.schema.get_field_index("state"), "state", pa.array(states, type=pa.uint8()))
    countries: list[str | None] = [None] * len(prefixes)
    if context.prefix_country is not None:
        countries = [c if c else None for c in np.asarray(context.prefix_country(prefixes), dtype=object).tolist()]
    if context.asn_country:
        countries = [c or context.asn_country.get(int(o)) for c, o in zip(countries, origins, strict=True)]
    table = table.set_column(table.schema.get_field_index("country"), "country", pa.array(countries, type=pa.string()))
    summary.routes = table
    return context.vrp_index is not None
