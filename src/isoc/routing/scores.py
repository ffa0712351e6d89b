"""MANRS-Observatory-style scores per network (AS) and per country, by calendar month.

Django-free, pure functions over :class:`isoc.routing.incidents.Incident` records, RPKI
route statistics and contact data. The formulas below are the methodology; the constants
are module-level so the methodology page can cite them. Where the MANRS Observatory
publishes its formula we follow it in spirit; its readiness formulas are not published,
so the 0-100 readiness values are our own.

Incident weight (:func:`incident_weight`), by duration d in seconds:

- 0 <= d < 1800 (under 30 minutes; 29:59 included): 0.5
- 1800 <= d < 86400 (30:00 up to 23:59:59): 1
- k·86400 <= d < (k+1)·86400 for k >= 1: k + 1, i.e. one point per started day
  (exactly 24:00:00 is 2, 47:59:59 is 2, 48:00:00 is 3).

An incident still present at the end of the data is weighed by its duration so far.

Monthly split (:func:`month_shares`): an incident spanning several calendar months (UTC)
counts once in each month it touches, and its weight is apportioned to the months in
proportion to the seconds it spent in each (so the shares sum to the whole weight); a
zero-length incident belongs to the month of its start.

RPKI, per AS, over its distinct originated (prefix, origin) routes (:class:`RouteStats`):

- ``rpki_score`` = valid/routes − :data:`RPKI_INVALID_PENALTY` (10) × invalid/routes,
  not clamped (range −10 … 1): a network whose invalid routes outweigh its valid ones
  shows how far it is from zero;
- ``roa_coverage`` = (routes covered by at least one VRP, i.e. not NOT_FOUND) / routes:
  registration in RPKI, whatever the validation outcome.

Readiness, 0-100 (our formulas):

- filtering: the mean over :data:`FILTERING_METRICS` (route leaks, bogon prefixes, bogon
  ASNs, possible hijacks = MOAS + more-specific) of
  ``100 × max(0, 1 − W / INCIDENT_TOLERANCE)`` where W is the network's incident weight of
  that metric in the month (as culprit) and :data:`INCIDENT_TOLERANCE` is 10: no incident
  scores 100, ten one-hour incidents (or one ten-day one) score 0. RPKI-invalid
  announcements count under global validation, not here.
- global validation: ``100 × clamp(rpki_score, 0, 1)``; ``None`` without originated routes.
- coordination: 100 when contact data is present (e.g. PeeringDB/IRR contacts), 0 when
  known to be absent, ``None`` when unknown.
- anti-spoofing: ``None`` always. Source address validation cannot be observed in BGP data
  (the Observatory uses CAIDA Spoofer measurements), see :data:`ANTI_SPOOFING_NOTE`.

Country scores (:func:`country_scores`) take the country's networks together, weighted by
routes: route counts are summed (so the country's RPKI score and ROA coverage are those of
all its networks' routes pooled, which is the route-weighted mean of the networks'), each
readiness is the mean of the networks' readiness weighted by max(routes, 1) (a pure
transit network originating nothing still counts, with weight 1), over networks where the
value is known; incidents and weights are summed.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from isoc.routing import rov

__all__ = [
    "ANTI_SPOOFING_NOTE",
    "DAY",
    "FILTERING_METRICS",
    "INCIDENT_TOLERANCE",
    "RPKI_INVALID_PENALTY",
    "SHORT_INCIDENT",
    "SHORT_WEIGHT",
    "CountryScore",
    "MonthlyIncidents",
    "NetworkScore",
    "RouteStats",
    "country_scores",
    "incident_weight",
    "metric_readiness",
    "month_of",
    "month_shares",
    "monthly_incidents",
    "network_scores",
    "originated_routes",
    "route_stats",
]

#: Incidents shorter than this many seconds weigh :data:`SHORT_WEIGHT`.
SHORT_INCIDENT = 30 * 60
SHORT_WEIGHT = 0.5
DAY = 24 * 3600
#: Multiplier of the invalid fraction in the RPKI score.
RPKI_INVALID_PENALTY = 10.0
#: Monthly incident weight (per metric) at which a filtering metric's readiness reaches 0.
INCIDENT_TOLERANCE = 10.0
#: Filtering metrics: name -> incident kinds counted (as culprit).
FILTERING_METRICS: dict[str, tuple[str, ...]] = {
    "route-leak": ("route-leak",),
    "bogon-prefix": ("bogon-prefix",),
    "bogon-asn": ("bogon-asn",),
    "hijack": ("moas", "more-specific"),
}
ANTI_SPOOFING_NOTE = (
    "Anti-spoofing (source address validation, BCP 38/84) is not visible in BGP routing data; "
    "it needs active measurements such as CAIDA's Spoofer, so it has no score here."
)


def incident_weight(duration: int | float) -> float:
    """Weight of an incident lasting ``duration`` seconds (see the module docstring)."""
    if duration < 0:
        raise ValueError(f"negative duration {duration}")
    if duration < SHORT_INCIDENT:
        return SHORT_WEIGHT
    return float(int(duration // DAY) + 1)


def month_of(ts: int) -> date:
    """First day of the UTC calendar month of a Unix timestamp."""
    d = datetime.fromtimestamp(ts, UTC)
    return date(d.year, d.month, 1)


def _next_month(m: date) -> date:
    return date(m.year + (m.month == 12), m.month % 12 + 1, 1)


def _epoch(m: date) -> int:
    return calendar.timegm((m.year, m.month, 1, 0, 0, 0))


def month_shares(start: int, end: int) -> list[tuple[date, float]]:
    """The months the span [start, end] touches and the fraction of its seconds in each."""
    if end < start:
        raise ValueError(f"end {end} before start {start}")
    first = month_of(start)
    if end == start:
        return [(first, 1.0)]
    total = end - start
    out = []
    m = first
    while _epoch(m) < end:
        lo = max(start, _epoch(m))
        nxt = _next_month(m)
        hi = min(end, _epoch(nxt))
        out.append((m, (hi - lo) / total))
        m = nxt
    return out


@dataclass(frozen=True)
class MonthlyIncidents:
    """Incidents counted against one network (or country) in one month."""

    key: int | str  # ASN, or country code
    month: date  # first day of the month
    incidents: int  # incidents touching the month
    weight: float  # their weight apportioned to the month
    weight_by_kind: dict[str, float] = field(default_factory=dict)
    count_by_kind: dict[str, int] = field(default_factory=dict)


def monthly_incidents(
    incidents: Iterable, *, country_of: Mapping[int, str] | None = None
) -> dict[tuple[int | str, date], MonthlyIncidents]:
    """Per (culprit ASN, month), or per (country, month) when ``country_of`` maps ASNs to
    country codes (incidents of networks without a country are left out)."""
    acc: dict[tuple[int | str, date], tuple[list, dict, dict]] = {}
    for x in incidents:
        key: int | str = x.culprit_asn
        if country_of is not None:
            cc = country_of.get(x.culprit_asn)
            if cc is None:
                continue
            key = cc
        weight = incident_weight(x.duration)
        for month, share in month_shares(x.start, x.start + x.duration):
            total, weights, counts = acc.setdefault((key, month), ([0, 0.0], {}, {}))
            total[0] += 1
            total[1] += weight * share
            weights[x.kind] = weights.get(x.kind, 0.0) + weight * share
            counts[x.kind] = counts.get(x.kind, 0) + 1
    return {
        k: MonthlyIncidents(k[0], k[1], total[0], total[1], weights, counts)
        for k, (total, weights, counts) in sorted(acc.items(), key=lambda kv: (str(kv[0][0]), kv[0][1]))
    }


@dataclass(frozen=True)
class RouteStats:
    """RPKI validation of one AS's distinct originated (prefix, origin) routes."""

    asn: int
    routes: int = 0
    valid: int = 0
    invalid_as: int = 0
    invalid_length: int = 0
    not_found: int = 0

    @property
    def invalid(self) -> int:
        return self.invalid_as + self.invalid_length

    @property
    def valid_fraction(self) -> float | None:
        return self.valid / self.routes if self.routes else None

    @property
    def invalid_fraction(self) -> float | None:
        return self.invalid / self.routes if self.routes else None

    @property
    def rpki_score(self) -> float | None:
        """valid fraction − 10 × invalid fraction, unclamped; None without routes."""
        if not self.routes:
            return None
        return (self.valid - RPKI_INVALID_PENALTY * self.invalid) / self.routes

    @property
    def roa_coverage(self) -> float | None:
        """Fraction of routes covered by some VRP (valid or invalid)."""
        if not self.routes:
            return None
        return (self.routes - self.not_found) / self.routes


