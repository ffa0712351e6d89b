"""RPKI route origin validation (RFC 6811), vectorised with NumPy. Django-free.

A route (prefix, origin AS) is checked against the VRPs that *cover* it (VRP prefix
length ≤ route length and the route lies inside the VRP prefix):

- ``VALID``: some covering VRP has the route's origin AS and the route's length is
  ≤ that VRP's maxLength;
- ``INVALID_LENGTH``: not valid, but a covering VRP with the origin AS exists (the route
  is more specific than its maxLength allows);
- ``INVALID_AS``: covered, but no covering VRP names the origin AS;
- ``NOT_FOUND``: no VRP covers the route.

An AS0 VRP (RFC 6483 §4, RFC 7607) never matches any origin, so it makes the routes it
covers invalid unless another VRP validates them; a route whose origin is AS0 can never
be valid either.

Routes whose AS_PATH ends in an AS_SET have no single origin AS. RFC 6811 §2 says such a
route "cannot be matched" by any VRP and RFC 6472 / RFC 9774 deprecate AS_SETs, so we
pass the origin as ``-1`` (:data:`NO_ORIGIN`): such a route is ``INVALID_AS`` when any VRP
covers it and ``NOT_FOUND`` otherwise.

Index layout (why it is fast): for each prefix length L present among the VRPs, the VRPs
of that length sorted by their network truncated to L bits (the "key"). A batch of routes
is sorted by network once; then for each level L, the routes at least L long are truncated
to L bits and looked up with one ``np.searchsorted`` — the queries arrive in ascending order,
which keeps the binary search in cache. Several VRPs can share a key (same prefix,
different ASNs or maxLengths); ``start`` gives the first of the run, so a hit expands to
the whole run, and the ASN/maxLength tests run vectorised over the expanded pairs.
IPv6 levels up to /64 use the upper 64 bits only; the rare levels beyond /64 only matter
for routes longer than /64 (filtered from the global table in practice) and are looked
up per route in a dict.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from dataclasses import dataclass
from enum import IntEnum

import numpy as np

from isoc.routing.vrps import FamilyVRPs, VRPSet

__all__ = ["NO_ORIGIN", "Index", "Routes", "ValidationState", "build_index", "parse_routes"]

NO_ORIGIN = -1  # origin for routes whose AS_PATH ends in an AS_SET (no single origin)
_U64 = np.uint64
_LOW64 = (1 << 64) - 1


class ValidationState(IntEnum):
    """RFC 6811 route origin validation state, with Invalid split by its reason."""

    VALID = 0
    INVALID_AS = 1
    INVALID_LENGTH = 2
    NOT_FOUND = 3


@dataclass(frozen=True)
class Routes:
    """A parsed batch of routes of one family: networks as uint64 halves, lengths, origins."""

    hi: np.ndarray  # uint64 (IPv4: the whole address)
    lo: np.ndarray  # uint64 (IPv4: zero)
    length: np.ndarray  # int64
    origin: np.ndarray  # int64; NO_ORIGIN for AS_SET


def parse_routes(prefixes: Sequence[str], origins: Sequence[int]) -> tuple[Routes, Routes, np.ndarray]:
    """Parse prefix strings (host bits may be set: they are masked, as a router would).

    Returns the IPv4 batch, the IPv6 batch, and a boolean array telling for each input
    whether it is IPv6 (to put results back in input order).
    """
    if len(prefixes) != len(origins):
        raise ValueError(f"{len(prefixes)} prefixes but {len(origins)} origins")
    v4: list[tuple[int, int, int]] = []
    v6: list[tuple[int, int, int, int]] = []
    is_v6 = np.zeros(len(prefixes), dtype=bool)
    for i, (prefix, origin) in enumerate(zip(prefixes, origins, strict=True)):
        net = ipaddress.ip_network(prefix, strict=False)
        value = int(net.network_address)
        o = NO_ORIGIN if origin is None else int(origin)
        if net.version == 4:
            v4.append((value, net.prefixlen, o))
        else:
            is_v6[i] = True
            v6.append((value >> 64, value & _LOW64, net.prefixlen, o))
    r4 = Routes(
        hi=np.array([r[0] for r in v4], dtype=_U64),
        lo=np.zeros(len(v4), dtype=_U64),
        length=np.array([r[1] for r in v4], dtype=np.int64),
        origin=np.array([r[2] for r in v4], dtype=np.int64),
    )
    r6 = Routes(
        hi=np.array([r[0] for r in v6], dtype=_U64),
        lo=np.array([r[1] for r in v6], dtype=_U64),
        length=np.array([r[2] for r in v6], dtype=np.int64),
        origin=np.array([r[3] for r in v6], dtype=np.int64),
    )
    return r4, r6, is_v6


@dataclass(frozen=True)
class _Level:
    """The VRPs of one prefix length, sorted by key; ``start[i]`` is the first index of i's key run."""

    length: int
    keys: np.ndarray  # uint64
    start: np.ndarray  # int64
    asn: np.ndarray  # int64 (AS0 stored as -2 so it never equals an origin, NO_ORIGIN included)
    max_length: np.ndarray  # int64


