"""JSON API of the pulse app, mounted under /api/v1/pulse/: countries with their regions,
datasets with provenance and import runs, downloads (CSV, JSON, Parquet), indicator values."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from ninja import Field, Path, Query, Router, Schema
from ninja.pagination import paginate

from isoc.pulse import opendata, queries
from isoc.pulse.models import Country, Dataset
from isoc.site.apiparams import COUNTRY_CODE, SLUG
from isoc.site.pagination import Page

router = Router(tags=["pulse"])

INDICATOR = r"^[-A-Za-z0-9._]*$"


class RegionOut(Schema):
    slug: str
    name: str
    kind: str


class CountryOut(Schema):
    code: str
    alpha3: str
    numeric: str
    name: str
    isoc_region: RegionOut | None
    m49_region: RegionOut | None
    m49_subregion: RegionOut | None
    url: str

    @staticmethod
    def resolve_url(obj: Country) -> str:
        return obj.get_absolute_url()


class DatasetRef(Schema):
    slug: str
    title: str
    source: str
    licence: str
    url: str


class SeriesOut(Schema):
    indicator: str
    key: str
    dataset: DatasetRef
    values: list[tuple[int, float]]


class CountryDetailOut(CountryOut):
    series: list[SeriesOut]


class SourceOut(Schema):
    slug: str
    name: str
    publisher: str
    url: str
    licence: str
    description: str


class DatasetOut(Schema):
    slug: str
    title: str
    kind: str
    description: str
    source: SourceOut
    origin: str
    retrieved_at: datetime
    sha256: str
    importer: str
    importer_version: str
    is_demo: bool
    url: str
    downloads: dict[str, str]

    @staticmethod
    def resolve_url(obj: Dataset) -> str:
        return obj.get_absolute_url()

    @staticmethod
    def resolve_downloads(obj: Dataset) -> dict[str, str]:
        return download_links(obj)


class RunOut(Schema):
    importer: str
    importer_version: str
    origin: str
    sha256: str
    started_at: datetime
    finished_at: datetime | None
    outcome: str
    rows_read: int
    rows_stored: int
    rows_skipped: int
    report: dict


class DatasetDetailOut(DatasetOut):
    runs: list[RunOut]
    rows: int

    @staticmethod
    def resolve_runs(obj: Dataset) -> list:
        return obj.recent_runs

    @staticmethod
    def resolve_rows(obj: Dataset) -> int:
        return obj.value_count


class IndicatorValueOut(Schema):
    indicator: str
    country: str = Field(..., alias="country_id")
    year: int
    value: float
    dataset: str

    @staticmethod
    def resolve_dataset(obj) -> str:
        return obj.dataset.slug


def download_links(dataset: Dataset) -> dict[str, str]:
    return {fmt: reverse("api-1:pulse_dataset_download", kwargs={"slug": dataset.slug, "fmt": fmt})
            for fmt in opendata.FORMATS}


def dataset_ref(dataset: Dataset) -> dict:
    return {"slug": dataset.slug, "title": dataset.title, "source": dataset.source.name,
            "licence": dataset.source.licence, "url": dataset.get_absolute_url()}


def country_detail(country: Country) -> Country:
    """A country as the API and its page's JSON give it (with its population and GDP series)."""
    series = [{"indicator": s["indicator"], "key": s["key"], "dataset": dataset_ref(s["dataset"]), "values": s["values"]}
              for s in queries.country_series(country.code)]
    country.series = series
    return country


@router.get("/countries", response=list[CountryOut], url_name="pulse_countries")
@paginate(Page)
def countries(request: HttpRequest, region: str = Query("", max_length=80, pattern=SLUG)):
    """Every ISO 3166-1 country with its Internet Society and UN M49 regions; filter by a region's slug
    (e.g. ``isoc-africa``, ``m49-002``)."""
    return queries.countries(region or None)


@router.get("/countries/{code}", response=CountryDetailOut, url_name="pulse_country")
def country(request: HttpRequest, code: str = Path(..., max_length=2, pattern=COUNTRY_CODE)):
    """One country, with its population and GDP series and the dataset each comes from."""
    return country_detail(get_object_or_404(queries.countries(), code=code.upper()[:2]))


@router.get("/datasets", response=list[DatasetOut], url_name="pulse_datasets")
@paginate(Page)
def datasets(request: HttpRequest, kind: str = Query("", max_length=20, pattern=SLUG),
             source: str = Query("", max_length=80, pattern=SLUG)):
    """Every dataset with its source and provenance; filters ``kind`` and ``source`` (a source's slug)."""
    return queries.datasets(kind or None, source or None)


@router.get("/datasets/{slug}", response=DatasetDetailOut, url_name="pulse_dataset")
def dataset(request: HttpRequest, slug: str = Path(..., max_length=120, pattern=SLUG)):
    """One dataset: provenance, its last 20 import runs (with skipped rows and why), download links."""
    try:
        return queries.dataset_with_runs(slug)
    except Dataset.DoesNotExist:
        from django.http import Http404

        raise Http404 from None


@router.get("/datasets/{slug}/download/{fmt}", url_name="pulse_dataset_download",
            openapi_extra={"responses": {200: {"description": "The dataset's rows as CSV, JSON or Parquet."}}})
def download(request: HttpRequest, fmt: Literal["csv", "json", "parquet"],
             slug: str = Path(..., max_length=120, pattern=SLUG)):
    """The dataset's rows as CSV, JSON (with provenance) or Parquet (provenance in the schema metadata)."""
    return download_response(get_object_or_404(Dataset.objects.select_related("source"), slug=slug), fmt)


def provenance(dataset: Dataset) -> dict:
    return {"slug": dataset.slug, "title": dataset.title, "source": dataset.source.name,
            "publisher": dataset.source.publisher, "licence": dataset.source.licence, "origin": dataset.origin,
            "retrieved_at": dataset.retrieved_at.isoformat(), "sha256": dataset.sha256,
            "importer": dataset.importer, "importer_version": dataset.importer_version, "is_demo": dataset.is_demo}


def download_response(dataset: Dataset, fmt: str) -> HttpResponse:
    table = opendata.table_for(dataset)
    name = f"{dataset.slug}.{fmt}"
    if fmt == "csv":
        response: HttpResponse = StreamingHttpResponse(opendata.to_csv(table), content_type=opendata.FORMATS[fmt])
    elif fmt == "json":
        response = HttpResponse(opendata.to_json(table, provenance(dataset)), content_type=opendata.FORMATS[fmt])
    else:
        response = HttpResponse(opendata.to_parquet(table, provenance(dataset)), content_type=opendata.FORMATS[fmt])
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@router.get("/indicators", response=list[IndicatorValueOut], url_name="pulse_indicators")
@paginate(Page)
def indicators(request: HttpRequest,
               indicator: str = Query("", max_length=40, pattern=INDICATOR),
               country: str = Query("", pattern=COUNTRY_CODE),
               year_from: int | None = Query(None, alias="from", ge=1000, le=3000),
               year_to: int | None = Query(None, alias="to", ge=1000, le=3000),
               dataset: str = Query("", max_length=120, pattern=SLUG)):
    """Yearly indicator values (population, GDP, Internet use…), each naming its dataset; filters
    ``indicator`` (e.g. SP.POP.TOTL), ``country`` (alpha-2), ``from`` and ``to`` (years), ``dataset``."""
    return queries.indicator_values(indicator or None, country or None, year_from, year_to, dataset or None)
