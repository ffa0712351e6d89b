"""JSON API of the cyber incident trends, mounted under /api/v1/pulse/incidents/: the
incident years, one year's report figures (each with its source and licence), and one
incident. The figures are the report's own (``services.year_figures``)."""

from django.http import Http404
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema
from ninja import Path as PathParam

from isoc.incidents import services, trends
from isoc.incidents.models import Incident
from isoc.pulse.models import Dataset

router = Router(tags=["incidents"])


class IncidentSourceOut(Schema):
    dataset: str
    name: str
    publisher: str
    licence: str
    url: str
    is_demo: bool


class YearCount(Schema):
    year: int
    incidents: int


class YearsOut(Schema):
    years: list[YearCount]
    source: IncidentSourceOut | None


class MedianOut(Schema):
    days: float | None = Field(description="Median of the known times to discovery, in days")
    used: int = Field(description="Incidents with a known time to discovery")
    excluded: int = Field(description="Incidents left out: unit Never, NA or Unknown, or no value")


class PreventableOut(Schema):
    part: int
    whole: int
    percent: float | None
    by_control: dict[str, int]
    definition: str


class TrendsOut(Schema):
    year: int
    incidents: int
    breaches: int
    by_action: dict[str, int]
    by_sector: dict[str, int]
    by_year: dict[int, int]
    median_days_to_discovery: MedianOut
    preventable: PreventableOut
    source: IncidentSourceOut | None


class IncidentOut(Schema):
    id: int
    incident_id: str
    year: int
    month: int | None
    day: int | None
    actions: dict
    actors: dict
    assets: list
    data_disclosure: str
    data_varieties: list
    records_affected: int | None
    sector: str
    industry: str
    countries: list
    employee_count: str
    discovery_unit: str
    discovery_value: float | None
    discovery_days: float | None
    preventable: bool
    source_id: str
    reference: str
    summary: str
    is_demo: bool
    source: IncidentSourceOut | None


def source_of(dataset: Dataset | None) -> dict | None:
    if dataset is None:
        return None
    src = dataset.source
    return {"dataset": dataset.slug, "name": src.name, "publisher": src.publisher, "licence": src.licence,
            "url": src.url, "is_demo": dataset.is_demo}


def _shown_dataset() -> Dataset | None:
    slug = services.DEMO_DATASET_SLUG if services.shows_demo() else services.DATASET_SLUG
    return Dataset.objects.select_related("source").filter(slug=slug).first()


PREVENTABLE_DEFINITION = ("Our definition: an incident is preventable when at least one of its VERIS actions is "
                          "addressed by a basic control: " + "; ".join(
                              f"{r.control} (action.{r.category}.{r.field}: {', '.join(r.values)})"
                              for r in trends.PREVENTABLE_RULES) + ".")


@router.get("/", response=YearsOut, url_name="incident_years")
def years(request, since: int | None = Query(None, ge=1950, le=2050, description="Only incident years from this one on")):
    """Incidents per incident year, and the source they come from (the VCDB, or demo data
    while nothing is imported)."""
    counts = trends.counts_by_year(services.all_incidents())
    shown = [{"year": y, "incidents": n} for y, n in counts.items() if since is None or y >= since]
    return {"years": shown, "source": source_of(_shown_dataset())}


@router.get("/trends/{year}", response=TrendsOut, url_name="incident_trends")
def year_trends(request, year: int = PathParam(..., ge=1950, le=2050)):
    """The annual report's figures for one incident year: counts by action type, victim
    sector and year (up to this one), the median time to discovery, the preventable share
    (our definition, stated in ``preventable.definition``), each with its source. 404 for
    a year without incidents."""
    try:
        f = services.year_figures(year)
    except services.IncidentError as exc:
        raise Http404(exc.message) from None
    return {
        "year": f.year, "incidents": f.incidents, "breaches": f.breaches, "by_action": f.by_action,
        "by_sector": f.by_sector, "by_year": f.by_year,
        "median_days_to_discovery": {"days": f.median.days, "used": f.median.used, "excluded": f.median.excluded},
        "preventable": {"part": f.preventable.part, "whole": f.preventable.whole, "percent": f.preventable.percent,
                        "by_control": f.preventable_by_rule, "definition": PREVENTABLE_DEFINITION},
        "source": source_of(_shown_dataset()),
    }


@router.get("/{pk}", response=IncidentOut, url_name="incident")
def incident(request, pk: int = PathParam(..., ge=1)):
    """One incident in VERIS terms, with its source."""
    item = get_object_or_404(Incident.objects.select_related("dataset__source"), pk=pk)
    out = {name: getattr(item, name) for name in IncidentOut.model_fields if name != "source"}
    out["source"] = source_of(item.dataset)
    return out
