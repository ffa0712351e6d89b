"""Signals: measurement time series kept in Parquet under the data folder, with a
``Signal`` row saying what and where each is; and the detection service that runs the
moving-median detector (``shutdowns.detect``) over them and stores what it finds as
``DetectedOutage`` rows, candidate events for staff review.

Layout: ``<DATA_DIR>/signals/<dataset slug>/<kind>-<CC>[-AS<asn>].parquet``, two columns,
``ts`` (timestamp, seconds, UTC) and ``value`` (float64; null = missing), sorted by time.
A series is written whole (write to a temporary file, then rename), so a reader never
sees half a file. Windows are read with DuckDB, which only reads the row groups it needs.

Timestamps given to and returned by this module are Unix seconds (int64, UTC);
``datetime64`` arrays and timezone-aware datetimes are accepted as input too.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
from django.conf import settings
from django.db import transaction

from isoc.pulse.models import Country, Dataset
from isoc.shutdowns import detect
from isoc.shutdowns.models import DetectedOutage, Signal

SIGNALS_DIR = "signals"


def _seconds(when) -> int | None:
    if when is None:
        return None
    if isinstance(when, datetime):
        if when.tzinfo is None:
            raise ValueError("naive datetime: times are timezone-aware UTC")
        return int(when.timestamp())
    if isinstance(when, np.datetime64):
        return int(when.astype("datetime64[s]").astype(np.int64))
    return int(when)


def _dt(seconds: int) -> datetime:
    return datetime.fromtimestamp(int(seconds), tz=UTC)


def signal_path(dataset: Dataset, country_code: str, kind: str, asn: int | None = None) -> str:
    """The Parquet file of a signal, relative to the data folder."""
    name = f"{kind}-{country_code.upper()}" + (f"-AS{int(asn)}" if asn else "") + ".parquet"
    return str(Path(SIGNALS_DIR) / dataset.slug / name)


def absolute(path: str) -> Path:
    return Path(settings.DATA_DIR) / path


def write_parquet(path: Path, timestamps, values) -> tuple[int, int | None, int | None]:
    """Write a series (sorted by time) to ``path``; return (points, first, last) seconds."""
    t = detect.to_seconds(timestamps)
    v = np.asarray(values, dtype=np.float64).ravel()
    if t.shape != v.shape:
        raise ValueError(f"timestamps ({t.size}) and values ({v.size}) differ in length")
    order = np.argsort(t, kind="stable")
    t, v = t[order], v[order]
    table = pa.table({
        "ts": pa.array(t, type=pa.int64()).cast(pa.timestamp("s", tz="UTC")),
        "value": pa.array(v, mask=~np.isfinite(v), type=pa.float64()),
    })
    from isoc.site.ops.files import write_atomically

    # A full or read-only data folder keeps the previous file and raises DataFolderError.
    write_atomically(path, lambda tmp: pq.write_table(table, tmp, compression="zstd", row_group_size=64 * 1024))
    if t.size == 0:
        return 0, None, None
    return int(t.size), int(t[0]), int(t[-1])


def read_parquet(path: Path, start=None, end=None) -> tuple[np.ndarray, np.ndarray]:
    """Points of a Parquet signal file in [start, end): (Unix seconds int64, float64 with NaN)."""
    import duckdb

    if not path.exists():
        return np.zeros(0, dtype=np.int64), np.zeros(0)
    lo, hi = _seconds(start), _seconds(end)
    where, params = [], [str(path)]
    if lo is not None:
        where.append("ts >= to_timestamp(?)")
        params.append(lo)
    if hi is not None:
        where.append("ts < to_timestamp(?)")
        params.append(hi)
    sql = "SELECT epoch(ts)::BIGINT AS t, coalesce(value, 'NaN'::DOUBLE) AS value FROM read_parquet(?)"
    if where:
        sql += " WHERE " + " AND ".join(where)
    sql += " ORDER BY ts"
    con = duckdb.connect()
    try:
        cols = con.execute(sql, params).fetchnumpy()
    finally:
        con.close()
    return np.asarray(cols["t"], dtype=np.int64), np.asarray(cols["value"], dtype=np.float64)


def read_series(signal: Signal, start=None, end=None) -> tuple[np.ndarray, np.ndarray]:
    """The points of ``signal`` in [start, end): Unix seconds (int64, UTC) and values
    (float64, NaN where missing). ``start``/``end``: aware datetimes, datetime64 or seconds."""
    return read_parquet(absolute(signal.parquet_path), start, end)


def store_series(dataset: Dataset, country, kind: str, timestamps, values, asn: int | None = None,
                 resolution_seconds: int | None = None) -> Signal:
    """Write (replace) the series of (dataset, country, asn, kind) and update its Signal row."""
    code = country.code if isinstance(country, Country) else str(country).upper()
    if kind not in Signal.Kind.values:
        raise ValueError(f"unknown signal kind {kind!r} (known: {', '.join(Signal.Kind.values)})")
    rel = signal_path(dataset, code, kind, asn)
    points, first, last = write_parquet(absolute(rel), timestamps, values)
    if resolution_seconds is None:
        t = np.sort(detect.to_seconds(timestamps))
        d = np.diff(t)
        d = d[d > 0]
        resolution_seconds = int(np.median(d)) if d.size else 300
    signal, _ = Signal.objects.update_or_create(
        dataset=dataset, country_id=code, asn=asn, kind=kind,
        defaults={"parquet_path": rel, "resolution_seconds": resolution_seconds, "points": points,
                  "starts_at": _dt(first) if first is not None else None,
                  "ends_at": _dt(last) if last is not None else None})
    return signal


# ------------------------------------------------------------------------- detection


def run_detection(country=None, start=None, end=None, config: detect.DetectorConfig | None = None,
                  signals=None) -> list[DetectedOutage]:
    """Run the detector over the signals (of one country, or all; optionally only a time
    range, or the given ``signals`` queryset), one run per (country, ASN) with all its
    signals as sources, and store each window as a DetectedOutage linked to the signals
    that alerted in it. Idempotent: a window already stored (same country, ASN, start and
    detector version) is updated, keeping its review state."""
    cfg = config or detect.DetectorConfig()
    qs = signals if signals is not None else Signal.objects.all()
    if country is not None:
        qs = qs.filter(country_id=country.code if isinstance(country, Country) else str(country).upper())
    groups: dict[tuple[str, int | None], list[Signal]] = defaultdict(list)
    for sig in qs.select_related("dataset").order_by("country_id", "asn", "kind", "dataset__slug"):
        groups[(sig.country_id, sig.asn)].append(sig)
    found: list[DetectedOutage] = []
    for (code, asn), sigs in groups.items():
        kinds = [s.kind for s in sigs]
        by_name: dict[str, Signal] = {}
        series = {}
        for s in sigs:
            name = s.kind if kinds.count(s.kind) == 1 else f"{s.kind}@{s.dataset.slug}"
            by_name[name] = s
            series[name] = read_series(s, start, end)
        for window in detect.detect_country(series, cfg):
            found.append(_store_window(code, asn, window, by_name))
    return found


@transaction.atomic
def _store_window(code: str, asn: int | None, window: detect.OutageWindow, by_name: dict[str, Signal]) -> DetectedOutage:
    severity = {name: {"drop_pct": round(s.drop_pct, 2), "minutes": s.minutes, "severity": round(s.severity, 2),
                       "level": s.level, "signal": by_name[name].pk}
                for name, s in window.sources.items()}
    fields = {"ends_at": _dt(window.end), "score": float(window.score), "severity": severity}
    # The unique constraint does not hold for a NULL ASN on every database, so look up first.
    existing = DetectedOutage.objects.filter(country_id=code, asn=asn, starts_at=_dt(window.start),
                                             detector_version=detect.VERSION).first()
    if existing is None:
        outage = DetectedOutage.objects.create(country_id=code, asn=asn, starts_at=_dt(window.start),
                                               detector_version=detect.VERSION, **fields)
    else:
        outage = existing
        for k, v in fields.items():
            setattr(outage, k, v)
        outage.save(update_fields=list(fields))
    outage.signals.set([by_name[name] for name in window.sources])
    return outage
