"""Chart data of the shutdowns pages as JSON, mounted under /api/v1/pulse/shutdowns/
beside the tracker's router: an event's signals with its alert windows, and the counts
per country that the world map shows. The queries are the pages' own (``views``)."""

from __future__ import annotations

from datetime import date, datetime

from django.http import Http404
from django.utils import timezone
from ninja import Field, Query, Router, Schema

from isoc.shutdowns import timechart, views
from isoc.shutdowns.models import ReviewState, ShutdownEvent, ShutdownType

router = Router(tags=["shutdowns"])
MAX_POINTS = 2000


class WindowOut(Schema):
    starts_at: datetime
    ends_at: datetime
    origin: str = Field(description='"detector" (an alert of the outage detector) or "event" (the event\'s own span)')


class ShutdownSeriesOut(Schema):
    id: int
    kind: str
    label: str
    country: str
    asn: int | None
    dataset: str
    source: str
    resolution_seconds: int
    points: list[tuple[datetime, float | None]] = Field(description="(time UTC, value); null where data is missing")


class EventSignalsOut(Schema):
    event: int
    starts_at: datetime
    ends_at: datetime = Field(description="The span the series cover")
    windows: list[WindowOut]
    signals: list[ShutdownSeriesOut]


class MapFilters(Schema):
    from_: date | None = Field(None, alias="from", description="First day (UTC), inclusive")
    to: date | None = Field(None, description="Last day (UTC), inclusive")
    year: int | None = Field(None, ge=1900, le=2200, description="A calendar year; ignored when from or to is given")
    country: str = Field("", max_length=2)
    type: ShutdownType | None = None
    reason: str = ""


class MapCountryOut(Schema):
    code: str
    name: str
    count: int


class MapOut(Schema):
    starts_at: datetime | None
    ends_at: datetime | None = Field(description="Exclusive")
    total: int
    countries: list[MapCountryOut]


@router.get("events/{event_id}/signals", response=EventSignalsOut, url_name="shutdown_event_signals",
            summary="An event's signals and alert windows")
def shutdown_event_signals(request, event_id: int):
    """The event's signals over the span its chart shows (points downsampled to at most
    2000 per series), with the alert window(s) to shade. Published events only, unless staff."""
    event = ShutdownEvent.objects.select_related("country").filter(pk=event_id).first()
    if event is None or (event.review_state != ReviewState.PUBLISHED and not request.user.is_staff):
        raise Http404
    windows = views.alert_windows(event)
    start, end = timechart.span_around(event.starts_at, event.ends_at, timezone.now())
    series = []
    for signal in views.event_signals(event):
        raw = views.read_points(signal, start, end)
        pts = timechart.downsample([t for t, _ in raw], [v for _, v in raw], MAX_POINTS)
        series.append({
            "id": signal.pk, "kind": signal.kind, "label": str(signal), "country": signal.country_id,
            "asn": signal.asn, "dataset": signal.dataset.slug, "source": signal.dataset.source.name,
            "resolution_seconds": signal.resolution_seconds,
            "points": [(timechart.from_epoch(t), v) for t, v in pts],
        })
    return {"event": event.pk, "starts_at": start, "ends_at": end,
            "windows": [{"starts_at": a, "ends_at": b, "origin": o} for a, b, o in windows], "signals": series}


@router.get("map", response=MapOut, url_name="shutdown_map_counts", summary="Published events per country")
def shutdown_map_counts(request, filters: Query[MapFilters]):
    """Published events going on at some time in the period, counted per country: the
    numbers of the overview's world map."""
    period = views.Period.of(filters.year, filters.from_, filters.to)
    qs = views.filtered(views.published(), country=filters.country, shutdown_type=filters.type or "",
                        reason=filters.reason)
    rows = views.counts_by_country(period.overlapping(qs))
    from django.utils.translation import get_language

    from isoc.site.l10n import country_name

    lang = get_language()
    return {"starts_at": period.start, "ends_at": period.end, "total": sum(n for _c, n in rows),
            "countries": [{"code": c, "name": country_name(c, lang), "count": n} for c, n in rows]}
