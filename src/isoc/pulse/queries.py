"""Queries shared by the Pulse pages and the API, so both answer the same thing."""

from __future__ import annotations

from django.db.models import Count, Prefetch, Q, QuerySet

from isoc.pulse.models import Country, Dataset, ImportRun, IndicatorValue

# The series a country page shows, in order: (indicator code, what it is).
COUNTRY_SERIES = [("SP.POP.TOTL", "population"), ("NY.GDP.MKTP.CD", "gdp")]


def countries(region: str | None = None) -> QuerySet[Country]:
    qs = Country.objects.select_related("isoc_region", "m49_region", "m49_subregion").order_by("name")
    if region:
        qs = qs.filter(Q(isoc_region__slug=region) | Q(m49_region__slug=region) | Q(m49_subregion__slug=region))
    return qs


def datasets(kind: str | None = None, source: str | None = None) -> QuerySet[Dataset]:
    qs = Dataset.objects.select_related("source").order_by("source__name", "title")
    if kind:
        qs = qs.filter(kind=kind)
    if source:
        qs = qs.filter(source__slug=source)
    return qs


def dataset_with_runs(slug: str) -> Dataset:
    """The dataset with its last 20 import runs (raises Dataset.DoesNotExist)."""
    return (Dataset.objects.select_related("source")
            .prefetch_related(Prefetch("runs", queryset=ImportRun.objects.order_by("-started_at", "-id")[:20],
                                       to_attr="recent_runs"))
            .annotate(value_count=Count("values")).get(slug=slug))


def indicator_values(indicator: str | None = None, country: str | None = None, year_from: int | None = None,
                     year_to: int | None = None, dataset: str | None = None) -> QuerySet[IndicatorValue]:
    qs = IndicatorValue.objects.select_related("dataset").order_by("indicator", "country_id", "year", "dataset_id")
    if indicator:
        qs = qs.filter(indicator=indicator)
    if country:
        qs = qs.filter(country_id=country.upper())
    if year_from is not None:
        qs = qs.filter(year__gte=year_from)
    if year_to is not None:
        qs = qs.filter(year__lte=year_to)
    if dataset:
        qs = qs.filter(dataset__slug=dataset)
    return qs


def series(indicator: str, country: str, last: int | None = None) -> dict | None:
    """One country's values of one indicator from the most recently imported dataset
    that has them, with that dataset named: ``{"indicator", "dataset", "values": [(year, value)]}``."""
    values = IndicatorValue.objects.filter(indicator=indicator, country_id=country.upper())
    dataset = (Dataset.objects.select_related("source").filter(values__in=values).distinct()
               .order_by("-retrieved_at", "-id").first())
    if dataset is None:
        return None
    rows = list(values.filter(dataset=dataset).order_by("-year").values_list("year", "value")[: last or None])
    rows.reverse()
    return {"indicator": indicator, "dataset": dataset, "values": rows}


def country_series(country: str, last: int = 10) -> list[dict]:
    out = []
    for code, key in COUNTRY_SERIES:
        s = series(code, country, last)
        if s is not None:
            out.append({**s, "key": key})
    return out
