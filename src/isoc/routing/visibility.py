"""BGP visibility signal for shutdown detection (the shape of IODA's BGP signal). Django-free.

Per country and per origin AS, the number of routed IPv4 /24 blocks that more than half of
the *full-feed* peers carry, every 5 minutes. A shutdown that withdraws a country's or a
network's routes shows as a drop; unlike active probing it does not see shutdowns that
keep routes up.

Definitions
-----------
Input
    Route element batches (:data:`isoc.routing.elements.ELEMENT_SCHEMA`) in time order: a
    RIB snapshot (``B`` rows) followed by update files (``A``/``W`` rows) of the same
    collector. Only IPv4 prefixes from /8 (``min_length``) to /24 are tracked; longer
    ones, shorter ones (a default route seen by a few peers would otherwise count 16.7
    million /24s) and IPv6 are ignored.
Peer
    A BGP session of the collector, identified by (``peer_ip``, ``peer_asn``).
Full-feed peer
    A peer whose table in the RIB snapshot (IPv4 prefixes ≤ /24) holds at least
    ``full_feed_fraction`` (default 0.8) of the largest peer's table, and at least
    ``min_full_feed_prefixes`` (default 0; IODA uses an absolute 400,000, which only works
    on complete RIBs). The fraction mirrors IODA's 400k of the ~500k-route table of the
    time, and on real RIBs the gap between full and partial feeds is wide (RouteViews
    2014-05-23: 30 peers above 96 % of the largest, the next at 79 %, the rest below 30 %).
    The set is fixed at the snapshot; peers first seen in updates are not counted, and
    ``full_feed_peers=`` can name the set explicitly (then no snapshot is needed).
State
    Per (full-feed peer, prefix): carried or not, and the origin AS of the route carried.
    ``B`` and ``A`` rows set it, ``W`` rows clear it; within a bin the last row for a
    (peer, prefix) wins. With add-path (``path_id`` not null) each path is tracked and the
    prefix is carried while any path remains. BGP session resets are not route elements,
    so a peer that goes down without withdrawals keeps its routes here (RIS and RouteViews
    dumps usually follow up with a fresh RIB; feed it to start over).
Visible
    A prefix is visible when *strictly more* than half of the full-feed peers carry it
    (with 10 full-feed peers, 5 is not enough). Its origin AS is the origin more than half
    of the full-feed peers carry it with (at most one can be); a visible prefix whose
    carriers disagree (MOAS) or end in an AS_SET counts for its country but for no AS.
Counting
    Per key, the number of distinct /24 blocks covered by the key's visible prefixes: a /24
    covered by several overlapping prefixes of the key counts once (interval union in
    NumPy, no loop over /24s). A /24 covered by prefixes of different keys (a provider's
    aggregate and a customer's more-specific from another AS or country) counts under each,
    so per-key sums can exceed :attr:`Visibility.total`, the distinct visible /24s overall.
Country of a prefix
    ``prefix_country`` (vectorised: list of prefixes → codes or ``None``; e.g.
    :meth:`isoc.routing.registry.Delegations.countries_of_prefixes`) decides; when it has no
    answer, ``asn_country`` of the prefix's origin AS is the fallback.
Bins
    5 minutes (``bin_seconds``) aligned to multiples of 300 s UTC, labelled by their start;
    the value is the state at the end of the bin. The snapshot belongs to the bin of its
    earliest timestamp, whatever the spread of its rows' timestamps. Quiet stretches (no
    element at all) of up to ``max_gap_seconds`` are filled with the unchanged state;
    longer ones are taken as missing input and produce no points. Rows older than the
    current bin (slightly out-of-order files) are applied to the current bin.

The output fits :func:`isoc.shutdowns.signals.store_series`::

    vis = bgp_visibility(batches, delegations.countries_of_prefixes, asn_country)
    for (kind, key), (timestamps, values) in vis.series.items():
        if kind == "country":
            store_series(dataset, key, "bgp", timestamps, values)
        elif vis.asn_country.get(key):
            store_series(dataset, vis.asn_country[key], "bgp", timestamps, values, asn=key)
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from isoc.routing.elements import NO_ORIGIN

__all__ = ["BIN_SECONDS", "Peer", "Visibility", "bgp_visibility", "union_counts"]

BIN_SECONDS = 300
_SPAN = 1 << 25  # label offset in /24 units: larger than the 2**24 /24s of IPv4

PrefixCountry = Callable[[Sequence[str]], Sequence[str | None]]
AsnCountry = Mapping[int, str | None] | Callable[[np.ndarray], Sequence[str | None]]


@dataclass(frozen=True, order=True)
class Peer:
    """A collector's BGP session."""

    ip: str
    asn: int


