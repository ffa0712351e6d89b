"""The queries behind the enablers pages and API (one query, two renderings): the global
trend per technology, third-party series beside it, a country against its region and
the world, and a domain's latest checks."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, time

from django.utils.translation import gettext as _

from isoc.enablers import adoption, charts
from isoc.enablers.labels import check_label
from isoc.enablers.models import AdoptionFigure, DomainSummary, Scan, ThirdPartyAdoption
from isoc.enablers.results import CHECKS
from isoc.pulse.models import Country

SOURCE_KINDS = {"apnic-ipv6": "apnic", "google-ipv6": "google"}
_DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?\.)*[a-z0-9-]{1,63}$")


class LookupError_(ValueError):
    """A domain lookup that cannot be answered; the message says why."""


def scans():
    return Scan.objects.select_related("dataset").order_by("-started_at", "-pk")


def latest_scan() -> Scan | None:
    return scans().first()


@dataclass
class Trend:
    technology: str
    label: str
    figures: list[AdoptionFigure]
    thirdparty: list[dict] = field(default_factory=list)
    chart: charts.TrendChart | None = None

    @property
    def latest(self) -> AdoptionFigure | None:
        return self.figures[-1] if self.figures else None


def _day(d) -> datetime:
    return datetime.combine(d, time(12), tzinfo=UTC)


def thirdparty_series(technology: str, country: str = "") -> list[dict]:
    """Each imported third-party series for the technology and country ("" the world):
    its dataset (source, provenance) and its (date, percent) points."""
    rows = (ThirdPartyAdoption.objects.filter(technology=technology, country=country)
            .select_related("dataset__source").order_by("dataset_id", "date"))
    out: dict[int, dict] = {}
    for row in rows:
        entry = out.setdefault(row.dataset_id, {"dataset": row.dataset, "points": [],
                                                "kind": SOURCE_KINDS.get(row.dataset.importer, "other")})
        entry["points"].append((row.date, row.percent))
    return list(out.values())


def series_label(entry: dict) -> str:
    name = {"apnic": "APNIC", "google": "Google"}.get(entry["kind"], entry["dataset"].source.name)
    return _("%(source)s (demo)") % {"source": name} if entry["dataset"].is_demo else name


def trend(technology: str, *, country: str = "", method: str = adoption.GLOBAL) -> Trend:
    # The trend's table links each figure to its scan's dataset: one query, not one per figure.
    figures = list(AdoptionFigure.objects.filter(technology=technology, method=method, country=country)
                   .select_related("scan__dataset").order_by("scan__started_at", "scan_id"))
    result = Trend(technology, check_label(technology), figures, thirdparty_series(technology, country))
    ours = charts.Series(_("our measurement"), "ours", [(f.scan.started_at, f.percent) for f in figures if f.measured])
    others = [charts.Series(series_label(e), e["kind"], [(_day(d), v) for d, v in e["points"]]) for e in result.thirdparty]
    for entry, series in zip(result.thirdparty, others, strict=True):
        entry["label"] = series.label
    result.chart = charts.trend_chart([ours, *others])
    return result


def overview() -> list[Trend]:
    return [trend(t) for t in adoption.HEADLINE]


@dataclass
class Comparison:
    technology: str
    label: str
    country: AdoptionFigure | None
    region: tuple[int, int] | None  # (adopted, measured) pooled over the region's countries
    world: AdoptionFigure | None

    @staticmethod
    def _pct(pair: tuple[int, int] | None) -> float | None:
        return round(100.0 * pair[0] / pair[1], 1) if pair and pair[1] else None

    @property
    def region_percent(self) -> float | None:
        return self._pct(self.region)


def country_comparison(code: str, method: str) -> tuple[Scan | None, list[Comparison]]:
    """For the latest scan with figures for the country by ``method``: each headline
    technology for the country, its Internet Society region (domains pooled) and the world."""
    figure = (AdoptionFigure.objects.filter(method=method, country=code).select_related("scan__dataset")
              .order_by("-scan__started_at", "-scan_id").first())
    if figure is None:
        return None, []
    scan = figure.scan
    region_id = Country.objects.filter(code=code).values_list("isoc_region_id", flat=True).first()
    region_codes = set(Country.objects.filter(isoc_region_id=region_id).values_list("code", flat=True)) if region_id else set()
    rows = AdoptionFigure.objects.filter(scan=scan, technology__in=adoption.HEADLINE)
    by_key = {(f.technology, f.method, f.country): f for f in rows}
    out = []
    for tech in adoption.HEADLINE:
        region = None
        if region_codes:
            region = adoption.pooled((f.adopted, f.measured) for (t, m, c), f in by_key.items()
                                     if t == tech and m == method and c in region_codes)
        out.append(Comparison(tech, check_label(tech), by_key.get((tech, method, code)), region,
                              by_key.get((tech, adoption.GLOBAL, ""))))
    return scan, out


def normalize_domain(text: str) -> str:
    """A domain as typed (maybe a URL) → the lower-case name we store; LookupError_ if it is not one."""
    text = (text or "").strip().lower()
    text = re.sub(r"^[a-z][a-z0-9+.-]*://", "", text)
    text = text.split("/", 1)[0].split("?", 1)[0].split("#", 1)[0]
    text = text.rsplit("@", 1)[-1]
    if text.count(":") == 1:
        text = text.split(":", 1)[0]
    text = text.rstrip(".")
    if not text:
        raise LookupError_(_("Enter a domain name, such as example.org."))
    try:
        text = text.encode("idna").decode("ascii")
    except UnicodeError:
        raise LookupError_(_("That is not a valid domain name.")) from None
    if not _DOMAIN.match(text):
        raise LookupError_(_("That is not a valid domain name."))
    return text


@dataclass
class CheckRow:
    name: str
    label: str
    value: bool | None
    why: str
    error: str

    @property
    def state(self) -> str:
        return {True: "passed", False: "failed", None: "not-measured"}[self.value]


def domain_checks(summary: DomainSummary) -> list[CheckRow]:
    return [CheckRow(name, check_label(name), summary.checks.get(name), summary.why.get(name, ""),
                     summary.errors.get(name, "")) for name, _column in CHECKS]


def lookup(domain: str) -> tuple[DomainSummary | None, list[DomainSummary]]:
    """The domain's latest summary and its earlier ones (newest first)."""
    rows = list(DomainSummary.objects.filter(domain=domain).select_related("scan", "scan__dataset")
                .order_by("-scan__started_at", "-scan_id")[:24])
    return (rows[0] if rows else None), rows[1:]
