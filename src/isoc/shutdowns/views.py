"""Shutdowns pages: the overview (world map, counts by year and type, the filtered
list), an event's page (its facts, sources, cost estimate and signals chart), the CSV
downloads of an event, and a country's shutdowns.

The queries here are shared with the chart API (``api_charts``), so a page and its
JSON say the same thing. Only published events are public; staff may open a draft's page.
"""

from __future__ import annotations

import csv
import logging
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

from django import forms
from django.core.paginator import Paginator
from django.db.models import Count, Q, QuerySet
from django.db.models.functions import ExtractYear
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from isoc.pulse.models import Country
from isoc.shutdowns import timechart, worldmap_points
from isoc.shutdowns.models import (
    DetectedOutage,
    Evidence,
    Reason,
    ReviewState,
    ShutdownEvent,
    ShutdownType,
    Signal,
)
from isoc.site.l10n import country_name

log = logging.getLogger(__name__)
PAGE_SIZE = 50
TABLE_ROWS = 96  # rows of a signal's data table (downsampled)
CHART_POINTS = 360

# --- queries shared with the API -----------------------------------------------------


def published() -> QuerySet[ShutdownEvent]:
    return ShutdownEvent.objects.filter(review_state=ReviewState.PUBLISHED).select_related("country")


@dataclass(frozen=True)
class Period:
    """A half-open span of time [start, end); either end may be open."""

    start: datetime | None = None
    end: datetime | None = None

    @classmethod
    def of(cls, year: int | None = None, first_day=None, last_day=None) -> Period:
        """From a year, or from a first and last calendar day (UTC, inclusive); from/to win over year."""
        if first_day or last_day:
            return cls(
                datetime.combine(first_day, time.min, UTC) if first_day else None,
                datetime.combine(last_day + timedelta(days=1), time.min, UTC) if last_day else None,
            )
        if year:
            return cls(datetime(year, 1, 1, tzinfo=UTC), datetime(year + 1, 1, 1, tzinfo=UTC))
        return cls()

    def overlapping(self, qs: QuerySet[ShutdownEvent]) -> QuerySet[ShutdownEvent]:
        """Events that were going on at some time in the period (an ongoing one has no end)."""
        if self.end:
            qs = qs.filter(starts_at__lt=self.end)
        if self.start:
            qs = qs.filter(Q(ends_at__isnull=True) | Q(ends_at__gte=self.start))
        return qs

    @property
    def is_open(self) -> bool:
        return self.start is None and self.end is None


def filtered(qs: QuerySet[ShutdownEvent], *, country: str = "", shutdown_type: str = "", reason: str = "") -> QuerySet[ShutdownEvent]:
    if country:
        qs = qs.filter(country_id=country.upper())
    if shutdown_type:
        qs = qs.filter(shutdown_type=shutdown_type)
    if reason:
        qs = qs.filter(reason=reason)
    return qs


def counts_by_country(qs: QuerySet[ShutdownEvent]) -> list[tuple[str, int]]:
    """(country code, events) for every country with events in ``qs``, most first."""
    rows = qs.order_by().values("country_id").annotate(n=Count("id")).values_list("country_id", "n")
    return sorted(rows, key=lambda r: (-r[1], r[0]))


def counts_by_year(qs: QuerySet[ShutdownEvent]) -> list[tuple[int, int]]:
    rows = (qs.order_by().annotate(year=ExtractYear("starts_at", tzinfo=UTC))
            .values("year").annotate(n=Count("id")).values_list("year", "n"))
    return sorted(rows)


def counts_by_year_and_type(qs: QuerySet[ShutdownEvent]) -> dict[int, dict[str, int]]:
    rows = (qs.order_by().annotate(year=ExtractYear("starts_at", tzinfo=UTC))
            .values("year", "shutdown_type").annotate(n=Count("id")).values_list("year", "shutdown_type", "n"))
    out: dict[int, dict[str, int]] = {}
    for year, kind, n in rows:
        out.setdefault(year, {})[kind] = n
    return dict(sorted(out.items()))


