"""Routing incidents (MANRS-Observatory style) from a time-ordered stream of route elements.

Django-free. Input: record batches of :data:`isoc.routing.elements.ELEMENT_SCHEMA` (a RIB
snapshot and/or update files, one or several peers and collectors) in time order. Output:
:class:`Incident` records, one per offence episode, with start, end, duration, the number
of peers that saw it and JSON-serialisable evidence.

Kinds (the strings match ``isoc.routing.models.IncidentKind``):

``bogon-prefix``
    The announced prefix equals or lies inside a bogon prefix (Team Cymru full bogons,
    given as a list of prefix strings). Culprit: the origin AS. Evidence: the most specific
    covering bogon prefix.
``bogon-asn``
    The AS path contains a special-purpose or reserved AS number (:data:`BOGON_ASNS`).
    Culprit: the AS that propagated the bogon, i.e. the nearest non-bogon AS on the observer's
    side of the bogon AS closest to the origin (the first network that should have filtered
    it; dnas attributes AS23456 origins the same way). Evidence: each bogon AS with its
    category and source.
``rpki-invalid``
    RFC 6811 state INVALID (given a :class:`isoc.routing.rov.Index`). Culprit: the origin.
    Evidence: ``state`` ``"invalid-as"`` or ``"invalid-length"``.
``moas``
    Possible hijack, multiple origins: the same prefix carried with origin X and origin Y at
    the same time. Reported against X only (false-positive controls, as the Observatory
    does where it can be done from public data):

    - X is never a suspect if its route is RPKI-valid: the resource holder authorised it
      (so in particular a conflict between two valid origins is ignored);
    - the pair (X, Y) is ignored when one is the other's direct neighbour in an observed
      path (AS before the origin): a provider originating its customer's space or a
      customer announcing its provider's assignment, the commonest benign MOAS;
    - X is reported only if it is not better established than Y: its route appeared later,
      or at the same time (a RIB snapshot) and seen by no more peers than Y's; a full tie
      reports both. So the long-standing origin is not blamed for a newcomer's route.
``more-specific``
    Possible hijack, sub-prefix: X announces p while another carried, less specific q (the
    most specific carried one, /0 excluded) is originated by Y and not by X. Same controls
    as ``moas`` (RPKI-valid X, neighbours) and X must be the newcomer: its route for p
    appeared strictly after Y's route for q. In a RIB snapshot alone nothing is older than
    anything else, so sub-prefix conflicts are only found in update streams: the
    alternative (flagging every customer more-specific of a provider aggregate, which is
    most of them) would swamp real hijacks. Evidence: the covering prefix and its origins.
``route-leak``
    Valley-free violation (Gao-Rexford) given AS relationships (CAIDA ``as-rel`` mapping
    ``(a, b) -> -1`` a is b's provider, ``0`` peers). Along the propagation direction (origin
    to observer) a route may go up (customer to provider) any number of times, across one
    peer link, then only down. A *valley* is an AS that received the route from a provider or
    peer and sent it to a provider or peer; it is the leaker (RFC 7908). Both links at the
    valley must have a known relationship (unknown links neither prove nor refute a leak);
    consecutive duplicates (prepending) are collapsed; paths with AS_SETs or loops are skipped;
    per path only the valley closest to the origin is reported (the later ones are the leak
    being propagated). One incident per (leaker, from, to) triple, listing every prefix.
    Evidence: the triple and both relationships.

Route state and timing. A route slot is (peer, prefix, path_id), a peer being (peer_ip,
peer_asn[, collector]); a ``collector`` column is used when a batch has one. A ``B`` or
``A`` row sets the slot's route at its timestamp (replacing the previous one), a ``W`` row
clears it. An offence key (e.g. (rpki-invalid, prefix, origin)) is active while at least
one slot carries a route with it, so intervals of several peers merge; an episode ending
at t and restarting at or before t + ``merge_gap`` seconds continues (default 0: touching
intervals merge, e.g. a withdrawal and re-announcement in the same second). ``end`` is
``None`` while the offence is still carried at the end of the data; ``duration`` is end (or
the observation end) minus start. ``peers`` counts distinct peers that carried the offending
route during the episode. Rows arriving out of time order are treated as happening at the
latest time seen. What was already routed before the first element is unknown: feed a
RIB snapshot before update files to see incidents already in progress.

Speed: per batch, the classification is vectorised (prefix parse cache, bogon and RPKI
tests through :mod:`isoc.routing.rov`'s NumPy index over distinct (prefix, origin) pairs,
bogon ASNs and valleys over the flattened path arrays); the only per-row Python is the
route-state update, and conflict checks run once per timestamp per prefix whose set of
origins changed. Memory is proportional to the carried routes (one small tuple per slot).
"""

from __future__ import annotations

import json
import socket
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from isoc.routing import rov
from isoc.routing.elements import NO_ORIGIN
from isoc.routing.vrps import FamilyVRPs, VRPSet

