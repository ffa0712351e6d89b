"""Which IXP of one source is which IXP of another (no Django).

Rules, in order, and each match says which one made it:

1. **Peering LAN prefixes overlap** (one contains the other): the strongest evidence, since
   a LAN's addresses are assigned to one exchange.
2. **Same country, a shared normalised name** (short or long) **and the same city** (or a
   city missing on one side).

A record with more than one candidate under the first rule that gives any, or a candidate
claimed by more than one record, is *ambiguous*: kept apart and reported, never guessed."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable
from dataclasses import dataclass, field

from isoc.infra.ixps_records import Network, SourceIxp, normalise_name

PREFIX, NAME = "prefix", "name"
SHORTEST = {4: 8, 6: 16}  # no peering LAN is shorter than these: supernets above them are not looked at


@dataclass(frozen=True)
class Candidate:
    key: Hashable
    country: str
    names: frozenset[str]
    city: str
    prefixes: tuple[Network, ...] = ()

    @classmethod
    def of(cls, key: Hashable, ixp: SourceIxp) -> Candidate:
        return cls(key=key, country=ixp.country, names=names_of(ixp.name, ixp.long_name),
                   city=normalise_name(ixp.city), prefixes=ixp.prefixes)


def names_of(*names: str) -> frozenset[str]:
    return frozenset(n for n in (normalise_name(x) for x in names) if n)


@dataclass(frozen=True)
class Match:
    new: Hashable
    existing: Hashable
    rule: str  # PREFIX or NAME
    reason: str


@dataclass(frozen=True)
class Ambiguous:
    new: Hashable
    existing: tuple[Hashable, ...]
    reason: str


@dataclass
class Reconciliation:
    matches: list[Match] = field(default_factory=list)
    ambiguous: list[Ambiguous] = field(default_factory=list)

    def match_for(self) -> dict[Hashable, Match]:
        return {m.new: m for m in self.matches}


def _keys(p: Network) -> list[tuple[int, int, int]]:
    """Keys of the prefix and of each of its supernets down to ``SHORTEST``: (version,
    leading bits as an integer, length). Integers, not ipaddress objects: this is the hot
    loop of a reconciliation."""
    bits = p.max_prefixlen
    n = int(p.network_address)
    return [(p.version, n >> (bits - length), length) for length in range(p.prefixlen, SHORTEST[p.version] - 1, -1)]


def overlaps(new: list[Candidate], existing: list[Candidate]) -> dict[Hashable, dict[Hashable, tuple[Network, Network]]]:
    """new key → existing key → one overlapping pair (new prefix, existing prefix)."""
    by_existing: dict[tuple, list[tuple[Hashable, Network]]] = defaultdict(list)
    by_new: dict[tuple, list[tuple[Hashable, Network]]] = defaultdict(list)
    for c in existing:
        for p in c.prefixes:
            by_existing[_keys(p)[0]].append((c.key, p))
    for c in new:
        for p in c.prefixes:
            by_new[_keys(p)[0]].append((c.key, p))
    found: dict[Hashable, dict[Hashable, tuple[Network, Network]]] = defaultdict(dict)
    for entries in by_new.values():  # an existing prefix containing (or equal to) a new one
        for key in _keys(entries[0][1]):
            for ek, q in by_existing.get(key, ()):
                for nk, p in entries:
                    found[nk].setdefault(ek, (p, q))
    for entries in by_existing.values():  # a new prefix strictly containing an existing one
        for key in _keys(entries[0][1])[1:]:
            for nk, p in by_new.get(key, ()):
                for ek, q in entries:
                    found[nk].setdefault(ek, (p, q))
    return found


def _by_name(c: Candidate, pool: dict[str, list[Candidate]]) -> list[Candidate]:
    return [e for e in pool.get(c.country, ()) if c.names & e.names and (not c.city or not e.city or c.city == e.city)]


def reconcile(new: list[Candidate], existing: list[Candidate]) -> Reconciliation:
    """Pair records of a source being imported (``new``) with records known from another
    source (``existing``); see the module docstring for the rules."""
    result = Reconciliation()
    prefix_hits = overlaps(new, existing)
    by_country: dict[str, list[Candidate]] = defaultdict(list)
    for e in existing:
        by_country[e.country].append(e)
    proposed: list[Match] = []
    for c in new:
        hits = prefix_hits.get(c.key, {})
        if len(hits) == 1:
            ((ek, (p, q)),) = hits.items()
            proposed.append(Match(c.key, ek, PREFIX, f"peering LAN {p} overlaps {q}"))
            continue
        if len(hits) > 1:
            result.ambiguous.append(Ambiguous(c.key, tuple(sorted(hits, key=str)),
                                              f"its peering LANs overlap those of {len(hits)} exchanges"))
            continue
        named = _by_name(c, by_country)
        if len(named) == 1:
            e = named[0]
            shared = sorted(c.names & e.names)[0]
            where = f", city {e.city or c.city}" if (e.city or c.city) else ""
            proposed.append(Match(c.key, e.key, NAME, f"same country {c.country}, name “{shared}”{where}"))
        elif len(named) > 1:
            result.ambiguous.append(Ambiguous(c.key, tuple(sorted((e.key for e in named), key=str)),
                                              f"{len(named)} exchanges in {c.country} share its name"))
    claims: dict[Hashable, list[Match]] = defaultdict(list)
    for m in proposed:
        claims[m.existing].append(m)
    for ek, ms in claims.items():
        if len(ms) == 1:
            result.matches.append(ms[0])
        else:
            for m in ms:
                result.ambiguous.append(Ambiguous(m.new, (ek,), f"{len(ms)} records of this source match the same exchange"))
    return result