def counts_by_type(qs: QuerySet[ShutdownEvent]) -> list[tuple[str, int]]:
    rows = dict(qs.order_by().values("shutdown_type").annotate(n=Count("id")).values_list("shutdown_type", "n"))
    return [(value, rows.get(value, 0)) for value in ShutdownType.values]


# --- the world map -------------------------------------------------------------------

# Sequential colours (ColorBrewer OrRd), darkest for most; each bin also has its own
# outline so that bins differ by more than colour, and the count is written on the map.
MAP_BINS: list[tuple[int, str, str]] = [  # (at least, fill, label text colour)
    (1, "#fdcc8a", "#1b1b1b"),
    (2, "#fc8d59", "#1b1b1b"),
    (5, "#d7301f", "#fff"),
    (10, "#7f0000", "#fff"),
]


# The map stops above Antarctica (it starts at y=608 of 699): no population to cut off,
# and the map gains an eighth of its height for the rest.
MAP_HEIGHT = 600


def map_bin(count: int) -> tuple[int, str, str]:
    return next(b for b in reversed(MAP_BINS) if count >= b[0])


@dataclass
class MapCountry:
    code: str
    name: str
    count: int
    fill: str
    text: str
    x: int | None
    y: int | None
    url: str


def world_map(counts: list[tuple[str, int]], lang: str | None, link) -> list[MapCountry]:
    """The countries to draw over the base map, with their colour and label point."""
    out = []
    for code, n in counts:
        _at_least, fill, text = map_bin(n)
        x, y = worldmap_points.POINTS.get(code.lower(), (None, None))
        out.append(MapCountry(code, country_name(code, lang), n, fill, text, x, y, link(code)))
    return out


def map_legend() -> list[dict]:
    legend = []
    for i, (low, fill, text) in enumerate(MAP_BINS):
        high = MAP_BINS[i + 1][0] - 1 if i + 1 < len(MAP_BINS) else None
        legend.append({"low": low, "high": high, "fill": fill, "text": text})
    return legend


# --- the filter form -----------------------------------------------------------------


DAY_ATTRS = {"inputmode": "numeric", "pattern": r"\d{4}-\d{2}-\d{2}", "placeholder": "YYYY-MM-DD",
             "autocomplete": "off", "size": "10"}


class EventFilterForm(forms.Form):
    """The overview's filters, as a GET form. ``from`` and ``to`` win over ``year``."""

    # Most used first; exact days last. Days are typed as YYYY-MM-DD in a text field
    # rather than a native date picker, whose calendar button takes keyboard focus
    # without showing it in Chromium (the GOV.UK design system avoids them for the same
    # kind of reason).
    country = forms.ChoiceField(label=gettext_lazy("Country"), required=False)
    year = forms.TypedChoiceField(label=gettext_lazy("Year"), required=False, coerce=int, empty_value=None)
    type = forms.ChoiceField(label=gettext_lazy("Type"), required=False)
    reason = forms.ChoiceField(label=gettext_lazy("Reason"), required=False)
    start = forms.DateField(label=gettext_lazy("From"), required=False, widget=forms.DateInput(attrs=DAY_ATTRS))
    end = forms.DateField(label=gettext_lazy("To"), required=False, widget=forms.DateInput(attrs=DAY_ATTRS))

    def __init__(self, data, *, years: list[int], countries: list[str], lang: str | None):
        super().__init__(data)
        self.fields["year"].choices = [("", _("All years"))] + [(y, str(y)) for y in sorted(years, reverse=True)]
        names = sorted(((c, country_name(c, lang)) for c in countries), key=lambda p: p[1])
        self.fields["country"].choices = [("", _("All countries"))] + names
        self.fields["type"].choices = [("", _("All types"))] + list(ShutdownType.choices)
        self.fields["reason"].choices = [("", _("All reasons"))] + list(Reason.choices)

    def add_prefix(self, field_name: str) -> str:
        # Submitted as ?from=…&to=… (the names the API uses).
        return {"start": "from", "end": "to"}.get(field_name, field_name)

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            self.add_error("end", _("The end of the period is before its start."))
        return data

    def values(self) -> dict:
        """The valid filters (an invalid one is dropped, and its error shown)."""
        data = self.cleaned_data if self.is_bound else {}
        ok = {name: value for name, value in data.items() if name not in self.errors}
        return {
            "period": Period.of(ok.get("year"), ok.get("start"), ok.get("end")),
            "country": ok.get("country") or "",
            "shutdown_type": ok.get("type") or "",
            "reason": ok.get("reason") or "",
        }


