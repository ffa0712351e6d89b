"""RIPE Atlas probe connection logs → connected-probe counts per country and per network
(``probe-connectivity`` signals), and ``isoc import atlas-disco FILE -o asn-names=FILE``.

The log (as used by IHR's Disco, e.g. measurement 7000 of 2016-04-29) is a JSON list,
possibly gzipped, of events::

    {"prb_id": 16589, "event": "disconnect", "timestamp": 1461888013, "asn": 39611,
     "prefix": "213.207.48.0/21", "controller": "ctr-ams15", "msm_id": 7000, "type": "connection"}

``asn`` is an int, a string of digits or null. The log has no country: a probe's
country is its network's, from an ASN → "NAME, CC" table such as ``asnames.json.gz``
(CIDR-report autnums) given with ``-o asn-names=FILE``.

How counts are made
-------------------
Only probes that appear in the log are seen (a probe with no event that day is not in
the file). A probe's state before its first event is the opposite of that event (a
first ``disconnect`` means it was connected). Repeated events in the same state are
ignored. The count of a bin (``resolution`` seconds, 60 by default) is the time-weighted
mean number of connected probes over the bin, so a 5-minute disconnection shows in
1-minute bins as whole probes and in 10-minute bins as half of one. A probe's ASN is the
one most of its events carry. Signals are made per country, and per (country, ASN) for
networks with at least ``min-probes`` probes (3 by default).

Everything above the importer class is free of Django.
"""

from __future__ import annotations

import ast
import gzip
import json
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from isoc.pulse.importing import (
    Importer,
    MalformedFile,
    Parsed,
    Skip,
    SourceInfo,
    register_importer,
)
from isoc.shutdowns.detect import DetectorConfig, OutageWindow, detect_country

VERSION = "1"
EVENTS = {"connect": 1, "disconnect": 0}

# A one-day log holds too little history for the default 7-day window and 1-hour
# warm-up: compare each minute with the median of the previous 2 hours, start alerting
# after 30 minutes of history, keep in-painting for up to 6 hours, and flag drops that
# last at least 3 minutes (Disco's bursts last about 5).
ONE_DAY_CONFIG = DetectorConfig(history=2 * 3600, warmup=30 * 60, min_duration=3 * 60,
                                inpaint_limit=6 * 3600, max_gap=0, step=60)


@dataclass(frozen=True)
class ProbeEvent:
    probe: int
    at: int
    connected: bool
    asn: int | None


def _open(path: Path):
    with path.open("rb") as fh:
        magic = fh.read(2)
    return gzip.open(path, "rt", encoding="utf-8") if magic == b"\x1f\x8b" else path.open(encoding="utf-8")


def _asn(value, path, row) -> int | None:
    if value is None or value == "":
        return None
    try:
        asn = int(value)
    except (TypeError, ValueError):
        raise MalformedFile(path, row, "asn", f"not an AS number: {value!r}") from None
    if not 0 < asn < 2**32:
        raise MalformedFile(path, row, "asn", f"AS number out of range: {asn}")
    return asn


