"""The Internet Resilience Index computation. Django-free: plain data in, plain data out.

The method, step by step (the methodology page says the same, from ``METHOD``):

1. Per-capita indicators are divided by the population, in millions. A country with no
   population figure has no value for them (missing, not zero).
2. Per indicator, over every country with a value: outliers are clipped at the Tukey
   fences. Q1 and Q3 are the 25th and 75th percentiles with linear interpolation
   (numpy's default, "type 7"); IQR = Q3 − Q1; a value above Q3 + 1.5·IQR is set to that
   fence, one below Q1 − 1.5·IQR to that fence. When IQR is 0 (half the countries or more
   share one value, e.g. no shutdown) nothing is clipped: the fences would collapse onto
   that value and every country would score the same. Clipping is not monotone: raising
   one country's value can move a quartile, clip another country's outlier and so move
   the minimum or maximum, which can lower the raised country's score (rare; shown in
   the tests and on the methodology page).
3. Min–max normalisation to 0–100 over the clipped values: (x − min) / (max − min) × 100,
   inverted (100 − that) when lower is better. When every country has the same value
   (or only one country has one) there is no spread to rank by: every country gets 50.
4. A dimension is the weighted mean of its present indicators; a pillar the weighted mean
   of its present dimensions. Missing children are left out and the weights of the
   present ones re-normalised; the node's coverage is the share of its weight present
   (nested: a pillar's coverage weighs each dimension's coverage by the dimension's
   weight). A node with nothing present is missing (None), never zero.
5. The overall score is the unweighted mean of the four pillars. When a pillar is
   missing, the overall is the mean of the present pillars, flagged partial, if at least
   ``MIN_PILLARS`` are present; with fewer there is no overall score. Its coverage is
   the mean of the pillars' coverages (a missing pillar counts 0).
6. A region's score is the unweighted mean of its countries' scores (countries without
   one are left out), with how many countries it counts.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from isoc.resilience.tree import Tree

ALL_EQUAL_SCORE = 50.0
MIN_PILLARS = 3
FENCE = 1.5
PER = 1_000_000  # per-capita indicators are per million people


@dataclass
class Node:
    score: float | None
    coverage: float  # 0–1, the share of the node's weight that has values


@dataclass
class CountryResult:
    country: str
    overall: float | None
    coverage: float
    partial: bool  # a pillar is missing
    pillars: dict[str, Node] = field(default_factory=dict)
    dimensions: dict[str, Node] = field(default_factory=dict)
    indicators: dict[str, float] = field(default_factory=dict)  # normalised 0–100
    adjusted: dict[str, float] = field(default_factory=dict)  # raw, per capita where configured


@dataclass
class Result:
    version: str
    countries: dict[str, CountryResult]

    def ranking(self) -> list[CountryResult]:
        """Countries with an overall score, best first (ties by country code)."""
        scored = [c for c in self.countries.values() if c.overall is not None]
        return sorted(scored, key=lambda c: (-c.overall, c.country))


def tukey_fences(values: np.ndarray) -> tuple[float, float]:
    q1, q3 = np.percentile(values, [25, 75], method="linear")
    iqr = q3 - q1
    if iqr <= 0:
        # Half the countries or more share one value (e.g. no shutdown at all): the fences
        # would collapse onto it and erase every difference, so nothing is clipped.
        return -math.inf, math.inf
    return float(q1 - FENCE * iqr), float(q3 + FENCE * iqr)


def normalise_column(column: np.ndarray, higher_is_better: bool) -> np.ndarray:
    """One indicator over every country (NaN where missing) → 0–100 (NaN stays NaN)."""
    out = np.full(column.shape, np.nan)
    present = ~np.isnan(column)
    if not present.any():
        return out
    values = column[present]
    low, high = tukey_fences(values)
    clipped = np.clip(values, low, high)
    lo, hi = clipped.min(), clipped.max()
    if hi - lo <= 0:
        out[present] = ALL_EQUAL_SCORE
        return out
    scaled = (clipped - lo) / (hi - lo) * 100.0
    out[present] = scaled if higher_is_better else 100.0 - scaled
    return out


def weighted(scores: np.ndarray, coverages: np.ndarray, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Children (countries × children, NaN = missing) → (score, coverage) per country,
    re-weighting among the present children."""
    present = ~np.isnan(scores)
    w = np.where(present, weights, 0.0)
    total = w.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        score = np.where(total > 0, np.nansum(np.where(present, scores, 0.0) * w, axis=1) / total, np.nan)
    coverage = (np.where(present, coverages, 0.0) * weights).sum(axis=1) / weights.sum()
    return score, coverage


def adjust(tree: Tree, raw: Mapping[str, Mapping[str, float]], population: Mapping[str, float],
           countries: list[str]) -> np.ndarray:
    """The countries × indicators matrix of values, per capita where configured (NaN = missing)."""
    indicators = tree.indicators()
    matrix = np.full((len(countries), len(indicators)), np.nan)
    for r, cc in enumerate(countries):
        values = raw.get(cc, {})
        pop = population.get(cc)
        for c, ind in enumerate(indicators):
            v = values.get(ind.code)
            if v is None or not np.isfinite(v):
                continue
            if ind.per_capita:
                if not pop or pop <= 0:
                    continue
                v = v / (pop / PER)
            matrix[r, c] = v
    return matrix


