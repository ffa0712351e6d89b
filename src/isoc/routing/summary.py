"""Summarise decoded MRT elements into routes (Django-free): one row per (prefix, origin AS)
with how many peers carried it, when it was first and last seen, and one AS path.

The element batches stream into an in-memory DuckDB table (DuckDB spills to disk past its
memory limit), so a RIB larger than memory can be summarised; only announcements and RIB
entries count (a withdrawal does not make a route exist).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import duckdb
import pyarrow as pa

from isoc.routing.tables import ROUTE_SCHEMA, prefix_bounds_columns

_COLUMNS = ["kind", "timestamp", "peer_ip", "peer_asn", "prefix", "origin_asn", "as_path"]


@dataclass
class RouteSummary:
    routes: pa.Table  # ROUTE_SCHEMA, state and country null
    elements: int = 0
    peers: int = 0
    first_seen: int | None = None
    last_seen: int | None = None
    #: IPv4 prefixes per peer (peer_ip → count): what "full feed" is judged on.
    peer_v4_prefixes: dict[str, int] = field(default_factory=dict)


class Summarizer:
    """Feed element batches with :meth:`add` (e.g. while other consumers read the same
    stream), then :meth:`finish` for the :class:`RouteSummary`."""

    def __init__(self) -> None:
        self.con = duckdb.connect()
        self.con.execute(
            "CREATE TABLE el (kind VARCHAR, timestamp BIGINT, peer_ip VARCHAR, peer_asn UBIGINT,"
            " prefix VARCHAR, origin_asn BIGINT, as_path VARCHAR)"
        )
        self.elements = 0

    def add(self, batch: pa.RecordBatch) -> None:
        self.elements += batch.num_rows
        part = pa.Table.from_batches([batch]).select(_COLUMNS)
        part = part.set_column(0, "kind", part["kind"].cast(pa.string()))
        self.con.register("part", part)
        self.con.execute("INSERT INTO el SELECT * FROM part WHERE kind IN ('B', 'A')")
        self.con.unregister("part")

    def finish(self) -> RouteSummary:
        con = self.con
        try:
            routes = con.sql(
                "SELECT prefix, origin_asn, count(DISTINCT peer_ip)::UINTEGER AS peers,"
                " min(timestamp) AS first_seen, max(timestamp) AS last_seen, min(as_path) AS as_path"
                " FROM el GROUP BY prefix, origin_asn ORDER BY prefix, origin_asn"
            ).arrow()
            if isinstance(routes, pa.RecordBatchReader):
                routes = routes.read_all()
            peer_rows = con.execute(
                "SELECT peer_ip, count(DISTINCT prefix) FROM el WHERE position(':' IN prefix) = 0 GROUP BY peer_ip"
            ).fetchall()
            peers, first, last = con.execute(
                "SELECT count(DISTINCT peer_ip), min(timestamp), max(timestamp) FROM el").fetchone()
        finally:
            con.close()
        prefixes = routes["prefix"].to_pylist()
        columns = {
            "prefix": routes["prefix"],
            "origin_asn": routes["origin_asn"],
            "peers": routes["peers"],
            "first_seen": routes["first_seen"],
            "last_seen": routes["last_seen"],
            "as_path": routes["as_path"],
            "state": pa.nulls(len(prefixes), type=pa.uint8()),
            "country": pa.nulls(len(prefixes), type=pa.string()),
            **prefix_bounds_columns(prefixes),
        }
        table = pa.table(columns, schema=ROUTE_SCHEMA) if prefixes else ROUTE_SCHEMA.empty_table()
        return RouteSummary(
            routes=table,
            elements=self.elements,
            peers=int(peers or 0),
            first_seen=first,
            last_seen=last,
            peer_v4_prefixes={ip: int(n) for ip, n in peer_rows},
        )


def summarize(batches: Iterable[pa.RecordBatch]) -> RouteSummary:
    """Summarise a whole stream of element batches."""
    sink = Summarizer()
    for batch in batches:
        sink.add(batch)
    return sink.finish()