def originated_routes(batches: Iterable[pa.RecordBatch | pa.Table]) -> tuple[list[str], np.ndarray]:
    """Distinct (prefix, origin ASN) of the announced/RIB rows (AS_SET origins left out)."""
    parts = []
    for batch in batches:
        table = batch if isinstance(batch, pa.Table) else pa.Table.from_batches([batch])
        kind = pc.cast(table.column("kind"), pa.string())
        keep = pc.and_(pc.not_equal(kind, "W"), pc.greater_equal(table.column("origin_asn"), 0))
        sub = table.filter(keep).select(["prefix", "origin_asn"])
        parts.append(sub.group_by(["prefix", "origin_asn"]).aggregate([]))
    if not parts:
        return [], np.zeros(0, dtype=np.int64)
    distinct = pa.concat_tables(parts).group_by(["prefix", "origin_asn"]).aggregate([])
    return distinct.column("prefix").to_pylist(), distinct.column("origin_asn").to_numpy().astype(np.int64)


def route_stats(prefixes: list[str], origins, vrp_index: rov.Index) -> dict[int, RouteStats]:
    """Per origin AS, the RPKI states of its distinct (prefix, origin) routes."""
    origins = np.asarray(origins, dtype=np.int64)
    pairs = sorted(set(zip(prefixes, origins.tolist(), strict=True)))
    if not pairs:
        return {}
    states = vrp_index.validate([p for p, _ in pairs], [o for _, o in pairs])
    uniq, inverse = np.unique(np.array([o for _, o in pairs], dtype=np.int64), return_inverse=True)
    inverse = inverse.reshape(-1)
    counts = np.zeros((len(uniq), 4), dtype=np.int64)
    np.add.at(counts, (inverse, states.astype(np.int64)), 1)
    V = rov.ValidationState
    return {
        asn: RouteStats(
            asn=asn,
            routes=int(c.sum()),
            valid=int(c[V.VALID]),
            invalid_as=int(c[V.INVALID_AS]),
            invalid_length=int(c[V.INVALID_LENGTH]),
            not_found=int(c[V.NOT_FOUND]),
        )
        for asn, c in zip(uniq.tolist(), counts, strict=True)
    }


