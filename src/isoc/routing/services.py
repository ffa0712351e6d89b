"""State changes of the routing app. Each runs inside the caller's transaction (importers run
them inside the import's), so a failure stores nothing."""

from __future__ import annotations

import pyarrow as pa
from django.db import transaction

from isoc.pulse.models import Dataset
from isoc.routing import incidents as incidents_core
from isoc.routing import scores, store, tables
from isoc.routing.models import AutonomousSystem, Snapshot
from isoc.routing.vrps import VRPSet


@transaction.atomic
def store_vrps(dataset: Dataset, vrpset: VRPSet) -> int:
    """Keep a VRP set as the dataset's Parquet files and record its snapshot."""
    store.write_table(dataset, "vrps", tables.vrps_to_table(vrpset))
    store.write_table(dataset, "aspas", tables.aspas_to_table(vrpset.aspas))
    dataset.parquet_path = store.relative_path(dataset, "vrps")
    dataset.save(update_fields=["parquet_path"])
    Snapshot.objects.update_or_create(
        dataset=dataset,
        defaults={"kind": Snapshot.Kind.VRPS, "taken_at": dataset.retrieved_at, "rows": len(vrpset)},
    )
    return len(vrpset)


def store_reference_table(dataset: Dataset, name: str, columns: dict) -> int:
    """Keep a reference list (bogons, AS relationships) as the dataset's Parquet file."""
    import pyarrow as pa

    table = pa.table(columns)
    store.write_table(dataset, name, table)
    dataset.parquet_path = store.relative_path(dataset, name)
    dataset.save(update_fields=["parquet_path"])
    store.clear_cache()
    return table.num_rows


def _known_countries() -> set[str]:
    from isoc.pulse.models import Country

    return set(Country.objects.values_list("code", flat=True))


def _upsert_networks(rows: list[AutonomousSystem], fields: list[str]) -> None:
    """Insert new networks and update ``fields`` of existing ones, in chunks."""
    for start in range(0, len(rows), 2000):
        AutonomousSystem.objects.bulk_create(rows[start:start + 2000], update_conflicts=True,
                                             unique_fields=["asn"], update_fields=fields)


@transaction.atomic
def store_as_names(dataset: Dataset, names: list) -> int:
    """Names and descriptions of networks; their country too unless a registry gave one."""
    countries = _known_countries()
    registry_country = dict(AutonomousSystem.objects.exclude(registry_source=None).values_list("asn", "country_id"))
    rows = []
    for item in names:
        cc = registry_country.get(item.asn) if item.asn in registry_country else (
            item.country if item.country in countries else None)
        rows.append(AutonomousSystem(asn=item.asn, name=item.name[:200], description=item.description[:300],
                                     country_id=cc, names_source=dataset))
    _upsert_networks(rows, ["name", "description", "country", "names_source"])
    return len(rows)


def delegation_table(delegations) -> pa.Table:
    import pyarrow as pa

    recs = delegations.records
    return pa.table({
        "registry": [r.registry for r in recs], "cc": [r.cc for r in recs], "type": [r.type for r in recs],
        "start": [r.start for r in recs], "value": pa.array([r.value for r in recs], type=pa.int64()),
        "date": [r.date for r in recs], "status": [r.status for r in recs], "opaque_id": [r.opaque_id for r in recs],
        "line": pa.array([r.line for r in recs], type=pa.int64()),
    })


@transaction.atomic
def store_delegations(dataset: Dataset, delegations) -> int:
    """The registry's facts about its networks (country, registry, date, status) and the
    address delegations as Parquet (for the country of a prefix)."""
    store.write_table(dataset, "delegations", delegation_table(delegations))
    dataset.parquet_path = store.relative_path(dataset, "delegations")
    dataset.save(update_fields=["parquet_path"])
    countries = _known_countries()
    rows: dict[int, AutonomousSystem] = {}
    for rec in delegations.records:
        if rec.type != "asn" or not rec.delegated:
            continue
        first = int(rec.start)
        for asn in range(first, first + rec.value):
            rows[asn] = AutonomousSystem(asn=asn, country_id=rec.cc if rec.cc in countries else None,
                                         rir=rec.registry[:20], registered_on=rec.date,
                                         registry_status=rec.status[:20], registry_source=dataset)
    _upsert_networks(list(rows.values()), ["country", "rir", "registered_on", "registry_status", "registry_source"])
    store.clear_cache()
    return len(delegations.records)


#: Per-AS visibility series kept as signals: the largest networks of each country (by
#: visible /24s), so detection covers them without one file per AS of the whole Internet.
AS_SIGNALS_PER_COUNTRY = 10
AS_SIGNAL_MIN_24S = 16


def _dt(seconds: int | None):
    from datetime import UTC, datetime

    return datetime.fromtimestamp(int(seconds), tz=UTC) if seconds is not None else None


