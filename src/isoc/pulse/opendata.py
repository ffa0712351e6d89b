"""Open data: any Dataset as a table, written as CSV, JSON or Parquet.

How a dataset becomes rows depends on what it holds. Indicator datasets read their
IndicatorValue rows; datasets with bulk rows in Parquet (``Dataset.parquet_path``) read
that file; other apps register a reader for their own datasets (e.g. shutdown events)::

    from isoc.pulse.opendata import Table, register_table

    @register_table("keepiton")             # an importer name, or a Dataset.Kind value
    def shutdown_events(dataset) -> Table:
        return Table(columns=["id", "country", "start"], rows=[...])   # rows: tuples

A reader registered for the dataset's importer wins over one for its kind.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

FORMATS = {"csv": "text/csv; charset=utf-8", "json": "application/json", "parquet": "application/vnd.apache.parquet"}


@dataclass
class Table:
    columns: list[str]
    rows: Iterable[tuple]


_READERS: dict[str, Callable[[Any], Table]] = {}


def register_table(key: str) -> Callable[[Callable[[Any], Table]], Callable[[Any], Table]]:
    def decorate(fn: Callable[[Any], Table]) -> Callable[[Any], Table]:
        _READERS[key] = fn
        return fn

    return decorate


def _indicator_table(dataset) -> Table:
    rows = dataset.values.order_by("indicator", "country_id", "year").values_list("indicator", "country_id", "year", "value")
    return Table(["indicator", "country", "year", "value"], rows.iterator(chunk_size=5000))


def _parquet_table(dataset) -> Table:
    import pyarrow.parquet as pq
    from django.conf import settings

    table = pq.read_table(Path(settings.DATA_DIR) / dataset.parquet_path)
    return Table(table.column_names, (tuple(r.values()) for r in table.to_pylist()))


register_table("indicator")(_indicator_table)


def table_for(dataset) -> Table:
    """The dataset's rows, by the reader registered for its importer, its kind, or its Parquet file."""
    from isoc.pulse.importing import discover

    discover()  # importers modules register readers too
    reader = _READERS.get(dataset.importer) or _READERS.get(dataset.kind)
    if reader is not None:
        return reader(dataset)
    if dataset.parquet_path:
        return _parquet_table(dataset)
    return Table([], [])


def _plain(value: Any) -> Any:
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _safe_cell(value: Any) -> Any:
    # Spreadsheets run cells starting with = + - @ as formulas; text only (numbers stay numbers).
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return _plain(value)


def to_csv(table: Table) -> Iterable[str]:
    """CSV lines, streamed."""
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(table.columns)
    for row in table.rows:
        writer.writerow([_safe_cell(v) for v in row])
        if buf.tell() > 1 << 16:
            yield buf.getvalue()
            buf.seek(0)
            buf.truncate()
    yield buf.getvalue()


def to_json(table: Table, provenance: dict) -> bytes:
    rows = [dict(zip(table.columns, (_plain(v) for v in row), strict=True)) for row in table.rows]
    return json.dumps({"dataset": provenance, "columns": table.columns, "rows": rows}, ensure_ascii=False).encode()


def to_parquet(table: Table, provenance: dict) -> bytes:
    import pyarrow as pa
    import pyarrow.parquet as pq

    rows = list(table.rows)
    columns = {name: [_plain(r[i]) for r in rows] for i, name in enumerate(table.columns)}
    arrow = pa.table(columns) if table.columns else pa.table({})
    arrow = arrow.replace_schema_metadata({b"isoc.dataset": json.dumps(provenance).encode()})
    out = io.BytesIO()
    pq.write_table(arrow, out)
    return out.getvalue()