_AS0_SENTINEL = -2


def _truncate(hi: np.ndarray, width: int, length: int) -> np.ndarray:
    """The key of a level: the upper ``length`` bits (of the 64-bit half for IPv6)."""
    bits = 32 if width == 32 else 64
    if length == 0:
        return np.zeros_like(hi)
    return hi >> _U64(bits - length)


class _FamilyIndex:
    """Per-family levels plus, for IPv6 beyond /64, a dict (length, hi, lo-key) -> VRP rows."""

    def __init__(self, vrps: FamilyVRPs) -> None:
        self.width = vrps.width
        self.levels: list[_Level] = []
        self.long: dict[tuple[int, int, int], list[tuple[int, int]]] = {}
        length = vrps.length.astype(np.int64)
        asn = vrps.asn.astype(np.int64)
        asn[asn == 0] = _AS0_SENTINEL
        max_length = vrps.max_length.astype(np.int64)
        for L in np.unique(length).tolist():
            rows = np.flatnonzero(length == L)
            if self.width == 128 and L > 64:
                lo_shift = 128 - L
                for r in rows.tolist():
                    key = (L, int(vrps.hi[r]), int(vrps.lo[r]) >> lo_shift)
                    self.long.setdefault(key, []).append((int(asn[r]), int(max_length[r])))
                continue
            keys = _truncate(vrps.hi[rows], self.width, L)
            order = np.argsort(keys, kind="stable")
            keys = keys[order]
            rows = rows[order]
            n = len(keys)
            # start of each run of equal keys: index where a new key begins, carried forward
            new = np.ones(n, dtype=bool)
            new[1:] = keys[1:] != keys[:-1]
            start = np.maximum.accumulate(np.where(new, np.arange(n), 0))
            self.levels.append(_Level(L, keys, start.astype(np.int64), asn[rows], max_length[rows]))
        self.long_lengths = sorted({k[0] for k in self.long})

    def validate(self, routes: Routes) -> np.ndarray:
        n = len(routes.hi)
        states = np.full(n, ValidationState.NOT_FOUND, dtype=np.uint8)
        if n == 0:
            return states
        # Sorting the batch makes every level's queries ascending (cache-friendly search).
        order = np.argsort(routes.hi, kind="stable")
        hi = routes.hi[order]
        rlen = routes.length[order]
        origin = routes.origin[order]
        covered = np.zeros(n, dtype=bool)
        asn_match = np.zeros(n, dtype=bool)
        valid = np.zeros(n, dtype=bool)
        min_len = int(rlen.min())
        max_len = int(rlen.max())
        for level in self.levels:
            L = level.length
            if L > max_len:
                break
            if L <= min_len:
                idx = None
                q = _truncate(hi, self.width, L)
            else:
                idx = np.flatnonzero(rlen >= L)
                if len(idx) == 0:
                    continue
                q = _truncate(hi[idx], self.width, L)
            pos = np.searchsorted(level.keys, q, side="right") - 1
            np.maximum(pos, 0, out=pos)
            hit = level.keys[pos] == q
            if not hit.any():
                continue
            hit_rows = np.flatnonzero(hit)
            last = pos[hit_rows]
            first = level.start[last]
            route_rows = hit_rows if idx is None else idx[hit_rows]
            covered[route_rows] = True
            count = last - first + 1
            if count.max() == 1:
                vrp = first
                rr = route_rows
            else:
                # expand each hit into all VRPs sharing the key
                rr = np.repeat(route_rows, count)
                offsets = np.arange(len(rr)) - np.repeat(np.cumsum(count) - count, count)
                vrp = np.repeat(first, count) + offsets
            same = level.asn[vrp] == origin[rr]
            if same.any():
                asn_match[rr[same]] = True
                ok = same & (rlen[rr] <= level.max_length[vrp])
                valid[rr[ok]] = True
        if self.long_lengths and max_len > 64:
            self._validate_long(routes, order, rlen, origin, covered, asn_match, valid)
        out = np.full(n, ValidationState.NOT_FOUND, dtype=np.uint8)
        out[covered] = ValidationState.INVALID_AS
        out[covered & asn_match] = ValidationState.INVALID_LENGTH
        out[valid] = ValidationState.VALID
        states[order] = out
        return states

    def _validate_long(
        self,
        routes: Routes,
        order: np.ndarray,
        rlen: np.ndarray,
        origin: np.ndarray,
        covered: np.ndarray,
        asn_match: np.ndarray,
        valid: np.ndarray,
    ) -> None:
        """IPv6 VRP levels beyond /64, per route (only routes longer than /64 reach here)."""
        hi = routes.hi[order]
        lo = routes.lo[order]
        for i in np.flatnonzero(rlen > 64).tolist():
            h, low, rl, o = int(hi[i]), int(lo[i]), int(rlen[i]), int(origin[i])
            for L in self.long_lengths:
                if L > rl:
                    break
                for asn, ml in self.long.get((L, h, low >> (128 - L)), ()):
                    covered[i] = True
                    if asn == o:
                        asn_match[i] = True
                        if rl <= ml:
                            valid[i] = True


