"""What the pages and the API read: the quarters computed, a quarter's ranking (by region),
a country's breakdown with its history, region and peers, its inputs with their sources,
and the what-if recomputation. Scores come from the stored CountryScore rows (computed
once per quarter); only the what-if view computes, over the quarter's stored inputs."""

from __future__ import annotations

from dataclasses import dataclass

from isoc.pulse.models import Country, Region
from isoc.resilience import index
from isoc.resilience import tree as trees
from isoc.resilience.inputs import POPULATION
from isoc.resilience.labels import label
from isoc.resilience.models import CountryScore, InputValue
from isoc.resilience.services import quarter_inputs

PEERS = 2  # countries of the same region either side of the country in the ranking


def version() -> str:
    return trees.default().version


def quarters() -> list[str]:
    """Quarters with scores under the tree in force, newest first."""
    return list(CountryScore.objects.filter(version=version()).values_list("quarter", flat=True)
                .distinct().order_by("-quarter"))


def latest_quarter() -> str | None:
    q = quarters()
    return q[0] if q else None


def regions() -> list[Region]:
    return list(Region.objects.filter(kind=Region.Kind.ISOC).order_by("name"))


def scores(quarter: str, region: str | None = None):
    """The quarter's scores, ranked (countries without an overall score last)."""
    qs = CountryScore.objects.filter(quarter=quarter, version=version()).select_related("country", "country__isoc_region")
    if region:
        qs = qs.filter(country__isoc_region__slug=region)
    return sorted(qs, key=lambda s: (s.overall is None, -(s.overall or 0), s.country_id))


def region_summary(quarter: str) -> list[dict]:
    """Each Internet Society region's mean overall score and pillars, with how many countries."""
    rows = list(scores(quarter))
    region_of = {s.country_id: s.country.isoc_region.slug if s.country.isoc_region else None for s in rows}
    out = []
    overall = index.region_means({s.country_id: s.overall for s in rows}, region_of)
    pillars = {p.code: index.region_means({s.country_id: s.pillars.get(p.code, {}).get("score") for s in rows}, region_of)
               for p in trees.default().pillars}
    for region in regions():
        if region.slug in overall:
            mean, n = overall[region.slug]
            out.append({"region": region, "overall": mean, "countries": n,
                        "pillars": {code: pillars[code].get(region.slug, (None, 0))[0] for code in pillars}})
    return out


@dataclass
class Breakdown:
    country: Country
    quarter: str
    score: CountryScore
    history: list[CountryScore]
    region: dict | None  # the country's region: mean overall/pillars/dimensions and count
    peers: list[CountryScore]
    inputs: list[dict]  # one per indicator of the tree: value, normalised, dataset (or missing)
    tree: trees.Tree

    @property
    def nodes(self) -> list[dict]:
        """Pillars each followed by its dimensions: score, coverage, the region's mean."""
        out = []
        region = self.region or {"pillars": {}, "dimensions": {}}
        for p in self.tree.pillars:
            node = self.score.pillars.get(p.code, {})
            out.append({"level": "pillar", "name": label(p.name), "score": node.get("score"), "coverage": node.get("coverage", 0),
                        "region": region["pillars"].get(p.code)})
            for d in p.dimensions:
                node = self.score.dimensions.get(d.code, {})
                out.append({"level": "dimension", "name": label(d.name), "score": node.get("score"),
                            "coverage": node.get("coverage", 0), "region": region["dimensions"].get(d.code)})
        return out


def breakdown(country: Country, quarter: str) -> Breakdown | None:
    tree = trees.default()
    score = CountryScore.objects.filter(quarter=quarter, version=tree.version, country=country).first()
    if score is None:
        return None
    history = list(CountryScore.objects.filter(version=tree.version, country=country).order_by("quarter"))
    region, peers = None, []
    if country.isoc_region_id:
        same = [s for s in scores(quarter) if s.country.isoc_region_id == country.isoc_region_id]
        region = _region_means(country.isoc_region, same, tree)
        ranked = [s for s in same if s.overall is not None]
        at = next((i for i, s in enumerate(ranked) if s.country_id == country.code), None)
        if at is not None:
            peers = ranked[max(0, at - PEERS):at + PEERS + 1]
    values = {v.indicator: v for v in InputValue.objects.filter(quarter=quarter, country=country)
              .select_related("dataset", "dataset__source")}
    inputs = []
    for ind in tree.indicators():
        v = values.get(ind.code)
        stored = score.indicators.get(ind.code, {})
        inputs.append({"indicator": ind, "input": v, "adjusted": stored.get("adjusted"), "normalised": stored.get("normalised")})
    population = values.get(POPULATION)
    if population is not None:
        inputs.append({"indicator": None, "input": population, "adjusted": None, "normalised": None})
    return Breakdown(country, quarter, score, history, region, peers, inputs, tree)


