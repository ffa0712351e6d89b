"""State changes of the routing app. Each runs inside the caller's transaction (importers run
them inside the import's), so a failure stores nothing."""

from __future__ import annotations

import pyarrow as pa
from django.db import transaction

from isoc.pulse.models import Dataset
from isoc.routing import store, tables
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