class Index:
    """RFC 6811 validator over a fixed VRP set (build with :func:`build_index`)."""

    def __init__(self, vrps: VRPSet) -> None:
        self.v4 = _FamilyIndex(vrps.v4)
        self.v6 = _FamilyIndex(vrps.v6)

    def validate_v4(self, routes: Routes) -> np.ndarray:
        """States (uint8 values of :class:`ValidationState`) for a parsed IPv4 batch."""
        return self.v4.validate(routes)

    def validate_v6(self, routes: Routes) -> np.ndarray:
        """States for a parsed IPv6 batch."""
        return self.v6.validate(routes)

    def validate(self, prefixes: Sequence[str], origins: Sequence[int]) -> np.ndarray:
        """States for routes given as prefix strings and origin ASNs (``None`` or -1: AS_SET).

        Parsing strings costs more than validating; hot callers that already hold
        numbers build :class:`Routes` and call :meth:`validate_v4` / :meth:`validate_v6`.
        """
        r4, r6, is_v6 = parse_routes(prefixes, origins)
        states = np.empty(len(is_v6), dtype=np.uint8)
        states[~is_v6] = self.v4.validate(r4)
        states[is_v6] = self.v6.validate(r6)
        return states

    def validate_one(self, prefix: str, origin: int | None) -> ValidationState:
        """The state of one route (``origin`` ``None`` or -1 for an AS_SET-terminated path)."""
        return ValidationState(int(self.validate([prefix], [origin])[0]))


def build_index(vrps: VRPSet) -> Index:
    """An :class:`Index` over ``vrps`` (about half a second for the 723k-VRP export)."""
    return Index(vrps)
