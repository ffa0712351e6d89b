"""JSON API of routing security, mounted under /api/v1/pulse/routing/: networks (their routes
with RPKI states, monthly scores, incidents), countries, prefix search, incidents, MANRS
participants and the imported snapshots. Lists of routes and incidents also download as
CSV or Parquet (``?format=csv|parquet``). The queries are the pages' own (``queries``,
``views``)."""

import io
import json
from datetime import date, datetime
from typing import Literal

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema
from ninja import Path as PathParam
from ninja.errors import HttpError
from ninja.pagination import paginate

from isoc.pulse.models import Country
from isoc.routing import queries, views
from isoc.routing.models import (
    AutonomousSystem,
    CountryScore,
    IncidentKind,
    ManrsParticipant,
    NetworkScore,
    RoutingIncident,
    Snapshot,
)
from isoc.site.api_errors import TABLE_DOWNLOADS
from isoc.site.apiparams import COUNTRY_CODE
from isoc.site.pagination import LazyRows, Page

router = Router(tags=["routing"])

Format = Literal["json", "csv", "parquet"]


class NetworkOut(Schema):
    asn: int
    name: str
    description: str
    country: str | None
    rir: str
    registered_on: date | None
    has_contact: bool
    url: str


class RouteOut(Schema):
    prefix: str
    origin_asn: int = Field(description="-1: the path ends in an AS_SET (no single origin)")
    state: str = Field(description="valid, invalid-as, invalid-length, not-found, or unknown (not validated)")
    peers: int
    first_seen: datetime | None
    last_seen: datetime | None
    as_path: str
    country: str | None


class RoutingScoreOut(Schema):
    month: date
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


class StatesOut(Schema):
    total: int
    valid: int
    invalid_as: int
    invalid_length: int
    not_found: int
    unknown: int


class NetworkDetailOut(Schema):
    asn: int
    network: NetworkOut | None
    states: StatesOut
    scores: list[RoutingScoreOut]
    incidents: int
    manrs_participants: list[str]


class CountryNetworkOut(Schema):
    asn: int
    name: str
    routes: int
    valid: int
    invalid: int
    not_found: int
    invalid_share: float


class RoutingCountryOut(Schema):
    code: str
    name: str
    states: StatesOut
    scores: list[RoutingScoreOut]
    networks: list[CountryNetworkOut]


class VrpOut(Schema):
    prefix: str
    max_length: int
    asn: int


class PrefixRouteOut(RouteOut):
    state_now: str | None = Field(None, description="The state against the latest VRPs")


class PrefixOut(Schema):
    query: str
    prefix: str
    exact: list[PrefixRouteOut]
    covering: list[PrefixRouteOut]
    more_specific: list[PrefixRouteOut]
    vrps: list[VrpOut]
    routes_snapshot: str | None
    vrps_snapshot: str | None


class RoutingIncidentOut(Schema):
    id: int
    kind: str
    kind_label: str
    culprit_asn: int
    origin_asn: int | None
    prefix: str
    prefixes: list[str]
    as_path: str
    starts_at: datetime
    ends_at: datetime | None
    duration_seconds: int
    peers: int
    weight: float
    country: str | None
    evidence: dict
    dataset: str
    is_demo: bool
    url: str


class IncidentFilters(Schema):
    kind: IncidentKind | None = None
    country: str = Field("", max_length=2, pattern=COUNTRY_CODE, description="ISO 3166-1 alpha-2")
    asn: int | None = Field(None, ge=0, le=views.ASN_MAX, description="The network the incidents count against")
    prefix: str = Field("", max_length=60)
    start: date | None = Field(None, description="Incidents still going on at or after this day (UTC)")
    end: date | None = Field(None, description="Incidents that started on or before this day (UTC)")


class ParticipantOut(Schema):
    slug: str
    name: str
    programme: str
    country: str | None
    organization: str | None
    joined_on: date
    actions: list[str]
    asns: list[int]
    is_demo: bool
    url: str


class SnapshotOut(Schema):
    dataset: str
    title: str
    kind: str
    taken_at: datetime
    ends_at: datetime | None
    is_rib: bool
    rows: int
    elements: int
    peers: int
    full_feed_peers: int
    valid: int
    invalid_as: int
    invalid_length: int
    not_found: int
    warnings: list


# ------------------------------------------------------------------------------- helpers