@dataclass
class Visibility:
    """The visibility series. Arrays are aligned with ``timestamps`` (bin starts, int64 Unix s)."""

    timestamps: np.ndarray
    by_country: dict[str, np.ndarray]
    by_asn: dict[int, np.ndarray]
    total: np.ndarray  # distinct visible /24s overall
    full_feed_peers: list[Peer]
    table_sizes: dict[Peer, int]  # IPv4 ≤ /24 prefixes per peer in the snapshot
    asn_country: dict[int, str | None] = field(default_factory=dict)

    @property
    def series(self) -> dict[tuple[str, str | int], tuple[np.ndarray, np.ndarray]]:
        """``{("country", "KE"): (timestamps, values), ("asn", 36914): (...), ...}``."""
        out: dict[tuple[str, str | int], tuple[np.ndarray, np.ndarray]] = {}
        for cc, values in sorted(self.by_country.items()):
            out["country", cc] = (self.timestamps, values)
        for asn, values in sorted(self.by_asn.items()):
            out["asn", asn] = (self.timestamps, values)
        return out


def union_counts(first: np.ndarray, count: np.ndarray, labels: np.ndarray, n_labels: int) -> np.ndarray:
    """Per label, the length of the union of the intervals [first, first + count).

    Intervals are in /24 units (< 2**24). Labels are shifted apart by 2**25 so one sort and
    one running maximum serve every label at once.
    """
    if first.size == 0:
        return np.zeros(n_labels, dtype=np.float64)
    start = labels.astype(np.int64) * _SPAN + first
    order = np.argsort(start, kind="stable")
    start = start[order]
    end = start + count[order]
    reach = np.maximum.accumulate(end)
    before = np.empty_like(reach)
    before[0] = start[0]
    before[1:] = reach[:-1]
    new = np.maximum(end - np.maximum(start, before), 0)
    return np.bincount(labels[order], weights=new, minlength=n_labels)