def _query_string(request, drop: tuple[str, ...] = ("page",)) -> str:
    q = request.GET.copy()
    for key in drop:
        q.pop(key, None)
    return q.urlencode()


# --- pages ---------------------------------------------------------------------------


def overview(request):
    lang = get_language()
    everything = published()
    years = [y for y, _n in counts_by_year(everything)]
    countries = list(everything.order_by().values_list("country_id", flat=True).distinct())
    form = EventFilterForm(request.GET or None, years=years, countries=countries, lang=lang)
    if form.is_bound:
        form.is_valid()
    f = form.values()
    by_attrs = filtered(everything, country=f["country"], shutdown_type=f["shutdown_type"], reason=f["reason"])
    in_period = f["period"].overlapping(by_attrs)
    page = Paginator(in_period.order_by("-starts_at", "-id"), PAGE_SIZE).get_page(request.GET.get("page"))
    query = _query_string(request)
    map_query = _query_string(request, drop=("page", "country"))

    def link(code: str) -> str:
        return f"?{map_query}{'&' if map_query else ''}country={code}"

    by_year = counts_by_year(by_attrs)
    by_year_type = counts_by_year_and_type(by_attrs)
    by_type = counts_by_type(by_attrs)
    return render(request, "shutdowns/overview.html", {
        "form": form,
        "filters": f,
        "page": page,
        "events": page.object_list,
        "total": page.paginator.count,
        "query": query,
        "map": world_map(counts_by_country(in_period), lang, link),
        "map_size": (worldmap_points.WIDTH, MAP_HEIGHT),
        "legend": map_legend(),
        "year_chart": timechart.bar_chart([(str(y), n) for y, n in by_year], width=640, height=200),
        "year_rows": [(y, n, [by_year_type.get(y, {}).get(t, 0) for t in ShutdownType.values]) for y, n in by_year],
        "type_rows": [(ShutdownType(t).label, n) for t, n in by_type],
        "type_max": max((n for _t, n in by_type), default=0) or 1,
        "types": ShutdownType.choices,
        "map_api": reverse("api-1:shutdown_map_counts"),
    })


def _visible_event(request, pk: int) -> ShutdownEvent:
    event = get_object_or_404(ShutdownEvent.objects.select_related("country"), pk=pk)
    if event.review_state != ReviewState.PUBLISHED and not request.user.is_staff:
        raise Http404
    return event


def dataset_url(dataset) -> str:
    try:
        return reverse("pulse:dataset", args=[dataset.slug])
    except NoReverseMatch:
        return ""


# --- an event's signals --------------------------------------------------------------


def alert_windows(event: ShutdownEvent) -> list[tuple[datetime, datetime, str]]:
    """The spans to shade: each detector alert linked to the event, or else the
    event's own start and end (to now while it goes on)."""
    windows = [(d.starts_at, d.ends_at, "detector") for d in event.detections.all().order_by("starts_at")]
    if not windows:
        windows = [(event.starts_at, event.ends_at or timezone.now(), "event")]
    return windows


def event_signals(event: ShutdownEvent) -> list[Signal]:
    """The signals that showed the event: those linked as evidence, those of its
    detector alerts, or else the country's national signals."""
    ids = set(Evidence.objects.filter(event=event, signal__isnull=False).values_list("signal_id", flat=True))
    ids |= set(DetectedOutage.signals.through.objects.filter(detectedoutage__event=event).values_list("signal_id", flat=True))
    qs = Signal.objects.filter(pk__in=ids) if ids else Signal.objects.filter(country=event.country_id, asn__isnull=True)
    return list(qs.select_related("dataset", "dataset__source").order_by("kind", "asn", "id"))


