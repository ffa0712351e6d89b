"""State changes of the routing app. Each runs inside the caller's transaction (importers run
them inside the import's), so a failure stores nothing."""

from __future__ import annotations

from django.db import transaction

from isoc.pulse.models import Dataset
from isoc.routing import store, tables
from isoc.routing.models import Snapshot
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