def table_response(table: pa.Table, fmt: str, filename: str) -> HttpResponse:
    """A whole table as a CSV or Parquet download."""
    buf = io.BytesIO()
    if fmt == "csv":
        pacsv.write_csv(table, buf)
        content_type = "text/csv; charset=utf-8"
    else:
        pq.write_table(table, buf, compression="zstd")
        content_type = "application/vnd.apache.parquet"
    response = HttpResponse(buf.getvalue(), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    return response


def _states(counts: dict) -> dict:
    s = views.state_summary(counts)
    return {k: s[k] for k in ("total", "valid", "invalid_as", "invalid_length", "not_found", "unknown")}


def _route(row: dict) -> dict:
    return {"prefix": row["prefix"], "origin_asn": row["origin_asn"], "state": row["state_name"],
            "peers": row["peers"], "first_seen": row.get("first_seen"), "last_seen": row.get("last_seen"),
            "as_path": row["as_path"] or "", "country": row.get("country"), "state_now": row.get("state_now")}


def _network(n: AutonomousSystem) -> dict:
    return {"asn": n.asn, "name": n.name, "description": n.description, "country": n.country_id, "rir": n.rir,
            "registered_on": n.registered_on, "has_contact": n.has_contact, "url": n.get_absolute_url()}


def _score(s) -> dict:
    return {f: getattr(s, f) for f in RoutingScoreOut.model_fields}


def _incident(i: RoutingIncident) -> dict:
    return {"id": i.pk, "kind": i.kind, "kind_label": str(i.get_kind_display()), "culprit_asn": i.culprit_asn,
            "origin_asn": i.origin_asn, "prefix": i.prefix, "prefixes": i.prefixes or [i.prefix], "as_path": i.as_path,
            "starts_at": i.starts_at, "ends_at": i.ends_at, "duration_seconds": i.duration_seconds, "peers": i.peers,
            "weight": i.weight, "country": i.country_id, "evidence": i.evidence, "dataset": i.dataset.slug,
            "is_demo": i.is_demo, "url": i.get_absolute_url()}


def _incidents(f: IncidentFilters):
    if f.country and not Country.objects.filter(code=f.country.upper()).exists():
        raise HttpError(422, f"Unknown country code: {f.country!r}")
    if f.start and f.end and f.start > f.end:
        raise HttpError(422, "'start' is after 'end'.")
    return views.filtered_incidents({"kind": f.kind.value if f.kind else "", "country": f.country.upper(),
                                     "asn": f.asn, "prefix": f.prefix, "start": f.start, "end": f.end}
                                    ).select_related("dataset")


# ----------------------------------------------------------------------------- endpoints


@router.get("networks/{asn}", response=NetworkDetailOut, url_name="routing_network",
            summary="A network: names, RPKI states of its routes, monthly scores")
def network(request, asn: int = PathParam(..., ge=0, le=views.ASN_MAX)):
    try:
        ctx = views.network_context(asn)
    except Http404:
        raise
    return {
        "asn": asn,
        "network": _network(ctx["network"]) if ctx["network"] else None,
        "states": {k: ctx["states"][k] for k in StatesOut.model_fields},  # the page's own counts
        "scores": [_score(s) for s in ctx["monthly"]],
        "incidents": ctx["incident_total"],
        "manrs_participants": [p.slug for p in ctx["participants"]],
    }


@router.get("networks/{asn}/routes", response=list[RouteOut], url_name="routing_network_routes",
            summary="Prefixes a network originates with their RPKI state (?format=csv|parquet downloads all)",
            openapi_extra=TABLE_DOWNLOADS)
def network_routes(request, asn: int = PathParam(..., ge=0, le=views.ASN_MAX), format: Format = "json"):
    if format != "json":
        rows = queries.routes_of_network(asn, limit=None)
        table = pa.Table.from_pylist([_route(r) for r in rows]) if rows else pa.table(
            {k: pa.array([], type=pa.string()) for k in RouteOut.model_fields})
        return table_response(table, format, f"AS{asn}-routes")
    return [_route(r) for r in queries.routes_of_network(asn)]


@router.get("networks/{asn}/scores", response=list[RoutingScoreOut], url_name="routing_network_scores",
            summary="A network's scores by calendar month")
def network_scores(request, asn: int = PathParam(..., ge=0, le=views.ASN_MAX)):
    return [_score(s) for s in NetworkScore.objects.filter(asn=asn).order_by("month")]


@router.get("countries/{code}", response=RoutingCountryOut, url_name="routing_country",
            summary="A country: RPKI states of its networks' routes, monthly scores, networks ranked")
def country(request, code: str = PathParam(..., pattern=r"^[A-Za-z]{2}$")):
    c = get_object_or_404(Country, code=code.upper())
    return {
        "code": c.code, "name": c.name,
        "states": _states(queries.country_state_counts(c.code)),
        "scores": [_score(s) for s in CountryScore.objects.filter(country=c).order_by("month")],
        "networks": [{"asn": n["origin_asn"], **{k: n[k] for k in ("name", "routes", "valid", "invalid", "not_found", "invalid_share")}}
                     for n in queries.country_networks(c.code)],
    }


@router.get("countries/{code}/networks", response=list[CountryNetworkOut], url_name="routing_country_networks",
            summary="A country's networks ranked by routes (?format=csv|parquet to download)",
            openapi_extra=TABLE_DOWNLOADS)
def country_networks(request, code: str = PathParam(..., pattern=r"^[A-Za-z]{2}$"), format: Format = "json"):
    c = get_object_or_404(Country, code=code.upper())
    rows = [{"asn": n["origin_asn"], **{k: n[k] for k in ("name", "routes", "valid", "invalid", "not_found", "invalid_share")}}
            for n in queries.country_networks(c.code, limit=100_000)]
    if format != "json":
        table = pa.Table.from_pylist(rows) if rows else pa.table({k: pa.array([], type=pa.string()) for k in CountryNetworkOut.model_fields})
        return table_response(table, format, f"{c.code}-networks")
    return rows


@router.get("prefix", response=PrefixOut, url_name="routing_prefix",
            summary="Who originates a prefix, what covers it, which VRPs cover it, and each origin's RPKI state")
def prefix(request, q: str = Query(..., min_length=1, max_length=60, description="A prefix or an address")):
    try:
        answer = queries.search_prefix(q)
    except ValueError:
        raise HttpError(422, f"Not an IP prefix or address: {q!r}") from None
    return {
        "query": q, "prefix": answer.prefix,
        "exact": [_route(r) for r in answer.exact], "covering": [_route(r) for r in answer.covering],
        "more_specific": [_route(r) for r in answer.more_specific], "vrps": answer.vrps,
        "routes_snapshot": answer.snapshot.dataset.slug if answer.snapshot else None,
        "vrps_snapshot": answer.vrp_snapshot.dataset.slug if answer.vrp_snapshot else None,
    }


@router.get("incidents", response=list[RoutingIncidentOut], url_name="routing_incidents",
            summary="Incidents (bogons, RPKI invalids, possible hijacks, leaks), filtered and paginated")
@paginate(Page)
def incidents(request, filters: Query[IncidentFilters]):
    return LazyRows(_incidents(filters), lambda page: [_incident(i) for i in page])


_INCIDENT_COLUMNS = ["id", "kind", "culprit_asn", "origin_asn", "prefix", "as_path", "starts_at", "ends_at",
                     "duration_seconds", "peers", "weight", "country", "dataset", "is_demo"]


@router.get("incidents/download", url_name="routing_incidents_download",
            summary="Incidents as CSV or Parquet (same filters, all pages, at most 100,000)")
def incidents_download(request, filters: Query[IncidentFilters], format: Literal["csv", "parquet"] = "csv"):
    rows = [_incident(i) for i in _incidents(filters)[:100_000]]
    columns = {c: [r[c] for r in rows] for c in _INCIDENT_COLUMNS}
    columns["prefixes"] = [" ".join(r["prefixes"]) for r in rows]
    columns["evidence"] = [json.dumps(r["evidence"], sort_keys=True) for r in rows]
    types = {"id": pa.int64(), "culprit_asn": pa.int64(), "origin_asn": pa.int64(), "duration_seconds": pa.int64(),
             "peers": pa.int64(), "weight": pa.float64(), "is_demo": pa.bool_(),
             "starts_at": pa.timestamp("s", tz="UTC"), "ends_at": pa.timestamp("s", tz="UTC")}
    table = pa.table({c: pa.array(v, type=types.get(c, pa.string())) for c, v in columns.items()})
    return table_response(table, format, "routing-incidents")


@router.get("incidents/{incident_id}", response=RoutingIncidentOut, url_name="routing_incident", summary="One incident with its evidence")
def incident(request, incident_id: int):
    return _incident(get_object_or_404(RoutingIncident.objects.select_related("dataset"), pk=incident_id))


@router.get("participants", response=list[ParticipantOut], url_name="routing_participants",
            summary="MANRS participants, their networks and committed actions")
def participants(request, programme: ManrsParticipant.Programme | None = None,
                 country: str = Query("", max_length=2, pattern=COUNTRY_CODE, description="ISO 3166-1 alpha-2")):
    items = ManrsParticipant.objects.select_related("organization").prefetch_related("networks")
    if programme:
        items = items.filter(programme=programme.value)
    if country:
        items = items.filter(country_id=country.upper())
    return [{"slug": p.slug, "name": p.name, "programme": p.programme, "country": p.country_id,
             "organization": p.organization.slug if p.organization else None, "joined_on": p.joined_on,
             "actions": p.actions, "asns": [n.asn for n in p.networks.all()], "is_demo": p.is_demo,
             "url": p.get_absolute_url()} for p in items]


@router.get("snapshots", response=list[SnapshotOut], url_name="routing_snapshots",
            summary="Imported BGP route snapshots and RPKI VRP sets, newest first")
def snapshots(request, kind: Snapshot.Kind | None = None):
    qs = Snapshot.objects.select_related("dataset").order_by("-taken_at", "-pk")
    if kind:
        qs = qs.filter(kind=kind.value)
    return [{"dataset": s.dataset.slug, "title": s.dataset.title, **{f: getattr(s, f) for f in SnapshotOut.model_fields
                                                                    if f not in ("dataset", "title")}}
            for s in qs[:500]]


__all__ = ["router"]
