"""JSON API of enabling technologies, mounted under /api/v1/pulse/enablers/: scans, the
adoption trend per technology (ours beside third-party series), a country against its
region and the world, a domain's latest checks, and every adoption figure as CSV or
Parquet. The queries are the pages' own (``queries``)."""

from datetime import date, datetime
from typing import Literal

import pyarrow as pa
from django.http import Http404
from ninja import Field, Query, Router, Schema
from ninja import Path as PathParam
from ninja.errors import HttpError

from isoc.enablers import adoption, queries
from isoc.enablers.models import AdoptionFigure
from isoc.pulse.models import Country
from isoc.routing.api import table_response

router = Router(tags=["enablers"])

Technology = Literal[adoption.TECHNOLOGIES]  # type: ignore[valid-type]
Method = Literal["global", "cctld", "hosting"]


class ScanOut(Schema):
    identifier: str
    resolver: str
    started_at: datetime
    finished_at: datetime
    domains: int
    is_demo: bool
    dataset: str = Field(description="The pulse dataset (provenance and per-domain downloads)")


class FigureOut(Schema):
    scan: str
    date: datetime = Field(description="When the scan started")
    technology: str
    method: str
    country: str = Field(description="ISO 3166-1 alpha-2; empty for the world")
    adopted: int
    measured: int
    not_measured: int
    percent: float | None
    provenance: str
    is_demo: bool


class SeriesPointOut(Schema):
    date: date
    percent: float


class ThirdPartyOut(Schema):
    source: str
    label: str
    dataset: str
    is_demo: bool
    points: list[SeriesPointOut]


class TrendOut(Schema):
    technology: str
    method: str
    country: str
    ours: list[FigureOut]
    thirdparty: list[ThirdPartyOut]


class ComparisonOut(Schema):
    technology: str
    country: FigureOut | None
    region_percent: float | None = Field(description="The country's Internet Society region, domains pooled")
    world: FigureOut | None


class MethodComparisonOut(Schema):
    method: str
    scan: str
    rows: list[ComparisonOut]


class EnablersCountryOut(Schema):
    country: str
    methods: list[MethodComparisonOut]


class CheckOut(Schema):
    name: str
    label: str
    result: str = Field(description="passed, failed or not-measured")
    why: str
    error: str


class DomainOut(Schema):
    domain: str
    scan: str
    scanned_at: datetime
    is_demo: bool
    cctld_country: str
    hosting_address: str
    hosting_asn: int | None
    hosting_country: str
    hosting_method: str
    checks: list[CheckOut]
    earlier_scans: list[str]


def _figure(f: AdoptionFigure) -> dict:
    return {"scan": f.scan.identifier, "date": f.scan.started_at, "technology": f.technology, "method": f.method,
            "country": f.country, "adopted": f.adopted, "measured": f.measured, "not_measured": f.not_measured,
            "percent": f.percent, "provenance": f.provenance, "is_demo": f.scan.is_demo}


@router.get("scans", response=list[ScanOut], url_name="enablers_scans", summary="Recorded scans, newest first")
def scans(request, limit: int = Query(100, ge=1, le=500, description="How many scans, newest first (at most 500)")):
    return [{"identifier": s.identifier, "resolver": s.resolver, "started_at": s.started_at, "finished_at": s.finished_at,
             "domains": s.domains, "is_demo": s.is_demo, "dataset": s.dataset.slug} for s in queries.scans()[:limit]]


def _known_country(code: str) -> str:
    code = code.upper()
    if code and not Country.objects.filter(code=code).exists():
        raise HttpError(422, f"Unknown country code: {code!r}")
    return code


@router.get("adoption", response=TrendOut, url_name="enablers_adoption",
            summary="A technology's adoption over time: our figures per scan and third-party series")
def adoption_trend(request, technology: Technology = "ipv6", method: Method = "global",
                   country: str = Query("", max_length=2, pattern=r"^[A-Za-z]{0,2}$", description="ISO 3166-1 alpha-2")):
    code = _known_country(country)
    if (method == "global") != (code == ""):
        raise HttpError(422, "Give a country with method cctld or hosting, and none with method global.")
    t = queries.trend(technology, country=code, method=method)
    return {"technology": technology, "method": method, "country": code, "ours": [_figure(f) for f in t.figures],
            "thirdparty": [{"source": e["dataset"].source.name, "label": e["label"], "dataset": e["dataset"].slug,
                            "is_demo": e["dataset"].is_demo,
                            "points": [{"date": d, "percent": v} for d, v in e["points"]]} for e in t.thirdparty]}


@router.get("countries/{code}", response=EnablersCountryOut, url_name="enablers_country",
            summary="A country's adoption by ccTLD and by hosting, beside its region and the world")
def country(request, code: str = PathParam(..., pattern=r"^[A-Za-z]{2}$")):
    c = Country.objects.filter(code=code.upper()).first()
    if c is None:
        raise Http404
    methods = []
    for method in (adoption.CCTLD, adoption.HOSTING):
        scan, rows = queries.country_comparison(c.code, method)
        if scan is None:
            continue
        methods.append({"method": method, "scan": scan.identifier, "rows": [
            {"technology": r.technology, "country": _figure(r.country) if r.country else None,
             "region_percent": r.region_percent, "world": _figure(r.world) if r.world else None} for r in rows]})
    return {"country": c.code, "methods": methods}


@router.get("domains/{domain}", response=DomainOut, url_name="enablers_domain",
            summary="Every check of a measured domain in its latest scan, and why it passed or failed")
def domain(request, domain: str = PathParam(..., max_length=300)):
    try:
        name = queries.normalize_domain(domain)
    except queries.LookupError_ as exc:
        raise HttpError(422, str(exc)) from None
    summary, earlier = queries.lookup(name)
    if summary is None:
        raise HttpError(404, f"{name} is not in our measured set.")
    return {"domain": name, "scan": summary.scan.identifier, "scanned_at": summary.scanned_at,
            "is_demo": summary.scan.is_demo, "cctld_country": summary.cctld_country,
            "hosting_address": summary.hosting_address, "hosting_asn": summary.hosting_asn,
            "hosting_country": summary.hosting_country, "hosting_method": summary.hosting_method,
            "checks": [{"name": c.name, "label": c.label, "result": c.state, "why": c.why, "error": c.error}
                       for c in queries.domain_checks(summary)],
            "earlier_scans": [s.scan.identifier for s in earlier]}


@router.get("figures/download", url_name="enablers_figures_download",
            summary="Every adoption figure (all scans, technologies, methods, countries) as CSV or Parquet")
def figures_download(request, format: Literal["csv", "parquet"] = "csv",
                     technology: Technology | None = None, include_demo: bool = True):
    qs = AdoptionFigure.objects.select_related("scan").order_by("scan__started_at", "technology", "method", "country")
    if technology:
        qs = qs.filter(technology=technology)
    if not include_demo:
        qs = qs.filter(scan__is_demo=False)
    rows = [_figure(f) for f in qs.iterator(chunk_size=2000)]
    columns = list(FigureOut.model_fields)
    table = pa.table({c: [r[c] for r in rows] for c in columns}) if rows else pa.table({c: pa.array([], pa.string()) for c in columns})
    return table_response(table, format, "enablers-adoption-figures")


__all__ = ["router"]