__all__ = [
    "BOGON_ASNS",
    "INCIDENT_SCHEMA",
    "KINDS",
    "BogonPrefixes",
    "Detector",
    "Incident",
    "Relationships",
    "bogon_asn_category",
    "detect",
    "incident_rows",
    "incidents_table",
    "is_bogon_asn",
]

BOGON_PREFIX = "bogon-prefix"
BOGON_ASN = "bogon-asn"
RPKI_INVALID = "rpki-invalid"
MOAS = "moas"
MORE_SPECIFIC = "more-specific"
ROUTE_LEAK = "route-leak"
#: Every incident kind, in reporting order.
KINDS = (BOGON_PREFIX, BOGON_ASN, RPKI_INVALID, MOAS, MORE_SPECIFIC, ROUTE_LEAK)

#: Bogon AS numbers: (first, last, category, source), inclusive ranges. From the IANA
#: "Special-Purpose Autonomous System (AS) Numbers" registry
#: (https://www.iana.org/assignments/iana-as-numbers-special-registry/) and the reserved
#: blocks of the IANA "Autonomous System (AS) Numbers" registry
#: (https://www.iana.org/assignments/as-numbers/). Blocks IANA has simply not yet allocated
#: to an RIR are not listed: that list changes over time.
BOGON_ASNS: tuple[tuple[int, int, str, str], ...] = (
    (0, 0, "reserved", "RFC 7607"),
    (23456, 23456, "AS_TRANS", "RFC 6793"),
    (64496, 64511, "documentation", "RFC 5398"),
    (64512, 65534, "private use", "RFC 6996"),
    (65535, 65535, "reserved", "RFC 7300"),
    (65536, 65551, "documentation", "RFC 5398"),
    (65552, 131071, "reserved", "IANA AS Numbers registry"),
    (4200000000, 4294967294, "private use", "RFC 6996"),
    (4294967295, 4294967295, "reserved", "RFC 7300"),
)

_STATE_TEXT = {
    rov.ValidationState.INVALID_AS: "invalid-as",
    rov.ValidationState.INVALID_LENGTH: "invalid-length",
}

# valley-free step codes (propagation from the right-hand AS of a path pair to the left one)
UNKNOWN, UP, ACROSS, DOWN = 0, 1, 2, 3
_STEP_TEXT = {UP: "customer-to-provider", ACROSS: "peer-to-peer", DOWN: "provider-to-customer"}
_MISSING = 99
_LOW64 = (1 << 64) - 1


def is_bogon_asn(asns: np.ndarray) -> np.ndarray:
    """Boolean mask: which of ``asns`` fall in :data:`BOGON_ASNS` (vectorised)."""
    a = np.asarray(asns, dtype=np.int64)
    mask = np.zeros(a.shape, dtype=bool)
    for first, last, _, _ in BOGON_ASNS:
        mask |= (a >= first) & (a <= last)
    return mask


def bogon_asn_category(asn: int) -> tuple[str, str] | None:
    """(category, source) of a bogon AS number, ``None`` for an ordinary one."""
    for first, last, category, source in BOGON_ASNS:
        if first <= asn <= last:
            return category, source
    return None


@dataclass(frozen=True)
class Incident:
    """One offence episode. Times are Unix seconds (UTC), like the element timestamps."""

    kind: str  # one of KINDS
    culprit_asn: int  # the network it counts against
    prefixes: tuple[str, ...]  # one prefix, except route leaks (every prefix leaked via the triple)
    origin_asn: int  # of the example route; NO_ORIGIN (-1) for an AS_SET-terminated path
    as_path: str  # an example path (the first offending route seen), bgpdump text
    start: int
    end: int | None  # None: still carried at the end of the observation
    duration: int  # (end or observation end) - start, seconds
    peers: int  # distinct peers that carried it during the episode
    evidence: dict = field(default_factory=dict)

    @property
    def prefix(self) -> str:
        return self.prefixes[0]