def metric_readiness(weight: float) -> float:
    """0-100 readiness of one filtering metric with this month's incident weight."""
    return 100.0 * max(0.0, 1.0 - weight / INCIDENT_TOLERANCE)


@dataclass(frozen=True)
class NetworkScore:
    """One network's month. Field names follow ``isoc.routing.models.NetworkScore``."""

    asn: int
    month: date
    routes: int
    valid: int
    invalid: int
    not_found: int
    rpki_score: float | None
    roa_coverage: float | None
    incidents: int
    incident_weight: float
    weight_by_kind: dict[str, float]
    filtering_metrics: dict[str, float]  # metric -> 0-100
    filtering: float
    global_validation: float | None
    coordination: float | None
    anti_spoofing: None = None


def network_scores(
    month: date,
    *,
    incidents: Iterable = (),
    route_stats: Mapping[int, RouteStats] | None = None,
    contacts: Mapping[int, bool] | None = None,
) -> list[NetworkScore]:
    """Scores for ``month`` of every AS that has incidents touching the month, route stats
    or contact data. ``route_stats`` should describe the month (e.g. a RIB snapshot in it)."""
    month = date(month.year, month.month, 1)
    route_stats = route_stats or {}
    contacts = contacts or {}
    monthly = {k[0]: v for k, v in monthly_incidents(incidents).items() if k[1] == month}
    out = []
    for asn in sorted(set(monthly) | set(route_stats) | set(contacts)):
        mi = monthly.get(asn)
        rs = route_stats.get(asn, RouteStats(asn))
        weights = dict(mi.weight_by_kind) if mi else {}
        metrics = {
            name: metric_readiness(sum(weights.get(k, 0.0) for k in kinds))
            for name, kinds in FILTERING_METRICS.items()
        }
        score = rs.rpki_score
        contact = contacts.get(asn)
        out.append(
            NetworkScore(
                asn=asn,
                month=month,
                routes=rs.routes,
                valid=rs.valid,
                invalid=rs.invalid,
                not_found=rs.not_found,
                rpki_score=score,
                roa_coverage=rs.roa_coverage,
                incidents=mi.incidents if mi else 0,
                incident_weight=mi.weight if mi else 0.0,
                weight_by_kind=weights,
                filtering_metrics=metrics,
                filtering=sum(metrics.values()) / len(metrics),
                global_validation=None if score is None else 100.0 * min(1.0, max(0.0, score)),
                coordination=None if contact is None else (100.0 if contact else 0.0),
            )
        )
    return out


