"""Internet Resilience Index API, mounted under /api/v1/pulse/resilience/: a quarter's
scores (by region), a country's breakdown with every input and its source, the tree
(methodology), the what-if recomputation, and the scores with every input as CSV or
Parquet. The queries are the pages' own (``queries``)."""

from typing import Literal

from ninja import Field, Query, Router, Schema
from ninja import Path as PathParam
from ninja.errors import HttpError

from isoc.pulse import opendata
from isoc.pulse.models import Country, Region
from isoc.resilience import queries
from isoc.resilience import tree as trees
from isoc.resilience.models import CountryScore
from isoc.site.apiparams import SLUG

router = Router(tags=["resilience"])



class NodeOut(Schema):
    score: float | None = Field(description="0–100; null when nothing below it has data")
    coverage: float = Field(description="0–1: the share of the node's weight with data")


class ResilienceScoreOut(Schema):
    country: str
    region: str | None
    rank: int | None
    overall: float | None
    coverage: float
    partial: bool = Field(description="A pillar has no data")
    pillars: dict[str, NodeOut]
    dimensions: dict[str, NodeOut]


class ScoresOut(Schema):
    quarter: str
    version: str
    quarters: list[str]
    scores: list[ResilienceScoreOut]


class InputOut(Schema):
    indicator: str
    value: float | None
    observed: str
    adjusted: float | None = Field(description="Per million people, for per-capita indicators")
    normalised: float | None
    dataset: str | None
    source: str | None
    licence: str | None
    is_demo: bool


class ResilienceRegionOut(Schema):
    region: str
    countries: int
    overall: float | None
    pillars: dict[str, float | None]


class ResilienceCountryOut(ResilienceScoreOut):
    quarter: str
    version: str
    history: list[dict]
    region_mean: ResilienceRegionOut | None
    peers: list[str]
    inputs: list[InputOut]


class IndicatorOut(Schema):
    code: str
    name: str
    description: str
    unit: str
    weight: float
    higher_is_better: bool
    per_capita: bool
    source: str


class DimensionOut(Schema):
    code: str
    name: str
    weight: float
    indicators: list[IndicatorOut]


class PillarOut(Schema):
    code: str
    name: str
    dimensions: list[DimensionOut]


class ResilienceMethodologyOut(Schema):
    version: str
    title: str
    pillars: list[PillarOut]
    method: str


class ResultOut(Schema):
    overall: float | None
    coverage: float
    partial: bool
    pillars: dict[str, NodeOut]
    dimensions: dict[str, NodeOut]


class WhatIfOut(Schema):
    quarter: str
    country: str
    indicator: str
    old_value: float | None
    new_value: float
    before: ResultOut
    after: ResultOut


def _quarter(quarter: str) -> str:
    if not quarter:
        latest = queries.latest_quarter()
        if latest is None:
            raise HttpError(404, "No scores computed yet.")
        return latest
    if quarter not in queries.quarters():
        raise HttpError(404, f"No scores for {quarter}.")
    return quarter


def _score(s: CountryScore) -> dict:
    return {"country": s.country_id, "region": s.country.isoc_region.slug if s.country.isoc_region else None,
            "rank": s.rank, "overall": s.overall, "coverage": s.coverage, "partial": s.partial,
            "pillars": s.pillars, "dimensions": s.dimensions}


@router.get("scores", response=ScoresOut, url_name="resilience_scores", summary="A quarter's scores, ranked")
def scores(request, quarter: str = Query("", pattern=r"^(\d{4}-Q[1-4])?$", description="YYYY-Qn; default the latest"),
           region: str = Query("", max_length=80, pattern=SLUG, description="An Internet Society region's slug")):
    q = _quarter(quarter)
    if region and not Region.objects.filter(slug=region, kind=Region.Kind.ISOC).exists():
        raise HttpError(422, f"Unknown region: {region!r}")
    return {"quarter": q, "version": queries.version(), "quarters": queries.quarters(),
            "scores": [_score(s) for s in queries.scores(q, region or None)]}


@router.get("countries/{code}", response=ResilienceCountryOut, url_name="resilience_country",
            summary="A country's breakdown: pillars, dimensions, history, region, peers and every input with its source")
