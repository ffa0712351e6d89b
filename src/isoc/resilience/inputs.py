"""Where the index's inputs come from: one collector per source named in the tree.

A collector reads what another app has measured or imported, as of the end of a quarter,
and returns ``Input`` rows, each with the pulse Dataset it comes from. Our own
measurements that have no dataset of their own (the MANRS register, the shutdown tracker,
the IXP register) get one dataset per quarter ("isoc measurement, <what>, <quarter>"), so
that every input still names its source, origin, retrieval time and licence. A source
with nothing recorded yet gives no rows: the indicator is missing, never zero.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from django.db.models import Count, Max
from django.utils import timezone

from isoc.pulse.models import Country, Dataset, DataSource, IndicatorValue

POPULATION = "population"  # a reserved input code: the divisor of per-capita indicators
POPULATION_SOURCE = "worldbank:SP.POP.TOTL"
ISOC_SOURCE = {"slug": "isoc-measurements", "name": "Internet Society measurements", "publisher": "Internet Society",
               "licence": "CC BY 4.0", "url": "https://pulse.internetsociety.org/",
               "description": "Figures isoc computes from its own registers and measurements."}


@dataclass(frozen=True)
class Input:
    country: str
    indicator: str
    value: float
    dataset: Dataset
    observed: str = ""


def quarter_bounds(quarter: str) -> tuple[date, date]:
    """First and last day of ``YYYY-Qn``."""
    year, q = int(quarter[:4]), int(quarter[-1])
    start = date(year, 3 * (q - 1) + 1, 1)
    end = date(year + (q == 4), 1 if q == 4 else 3 * q + 1, 1) - timedelta(days=1)
    return start, end


def _end_instant(quarter: str) -> datetime:
    return datetime.combine(quarter_bounds(quarter)[1], time.max, tzinfo=UTC)


def isoc_dataset(what: str, quarter: str, title: str) -> Dataset:
    source, _ = DataSource.objects.get_or_create(slug=ISOC_SOURCE["slug"], defaults={k: v for k, v in ISOC_SOURCE.items() if k != "slug"})
    dataset, created = Dataset.objects.get_or_create(slug=f"resilience-{what}-{quarter.lower()}", defaults={
        "source": source, "title": title, "kind": Dataset.Kind.INDICATOR, "origin": f"isoc database ({what}, as of the end of {quarter})",
        "importer": "resilience-collect", "importer_version": "1"})
    if not created:
        dataset.retrieved_at = timezone.now()
        dataset.save(update_fields=["retrieved_at"])
    return dataset


def _known() -> set[str]:
    return set(Country.objects.values_list("code", flat=True))


def worldbank(code: str, indicator: str) -> Callable[[str], list[Input]]:
    """The latest yearly value up to the quarter's year, from any imported World Bank dataset."""
    def collect(quarter: str) -> list[Input]:
        year = int(quarter[:4])
        rows = IndicatorValue.objects.filter(indicator=code, year__lte=year).select_related("dataset").order_by("country_id", "-year", "-dataset__retrieved_at")
        out, seen = [], set()
        for v in rows.iterator(chunk_size=5000):
            if v.country_id not in seen:
                seen.add(v.country_id)
                out.append(Input(v.country_id, indicator, v.value, v.dataset, str(v.year)))
        return out
    return collect


def enablers(technology: str, indicator: str) -> Callable[[str], list[Input]]:
    """The latest scan up to the quarter's end: the share of ccTLD domains passing the check."""
    def collect(quarter: str) -> list[Input]:
        from isoc.enablers.models import AdoptionFigure, Scan

        scan = Scan.objects.filter(started_at__lte=_end_instant(quarter)).select_related("dataset").order_by("-started_at").first()
        if scan is None:
            return []
        figures = AdoptionFigure.objects.filter(scan=scan, technology=technology, method=AdoptionFigure.Method.CCTLD, measured__gt=0)
        return [Input(f.country.upper(), indicator, 100.0 * f.adopted / f.measured, scan.dataset, scan.identifier)
                for f in figures if f.country]
    return collect


