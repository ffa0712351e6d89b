"""JSON API of the shutdown tracker, mounted under /api/v1/pulse/shutdowns/: the events
(published only, for everyone; staff also see drafts with ``?state=``), one event with
its sources, evidence and cost estimate, CSV downloads, and counts by year, type and
country. The queries are the pages' own (``views.published``, ``views.filtered``,
``views.Period``)."""


import csv
import io
from datetime import date, datetime

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError
from ninja.pagination import paginate

from isoc.pulse.models import Country
from isoc.shutdowns import cost, views
from isoc.shutdowns.models import Reason, ReviewState, Scope, ShutdownEvent, ShutdownType
from isoc.site.pagination import LazyRows, Page

router = Router(tags=["shutdowns"])


class EventFilters(Schema):
    country: str = Field("", max_length=2, pattern=r"^[A-Za-z]{0,2}$", description="ISO 3166-1 alpha-2")
    year: int | None = Field(None, ge=1990, le=2200, description="Events going on in this calendar year")
    from_: date | None = Field(None, alias="from", description="First day (UTC), inclusive; wins over year")
    to: date | None = Field(None, description="Last day (UTC), inclusive")
    type: ShutdownType | None = None
    reason: Reason | None = None
    scope: Scope | None = None


class ShutdownEventOut(Schema):
    id: int
    country: str
    country_name: str
    area: str
    scope: str
    type: str
    services: str
    starts_at: datetime
    ends_at: datetime | None
    ongoing: bool
    duration_hours: float
    reason: str
    reason_detail: str
    description: str
    review_state: str
    url: str


class ShutdownSourceOut(Schema):
    dataset: str
    dataset_title: str
    source: str
    external_id: str
    url: str
    record: dict


class EvidenceOut(Schema):
    kind: str
    label: str
    url: str


class CostInputOut(Schema):
    name: str
    value: float
    source: str
    year: int | None


class CostOut(Schema):
    amount: str | None = Field(description="Estimated GDP lost, whole US$; null without GDP data")
    currency: str
    days: float
    formula: str
    note: str
    model: str
    inputs: list[CostInputOut]


class ShutdownEventDetailOut(ShutdownEventOut):
    meets_deliberate: bool
    meets_removes_access: bool
    meets_affects_group: bool
    sources: list[ShutdownSourceOut]
    evidence: list[EvidenceOut]
    cost: CostOut


class ShutdownYearCount(Schema):
    year: int
    total: int
    by_type: dict[str, int]


class CountryCount(Schema):
    code: str
    name: str
    count: int


class SummaryOut(Schema):
    total: int
    by_year: list[ShutdownYearCount]
    by_type: dict[str, int]
    by_country: list[CountryCount]


def _events(request, f: EventFilters):
    qs = views.published()
    qs = views.filtered(qs, country=f.country, shutdown_type=f.type.value if f.type else "",
                        reason=f.reason.value if f.reason else "")
    if f.scope:
        qs = qs.filter(scope=f.scope.value)
    if f.country and not Country.objects.filter(code=f.country.upper()).exists():
        raise HttpError(422, f"Unknown country code: {f.country!r}")
    if f.from_ and f.to and f.from_ > f.to:
        raise HttpError(422, "'from' is after 'to'.")
    return views.Period.of(f.year, f.from_, f.to).overlapping(qs).order_by("-starts_at", "-id")


def _out(ev: ShutdownEvent) -> dict:
    now = timezone.now()
    return {
        "id": ev.pk, "country": ev.country_id, "country_name": ev.country.name, "area": ev.area, "scope": ev.scope,
        "type": ev.shutdown_type, "services": ev.services, "starts_at": ev.starts_at, "ends_at": ev.ends_at,
        "ongoing": ev.ends_at is None or ev.ends_at > now,
        "duration_hours": round(((ev.ends_at or now) - ev.starts_at).total_seconds() / 3600, 2),
        "reason": ev.reason, "reason_detail": ev.reason_detail, "description": ev.description,
        "review_state": ev.review_state, "url": ev.get_absolute_url(),
    }


def _published_event(event_id: int) -> ShutdownEvent:
    return get_object_or_404(views.published(), pk=event_id)


CSV_COLUMNS = ["id", "country", "country_name", "area", "scope", "type", "services", "starts_at", "ends_at",
               "ongoing", "duration_hours", "reason", "reason_detail", "description", "sources", "url"]


def _csv(rows, filename: str) -> HttpResponse:
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(CSV_COLUMNS)
    for ev in rows:
        o = _out(ev)
        o["sources"] = "; ".join(f"{s.dataset.slug}:{s.external_id}" for s in ev.sources.all())
        w.writerow(["" if o[c] is None else (o[c].isoformat() if isinstance(o[c], datetime) else o[c]) for c in CSV_COLUMNS])
    response = HttpResponse(buf.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@router.get("events", response=list[ShutdownEventOut], summary="Published shutdown events, filtered and paginated")
@paginate(Page)
def events(request, filters: Query[EventFilters]):
    return LazyRows(_events(request, filters).select_related("country"), lambda page: [_out(ev) for ev in page])


@router.get("events.csv", summary="Published shutdown events as CSV (same filters, all pages)")
def events_csv(request, filters: Query[EventFilters]):
    qs = _events(request, filters).select_related("country").prefetch_related("sources__dataset")
    return _csv(qs[:50_000], "shutdowns.csv")


@router.get("events/{event_id}.csv", summary="One published event as CSV")
def event_csv(request, event_id: int):
    ev = _published_event(event_id)
    return _csv([ev], f"shutdown-{ev.pk}.csv")


@router.get("events/{event_id}", response=ShutdownEventDetailOut, summary="One published event with sources, evidence and cost")
def event(request, event_id: int):
    ev = _published_event(event_id)
    est = cost.estimate_for_event(ev, keep_empty=True)
    assert est is not None
    return {
        **_out(ev), "meets_deliberate": ev.meets_deliberate, "meets_removes_access": ev.meets_removes_access,
        "meets_affects_group": ev.meets_affects_group,
        "sources": [{"dataset": s.dataset.slug, "dataset_title": s.dataset.title, "source": s.dataset.source.name,
                     "external_id": s.external_id, "url": s.url, "record": s.record}
                    for s in ev.sources.select_related("dataset__source").order_by("id")],
        "evidence": [{"kind": e.kind, "label": e.label, "url": e.url} for e in ev.evidence.order_by("id")],
        "cost": est.as_dict(),
    }


@router.get("summary", response=SummaryOut, summary="Counts of published events by year and type, and by country")
def summary(request, year: int | None = Query(None, ge=1990, le=2200)):
    qs = views.published()
    if year:
        qs = views.Period.of(year).overlapping(qs)
    names = dict(Country.objects.values_list("code", "name"))
    by_year = views.counts_by_year_and_type(qs)
    return {
        "total": qs.count(),
        "by_year": [{"year": y, "total": sum(t.values()), "by_type": t} for y, t in by_year.items()],
        "by_type": dict(views.counts_by_type(qs)),
        "by_country": [{"code": c, "name": names.get(c, c), "count": n} for c, n in views.counts_by_country(qs)],
    }


__all__ = ["router", "ReviewState"]