class BogonPrefixes:
    """Bogon prefix list as a covering-prefix matcher (a rov index of AS0 "VRPs")."""

    def __init__(self, prefixes: Iterable[str]) -> None:
        nets = {_parse_prefix(p.strip()) for p in prefixes if p.strip()}
        self._nets: dict[tuple[bool, int, int], str] = {}
        lengths: dict[bool, set[int]] = {False: set(), True: set()}
        family: dict[bool, list[tuple[int, int]]] = {False: [], True: []}
        for v6, net, length in nets:
            width = 128 if v6 else 32
            self._nets[(v6, length, net >> (width - length))] = _prefix_text(v6, net, length)
            lengths[v6].add(length)
            family[v6].append((net, length))
        self._lengths = {v6: sorted(ls, reverse=True) for v6, ls in lengths.items()}
        self.count = len(nets)

        def columns(rows: list[tuple[int, int]], v6: bool) -> FamilyVRPs:
            length = np.array([r[1] for r in rows], dtype=np.uint8)
            return FamilyVRPs(
                width=128 if v6 else 32,
                hi=np.array([(r[0] >> 64) if v6 else r[0] for r in rows], dtype=np.uint64),
                lo=np.array([(r[0] & _LOW64) if v6 else 0 for r in rows], dtype=np.uint64),
                length=length,
                max_length=np.full(len(rows), 128 if v6 else 32, dtype=np.uint8),
                asn=np.zeros(len(rows), dtype=np.uint32),
            )

        self.index = rov.build_index(VRPSet(columns(family[False], False), columns(family[True], True)))

    def covered(self, v6: np.ndarray, hi: np.ndarray, lo: np.ndarray, length: np.ndarray) -> np.ndarray:
        """Mask over parsed prefixes: equal to or inside some bogon prefix."""
        out = np.zeros(len(v6), dtype=bool)
        for flag, validate in ((False, self.index.validate_v4), (True, self.index.validate_v6)):
            rows = np.flatnonzero(v6 == flag)
            if len(rows):
                routes = rov.Routes(hi[rows], lo[rows], length[rows], np.zeros(len(rows), dtype=np.int64))
                out[rows] = validate(routes) != rov.ValidationState.NOT_FOUND
        return out

    def covering(self, v6: bool, net: int, length: int) -> str | None:
        """The most specific bogon prefix covering the given network."""
        width = 128 if v6 else 32
        for L in self._lengths[v6]:
            if L <= length:
                hit = self._nets.get((v6, L, net >> (width - L)))
                if hit is not None:
                    return hit
        return None