def routing(field: str, indicator: str) -> Callable[[str], list[Input]]:
    """The country's routing score of the latest month up to the quarter's end."""
    def collect(quarter: str) -> list[Input]:
        from isoc.routing.models import CountryScore

        end = quarter_bounds(quarter)[1]
        month = CountryScore.objects.filter(month__lte=end).aggregate(m=Max("month"))["m"]
        if month is None:
            return []
        dataset = isoc_dataset("routing", quarter, f"isoc routing scores per country, {month:%Y-%m}")
        out = []
        for s in CountryScore.objects.filter(month=month, routes__gt=0):
            value = 100.0 * s.roa_coverage if field == "roa" and s.roa_coverage is not None else \
                100.0 * s.invalid / s.routes if field == "invalid" else None
            if value is not None:
                out.append(Input(s.country_id, indicator, value, dataset, f"{month:%Y-%m}"))
        return out
    return collect


def manrs(quarter: str) -> list[Input]:
    from isoc.routing.models import ManrsParticipant

    end = quarter_bounds(quarter)[1]
    counts = ManrsParticipant.objects.filter(joined_on__lte=end, country__isnull=False).values("country").annotate(n=Count("pk"))
    if not counts:
        return []
    dataset = isoc_dataset("manrs", quarter, f"MANRS participants per country, {quarter}")
    return [Input(c["country"], "manrs-participants", float(c["n"]), dataset) for c in counts]


def shutdowns(quarter: str) -> list[Input]:
    """Published shutdowns in the twelve months to the quarter's end; every country the
    tracker covers counts (a country with none scores 0 events, which is a fact, not a gap)
    once the tracker has any event at all."""
    from isoc.shutdowns.models import ReviewState, ShutdownEvent

    end = _end_instant(quarter)
    published = ShutdownEvent.objects.filter(review_state=ReviewState.PUBLISHED)
    if not published.filter(starts_at__lte=end).exists():
        return []
    counts = dict(published.filter(starts_at__lte=end, starts_at__gt=end - timedelta(days=365))
                  .values_list("country").annotate(n=Count("pk")))
    dataset = isoc_dataset("shutdowns", quarter, f"Internet shutdowns per country, twelve months to {quarter}")
    return [Input(cc, "shutdowns", float(counts.get(cc, 0)), dataset) for cc in sorted(_known())]


def ixps(quarter: str) -> list[Input]:
    from isoc.infra.indicators import ixps_by_country

    counts = ixps_by_country(quarter_bounds(quarter)[1])
    if not counts:
        return []
    dataset = isoc_dataset("ixps", quarter, f"Active IXPs per country, end of {quarter}")
    known = _known()
    return [Input(cc.upper(), "ixps", float(n), dataset) for cc, n in counts.items() if cc.upper() in known]


def collectors(tree) -> list[Callable[[str], list[Input]]]:
    """The collectors the tree needs (indicators with source "external" have none: they
    are imported with ``isoc resilience import-inputs``), and the population."""
    out = [worldbank(POPULATION_SOURCE.split(":", 1)[1], POPULATION)]
    for ind in tree.indicators():
        source = ind.source
        if source.startswith("worldbank:"):
            out.append(worldbank(source.split(":", 1)[1], ind.code))
        elif source.startswith("enablers:"):
            out.append(enablers(source.split(":", 1)[1], ind.code))
        elif source == "routing:roa-coverage":
            out.append(routing("roa", ind.code))
        elif source == "routing:invalid-share":
            out.append(routing("invalid", ind.code))
        elif source == "routing:manrs":
            out.append(_renamed(manrs, ind.code))
        elif source == "shutdowns:events":
            out.append(_renamed(shutdowns, ind.code))
        elif source == "infra:ixps":
            out.append(_renamed(ixps, ind.code))
    return out


def _renamed(collect: Callable[[str], list[Input]], code: str) -> Callable[[str], list[Input]]:
    return lambda quarter: [Input(i.country, code, i.value, i.dataset, i.observed) for i in collect(quarter)]