@dataclass(frozen=True)
class CountryScore:
    """A country's networks together for one month (``isoc.routing.models.CountryScore``)."""

    country: str
    month: date
    networks: int
    routes: int
    valid: int
    invalid: int
    not_found: int
    rpki_score: float | None
    roa_coverage: float | None
    incidents: int
    incident_weight: float
    filtering: float | None
    global_validation: float | None
    coordination: float | None
    anti_spoofing: None = None


def _weighted(pairs: list[tuple[float | None, int]]) -> float | None:
    known = [(v, w) for v, w in pairs if v is not None]
    total = sum(w for _, w in known)
    return sum(v * w for v, w in known) / total if total else None


def country_scores(scores: Iterable[NetworkScore], country_of: Mapping[int, str]) -> list[CountryScore]:
    """Aggregate network scores (one month or several) per (country, month); networks
    without a country are left out."""
    groups: dict[tuple[str, date], list[NetworkScore]] = {}
    for s in scores:
        cc = country_of.get(s.asn)
        if cc is not None:
            groups.setdefault((cc, s.month), []).append(s)
    out = []
    for (cc, month), members in sorted(groups.items()):
        routes = sum(s.routes for s in members)
        valid = sum(s.valid for s in members)
        invalid = sum(s.invalid for s in members)
        not_found = sum(s.not_found for s in members)
        score = (valid - RPKI_INVALID_PENALTY * invalid) / routes if routes else None
        weight = [max(s.routes, 1) for s in members]
        out.append(
            CountryScore(
                country=cc,
                month=month,
                networks=len(members),
                routes=routes,
                valid=valid,
                invalid=invalid,
                not_found=not_found,
                rpki_score=score,
                roa_coverage=(routes - not_found) / routes if routes else None,
                incidents=sum(s.incidents for s in members),
                incident_weight=sum(s.incident_weight for s in members),
                filtering=_weighted([(s.filtering, w) for s, w in zip(members, weight, strict=True)]),
                global_validation=_weighted(
                    [(s.global_validation, w) for s, w in zip(members, weight, strict=True)]
                ),
                coordination=_weighted([(s.coordination, w) for s, w in zip(members, weight, strict=True)]),
            )
        )
    return out