class Relationships:
    """CAIDA-style AS relationships, ``(a, b) -> -1`` (a provider of b) or ``0`` (peers), as
    sorted NumPy keys for vectorised look-ups. Other values (e.g. siblings) count as unknown."""

    def __init__(self, mapping: Mapping[tuple[int, int], int]) -> None:
        items = [(int(a), int(b), int(r)) for (a, b), r in mapping.items() if r in (-1, 0)]
        keys = np.array([(a << 32) | b for a, b, _ in items], dtype=np.uint64)
        values = np.array([r for _, _, r in items], dtype=np.int8)
        order = np.argsort(keys, kind="stable")
        self.keys = keys[order]
        self.values = values[order]

    def _get(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        out = np.full(len(a), _MISSING, dtype=np.int8)
        if len(self.keys) == 0 or len(a) == 0:
            return out
        key = (a.astype(np.uint64) << np.uint64(32)) | b.astype(np.uint64)
        pos = np.searchsorted(self.keys, key)
        np.minimum(pos, len(self.keys) - 1, out=pos)
        hit = self.keys[pos] == key
        out[hit] = self.values[pos[hit]]
        return out

    def steps(self, to_as: np.ndarray, from_as: np.ndarray) -> np.ndarray:
        """Step codes (UP/ACROSS/DOWN/UNKNOWN) for a route propagating ``from_as -> to_as``."""
        r_from_to = self._get(from_as, to_as)  # -1: sender is the receiver's provider
        r_to_from = self._get(to_as, from_as)  # -1: receiver is the sender's provider
        code = np.full(len(to_as), UNKNOWN, dtype=np.int8)
        down = (r_from_to == -1) & (r_to_from == _MISSING)
        up = (r_to_from == -1) & (r_from_to == _MISSING)
        across = ((r_from_to == 0) & (r_to_from != -1)) | ((r_to_from == 0) & (r_from_to != -1))
        code[down] = DOWN
        code[up] = UP
        code[across] = ACROSS
        return code


@dataclass
class _Episode:
    kind: str
    culprit: int
    origin: int
    as_path: str
    start: int
    evidence: dict
    end: int | None = None
    peers: set = field(default_factory=set)
    prefixes: set = field(default_factory=set)


class _Tracker:
    """Offence key -> number of carrying slots, and the episodes (intervals) per key."""

    def __init__(self, merge_gap: int) -> None:
        self.merge_gap = merge_gap
        self.counts: dict[tuple, int] = {}
        self.open: dict[tuple, _Episode] = {}
        self.done: list[_Episode] = []

    def inc(self, key: tuple, t: int, peers: Iterable[str], prefix: str, make) -> _Episode:
        c = self.counts.get(key, 0)
        self.counts[key] = c + 1
        ep = self.open.get(key)
        if c == 0:
            if ep is not None and ep.end is not None and t - ep.end <= self.merge_gap:
                ep.end = None
            else:
                if ep is not None:
                    self.done.append(ep)
                ep = self.open[key] = make(t)
        ep.peers.update(peers)
        ep.prefixes.add(prefix)
        return ep

    def dec(self, key: tuple, t: int) -> None:
        c = self.counts[key] - 1
        if c:
            self.counts[key] = c
        else:
            del self.counts[key]
            self.open[key].end = t

    def episodes(self) -> Iterator[tuple[_Episode, bool]]:
        """Every episode with whether it is still active."""
        for ep in self.done:
            yield ep, False
        for key, ep in self.open.items():
            yield ep, key in self.counts


class _Origin:
    """One origin of a carried prefix: carrying slots, peers, since when, its upstreams."""

    __slots__ = ("as_path", "peers", "since", "slots", "upstreams", "valid")

    def __init__(self, since: int, valid: bool, as_path: str) -> None:
        self.slots = 0
        self.peers: Counter[str] = Counter()
        self.since = since
        self.upstreams: set[int] = set()
        self.valid = valid
        self.as_path = as_path


def _parse_prefix(text: str) -> tuple[bool, int, int]:
    """(is IPv6, network as int with host bits cleared, length) of a prefix string."""
    addr, slash, bits = text.partition("/")
    v6 = ":" in addr
    width = 128 if v6 else 32
    try:
        value = int.from_bytes(socket.inet_pton(socket.AF_INET6 if v6 else socket.AF_INET, addr), "big")
        length = int(bits) if slash else width
    except (OSError, ValueError):
        raise ValueError(f"not a prefix: {text!r}") from None
    if not 0 <= length <= width:
        raise ValueError(f"not a prefix: {text!r}")
    return v6, value >> (width - length) << (width - length), length


def _prefix_text(v6: bool, net: int, length: int) -> str:
    family = socket.AF_INET6 if v6 else socket.AF_INET
    return f"{socket.inet_ntop(family, net.to_bytes(16 if v6 else 4, 'big'))}/{length}"


class _PrefixCache:
    """Prefix text -> (is IPv6, network as int, length), parsed once per distinct prefix."""

    def __init__(self) -> None:
        self.parsed: dict[str, tuple[bool, int, int]] = {}

    def get(self, prefix: str) -> tuple[bool, int, int]:
        hit = self.parsed.get(prefix)
        if hit is None:
            hit = self.parsed[prefix] = _parse_prefix(prefix)
        return hit

    def arrays(self, prefixes: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        rows = [self.get(p) for p in prefixes]
        v6 = np.array([r[0] for r in rows], dtype=bool)
        hi = np.array([(r[1] >> 64) if r[0] else r[1] for r in rows], dtype=np.uint64)
        lo = np.array([(r[1] & _LOW64) if r[0] else 0 for r in rows], dtype=np.uint64)
        length = np.array([r[2] for r in rows], dtype=np.int64)
        return v6, hi, lo, length


def _attributed_origin(origin: int, as_path: str | None, aggregator: str | None) -> int:
    """The origin, or for an AS_SET-terminated path the aggregating AS (AGGREGATOR attribute,
    else the last AS before the set), or NO_ORIGIN."""
    if origin != NO_ORIGIN:
        return origin
    if aggregator:
        head = aggregator.split()[0]
        if head.isdigit():
            return int(head)
    if as_path:
        before = as_path.split("{")[0].split()
        if before and before[-1].isdigit():
            return int(before[-1])
    return NO_ORIGIN


def _column(batch: pa.RecordBatch, name: str) -> pa.Array:
    return batch.column(batch.schema.get_field_index(name))


class Detector:
    """Streaming detector: :meth:`feed` batches in time order, then :meth:`finish`."""

    def __init__(
        self,
        *,
        bogon_prefixes: Iterable[str] | BogonPrefixes = (),
        vrp_index: rov.Index | None = None,
        relationships: Mapping[tuple[int, int], int] | Relationships | None = None,
        merge_gap: int = 0,
    ) -> None:
        self.bogons = bogon_prefixes if isinstance(bogon_prefixes, BogonPrefixes) else BogonPrefixes(bogon_prefixes)
        self.vrp_index = vrp_index
        if relationships is not None and not isinstance(relationships, Relationships):
            relationships = Relationships(relationships)
        self.rel = relationships
        self.tracker = _Tracker(merge_gap)
        self.cache = _PrefixCache()
        self.slots: dict[tuple, tuple] = {}
        self.pfx: dict[str, dict[int, _Origin]] = {}
        self.carried: dict[tuple[bool, int, int], str] = {}
        self.carried_lengths: Counter[tuple[bool, int]] = Counter()
        self.dirty: set[str] = set()
        self.moas_active: dict[str, set[int]] = {}
        self.sub_active: dict[str, dict[int, str]] = {}
        self.cover_deps: dict[str, set[str]] = {}
        self.first_time: int | None = None
        self.now: int | None = None
        self.rows = 0

    # -- per batch, vectorised -------------------------------------------------------------

    def feed(self, batch: pa.RecordBatch | pa.Table) -> None:
        if isinstance(batch, pa.Table):
            for b in batch.to_batches():
                self.feed(b)
            return
        n = batch.num_rows
        if n == 0:
            return
        self.rows += n
        kind = pc.cast(_column(batch, "kind"), pa.string())
        withdraw = pc.equal(kind, "W").to_numpy(zero_copy_only=False)
        announce = ~withdraw
        ts = _column(batch, "timestamp").to_numpy(zero_copy_only=False).astype(np.int64)
        origin = pc.fill_null(_column(batch, "origin_asn"), NO_ORIGIN).to_numpy(zero_copy_only=False)
        origin = origin.astype(np.int64)
        origin[withdraw] = NO_ORIGIN
        enc = pc.dictionary_encode(_column(batch, "prefix"))
        uniq = enc.dictionary.to_pylist()
        pidx = enc.indices.to_numpy(zero_copy_only=False).astype(np.int64)
        uv6, uhi, ulo, ulen = self.cache.arrays(uniq)

        # bogon prefixes, over distinct prefixes
        bogon_u = self.bogons.covered(uv6, uhi, ulo, ulen) if self.bogons.count else np.zeros(len(uniq), bool)
        bogon = announce & bogon_u[pidx]

        # RPKI, over distinct (prefix, origin) pairs
        state = np.full(n, rov.ValidationState.NOT_FOUND, dtype=np.uint8)
        if self.vrp_index is not None and announce.any():
            rows = np.flatnonzero(announce)
            key = (pidx[rows] << 33) | (origin[rows] + 1)
            ukey, inverse = np.unique(key, return_inverse=True)
            kp = (ukey >> 33).astype(np.int64)
            ko = (ukey & ((1 << 33) - 1)).astype(np.int64) - 1
            ustate = np.empty(len(ukey), dtype=np.uint8)
            for flag, validate in ((False, self.vrp_index.validate_v4), (True, self.vrp_index.validate_v6)):
                sel = np.flatnonzero(uv6[kp] == flag)
                if len(sel):
                    p = kp[sel]
                    ustate[sel] = validate(rov.Routes(uhi[p], ulo[p], ulen[p], ko[sel]))
            state[rows] = ustate[inverse.reshape(-1)]
        invalid = (state == rov.ValidationState.INVALID_AS) | (state == rov.ValidationState.INVALID_LENGTH)
        valid = state == rov.ValidationState.VALID

        # paths: bogon ASNs, upstream of the origin, valleys
        paths = _column(batch, "path_asns")
        vals = pc.list_flatten(paths).to_numpy(zero_copy_only=False).astype(np.int64)
        parent = pc.list_parent_indices(paths).to_numpy(zero_copy_only=False).astype(np.int64)
        bogon_val = is_bogon_asn(vals)
        bogon_asn = np.zeros(n, dtype=bool)
        bogon_asn[parent[bogon_val]] = True
        bogon_asn &= announce
        upstream = np.full(n, -1, dtype=np.int64)
        if len(vals):
            pos = np.arange(len(vals))
            m = vals != origin[parent]
            last = np.full(n, -1, dtype=np.int64)
            np.maximum.at(last, parent[m], pos[m])
            has = (last >= 0) & (origin >= 0)
            upstream[has] = vals[last[has]]
        as_path_col = _column(batch, "as_path")
        leak_at = np.full(n, -1, dtype=np.int64)
        if self.rel is not None and len(vals):
            has_set = pc.fill_null(pc.match_substring(as_path_col, "{"), False).to_numpy(zero_copy_only=False)
            leak_at, lv, lcode = self._valleys(vals, parent, n, has_set)
            leak_at[withdraw] = -1

        # per-row offence keys and episode makers, for the (few) offending rows only
        offending = np.flatnonzero(bogon | bogon_asn | invalid | (leak_at >= 0))
        keys: dict[int, tuple] = {}
        makers: dict[tuple, object] = {}
        if len(offending):
            aggregator = _column(batch, "aggregator")
            offsets = None
            for i in offending.tolist():
                path_text = as_path_col[i].as_py() or ""
                o = int(origin[i])
                attributed = _attributed_origin(o, path_text, aggregator[i].as_py())
                prefix = uniq[pidx[i]]
                row_keys = []
                if bogon[i]:
                    v6, net, length = self.cache.get(prefix)
                    k = (BOGON_PREFIX, prefix, attributed)
                    ev = {"bogon_prefix": self.bogons.covering(v6, net, length)}
                    makers[k] = (BOGON_PREFIX, attributed, o, path_text, ev)
                    row_keys.append(k)
                if bogon_asn[i]:
                    if offsets is None:
                        offsets = np.searchsorted(parent, np.arange(n + 1))
                    path = vals[offsets[i] : offsets[i + 1]].tolist()
                    culprit, found = _bogon_culprit(path, int(_column(batch, "peer_asn")[i].as_py()))
                    k = (BOGON_ASN, prefix, culprit, o)
                    ev = {
                        "bogon_asns": [
                            {"asn": a, "category": c, "source": s} for a, (c, s) in found.items()
                        ],
                        "propagated_by": culprit,
                    }
                    makers[k] = (BOGON_ASN, culprit, o, path_text, ev)
                    row_keys.append(k)
                if invalid[i]:
                    k = (RPKI_INVALID, prefix, o)
                    ev = {"state": _STATE_TEXT[rov.ValidationState(int(state[i]))]}
                    if attributed != o:
                        ev["as_set"] = True
                    makers[k] = (RPKI_INVALID, attributed, o, path_text, ev)
                    row_keys.append(k)
                j = int(leak_at[i])
                if j >= 0:
                    leaker, frm, to = int(lv[j]), int(lv[j + 1]), int(lv[j - 1])
                    k = (ROUTE_LEAK, leaker, frm, to)
                    ev = {
                        "from_asn": frm,
                        "leaker_asn": leaker,
                        "to_asn": to,
                        "received_via": _STEP_TEXT[int(lcode[j])],
                        "sent_via": _STEP_TEXT[int(lcode[j - 1])],
                    }
                    makers[k] = (ROUTE_LEAK, leaker, o, path_text, ev)
                    row_keys.append(k)
                keys[i] = tuple(row_keys)

        # -- per-row state changes ---------------------------------------------------------
        peer_cols = [_column(batch, "peer_ip"), pc.cast(_column(batch, "peer_asn"), pa.string())]
        if "collector" in batch.schema.names:
            peer_cols.insert(0, pc.cast(_column(batch, "collector"), pa.string()))
        peers = pc.binary_join_element_wise(*peer_cols, "|").to_pylist()
        path_ids = _column(batch, "path_id").to_pylist()
        ts_l = ts.tolist()
        pidx_l = pidx.tolist()
        origin_l = origin.tolist()
        upstream_l = upstream.tolist()
        valid_l = valid.tolist()
        withdraw_l = withdraw.tolist()
        slots = self.slots
        empty = ()
        if self.first_time is None:
            self.first_time = ts_l[0]
            self.now = ts_l[0]
        for i in range(n):
            t = ts_l[i]
            if t != self.now:
                if t < self.now:
                    t = self.now
                else:
                    self._flush()
                    self.now = t
            prefix = uniq[pidx_l[i]]
            slot = (peers[i], prefix, path_ids[i])
            old = slots.get(slot)
            if withdraw_l[i]:
                if old is not None:
                    del slots[slot]
                    self._remove(old, peers[i], prefix, t)
                continue
            new = (origin_l[i], upstream_l[i], keys.get(i, empty), valid_l[i])
            if old == new:
                continue
            slots[slot] = new
            self._add(new, peers[i], prefix, t, makers, as_path_col, i)
            if old is not None:
                self._remove(old, peers[i], prefix, t)

    def _valleys(
        self, vals: np.ndarray, parent: np.ndarray, n: int, has_set: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per row, the index (into the collapsed path values) of the valley closest to the
        origin, or -1; plus the collapsed values and the step codes."""
        dup = np.zeros(len(vals), dtype=bool)
        dup[1:] = (parent[1:] == parent[:-1]) & (vals[1:] == vals[:-1])
        v = vals[~dup]
        p = parent[~dup]
        combo = (p << 32) | v
        distinct = np.bincount(np.unique(combo) >> 32, minlength=n)
        bad = (distinct != np.bincount(p, minlength=n)) | has_set
        code = np.full(len(v), UNKNOWN, dtype=np.int8)
        if len(v) >= 2:
            pair = p[:-1] == p[1:]
            code[:-1] = np.where(pair, self.rel.steps(v[:-1], v[1:]), UNKNOWN)
        # pair j: v[j] received from v[j+1]; valley at v[j]: code[j] in {DOWN, ACROSS}
        # (received from provider/peer) and code[j-1] in {UP, ACROSS} (sent to provider/peer)
        into = code[1:]
        out = code[:-1]
        valley = ((into == DOWN) | (into == ACROSS)) & ((out == UP) | (out == ACROSS))
        js = np.flatnonzero(valley) + 1
        rows = p[js]
        keep = ~bad[rows]
        js, rows = js[keep], rows[keep]
        at = np.full(n, -1, dtype=np.int64)
        np.maximum.at(at, rows, js)
        return at, v, code

    # -- route state -----------------------------------------------------------------------

    def _add(self, route: tuple, peer: str, prefix: str, t: int, makers: dict, as_path_col, i: int) -> None:
        origin, upstream, keys, valid = route
        for key in keys:
            kind, culprit, o, path_text, ev = makers[key]
            self.tracker.inc(
                key, t, (peer,), prefix,
                lambda start, kind=kind, culprit=culprit, o=o, p=path_text, ev=ev: _Episode(
                    kind, culprit, o, p, start, dict(ev)
                ),
            )
        if origin < 0:
            return
        origins = self.pfx.get(prefix)
        if origins is None:
            origins = self.pfx[prefix] = {}
            v6, net, length = self.cache.get(prefix)
            width = 128 if v6 else 32
            self.carried[(v6, length, net >> (width - length))] = prefix
            self.carried_lengths[(v6, length)] += 1
        st = origins.get(origin)
        if st is None:
            st = origins[origin] = _Origin(t, valid, as_path_col[i].as_py() or "")
            self.dirty.add(prefix)
        elif len(origins) > 1:
            self.dirty.add(prefix)
        st.slots += 1
        st.peers[peer] += 1
        if upstream >= 0:
            st.upstreams.add(upstream)
        counts, opened = self.tracker.counts, self.tracker.open
        for kind in (MOAS, MORE_SPECIFIC):
            k = (kind, prefix, origin)
            if k in counts:
                opened[k].peers.add(peer)

    def _remove(self, route: tuple, peer: str, prefix: str, t: int) -> None:
        origin, _, keys, _ = route
        for key in keys:
            self.tracker.dec(key, t)
        if origin < 0:
            return
        origins = self.pfx[prefix]
        st = origins[origin]
        st.slots -= 1
        st.peers[peer] -= 1
        if not st.peers[peer]:
            del st.peers[peer]
        if st.slots == 0:
            del origins[origin]
            self.dirty.add(prefix)
            if not origins:
                del self.pfx[prefix]
                v6, net, length = self.cache.get(prefix)
                width = 128 if v6 else 32
                del self.carried[(v6, length, net >> (width - length))]
                self.carried_lengths[(v6, length)] -= 1
                if not self.carried_lengths[(v6, length)]:
                    del self.carried_lengths[(v6, length)]
        elif len(origins) > 1:
            self.dirty.add(prefix)

    # -- conflicts, once per timestamp per changed prefix ------------------------------------

    def _flush(self) -> None:
        if not self.dirty:
            return
        t = self.now
        dirty, self.dirty = self.dirty, set()
        for prefix in dirty:
            self._moas(prefix, t)
        for prefix in dirty:
            self._more_specific(prefix, t)
            for sub in list(self.cover_deps.get(prefix, ())):
                self._recheck_sub(sub, t)

    def _moas(self, prefix: str, t: int) -> None:
        origins = self.pfx.get(prefix, {})
        suspects: dict[int, list[int]] = {}
        if len(origins) > 1:
            for x, sx in origins.items():
                if sx.valid:
                    continue
                rank_x = (sx.since, -len(sx.peers))
                others = [
                    y
                    for y, sy in origins.items()
                    if y != x
                    and y not in sx.upstreams
                    and x not in sy.upstreams
                    and (sy.since, -len(sy.peers)) <= rank_x
                ]
                if others:
                    suspects[x] = others
        active = self.moas_active.get(prefix, set())
        if not active and not suspects:
            return
        for x in active - suspects.keys():
            self.tracker.dec((MOAS, prefix, x), t)
        for x, others in suspects.items():
            key = (MOAS, prefix, x)
            if x not in active:
                sx = origins[x]
                self.tracker.inc(
                    key, t, sx.peers, prefix,
                    lambda start, x=x, sx=sx: _Episode(MOAS, x, x, sx.as_path, start, {"other_origins": []}),
                )
            ev = self.tracker.open[key].evidence
            ev["other_origins"] = sorted(set(ev["other_origins"]) | set(others))
        if suspects:
            self.moas_active[prefix] = set(suspects)
        else:
            self.moas_active.pop(prefix, None)

    def _cover(self, prefix: str) -> str | None:
        v6, net, length = self.cache.get(prefix)
        width = 128 if v6 else 32
        for L in range(length - 1, 0, -1):
            if (v6, L) in self.carried_lengths:
                hit = self.carried.get((v6, L, net >> (width - L)))
                if hit is not None:
                    return hit
        return None

    def _sub_conflicts(self, x: int, sx: _Origin, cover: str, t: int | None) -> list[int]:
        """Origins of ``cover`` that ``x`` conflicts with (``t``: they must predate it)."""
        cover_origins = self.pfx.get(cover, {})
        if x in cover_origins:
            return []
        return [
            y
            for y, sy in cover_origins.items()
            if y not in sx.upstreams and x not in sy.upstreams and (t is None or sy.since < t)
        ]

    def _more_specific(self, prefix: str, t: int) -> None:
        origins = self.pfx.get(prefix, {})
        active = self.sub_active.get(prefix, {})
        for x in list(active):
            if x not in origins:
                self._end_sub(prefix, x, t)
        if t == self.first_time:
            return  # nothing is older than anything else in the first snapshot
        for x, sx in origins.items():
            if sx.since != t or sx.valid or x in active:
                continue
            cover = self._cover(prefix)
            if cover is None:
                return
            others = self._sub_conflicts(x, sx, cover, t)
            if not others:
                continue
            self.tracker.inc(
                (MORE_SPECIFIC, prefix, x), t, sx.peers, prefix,
                lambda start, x=x, sx=sx, cover=cover, others=others: _Episode(
                    MORE_SPECIFIC, x, x, sx.as_path, start,
                    {"covering_prefix": cover, "covering_origins": sorted(others)},
                ),
            )
            self.sub_active.setdefault(prefix, {})[x] = cover
            self.cover_deps.setdefault(cover, set()).add(prefix)

    def _recheck_sub(self, prefix: str, t: int) -> None:
        origins = self.pfx.get(prefix, {})
        for x, cover in list(self.sub_active.get(prefix, {}).items()):
            if x not in origins or not self._sub_conflicts(x, origins[x], cover, None):
                self._end_sub(prefix, x, t)

    def _end_sub(self, prefix: str, x: int, t: int) -> None:
        cover = self.sub_active[prefix].pop(x)
        if not self.sub_active[prefix]:
            del self.sub_active[prefix]
        deps = self.cover_deps.get(cover)
        if deps is not None and not any(c == cover for c in self.sub_active.get(prefix, {}).values()):
            deps.discard(prefix)
            if not deps:
                del self.cover_deps[cover]
        self.tracker.dec((MORE_SPECIFIC, prefix, x), t)

    # -- results ---------------------------------------------------------------------------

    def finish(self, observation_end: int | None = None) -> list[Incident]:
        """Close the observation (default end: the last timestamp seen) and list incidents."""
        self._flush()
        end_of_data = observation_end if observation_end is not None else (self.now or 0)
        out = []
        for ep, active in self.tracker.episodes():
            end = None if active else ep.end
            out.append(
                Incident(
                    kind=ep.kind,
                    culprit_asn=ep.culprit,
                    prefixes=tuple(sorted(ep.prefixes)),
                    origin_asn=ep.origin,
                    as_path=ep.as_path,
                    start=ep.start,
                    end=end,
                    duration=max(0, (end if end is not None else end_of_data) - ep.start),
                    peers=len(ep.peers),
                    evidence=ep.evidence,
                )
            )
        out.sort(key=lambda x: (x.start, KINDS.index(x.kind), x.culprit_asn, x.prefixes))
        return out


def _bogon_culprit(path: list[int], peer_asn: int) -> tuple[int, dict[int, tuple[str, str]]]:
    """The AS that propagated the bogon AS closest to the origin, and the bogons found."""
    found: dict[int, tuple[str, str]] = {}
    last = -1
    for pos, asn in enumerate(path):
        cat = bogon_asn_category(asn)
        if cat is not None:
            found.setdefault(asn, cat)
            last = pos
    for pos in range(last - 1, -1, -1):
        if bogon_asn_category(path[pos]) is None:
            return path[pos], found
    return (peer_asn if bogon_asn_category(peer_asn) is None else path[last]), found


def detect(
    batches: Iterable[pa.RecordBatch | pa.Table],
    *,
    bogon_prefixes: Iterable[str] | BogonPrefixes = (),
    vrp_index: rov.Index | None = None,
    relationships: Mapping[tuple[int, int], int] | Relationships | None = None,
    observation_end: int | None = None,
    merge_gap: int = 0,
) -> list[Incident]:
    """Every incident in ``batches`` (time-ordered element batches); see the module docstring.

    RPKI-invalid incidents need ``vrp_index`` and route leaks need ``relationships``; the
    other kinds are always checked. ``observation_end`` (Unix seconds) defaults to the last
    element's timestamp.
    """
    detector = Detector(
        bogon_prefixes=bogon_prefixes, vrp_index=vrp_index, relationships=relationships, merge_gap=merge_gap
    )
    for batch in batches:
        detector.feed(batch)
    return detector.finish(observation_end)


INCIDENT_SCHEMA = pa.schema(
    [
        ("kind", pa.string()),
        ("culprit_asn", pa.int64()),
        ("prefix", pa.string()),
        ("prefixes", pa.list_(pa.string())),
        ("origin_asn", pa.int64()),
        ("as_path", pa.string()),
        ("start", pa.int64()),  # Unix seconds
        ("end", pa.int64()),  # null: still present at the end of the observation
        ("duration", pa.int64()),  # seconds
        ("peers", pa.int32()),
        ("evidence", pa.string()),  # JSON
    ]
)


def incident_rows(incidents: Iterable[Incident]) -> list[dict]:
    """Plain dicts (evidence stays a dict), e.g. for JSON output or model creation."""
    return [
        {
            "kind": x.kind,
            "culprit_asn": x.culprit_asn,
            "prefix": x.prefix,
            "prefixes": list(x.prefixes),
            "origin_asn": x.origin_asn,
            "as_path": x.as_path,
            "start": x.start,
            "end": x.end,
            "duration": x.duration,
            "peers": x.peers,
            "evidence": x.evidence,
        }
        for x in incidents
    ]


def incidents_table(incidents: Iterable[Incident]) -> pa.Table:
    """Incidents as an Arrow table of :data:`INCIDENT_SCHEMA` (evidence as JSON text)."""
    rows = incident_rows(incidents)
    for row in rows:
        row["evidence"] = json.dumps(row["evidence"], sort_keys=True)
    return pa.Table.from_pylist(rows, schema=INCIDENT_SCHEMA)