def compute(tree: Tree, raw: Mapping[str, Mapping[str, float]], population: Mapping[str, float] | None = None) -> Result:
    """Every country's scores. ``raw``: country → indicator code → value; ``population``:
    country → people (needed for per-capita indicators)."""
    population = population or {}
    countries = sorted(raw)
    indicators = tree.indicators()
    values = adjust(tree, raw, population, countries)
    norm = np.column_stack([normalise_column(values[:, c], ind.higher_is_better) for c, ind in enumerate(indicators)]) \
        if countries else np.empty((0, len(indicators)))
    column = {ind.code: c for c, ind in enumerate(indicators)}
    n = len(countries)
    dim_scores: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    pillar_scores: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    for pillar in tree.pillars:
        for dim in pillar.dimensions:
            cols = [column[i.code] for i in dim.indicators]
            sub = norm[:, cols]
            dim_scores[dim.code] = weighted(sub, (~np.isnan(sub)).astype(float), np.array([i.weight for i in dim.indicators]))
        d_scores = np.column_stack([dim_scores[d.code][0] for d in pillar.dimensions]) if n else np.empty((0, 0))
        d_cov = np.column_stack([dim_scores[d.code][1] for d in pillar.dimensions]) if n else np.empty((0, 0))
        pillar_scores[pillar.code] = weighted(d_scores, d_cov, np.array([d.weight for d in pillar.dimensions])) if n \
            else (np.empty(0), np.empty(0))
    # Plain Python lists once, so that building each country's result touches no numpy
    # scalar (per element, numpy is slower than lists at this size).
    pillar_rows = {p.code: (pillar_scores[p.code][0].tolist(), pillar_scores[p.code][1].tolist()) for p in tree.pillars}
    dimensions = tree.dimensions()
    dim_rows = {d.code: (dim_scores[d.code][0].tolist(), dim_scores[d.code][1].tolist()) for d in dimensions}
    codes = [ind.code for ind in indicators]
    norm_rows, value_rows = norm.tolist(), values.tolist()
    out = {}
    for r, cc in enumerate(countries):
        pillars = {code: _node(s[r], c[r]) for code, (s, c) in pillar_rows.items()}
        present = [node.score for node in pillars.values() if node.score is not None]
        overall = sum(present) / len(present) if len(present) >= MIN_PILLARS else None
        out[cc] = CountryResult(
            country=cc, overall=overall, coverage=sum(node.coverage for node in pillars.values()) / len(pillars),
            partial=len(present) < len(tree.pillars), pillars=pillars,
            dimensions={code: _node(s[r], c[r]) for code, (s, c) in dim_rows.items()},
            indicators={code: v for code, v in zip(codes, norm_rows[r], strict=True) if v == v},  # v == v: not NaN
            adjusted={code: v for code, v in zip(codes, value_rows[r], strict=True) if v == v})
    return Result(version=tree.version, countries=out)


def _node(score: float, coverage: float) -> Node:
    return Node(score=None if score != score else score, coverage=coverage)  # score != score: NaN


def overall_from_pillars(pillars: list[float | None]) -> float | None:
    """The overall score from pillar scores, as ``compute`` makes it (None: too few pillars)."""
    present = [p for p in pillars if p is not None]
    return float(np.mean(present)) if len(present) >= MIN_PILLARS else None


def what_if(tree: Tree, raw: Mapping[str, Mapping[str, float]], population: Mapping[str, float] | None,
            country: str, indicator: str, value: float | None) -> tuple[CountryResult, CountryResult]:
    """The country's scores before and after setting one indicator (None: removing it).
    Everything is recomputed: the fences and the min–max bounds depend on every country."""
    if tree.indicator(indicator) is None:
        raise KeyError(indicator)
    changed = {cc: dict(v) for cc, v in raw.items()}
    changed.setdefault(country, {})
    if value is None:
        changed[country].pop(indicator, None)
    else:
        changed[country][indicator] = value
    before = compute(tree, raw, population).countries.get(country) or _empty(country)
    return before, compute(tree, changed, population).countries[country]


def _empty(country: str) -> CountryResult:
    return CountryResult(country=country, overall=None, coverage=0.0, partial=True)


def region_means(scores: Mapping[str, float | None], region_of: Mapping[str, str | None]) -> dict[str, tuple[float, int]]:
    """Region → (unweighted mean of its countries' scores, how many countries)."""
    groups: dict[str, list[float]] = {}
    for cc, score in scores.items():
        region = region_of.get(cc)
        if region and score is not None:
            groups.setdefault(region, []).append(score)
    return {region: (float(np.mean(v)), len(v)) for region, v in groups.items()}