@transaction.atomic
def store_route_import(dataset: Dataset, result, *, rescore: bool = True) -> int:
    """Keep an analysed MRT file: its routes (Parquet), snapshot counts, incidents, and the
    BGP visibility signal; then recompute the scores of the months it touched."""
    from collections import Counter

    from isoc.routing.models import RoutingIncident

    routes = result.routes
    store.write_table(dataset, "routes", routes)
    dataset.parquet_path = store.relative_path(dataset, "routes")
    dataset.save(update_fields=["parquet_path"])
    states = Counter(routes["state"].to_pylist())
    vis = result.visibility
    vrp_snapshot = Snapshot.objects.filter(dataset_id=result.vrp_source).first() if result.vrp_source else None
    Snapshot.objects.update_or_create(dataset=dataset, defaults={
        "kind": Snapshot.Kind.ROUTES, "taken_at": _dt(result.summary.first_seen) or dataset.retrieved_at,
        "ends_at": _dt(result.summary.last_seen), "is_rib": result.is_rib, "rows": routes.num_rows,
        "elements": result.summary.elements, "peers": result.summary.peers,
        "full_feed_peers": len(vis.full_feed_peers) if vis is not None else 0,
        "valid": states.get(0, 0), "invalid_as": states.get(1, 0), "invalid_length": states.get(2, 0),
        "not_found": states.get(3, 0), "vrps": vrp_snapshot,
        "warnings": [{"offset": w.offset, "message": w.message} for w in result.warnings[:1000]],
    })
    RoutingIncident.objects.filter(dataset=dataset).delete()
    countries = result.asn_country if result.asn_country is not None else store.asn_countries()
    known = _known_countries()
    RoutingIncident.objects.bulk_create([
        RoutingIncident(
            dataset=dataset, kind=i.kind, culprit_asn=i.culprit_asn,
            origin_asn=i.origin_asn, prefix=i.prefix[:50], prefixes=list(i.prefixes), as_path=i.as_path[:2000],
            starts_at=_dt(i.start), ends_at=_dt(i.end), duration_seconds=i.duration, peers=i.peers,
            weight=scores.incident_weight(i.duration), evidence=i.evidence,
            country_id=countries.get(i.culprit_asn) if countries.get(i.culprit_asn) in known else None,
        ) for i in result.incidents], batch_size=1000)
    if vis is not None:
        _store_visibility(dataset, vis, known)
    first, last = _dt(result.summary.first_seen), _dt(result.summary.last_seen)
    if rescore and first is not None:
        recompute_scores(months=months_between(first, last or first))
    return routes.num_rows


def _store_visibility(dataset: Dataset, vis, known: set[str]) -> None:
    from isoc.shutdowns.signals import store_series

    if vis.timestamps.size == 0:
        return
    for cc, values in vis.by_country.items():
        if cc in known:
            store_series(dataset, cc, "bgp", vis.timestamps, values, resolution_seconds=300)
    by_country: dict[str, list[tuple[float, int]]] = {}
    for asn, values in vis.by_asn.items():
        cc = vis.asn_country.get(asn)
        peak = float(values.max()) if values.size else 0.0
        if cc in known and peak >= AS_SIGNAL_MIN_24S:
            by_country.setdefault(cc, []).append((peak, asn))
    for cc, ranked in by_country.items():
        for _peak, asn in sorted(ranked, reverse=True)[:AS_SIGNALS_PER_COUNTRY]:
            store_series(dataset, cc, "bgp", vis.timestamps, vis.by_asn[asn], asn=asn, resolution_seconds=300)


def months_between(first, last) -> list:
    """First days of the UTC calendar months from ``first`` to ``last`` (datetimes)."""
    from datetime import date

    out = []
    m = date(first.year, first.month, 1)
    end = date(last.year, last.month, 1)
    while m <= end:
        out.append(m)
        m = date(m.year + (m.month == 12), m.month % 12 + 1, 1)
    return out


def _route_stats(snapshot: Snapshot) -> dict[int, scores.RouteStats]:
    """Per origin AS, the RPKI states of its routes in the snapshot (validated routes only)."""
    import duckdb

    path = store.absolute(store.relative_path(snapshot.dataset, "routes"))
    if not path.exists():
        return {}
    con = duckdb.connect()
    try:
        rows = con.execute(
            "SELECT origin_asn, state, count(*) FROM read_parquet(?) WHERE state IS NOT NULL AND origin_asn >= 0"
            " GROUP BY origin_asn, state", [str(path)]).fetchall()
    finally:
        con.close()
    counts: dict[int, list[int]] = {}
    for asn, state, n in rows:
        counts.setdefault(int(asn), [0, 0, 0, 0])[int(state)] += int(n)
    return {asn: scores.RouteStats(asn=asn, routes=sum(c), valid=c[0], invalid_as=c[1], invalid_length=c[2],
                                   not_found=c[3]) for asn, c in counts.items()}


def _month_snapshot(month) -> Snapshot | None:
    """The snapshot a month's route statistics come from: its latest RIB, else its latest
    file of updates (validated ones only)."""
    from datetime import UTC, datetime

    start = datetime(month.year, month.month, 1, tzinfo=UTC)
    end = datetime(month.year + (month.month == 12), month.month % 12 + 1, 1, tzinfo=UTC)
    qs = (Snapshot.objects.filter(kind=Snapshot.Kind.ROUTES, taken_at__gte=start, taken_at__lt=end)
          .exclude(vrps=None).select_related("dataset").order_by("-is_rib", "-taken_at", "-pk"))
    return qs.first()