def _region_means(region: Region, rows: list[CountryScore], tree: trees.Tree) -> dict:
    def mean(values):
        present = [v for v in values if v is not None]
        return sum(present) / len(present) if present else None

    return {"region": region, "countries": sum(1 for s in rows if s.overall is not None),
            "overall": mean(s.overall for s in rows),
            "pillars": {p.code: mean(s.pillars.get(p.code, {}).get("score") for s in rows) for p in tree.pillars},
            "dimensions": {d.code: mean(s.dimensions.get(d.code, {}).get("score") for s in rows) for d in tree.dimensions()}}


class WhatIfError(ValueError):
    pass


@dataclass
class WhatIf:
    country: Country
    quarter: str
    indicator: trees.Indicator
    old_value: float | None
    new_value: float | None
    before: index.CountryResult
    after: index.CountryResult
    tree: trees.Tree


def what_if(country: Country, indicator: str, value: float | None, quarter: str) -> WhatIf:
    """Recompute the quarter with one input of one country changed (nothing is stored)."""
    tree = trees.default()
    ind = tree.indicator(indicator)
    if ind is None:
        raise WhatIfError(f"{indicator!r} is not an indicator of the index.")
    raw, population = quarter_inputs(quarter)
    if not raw:
        raise WhatIfError(f"No input values for {quarter}.")
    if ind.per_capita and value is not None and not population.get(country.code):
        raise WhatIfError(f"{country.name} has no population figure for {quarter}, so a per-capita value cannot be computed.")
    before, after = index.what_if(tree, raw, population, country.code, indicator, value)
    return WhatIf(country, quarter, ind, raw.get(country.code, {}).get(indicator), value, before, after, tree)


def download_rows(quarter: str | None = None) -> tuple[list[str], list[tuple]]:
    """Every score with every input value: one row per country and quarter; the columns
    are the overall, pillar and dimension scores and coverage, then each indicator's raw
    value, per-capita value, normalised score, and its dataset."""
    tree = trees.default()
    columns = ["quarter", "version", "country", "rank", "overall", "coverage", "partial"]
    for p in tree.pillars:
        columns += [f"pillar:{p.code}", f"pillar:{p.code}:coverage"]
    for d in tree.dimensions():
        columns += [f"dimension:{d.code}", f"dimension:{d.code}:coverage"]
    for i in tree.indicators():
        columns += [f"{i.code}:raw", f"{i.code}:adjusted", f"{i.code}:normalised", f"{i.code}:dataset"]
    columns += ["population", "population:dataset"]
    qs = CountryScore.objects.filter(version=tree.version).order_by("quarter", "rank", "country_id")
    inputs = InputValue.objects.all()
    if quarter:
        qs = qs.filter(quarter=quarter)
        inputs = inputs.filter(quarter=quarter)
    sources = {(q, cc, code): slug for q, cc, code, slug in inputs.values_list("quarter", "country_id", "indicator", "dataset__slug")}
    population = {(q, cc): v for q, cc, v in inputs.filter(indicator=POPULATION).values_list("quarter", "country_id", "value")}
    rows = []
    for s in qs.iterator(chunk_size=2000):
        row = [s.quarter, s.version, s.country_id, s.rank, _r(s.overall), _r(s.coverage, 4), s.partial]
        for p in tree.pillars:
            node = s.pillars.get(p.code, {})
            row += [_r(node.get("score")), _r(node.get("coverage"), 4)]
        for d in tree.dimensions():
            node = s.dimensions.get(d.code, {})
            row += [_r(node.get("score")), _r(node.get("coverage"), 4)]
        for i in tree.indicators():
            v = s.indicators.get(i.code, {})
            row += [v.get("raw"), _r(v.get("adjusted"), 6), _r(v.get("normalised")), sources.get((s.quarter, s.country_id, i.code), "")]
        row += [population.get((s.quarter, s.country_id)), sources.get((s.quarter, s.country_id, POPULATION), "")]
        rows.append(tuple(row))
    return columns, rows


def _r(value, digits: int = 2):
    return None if value is None else round(value, digits)