def country(request, code: str = PathParam(..., pattern=r"^[A-Za-z]{2}$"),
            quarter: str = Query("", pattern=r"^(\d{4}-Q[1-4])?$", description="YYYY-Qn; default the latest")):
    c = Country.objects.filter(code=code.upper()).first()
    if c is None:
        raise HttpError(404, f"Unknown country code: {code!r}")
    b = queries.breakdown(c, _quarter(quarter))
    if b is None:
        raise HttpError(404, f"No score for {c.code} in that quarter.")
    region = None
    if b.region:
        region = {"region": b.region["region"].slug, "countries": b.region["countries"], "overall": b.region["overall"],
                  "pillars": b.region["pillars"]}
    inputs = []
    for row in b.inputs:
        v = row["input"]
        inputs.append({"indicator": row["indicator"].code if row["indicator"] else "population",
                       "value": v.value if v else None, "observed": v.observed if v else "",
                       "adjusted": row["adjusted"], "normalised": row["normalised"],
                       "dataset": v.dataset.slug if v else None, "source": v.dataset.source.name if v else None,
                       "licence": v.dataset.source.licence if v else None, "is_demo": v.dataset.is_demo if v else False})
    return {**_score(b.score), "quarter": b.quarter, "version": b.score.version,
            "history": [{"quarter": s.quarter, "overall": s.overall, "rank": s.rank,
                         "pillars": {k: v.get("score") for k, v in s.pillars.items()}} for s in b.history],
            "region_mean": region, "peers": [s.country_id for s in b.peers], "inputs": inputs}


@router.get("methodology", response=ResilienceMethodologyOut, url_name="resilience_methodology",
            summary="The index's tree (pillars, dimensions, indicators, weights, directions, sources) and method")
def methodology(request, version: str = Query("", max_length=40, description="Only this version (the one in force)")):
    tree = trees.default()
    if version and version != tree.version:
        raise HttpError(404, f"Version {version!r} is not the one in force ({tree.version}).")
    from isoc.resilience import index

    return {"version": tree.version, "title": tree.title, "method": index.__doc__,
            "pillars": [{"code": p.code, "name": p.name, "dimensions": [
                {"code": d.code, "name": d.name, "weight": d.weight, "indicators": [i.__dict__ for i in d.indicators]}
                for d in p.dimensions]} for p in tree.pillars]}


def _result(r) -> dict:
    return {"overall": r.overall, "coverage": r.coverage, "partial": r.partial,
            "pillars": {k: v.__dict__ for k, v in r.pillars.items()},
            "dimensions": {k: v.__dict__ for k, v in r.dimensions.items()}}


@router.get("what-if", response=WhatIfOut, url_name="resilience_what_if",
            summary="Recompute a quarter with one indicator of one country changed (nothing is stored)")
def what_if(request, country: str = Query(..., pattern=r"^[A-Za-z]{2}$"), indicator: str = Query(..., max_length=40, pattern=SLUG),
            value: float = Query(..., ge=0, description="In the indicator's unit, before per-capita division"),
            quarter: str = Query("", pattern=r"^(\d{4}-Q[1-4])?$")):
    import math

    if not math.isfinite(value):
        raise HttpError(422, "value must be a finite number")
    c = Country.objects.filter(code=country.upper()).first()
    if c is None:
        raise HttpError(422, f"Unknown country code: {country!r}")
    q = _quarter(quarter)
    try:
        r = queries.what_if(c, indicator, value, q)
    except queries.WhatIfError as exc:
        raise HttpError(422, str(exc)) from None
    return {"quarter": q, "country": c.code, "indicator": indicator, "old_value": r.old_value, "new_value": value,
            "before": _result(r.before), "after": _result(r.after)}


@router.get("download", url_name="resilience_download",
            summary="Every score with every input value (and its dataset) as CSV or Parquet")
def download(request, format: Literal["csv", "parquet"] = "csv",
             quarter: str = Query("", pattern=r"^(\d{4}-Q[1-4])?$", description="YYYY-Qn; default every quarter")):
    from django.http import HttpResponse

    if quarter and quarter not in queries.quarters():
        raise HttpError(404, f"No scores for {quarter}.")
    columns, rows = queries.download_rows(quarter or None)
    table = opendata.Table(columns, rows)
    name = f"iri-{queries.version()}-{quarter or 'all'}"
    if format == "parquet":
        response = HttpResponse(opendata.to_parquet(table, {"version": queries.version(), "quarter": quarter or "all"}),
                                content_type=opendata.FORMATS["parquet"])
    else:
        response = HttpResponse("".join(opendata.to_csv(table)), content_type=opendata.FORMATS["csv"])
    response["Content-Disposition"] = f'attachment; filename="{name}.{format}"'
    return response


__all__ = ["router"]