def _incident_records(month) -> list[incidents_core.Incident]:
    from datetime import UTC, datetime

    from isoc.routing.models import RoutingIncident

    start = datetime(month.year, month.month, 1, tzinfo=UTC)
    end = datetime(month.year + (month.month == 12), month.month % 12 + 1, 1, tzinfo=UTC)
    rows = (RoutingIncident.objects.filter(starts_at__lt=end)
            .exclude(starts_at__lt=start, ends_at__lt=start)
            .values_list("kind", "culprit_asn", "prefix", "origin_asn", "starts_at", "ends_at", "duration_seconds"))
    out = []
    for kind, culprit, prefix, origin, starts, ends, duration in rows:
        t0 = int(starts.timestamp())
        out.append(incidents_core.Incident(kind=kind, culprit_asn=culprit, prefixes=(prefix,), origin_asn=origin or -1,
                                           as_path="", start=t0, end=int(ends.timestamp()) if ends else None,
                                           duration=int(duration), peers=0))
    return out


@transaction.atomic
def recompute_scores(months=None) -> int:
    """Recompute the monthly network and country scores (all months with data by default)."""
    from isoc.routing.models import CountryScore, NetworkScore, RoutingIncident

    if months is None:
        months = set()
        for snap in Snapshot.objects.filter(kind=Snapshot.Kind.ROUTES).values_list("taken_at", flat=True):
            months.update(months_between(snap, snap))
        for first, last in RoutingIncident.objects.values_list("starts_at", "ends_at"):
            months.update(months_between(first, last or first))
    countries = store.asn_countries()
    known = _known_countries()
    written = 0
    for month in sorted(set(months)):
        snapshot = _month_snapshot(month)
        stats = _route_stats(snapshot) if snapshot else {}
        found = _incident_records(month)
        asns = set(stats) | {i.culprit_asn for i in found}
        contacts = {}
        for network in AutonomousSystem.objects.filter(asn__in=asns).only("asn", "contact_email", "contact_url"):
            contacts[network.asn] = network.has_contact
        network_rows = scores.network_scores(month, incidents=found, route_stats=stats, contacts=contacts)
        NetworkScore.objects.filter(month=month).delete()
        NetworkScore.objects.bulk_create([NetworkScore(
            asn=s.asn, month=month, routes=s.routes, valid=s.valid, invalid=s.invalid, not_found=s.not_found,
            rpki_score=s.rpki_score, roa_coverage=s.roa_coverage, incidents=s.incidents,
            incident_weight=s.incident_weight, filtering=s.filtering, global_validation=s.global_validation,
            coordination=s.coordination) for s in network_rows], batch_size=2000)
        country_of = {a: cc for a, cc in countries.items() if cc in known}
        CountryScore.objects.filter(month=month).delete()
        CountryScore.objects.bulk_create([CountryScore(
            country_id=c.country, month=month, networks=c.networks, routes=c.routes, valid=c.valid, invalid=c.invalid,
            not_found=c.not_found, rpki_score=c.rpki_score, roa_coverage=c.roa_coverage, incidents=c.incidents,
            incident_weight=c.incident_weight, filtering=c.filtering, global_validation=c.global_validation,
            coordination=c.coordination) for c in scores.country_scores(network_rows, country_of)])
        written += len(network_rows)
    return written


@transaction.atomic
def revalidate(snapshots=None, vrp_dataset: Dataset | None = None) -> list[Snapshot]:
    """Validate route snapshots again, against the latest VRPs (or ``vrp_dataset``): their
    Parquet ``state`` column, their counts and the months' scores are brought up to date.
    For routes imported before any VRPs, or to see old routes against newer RPKI data."""
    import pyarrow as pa

    found = store.vrp_index(vrp_dataset)
    if found is None:
        raise ValueError("no VRPs imported: import a VRP file first (isoc import vrps FILE)")
    vrp_ds, index = found
    vrp_snapshot = Snapshot.objects.get(dataset=vrp_ds)
    if snapshots is None:
        snapshots = Snapshot.objects.filter(kind=Snapshot.Kind.ROUTES).select_related("dataset")
    done, months = [], set()
    for snap in snapshots:
        table = store.read_table(snap.dataset, "routes")
        if table is None:
            continue
        states = index.validate(table["prefix"].to_pylist(), table["origin_asn"].to_pylist()) if table.num_rows else []
        column = pa.array(states, type=pa.uint8())
        table = table.set_column(table.schema.get_field_index("state"), "state", column)
        store.write_table(snap.dataset, "routes", table)
        counts = [0, 0, 0, 0]
        for s in column.to_pylist():
            counts[s] += 1
        snap.valid, snap.invalid_as, snap.invalid_length, snap.not_found = counts
        snap.vrps = vrp_snapshot
        snap.save(update_fields=["valid", "invalid_as", "invalid_length", "not_found", "vrps"])
        months.update(months_between(snap.taken_at, snap.ends_at or snap.taken_at))
        done.append(snap)
    if months:
        recompute_scores(months=months)
    return done
