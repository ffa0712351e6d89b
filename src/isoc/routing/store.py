"""Where routing bulk data lives: Parquet files under ``<DATA_DIR>/routing/<dataset slug>/``,
named by what they hold (``vrps.parquet``, ``aspas.parquet``, ``routes.parquet``,
``bogons.parquet``, ``relationships.parquet``, ``delegations.parquet``), and the loaders
that turn the latest of each back into the structures the cores use (a validation index,
bogon list, AS relationships), cached per process by dataset and file digest.

Files are written whole to a temporary name and renamed, so a reader never sees half a file.
"""

from __future__ import annotations

import threading
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from django.conf import settings

from isoc.pulse.models import Dataset
from isoc.routing import rov, tables

ROUTING_DIR = "routing"

_cache: dict[tuple, object] = {}
_cache_lock = threading.Lock()


def relative_path(dataset: Dataset, name: str) -> str:
    return str(Path(ROUTING_DIR) / dataset.slug / f"{name}.parquet")


def absolute(rel: str) -> Path:
    return Path(settings.DATA_DIR) / rel


def write_table(dataset: Dataset, name: str, table: pa.Table) -> str:
    """Write ``table`` as the dataset's ``name`` file; return its path relative to the data folder."""
    rel = relative_path(dataset, name)
    path = absolute(rel)
    from isoc.site.ops.files import write_atomically

    # A full or read-only data folder keeps the previous file and raises DataFolderError.
    write_atomically(path, lambda tmp: pq.write_table(table, tmp, compression="zstd", row_group_size=128 * 1024))
    return rel


def read_table(dataset: Dataset, name: str, columns: list[str] | None = None) -> pa.Table | None:
    """The dataset's ``name`` table, or None when it was never written (or was removed)."""
    path = absolute(relative_path(dataset, name))
    if not path.exists():
        return None
    return pq.read_table(path, columns=columns)


def _cached(key: tuple, build):
    # The data folder is part of the key: tests (and tools) point it elsewhere.
    key = (*key, str(settings.DATA_DIR))
    with _cache_lock:
        if key in _cache:
            return _cache[key]
    value = build()
    with _cache_lock:
        # Keep one entry per kind of object: a new import replaces the old one's memory.
        for old in [k for k in _cache if k[0] == key[0] and k != key]:
            del _cache[old]
        _cache[key] = value
    return value


def clear_cache() -> None:
    with _cache_lock:
        _cache.clear()


def latest_vrp_dataset() -> Dataset | None:
    from isoc.routing.models import Snapshot

    snap = Snapshot.objects.filter(kind=Snapshot.Kind.VRPS).select_related("dataset").order_by("-taken_at", "-pk").first()
    return snap.dataset if snap else None


def vrp_index(dataset: Dataset | None = None) -> tuple[Dataset, rov.Index] | None:
    """The validation index over a VRP dataset (default: the latest), cached."""
    dataset = dataset or latest_vrp_dataset()
    if dataset is None:
        return None

    def build():
        table = read_table(dataset, "vrps")
        if table is None:
            return None
        return rov.build_index(tables.table_to_vrps(table))

    index = _cached(("vrp-index", dataset.pk, dataset.sha256, dataset.retrieved_at), build)
    return (dataset, index) if index is not None else None


def _datasets_of(importer: str) -> list[Dataset]:
    return list(Dataset.objects.filter(importer=importer).order_by("pk"))


def bogon_prefixes() -> list[str]:
    """Every bogon prefix of every imported bogon list (IPv4 and IPv6 files are separate)."""
    datasets = _datasets_of("bogons")

    def build():
        out: list[str] = []
        for ds in datasets:
            table = read_table(ds, "bogons", ["prefix"])
            if table is not None:
                out.extend(table["prefix"].to_pylist())
        return out

    return _cached(("bogons", tuple((d.pk, d.sha256) for d in datasets)), build)  # type: ignore[return-value]


def relationships() -> dict[tuple[int, int], int] | None:
    """AS relationships of the latest imported CAIDA as-rel file, or None."""
    ds = Dataset.objects.filter(importer="as-relationships").order_by("-retrieved_at", "-pk").first()
    if ds is None:
        return None

    def build():
        table = read_table(ds, "relationships")
        if table is None:
            return None
        a = table["a"].to_pylist()
        b = table["b"].to_pylist()
        rel = table["rel"].to_pylist()
        out: dict[tuple[int, int], int] = {}
        for x, y, r in zip(a, b, rel, strict=True):
            out[(x, y)] = r
        return out

    return _cached(("relationships", ds.pk, ds.sha256), build)  # type: ignore[return-value]


def delegations():
    """All imported RIR delegation statistics combined (for the country of a prefix), or None."""
    from isoc.routing import registry

    datasets = _datasets_of("rir-delegations")
    if not datasets:
        return None

    def build():
        parts = []
        for ds in datasets:
            table = read_table(ds, "delegations")
            if table is None:
                continue
            records = [registry.Delegation(**row) for row in table.to_pylist()]
            parts.append(registry.Delegations(records=records))
        return registry.Delegations.combine(parts) if parts else None

    return _cached(("delegations", tuple((d.pk, d.sha256) for d in datasets)), build)


def asn_countries() -> dict[int, str]:
    from isoc.routing.models import AutonomousSystem

    return dict(AutonomousSystem.objects.exclude(country=None).values_list("asn", "country_id"))


def pipeline_context():
    """The reference data an MRT import uses: latest VRPs, bogons, relationships, countries."""
    from isoc.routing import pipeline

    index = vrp_index()
    dele = delegations()
    return pipeline.Context(
        vrp_index=index[1] if index else None,
        bogon_prefixes=bogon_prefixes(),
        relationships=relationships(),
        prefix_country=dele.countries_of_prefixes if dele is not None else None,
        asn_country=asn_countries(),
        vrp_source=index[0].pk if index else None,
    )