def read_points(signal: Signal, start: datetime, end: datetime) -> list[tuple[float, float | None]]:
    """The signal's points in [start, end] as (epoch seconds, value or None)."""
    try:
        from isoc.shutdowns.signals import read_series
    except ImportError:  # the signal store is not part of this build yet
        return []
    try:
        times, values = read_series(signal, start=start, end=end)
    except FileNotFoundError:
        log.warning("signal %s: its Parquet file is missing", signal.pk)
        return []
    out = []
    for t, v in zip(times, values, strict=False):
        value = float(v) if v is not None and v == v else None
        out.append((timechart.to_epoch(t), value))
    return out


@dataclass
class SignalView:
    signal: Signal
    chart: timechart.LineChart
    table: list[tuple[datetime, float | None, bool]]  # (time, value, in an alert window)
    points: list[tuple[float, float | None]]


def signal_views(signals: list[Signal], windows, start: datetime, end: datetime) -> list[SignalView]:
    spans = [(w[0].timestamp(), w[1].timestamp()) for w in windows]
    views = []
    for signal in signals:
        raw = read_points(signal, start, end)
        chart = timechart.line_chart(timechart.downsample([t for t, _ in raw], [v for _, v in raw], CHART_POINTS),
                                     spans, start.timestamp(), end.timestamp())
        table = [(timechart.from_epoch(t), v, any(a <= t <= b for a, b in spans))
                 for t, v in timechart.downsample([t for t, _ in raw], [v for _, v in raw], TABLE_ROWS)]
        views.append(SignalView(signal, chart, table, raw))
    return views


def estimate_cost(event: ShutdownEvent):
    """The cost model's estimate for the event, or None when it has no estimate (or the
    model is not available): the page then says so."""
    try:
        from isoc.shutdowns import cost
    except ImportError:
        return None
    for name in ("estimate_for_event", "estimate_event", "event_estimate"):
        fn = getattr(cost, name, None)
        if fn is not None:
            try:
                return fn(event)
            except Exception:  # noqa: BLE001 - an estimate failing must not take the page down
                log.exception("cost estimate failed for event %s", event.pk)
                return None
    return None


def cost_inputs(estimate) -> list[dict]:
    """The estimate's inputs for display: name, value, where it came from (linked when it
    is a dataset of ours) and its year."""
    if estimate is None:
        return []
    from isoc.pulse.models import Dataset

    rows = []
    for item in getattr(estimate, "inputs", ()) or ():
        source = str(getattr(item, "source", ""))
        dataset = Dataset.objects.filter(slug=source).first() if source else None
        rows.append({"name": getattr(item, "name", ""), "value": getattr(item, "value", ""),
                     "source": dataset.title if dataset else source, "url": dataset_url(dataset) if dataset else "",
                     "year": getattr(item, "year", None)})
    return rows


def methodology_url() -> str:
    try:
        return reverse("shutdowns:methodology")
    except NoReverseMatch:
        return ""


def event(request, pk: int):
    ev = _visible_event(request, pk)
    windows = alert_windows(ev)
    start, end = timechart.span_around(ev.starts_at, ev.ends_at, timezone.now())
    signals = signal_views(event_signals(ev), windows, start, end)
    sources = [(s, dataset_url(s.dataset)) for s in ev.sources.select_related("dataset", "dataset__source").order_by("id")]
    estimate = estimate_cost(ev)
    return render(request, "shutdowns/event.html", {
        "event": ev,
        "description": ev.localized("description", get_language()),
        "services": [s.strip() for s in ev.services.split(",") if s.strip()],
        "sources": sources,
        "links": ev.evidence.filter(kind=Evidence.Kind.LINK).order_by("id"),
        "windows": windows,
        "signals": signals,
        "chart_start": start,
        "chart_end": end,
        "estimate": estimate,
        "estimate_inputs": cost_inputs(estimate),
        "methodology_url": methodology_url(),
        "other_events": published().filter(country=ev.country).exclude(pk=ev.pk).order_by("-starts_at")[:10],
        "signals_api": reverse("api-1:shutdown_event_signals", args=[ev.pk]),
    })


def _csv_response(filename: str) -> tuple[HttpResponse, csv.writer]:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response, csv.writer(response)