class _Tracker:
    def __init__(self, prefix_country: PrefixCountry | None, asn_country: AsnCountry | None,
                 peers: Collection[Peer] | None, min_length: int = 8) -> None:
        self.min_length = min_length
        self.prefix_country = prefix_country
        self.asn_country = asn_country
        self.fixed_peers = peers is not None
        self.peer_cols: dict[str, int] = {}
        self.peers: list[Peer] = []
        if peers is not None:
            for peer in sorted(set(peers)):
                self.peer_cols[f"{peer.ip}|{peer.asn}"] = len(self.peers)
                self.peers.append(peer)
        self.prefix_ids: dict[str, int] = {}
        self.n = 0
        cap = 1024
        self.first24 = np.zeros(cap, np.int64)
        self.n24 = np.zeros(cap, np.int64)
        self.cc = np.full(cap, -1, np.int64)
        self.maj = np.full(cap, -1, np.int64)
        self.last_maj = np.full(cap, -1, np.int64)
        self.carry = np.zeros(cap, np.int64)
        self.state = np.full((cap, max(len(self.peers), 1)), -1, np.int32)
        self.countries: list[str] = []
        self.country_ids: dict[str, int] = {}
        self.asns: list[int] = []
        self.asn_ids: dict[int, int] = {}
        self.asn_cc: list[int] = []
        self.addpath: dict[tuple[int, int], dict[int, int]] = {}
        self.dirty: list[np.ndarray] = []

    # ---- registries

    def _country_id(self, cc: str | None) -> int:
        if not cc:
            return -1
        cid = self.country_ids.get(cc)
        if cid is None:
            cid = self.country_ids[cc] = len(self.countries)
            self.countries.append(cc)
        return cid

    def origin_ids(self, origins: np.ndarray) -> np.ndarray:
        uniq, inverse = np.unique(origins, return_inverse=True)
        new = [int(a) for a in uniq.tolist() if int(a) not in self.asn_ids]
        if new:
            ccs: Sequence[str | None]
            if self.asn_country is None:
                ccs = [None] * len(new)
            elif callable(self.asn_country):
                ccs = list(self.asn_country(np.array(new, dtype=np.int64)))
            else:
                ccs = [self.asn_country.get(a) for a in new]
            for asn, cc in zip(new, ccs, strict=True):
                self.asn_ids[asn] = len(self.asns)
                self.asns.append(asn)
                self.asn_cc.append(-1 if asn == NO_ORIGIN else self._country_id(cc))
        ids = np.array([self.asn_ids[int(a)] for a in uniq.tolist()], dtype=np.int32)
        return ids[inverse.reshape(-1)]

    def _grow(self, need: int) -> None:
        cap = self.first24.size
        if need <= cap:
            return
        new = max(need, cap * 2)
        for name, fill in (("first24", 0), ("n24", 0), ("cc", -1), ("maj", -1), ("last_maj", -1), ("carry", 0)):
            old = getattr(self, name)
            arr = np.full(new, fill, old.dtype)
            arr[:cap] = old
            setattr(self, name, arr)
        state = np.full((new, self.state.shape[1]), -1, np.int32)
        state[:cap] = self.state
        self.state = state

    def prefix_idx(self, prefixes: pa.Array) -> np.ndarray:
        """Row → prefix id (-1 for prefixes not tracked: IPv6, longer than /24, unparseable)."""
        encoded = pc.dictionary_encode(prefixes)
        if isinstance(encoded, pa.ChunkedArray):
            encoded = encoded.combine_chunks()
        uniq = encoded.dictionary.to_pylist()
        ids = np.empty(len(uniq) + 1, np.int64)
        ids[-1] = -1  # null prefixes
        fresh: list[tuple[int, str, int, int]] = []
        for i, text in enumerate(uniq):
            pid = self.prefix_ids.get(text)
            if pid is None:
                pid = -1
                parsed = _ipv4_24(text, self.min_length)
                if parsed is not None:
                    pid = self.n + len(fresh)
                    fresh.append((pid, text, *parsed))
                self.prefix_ids[text] = pid
            ids[i] = pid
        if fresh:
            self._grow(self.n + len(fresh))
            pids = np.array([f[0] for f in fresh], np.int64)
            self.first24[pids] = [f[2] for f in fresh]
            self.n24[pids] = [f[3] for f in fresh]
            if self.prefix_country is not None:
                ccs = self.prefix_country([f[1] for f in fresh])
                self.cc[pids] = [self._country_id(cc) for cc in ccs]
            self.n += len(fresh)
        idx = encoded.indices.to_numpy(zero_copy_only=False)
        nulls = encoded.indices.is_null().to_numpy(zero_copy_only=False)
        idx = np.where(nulls, len(uniq), idx)
        return ids[idx]

    def peer_idx(self, ips: pa.Array, asns: pa.Array) -> np.ndarray:
        keys = pc.binary_join_element_wise(ips, pc.cast(asns, pa.string()), "|")
        encoded = pc.dictionary_encode(keys)
        if isinstance(encoded, pa.ChunkedArray):
            encoded = encoded.combine_chunks()
        uniq = encoded.dictionary.to_pylist()
        ids = np.empty(len(uniq) + 1, np.int64)
        ids[-1] = -1
        for i, key in enumerate(uniq):
            col = self.peer_cols.get(key)
            if col is None:
                col = -1
                if not self.fixed_peers:
                    col = self.peer_cols[key] = len(self.peers)
                    ip, _, asn = key.rpartition("|")
                    self.peers.append(Peer(ip, int(asn)))
            ids[i] = col
        if len(self.peers) > self.state.shape[1]:
            state = np.full((self.state.shape[0], max(len(self.peers), 2 * self.state.shape[1])), -1, np.int32)
            state[:, : self.state.shape[1]] = self.state
            self.state = state
        idx = encoded.indices.to_numpy(zero_copy_only=False)
        nulls = encoded.indices.is_null().to_numpy(zero_copy_only=False)
        return ids[np.where(nulls, len(uniq), idx)]

    # ---- state

    def apply(self, pid: np.ndarray, col: np.ndarray, origin: np.ndarray, withdraw: np.ndarray,
              path_id: np.ndarray, has_path: np.ndarray, count: bool) -> None:
        """Apply rows in order. ``count``: keep per-prefix carrier counts up to date."""
        plain = ~has_path
        width = self.state.shape[1]
        if plain.any():
            key = pid[plain] * width + col[plain]
            new = np.where(withdraw[plain], -1, origin[plain]).astype(np.int32)
            rev_key = key[::-1]
            uniq, first = np.unique(rev_key, return_index=True)
            value = new[::-1][first]
            flat = self.state.reshape(-1)
            if count:
                delta = (value >= 0).astype(np.int64) - (flat[uniq] >= 0)
                np.add.at(self.carry, uniq // width, delta)
            flat[uniq] = value
            self.dirty.append(uniq // width)
        if has_path.any():
            touched = []
            for p, c, o, w, path in zip(pid[has_path].tolist(), col[has_path].tolist(),
                                        origin[has_path].tolist(), withdraw[has_path].tolist(),
                                        path_id[has_path].tolist(), strict=True):
                paths = self.addpath.setdefault((p, c), {})
                if w:
                    paths.pop(path, None)
                else:
                    paths[path] = o
                value = next(reversed(paths.values())) if paths else -1
                old = self.state[p, c]
                if count:
                    self.carry[p] += int(value >= 0) - int(old >= 0)
                self.state[p, c] = value
                touched.append(p)
            self.dirty.append(np.array(touched, np.int64))

    def keep_columns(self, cols: np.ndarray) -> None:
        """Drop every peer but ``cols`` (after the snapshot picked the full-feed peers)."""
        self.state = np.ascontiguousarray(self.state[:, cols])
        self.peers = [self.peers[c] for c in cols.tolist()]
        self.peer_cols = {f"{p.ip}|{p.asn}": i for i, p in enumerate(self.peers)}
        remap = {int(c): i for i, c in enumerate(cols.tolist())}
        self.addpath = {(p, remap[c]): v for (p, c), v in self.addpath.items() if c in remap}
        self.fixed_peers = True
        self.carry[: self.n] = (self.state[: self.n] >= 0).sum(axis=1)
        self.carry[self.n:] = 0
        self.dirty = [np.arange(self.n)]

    def evaluate(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, int]:
        """(country ids, their counts, asn ids, their counts, total) for the current state."""
        n_full = len(self.peers)
        if self.dirty:
            dirty = np.unique(np.concatenate(self.dirty))
            self.dirty = []
            dirty = dirty[dirty < self.n]
            rows = self.state[dirty, :n_full]
            cand = np.full(dirty.size, -1, np.int64)
            votes = np.zeros(dirty.size, np.int64)
            for j in range(n_full):  # Boyer-Moore majority vote, vectorised over prefixes
                column = rows[:, j].astype(np.int64)
                take = votes == 0
                cand = np.where(take, column, cand)
                votes = np.where(take | (column == cand), votes + 1, votes - 1)
            support = (rows == cand[:, None]).sum(axis=1) if n_full else np.zeros(dirty.size, np.int64)
            no_origin = self.asn_ids.get(NO_ORIGIN, -2)
            ok = (cand >= 0) & (cand != no_origin) & (2 * support > n_full)
            self.maj[dirty] = np.where(ok, cand, -1)
            self.last_maj[dirty] = np.where(ok, cand, self.last_maj[dirty])
        n = self.n
        visible = 2 * self.carry[:n] > n_full
        if n_full == 0:
            visible[:] = False
        first, count = self.first24[:n][visible], self.n24[:n][visible]
        maj = self.maj[:n][visible]
        cc = self.cc[:n][visible]
        asn_cc = np.array(self.asn_cc + [-1], np.int64)
        cc = np.where(cc >= 0, cc, asn_cc[np.where(maj >= 0, maj, len(self.asn_cc))])
        total = int(union_counts(first, count, np.zeros(first.size, np.int64), 1)[0])
        has_cc = cc >= 0
        by_cc = union_counts(first[has_cc], count[has_cc], cc[has_cc], len(self.countries))
        has_as = maj >= 0
        by_as = union_counts(first[has_as], count[has_as], maj[has_as], len(self.asns))
        cids = np.flatnonzero(by_cc)
        aids = np.flatnonzero(by_as)
        return cids, by_cc[cids], aids, by_as[aids], total


def _ipv4_24(text: str, min_length: int = 8) -> tuple[int, int] | None:
    """(first /24 index, number of /24s) of an IPv4 prefix from /min_length to /24, else ``None``."""
    addr, _, length_text = text.partition("/")
    if ":" in addr or not length_text.isdigit():
        return None
    length = int(length_text)
    octets = addr.split(".")
    if not min_length <= length <= 24 or len(octets) != 4 or not all(o.isdigit() and int(o) < 256 for o in octets):
        return None
    value = (int(octets[0]) << 24) | (int(octets[1]) << 16) | (int(octets[2]) << 8) | int(octets[3])
    value &= ~((1 << (32 - length)) - 1) & 0xFFFFFFFF
    return value >> 8, 1 << (24 - length)


def _column(batch: pa.RecordBatch | pa.Table, name: str) -> pa.Array:
    column = batch.column(name)
    if isinstance(column, pa.ChunkedArray):
        column = column.combine_chunks()
    return column


def bgp_visibility(
    batches: Iterable[pa.RecordBatch | pa.Table],
    prefix_country: PrefixCountry | None = None,
    asn_country: AsnCountry | None = None,
    *,
    full_feed_fraction: float = 0.8,
    min_full_feed_prefixes: int = 0,
    full_feed_peers: Collection[Peer] | None = None,
    bin_seconds: int = BIN_SECONDS,
    max_gap_seconds: int = 3600,
    end: int | None = None,
    min_length: int = 8,
) -> Visibility:
    """The BGP visibility series of a RIB snapshot followed by updates (see the module doc).

    ``prefix_country``: list of prefix strings → country codes or ``None`` (called once per
    new prefix, in batches). ``asn_country``: ``{asn: code}`` or a vectorised callable
    (array of ASNs → codes), the fallback for prefixes without a country and the country of
    each per-AS series. ``end``: extend the series with the unchanged state up to this time
    (exclusive), e.g. the end of the last update file.
    """
    if not 0 < full_feed_fraction <= 1:
        raise ValueError(f"full_feed_fraction must be in (0, 1], got {full_feed_fraction}")
    if bin_seconds <= 0:
        raise ValueError("bin_seconds must be positive")
    if not 0 <= min_length <= 24:
        raise ValueError(f"min_length must be in [0, 24], got {min_length}")
    tracker = _Tracker(prefix_country, asn_country, full_feed_peers, min_length)
    in_snapshot = full_feed_peers is None
    table_sizes: dict[Peer, int] = {}
    current: int | None = None
    results: list[tuple[int, tuple]] = []  # (bin start, evaluation)
    last_eval: tuple | None = None

    def finish_snapshot() -> None:
        nonlocal in_snapshot
        in_snapshot = False
        sizes = (tracker.state[: tracker.n, : len(tracker.peers)] >= 0).sum(axis=0)
        for peer, size in zip(tracker.peers, sizes.tolist(), strict=True):
            table_sizes[peer] = size
        largest = int(sizes.max()) if sizes.size else 0
        threshold = max(full_feed_fraction * largest, min_full_feed_prefixes, 1)
        cols = np.flatnonzero(sizes >= threshold)
        if cols.size == 0:
            raise ValueError("no full-feed peer: the input starts without a RIB snapshot (B rows) "
                             "carrying IPv4 prefixes; pass full_feed_peers= for updates alone")
        tracker.keep_columns(cols)

    def close(upto: int) -> None:
        """Record the current bin, then fill the quiet bins before ``upto``."""
        nonlocal current, last_eval
        assert current is not None
        last_eval = tracker.evaluate() if tracker.dirty or last_eval is None else last_eval
        results.append((current, last_eval))
        if upto - current - bin_seconds <= max_gap_seconds:
            for t in range(current + bin_seconds, upto, bin_seconds):
                results.append((t, last_eval))
        current = upto

    for batch in batches:
        if batch.num_rows == 0:
            continue
        kind = _column(batch, "kind")
        if isinstance(kind.type, pa.DictionaryType):
            kind = kind.cast(pa.string())
        kind_np = np.asarray(kind.to_numpy(zero_copy_only=False), dtype=object)
        is_rib = kind_np == "B"
        withdraw = kind_np == "W"
        ts = _column(batch, "timestamp").to_numpy(zero_copy_only=False).astype(np.int64)
        pid = tracker.prefix_idx(_column(batch, "prefix"))
        col = tracker.peer_idx(_column(batch, "peer_ip"), _column(batch, "peer_asn"))
        origin = tracker.origin_ids(_column(batch, "origin_asn").fill_null(NO_ORIGIN)
                                    .to_numpy(zero_copy_only=False).astype(np.int64))
        path_col = _column(batch, "path_id")
        has_path = ~path_col.is_null().to_numpy(zero_copy_only=False)
        path_id = path_col.fill_null(0).to_numpy(zero_copy_only=False).astype(np.int64)
        keep = (pid >= 0) & (col >= 0) & (kind_np != None)  # noqa: E711 (element-wise)
        if in_snapshot:
            # the leading B rows form the snapshot; it ends at the first A/W row
            not_rib = np.flatnonzero(~is_rib)
            cut = int(not_rib[0]) if not_rib.size else batch.num_rows
            snap = keep.copy()
            snap[cut:] = False
            if current is None and cut:
                current = int(ts[:cut].min()) // bin_seconds * bin_seconds
            tracker.apply(pid[snap], col[snap], origin[snap], withdraw[snap], path_id[snap],
                          has_path[snap], count=False)
            if cut == batch.num_rows:
                continue
            finish_snapshot()
            # columns changed: map the remaining rows' peers again
            col = tracker.peer_idx(_column(batch, "peer_ip"), _column(batch, "peer_asn"))
            keep = (pid >= 0) & (col >= 0) & (kind_np != None)  # noqa: E711
            keep[:cut] = False
        bins = ts // bin_seconds * bin_seconds
        if current is None:
            current = int(bins[0])
        # split the rows into runs of one bin (rows older than the current bin join it)
        rows = np.arange(batch.num_rows)
        while rows.size:
            later = np.flatnonzero(bins[rows] > current)
            here = rows if not later.size else rows[: later[0]]
            sel = here[keep[here]]
            if sel.size:
                tracker.apply(pid[sel], col[sel], origin[sel], withdraw[sel], path_id[sel],
                              has_path[sel], count=True)
            rows = rows[here.size:]
            if rows.size:
                close(int(bins[rows[0]]))

    if in_snapshot:
        if current is None:
            raise ValueError("no route elements in the input")
        finish_snapshot()
    assert current is not None
    last_eval = tracker.evaluate() if tracker.dirty or last_eval is None else last_eval
    results.append((current, last_eval))
    if end is not None:  # the caller vouches for the input covering [.., end): fill it whatever the gap
        results.extend((t, last_eval) for t in range(current + bin_seconds, end, bin_seconds))
    return _assemble(tracker, results, table_sizes, full_feed_peers)


def _assemble(tracker: _Tracker, results: list[tuple[int, tuple]], table_sizes: dict[Peer, int],
              explicit: Collection[Peer] | None) -> Visibility:
    timestamps = np.array([t for t, _ in results], dtype=np.int64)
    n_bins = timestamps.size
    by_cc = np.zeros((len(tracker.countries), n_bins))
    by_as = np.zeros((len(tracker.asns), n_bins))
    total = np.zeros(n_bins)
    for b, (_, (cids, ccounts, aids, acounts, tot)) in enumerate(results):
        by_cc[cids, b] = ccounts
        by_as[aids, b] = acounts
        total[b] = tot
    countries = {tracker.countries[i]: by_cc[i] for i in np.flatnonzero(by_cc.any(axis=1)).tolist()}
    asn_rows = np.flatnonzero(by_as.any(axis=1)).tolist()
    by_asn = {tracker.asns[i]: by_as[i] for i in asn_rows}
    # each AS's country: asn_country's answer, else where most of its /24s are
    n = tracker.n
    inferred: dict[int, int] = {}
    has = (tracker.last_maj[:n] >= 0) & (tracker.cc[:n] >= 0)
    if has.any():
        pair = tracker.last_maj[:n][has] * (len(tracker.countries) + 1) + tracker.cc[:n][has]
        weight = np.bincount(pair, weights=tracker.n24[:n][has])
        nz = np.flatnonzero(weight)
        best: dict[int, tuple[float, int]] = {}
        for p, w in zip(nz.tolist(), weight[nz].tolist(), strict=True):
            a, c = divmod(p, len(tracker.countries) + 1)
            if a not in best or w > best[a][0]:
                best[a] = (w, c)
        inferred = {a: c for a, (_, c) in best.items()}
    asn_country: dict[int, str | None] = {}
    for i in asn_rows:
        cid = tracker.asn_cc[i] if tracker.asn_cc[i] >= 0 else inferred.get(i, -1)
        asn_country[tracker.asns[i]] = tracker.countries[cid] if cid >= 0 else None
    peers = sorted(tracker.peers)
    if explicit is not None:
        table_sizes = {}
    return Visibility(timestamps=timestamps, by_country=countries, by_asn=by_asn, total=total,
                      full_feed_peers=peers, table_sizes=table_sizes, asn_country=asn_country)
