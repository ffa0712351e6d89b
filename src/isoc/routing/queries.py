"""The queries behind the routing pages and API (one query, two renderings): routes from the
latest routes snapshot's Parquet file and VRPs from the latest VRP set, read with DuckDB;
networks, incidents and scores from the database."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import duckdb

from isoc.routing import store, tables
from isoc.routing.models import AutonomousSystem, Snapshot
from isoc.routing.rov import ValidationState

STATE_NAMES = {
    ValidationState.VALID: "valid",
    ValidationState.INVALID_AS: "invalid-as",
    ValidationState.INVALID_LENGTH: "invalid-length",
    ValidationState.NOT_FOUND: "not-found",
}
ROUTE_LIMIT = 5000  # rows a page or API answer lists; the Parquet download has them all


def state_name(value: int | None) -> str:
    return STATE_NAMES.get(ValidationState(value), "") if value is not None else "unknown"


def latest_routes() -> Snapshot | None:
    """The latest full-table snapshot, else the latest file of updates."""
    qs = Snapshot.objects.filter(kind=Snapshot.Kind.ROUTES).select_related("dataset", "vrps__dataset")
    return qs.filter(is_rib=True).order_by("-taken_at", "-pk").first() or qs.order_by("-taken_at", "-pk").first()


def latest_vrps() -> Snapshot | None:
    return (Snapshot.objects.filter(kind=Snapshot.Kind.VRPS).select_related("dataset")
            .order_by("-taken_at", "-pk").first())


def _query(snapshot: Snapshot | None, name: str, where: str, params: list, columns: str, order: str,
           limit: int | None = ROUTE_LIMIT) -> list[dict]:
    if snapshot is None:
        return []
    path = store.absolute(store.relative_path(snapshot.dataset, name))
    if not path.exists():
        return []
    sql = f"SELECT {columns} FROM read_parquet(?) WHERE {where} ORDER BY {order}"
    if limit:
        sql += f" LIMIT {int(limit)}"
    con = duckdb.connect()
    try:
        cur = con.execute(sql, [str(path), *params])
        names = [d[0] for d in cur.description]
        return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]
    finally:
        con.close()


_ROUTE_COLUMNS = "prefix, origin_asn, peers, first_seen, last_seen, as_path, state, country"


def _route(row: dict) -> dict:
    row = dict(row)
    row["state_name"] = state_name(row.get("state"))
    for key in ("first_seen", "last_seen"):
        if row.get(key) is not None:
            row[key] = datetime.fromtimestamp(row[key], tz=UTC)
    return row


def routes_of_network(asn: int, snapshot: Snapshot | None = None, limit: int | None = ROUTE_LIMIT) -> list[dict]:
    """The prefixes ``asn`` originates in the snapshot (default: the latest)."""
    snapshot = snapshot or latest_routes()
    rows = _query(snapshot, "routes", "origin_asn = ?", [asn], _ROUTE_COLUMNS, "family, start_hi, start_lo, length", limit)
    return [_route(r) for r in rows]


def state_counts_of_network(asn: int, snapshot: Snapshot | None = None) -> dict[str, int]:
    snapshot = snapshot or latest_routes()
    rows = _query(snapshot, "routes", "origin_asn = ? GROUP BY state", [asn], "state, count(*) AS n", "state", None)
    return {state_name(r["state"]): r["n"] for r in rows}


@dataclass
class PrefixAnswer:
    query: str
    prefix: str  # canonical
    exact: list[dict]
    covering: list[dict]  # less specifics, longest first
    more_specific: list[dict]
    vrps: list[dict]  # VRPs covering the prefix
    snapshot: Snapshot | None
    vrp_snapshot: Snapshot | None


def search_prefix(text: str, limit: int = 200) -> PrefixAnswer:
    """Who originates ``text`` (and what covers it / lies inside it), which VRPs cover it,
    and the RFC 6811 state of each origin. Raises ``ValueError`` for text that is not a prefix
    or address."""
    b = tables.bounds(text)
    canonical = str(_network(text))
    snapshot, vrp_snapshot = latest_routes(), latest_vrps()
    params = tables.predicate_params(b)
    covering = [_route(r) for r in _query(snapshot, "routes", tables.COVERS_SQL, params, _ROUTE_COLUMNS,
                                          "length DESC, origin_asn", limit)]
    exact = [r for r in covering if r["prefix"] == canonical]
    covering = [r for r in covering if r["prefix"] != canonical]
    inside = [_route(r) for r in _query(snapshot, "routes", tables.INSIDE_SQL + " AND length > ?", [*params, b.length],
                                        _ROUTE_COLUMNS, "start_hi, start_lo, length", limit)]
    vrps = _query(vrp_snapshot, "vrps", tables.COVERS_SQL, params, "prefix, max_length, asn", "length DESC, asn", limit)
    index = store.vrp_index(vrp_snapshot.dataset) if vrp_snapshot else None
    if index is not None:
        # The state against the latest VRPs, which may be newer than the routes snapshot's.
        for row in exact + covering + inside:
            row["state_now"] = STATE_NAMES[index[1].validate_one(row["prefix"], row["origin_asn"])]
    return PrefixAnswer(text, canonical, exact, covering, inside, vrps, snapshot, vrp_snapshot)


def _network(text: str):
    import ipaddress

    return ipaddress.ip_network(text.strip(), strict=False)


def country_networks(code: str, snapshot: Snapshot | None = None, limit: int = 500) -> list[dict]:
    """The networks registered in a country, ranked by the routes they originate, with the
    share of those routes that are RPKI-invalid."""
    snapshot = snapshot or latest_routes()
    rows = _query(
        snapshot, "routes", "country = ? GROUP BY origin_asn", [code.upper()],
        "origin_asn, count(*) AS routes, count(*) FILTER (WHERE state = 0) AS valid,"
        " count(*) FILTER (WHERE state IN (1, 2)) AS invalid, count(*) FILTER (WHERE state = 3) AS not_found",
        "routes DESC, origin_asn", limit)
    names = {a.asn: a for a in AutonomousSystem.objects.filter(asn__in=[r["origin_asn"] for r in rows])}
    for row in rows:
        network = names.get(row["origin_asn"])
        row["name"] = network.name if network else ""
        row["invalid_share"] = row["invalid"] / row["routes"] if row["routes"] else 0.0
    return rows


def country_state_counts(code: str, snapshot: Snapshot | None = None) -> dict[str, int]:
    snapshot = snapshot or latest_routes()
    rows = _query(snapshot, "routes", "country = ? GROUP BY state", [code.upper()], "state, count(*) AS n", "state", None)
    return {state_name(r["state"]): r["n"] for r in rows}