def _cell(value) -> str:
    """A CSV cell that a spreadsheet will not run as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


EVENT_CSV_COLUMNS = [
    "id", "country", "country_name", "area", "scope", "type", "services", "starts_at_utc", "ends_at_utc",
    "duration_hours", "status", "reason", "reason_detail", "meets_pulse_rule", "review_state", "description",
    "sources", "source_urls", "evidence_urls", "page",
]


def event_row(request, ev: ShutdownEvent) -> list:
    sources = list(ev.sources.select_related("dataset").order_by("id"))
    return [
        ev.pk, ev.country_id, ev.country.name, ev.area, ev.scope, ev.shutdown_type, ev.services,
        ev.starts_at.astimezone(UTC).isoformat(),
        ev.ends_at.astimezone(UTC).isoformat() if ev.ends_at else "",
        round(ev.duration.total_seconds() / 3600, 2), "ongoing" if ev.is_ongoing else "past",
        ev.reason, ev.reason_detail, ev.meets_pulse_rule, ev.review_state, ev.description,
        " | ".join(f"{s.dataset.title} ({s.external_id})" for s in sources),
        " | ".join(s.url for s in sources if s.url),
        " | ".join(e.url for e in ev.evidence.filter(kind=Evidence.Kind.LINK) if e.url),
        request.build_absolute_uri(ev.get_absolute_url()),
    ]


def event_csv(request, pk: int):
    """The event as one CSV row, with its sources named."""
    ev = _visible_event(request, pk)
    response, writer = _csv_response(f"shutdown-{ev.pk}.csv")
    writer.writerow(EVENT_CSV_COLUMNS)
    writer.writerow([_cell(v) for v in event_row(request, ev)])
    return response


def event_signals_csv(request, pk: int):
    """The points of the event's signals over the chart's span, at full resolution."""
    ev = _visible_event(request, pk)
    windows = alert_windows(ev)
    start, end = timechart.span_around(ev.starts_at, ev.ends_at, timezone.now())
    spans = [(w[0].timestamp(), w[1].timestamp()) for w in windows]
    response, writer = _csv_response(f"shutdown-{ev.pk}-signals.csv")
    writer.writerow(["signal", "kind", "country", "asn", "dataset", "time_utc", "value", "in_alert_window"])
    for signal in event_signals(ev):
        for t, v in read_points(signal, start, end):
            writer.writerow([signal.pk, signal.kind, signal.country_id, signal.asn or "", signal.dataset.slug,
                             timechart.from_epoch(t).isoformat(), "" if v is None else v,
                             any(a <= t <= b for a, b in spans)])
    return response


# --- a country's shutdowns -----------------------------------------------------------


def country_context(country: Country, *, now: datetime | None = None) -> dict:
    """What the country page (or its panel on the Pulse country page) shows: its
    published events by year and in a list, and its national signals over the last week."""
    now = now or timezone.now()
    events = published().filter(country=country).order_by("-starts_at", "-id")
    by_year = counts_by_year(events)
    if by_year:  # every year from the first to now, so quiet years show as zero
        counts = dict(by_year)
        by_year = [(y, counts.get(y, 0)) for y in range(by_year[0][0], max(by_year[-1][0], now.year) + 1)]
    signals = list(Signal.objects.filter(country=country, asn__isnull=True).select_related("dataset", "dataset__source"))
    latest_end = max((s.ends_at for s in signals if s.ends_at), default=None) or now
    start = latest_end - timedelta(days=7)
    detections = DetectedOutage.objects.filter(country=country, asn__isnull=True, ends_at__gte=start, starts_at__lte=latest_end)
    windows = [(d.starts_at, d.ends_at, "detector") for d in detections]
    windows += [(e.starts_at, e.ends_at or now, "event") for e in events.filter(starts_at__lte=latest_end).filter(
        Q(ends_at__isnull=True) | Q(ends_at__gte=start))]
    return {
        "country": country,
        "events": events[:100],
        "event_count": events.count(),
        "year_chart": timechart.bar_chart([(str(y), n) for y, n in by_year], width=640, height=180),
        "year_rows": by_year,
        "signals": signal_views(signals, windows, start, latest_end),
        "chart_start": start,
        "chart_end": latest_end,
    }


def country(request, code: str):
    c = get_object_or_404(Country, code=code.upper())
    return render(request, "shutdowns/country.html", country_context(c))