def parse_log(path: str | Path) -> tuple[list[ProbeEvent], list[Skip]]:
    """Read a connection log. A file that is not a JSON list of objects, or an event with
    no probe id, timestamp or event, raises MalformedFile naming the (1-based) event and
    field; events of other kinds are skipped and reported."""
    path = Path(path)
    try:
        with _open(path) as fh:
            data = json.load(fh)
    except (OSError, EOFError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise MalformedFile(path, None, None, f"not a readable JSON file: {exc}") from exc
    if not isinstance(data, list):
        raise MalformedFile(path, None, None, "expected a JSON list of connection events")
    events, skipped = [], []
    for i, row in enumerate(data, start=1):
        if not isinstance(row, dict):
            raise MalformedFile(path, i, None, "an event must be a JSON object")
        for field in ("prb_id", "timestamp", "event"):
            if field not in row:
                raise MalformedFile(path, i, field, "missing")
        kind = row["event"]
        if kind not in EVENTS:
            skipped.append(Skip(row=i, field="event", reason=f"not a connect/disconnect event: {kind!r}"))
            continue
        try:
            probe, at = int(row["prb_id"]), int(row["timestamp"])
        except (TypeError, ValueError):
            field = "prb_id" if not str(row["prb_id"]).isdigit() else "timestamp"
            raise MalformedFile(path, i, field, f"not an integer: {row[field]!r}") from None
        events.append(ProbeEvent(probe=probe, at=at, connected=bool(EVENTS[kind]), asn=_asn(row.get("asn"), path, i)))
    return events, skipped


def load_asn_countries(path: str | Path) -> dict[int, str]:
    """ASN → ISO alpha-2 from a JSON object {"ASN": "NAME descr, CC"} (gzipped or not)."""
    path = Path(path)
    with _open(path) as fh:
        data = json.load(fh)
    out = {}
    for asn, text in data.items():
        cc = str(text).rsplit(",", 1)[-1].strip().upper()
        if len(cc) == 2 and cc.isalpha() and str(asn).isdigit():
            out[int(asn)] = cc
    return out


def probe_asns(events: list[ProbeEvent]) -> dict[int, int | None]:
    """Each probe's ASN: the one most of its events carry (None if none does)."""
    seen: dict[int, Counter] = defaultdict(Counter)
    for e in events:
        seen[e.probe][e.asn] += 0 if e.asn is None else 1
    return {p: (c.most_common(1)[0][0] if sum(c.values()) else None) for p, c in seen.items()}


def connected_counts(events: list[ProbeEvent], groups: dict[int, list], resolution: int = 60,
                     start: int | None = None, end: int | None = None) -> tuple[np.ndarray, dict]:
    """Time-weighted mean connected probes per bin for each group of probes.

    ``groups`` maps probe id → the group keys it counts towards (e.g. ["DE", ("DE", 3320)]).
    Returns (bin start times, {key: counts}). Bins cover [start, end), by default the
    log's first and last event rounded out to the resolution."""
    if not events:
        return np.zeros(0, dtype=np.int64), {}
    times = [e.at for e in events]
    lo = (min(times) if start is None else start) // resolution * resolution
    hi = -(-(max(times) + 1 if end is None else end) // resolution) * resolution
    span = hi - lo
    by_probe: dict[int, list[ProbeEvent]] = defaultdict(list)
    for e in sorted(events, key=lambda e: (e.at, e.probe)):
        by_probe[e.probe].append(e)
    deltas: dict = {}
    for probe, evs in by_probe.items():
        keys = groups.get(probe)
        if not keys:
            continue
        # Per-second changes of this probe's state within [lo, hi).
        d = np.zeros(span + 1, dtype=np.int32)
        state = not evs[0].connected
        if state:
            d[0] += 1
        for e in evs:
            if e.connected == state:
                continue
            state = e.connected
            k = min(max(e.at - lo, 0), span)
            d[k] += 1 if state else -1
        for key in keys:
            if key in deltas:
                deltas[key] += d
            else:
                deltas[key] = d.copy()
    bins = np.arange(lo, hi, resolution, dtype=np.int64)
    counts = {key: np.cumsum(d[:span]).reshape(-1, resolution).mean(axis=1) for key, d in deltas.items()}
    return bins, counts


@dataclass
class AtlasSignals:
    bins: np.ndarray
    countries: dict[str, np.ndarray]
    networks: dict[tuple[str, int], np.ndarray]
    probes: dict[str, int]
    probe_geo: dict[int, tuple[str | None, int | None]]
    unplaced: int


def build_signals(events: list[ProbeEvent], asn_countries: dict[int, str], resolution: int = 60,
                  min_probes: int = 3) -> AtlasSignals:
    """Connected-probe counts per country and per (country, ASN) from a parsed log."""
    asns = probe_asns(events)
    geo = {p: (asn_countries.get(a) if a is not None else None, a) for p, a in asns.items()}
    per_net = Counter((cc, a) for cc, a in geo.values() if cc and a is not None)
    groups: dict[int, list] = {}
    for p, (cc, a) in geo.items():
        if cc is None:
            continue
        keys: list = [cc]
        if a is not None and per_net[(cc, a)] >= min_probes:
            keys.append((cc, a))
        groups[p] = keys
    bins, counts = connected_counts(events, groups, resolution)
    return AtlasSignals(
        bins=bins,
        countries={k: v for k, v in counts.items() if isinstance(k, str)},
        networks={k: v for k, v in counts.items() if isinstance(k, tuple)},
        probes=dict(Counter(cc for cc, _ in geo.values() if cc)),
        probe_geo=geo,
        unplaced=sum(1 for cc, _ in geo.values() if cc is None),
    )


# -------------------------------------------------------------- comparison with Disco


@dataclass(frozen=True)
class DiscoBurst:
    id: int
    start: float
    end: float
    probes: tuple[int, ...]


def parse_disco_events(path: str | Path) -> list[DiscoBurst]:
    """Disco's output: ``id|start|end|duration|[{'probeID': n, 'state': s}, …]`` per line."""
    out = []
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        ident, start, end, _duration, probes = line.split("|", 4)
        listed = ast.literal_eval(probes)
        out.append(DiscoBurst(int(ident), float(start), float(end), tuple(int(p["probeID"]) for p in listed)))
    return out


# With fewer probes one probe going offline is already a 20% drop: such signals alert on
# every flap (on 2016-04-29, 5-probe signals gave 142 windows in a day). Detection only
# looks at signals whose median count is at least this many probes.
MIN_PROBES_FOR_DETECTION = 10


def detect_atlas(signals: AtlasSignals, config: DetectorConfig = ONE_DAY_CONFIG,
                 min_probes: int = MIN_PROBES_FOR_DETECTION) -> dict:
    """Run the detector on every country and network signal with at least ``min_probes``
    connected probes (median over the log): {key: [OutageWindow]}."""
    out: dict = {}
    for key, counts in [*signals.countries.items(), *signals.networks.items()]:
        if counts.size == 0 or np.median(counts) < min_probes:
            continue
        windows = detect_country({"probe-connectivity": (signals.bins, counts)}, config)
        if windows:
            out[key] = windows
    return out


def compare_with_disco(found: dict, bursts: list[DiscoBurst], probe_geo: dict, slack: int = 60) -> dict:
    """Which Disco bursts a detection overlaps in time (± ``slack`` seconds) and place (a
    country or network that holds at least one of the burst's probes), and which
    detections no burst explains."""
    matched: dict[int, list] = {}
    explained: set = set()
    for b in bursts:
        places = set()
        for p in b.probes:
            cc, asn = probe_geo.get(p, (None, None))
            if cc:
                places.add(cc)
                if asn is not None:
                    places.add((cc, asn))
        for key, windows in found.items():
            if key not in places:
                continue
            for w in windows:
                if w.start < b.end + slack and w.end > b.start - slack:
                    matched.setdefault(b.id, []).append(key)
                    explained.add((key, w.start))
    unexplained = [(key, w) for key, ws in found.items() for w in ws if (key, w.start) not in explained]
    return {"matched": matched, "unexplained": unexplained}


def describe(key, w: OutageWindow) -> str:
    place = key if isinstance(key, str) else f"{key[0]} AS{key[1]}"
    return f"{place} {w.start}–{w.end} ({(w.end - w.start) // 60} min, score {w.score:.0f})"


# ------------------------------------------------------------------------ the importer


@register_importer("atlas-disco")
class AtlasDiscoImporter(Importer):
    """``isoc import atlas-disco LOG.json.gz -o asn-names=asnames.json.gz
    [-o resolution=60] [-o min-probes=3]``: connected-probe counts per country and per
    network, stored as probe-connectivity signals of one dataset per log file."""

    version = VERSION
    dataset_kind = "signal"
    description = ("Connected RIPE Atlas probes per country and per network, counted from a probe "
                   "connect/disconnect log (see isoc.shutdowns.atlas for how).")
    source = SourceInfo(slug="ripe-atlas", name="RIPE Atlas", publisher="RIPE NCC",
                        licence="RIPE Atlas data, RIPE NCC terms and conditions", url="https://atlas.ripe.net/")

    def parse(self, path: Path) -> Parsed:
        names = self.options.get("asn-names") or self.options.get("asn_names")
        if not names:
            raise MalformedFile(path, None, None, "the log has no countries: give an ASN → country table "
                                "with --option asn-names=FILE (e.g. asnames.json.gz)")
        try:
            resolution = int(self.options.get("resolution", 60))
            min_probes = int(self.options.get("min-probes", 3))
        except ValueError as exc:
            raise MalformedFile(path, None, "option", f"resolution and min-probes are whole numbers: {exc}") from exc
        if resolution <= 0 or 86400 % resolution:
            raise MalformedFile(path, None, "option", "resolution must divide a day, in seconds (e.g. 60, 300)")
        try:
            asn_countries = load_asn_countries(Path(names))
        except (OSError, ValueError, AttributeError) as exc:
            raise MalformedFile(names, None, None, f"cannot read the ASN table: {exc}") from exc
        events, skipped = parse_log(path)
        sig = build_signals(events, asn_countries, resolution, min_probes)
        for probe, (cc, asn) in sorted(sig.probe_geo.items()):
            if cc is None:
                reason = "probe has no ASN in the log" if asn is None else f"AS{asn} has no country in the ASN table"
                skipped.append(Skip(row=0, field=f"probe {probe}", reason=reason))
        rows = [(cc, None, counts) for cc, counts in sorted(sig.countries.items())]
        rows += [(cc, asn, counts) for (cc, asn), counts in sorted(sig.networks.items())]
        return Parsed(rows=[(sig.bins, resolution, r) for r in rows], skipped=skipped, rows_read=len(events),
                      meta={"report": {"probes": len(sig.probe_geo), "probes_unplaced": sig.unplaced,
                                       "countries": len(sig.countries), "networks": len(sig.networks),
                                       "resolution_seconds": resolution}})

    def apply(self, dataset, rows) -> int:
        from isoc.pulse.models import Country
        from isoc.shutdowns.models import Signal
        from isoc.shutdowns.signals import store_series

        known = set(Country.objects.values_list("code", flat=True))
        keep = []
        for bins, resolution, (cc, asn, counts) in rows:
            if cc not in known:
                continue
            keep.append(store_series(dataset, cc, Signal.Kind.PROBE_CONNECTIVITY, bins, counts, asn=asn,
                                     resolution_seconds=resolution).pk)
        # The file is the whole dataset: signals it no longer has go.
        Signal.objects.filter(dataset=dataset).exclude(pk__in=keep).delete()
        return len(keep)
