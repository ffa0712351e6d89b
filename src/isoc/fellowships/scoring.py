"""Review scores: the weighted rubric, per-reviewer z-score normalisation, disagreement,
and the ranking. Plain Python, no Django.

How a score is normalised (the methodology page says exactly this):

1. Each review's *raw score* is the weighted mean of its criterion scores:
   sum(weight × score) / sum(weights).
2. For each reviewer, over the applications *they* scored in the call: their mean raw
   score and their population standard deviation (divide by n, not n − 1).
3. Each review's z = (raw − that reviewer's mean) / that reviewer's standard deviation.
   A reviewer with a single score, or who gave every application the same score, has
   no spread to measure: each of their reviews counts z = 0.
4. An application's normalised score is the mean z of its reviewers.

So a harsh reviewer (low mean) and a generous one (high mean) count alike: only how an
application stands among *that reviewer's* applications matters.

Disagreement: the *spread* of an application's raw scores is the highest minus the
lowest; above the call's threshold, the application is flagged for discussion.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass

# Below this a standard deviation is rounding noise (the same score repeated can give
# 1e-16): treated as no spread at all.
ZERO_SPREAD = 1e-9


@dataclass(frozen=True)
class Criterion:
    key: str
    weight: float
    maximum: int = 5


class RubricError(ValueError):
    pass


def weighted_score(scores: Mapping[str, float], criteria: Sequence[Criterion]) -> float:
    """sum(weight × score) / sum(weights) over the rubric's criteria; every criterion must
    be scored, within 0..its maximum."""
    total_weight = sum(c.weight for c in criteria)
    if not criteria or total_weight <= 0:
        raise RubricError("the rubric needs at least one criterion with a positive weight")
    total = 0.0
    for c in criteria:
        if c.key not in scores:
            raise RubricError(f"criterion {c.key!r} is not scored")
        value = float(scores[c.key])
        if not (0 <= value <= c.maximum) or math.isnan(value):
            raise RubricError(f"criterion {c.key!r}: {value} is outside 0..{c.maximum}")
        total += c.weight * value
    return total / total_weight


@dataclass(frozen=True)
class Review:
    reviewer: Hashable
    application: Hashable
    raw: float


@dataclass(frozen=True)
class ReviewerStats:
    mean: float
    std: float  # population standard deviation
    count: int


@dataclass(frozen=True)
class Ranked:
    application: Hashable
    normalised: float  # mean z of its reviewers
    raw_mean: float
    spread: float  # highest raw − lowest raw
    reviews: int
    disagreement: bool
    rank: int


def reviewer_stats(reviews: Iterable[Review]) -> dict[Hashable, ReviewerStats]:
    by_reviewer: dict[Hashable, list[float]] = defaultdict(list)
    for r in reviews:
        by_reviewer[r.reviewer].append(r.raw)
    stats = {}
    for reviewer, raws in by_reviewer.items():
        n = len(raws)
        mean = math.fsum(raws) / n
        std = math.sqrt(math.fsum((x - mean) ** 2 for x in raws) / n)
        stats[reviewer] = ReviewerStats(mean, std, n)
    return stats


def z_scores(reviews: Sequence[Review]) -> list[float]:
    """Each review's z against its own reviewer (0 when the reviewer has no spread)."""
    stats = reviewer_stats(reviews)
    out = []
    for r in reviews:
        s = stats[r.reviewer]
        out.append(0.0 if s.count < 2 or s.std < ZERO_SPREAD else (r.raw - s.mean) / s.std)
    return out


def rank(reviews: Sequence[Review], disagreement_threshold: float) -> list[Ranked]:
    """Applications best first: by normalised score, then by raw mean; ties keep a
    stable order by application."""
    reviews = list(reviews)
    zs = z_scores(reviews)
    per_app: dict[Hashable, list[tuple[float, float]]] = defaultdict(list)
    for r, z in zip(reviews, zs, strict=True):
        per_app[r.application].append((z, r.raw))
    rows = []
    for app, pairs in per_app.items():
        raws = [raw for _z, raw in pairs]
        spread = max(raws) - min(raws)
        rows.append((app, math.fsum(z for z, _raw in pairs) / len(pairs), math.fsum(raws) / len(raws), spread,
                     len(pairs), spread > disagreement_threshold))
    rows.sort(key=lambda row: (-row[1], -row[2], str(row[0])))
    return [Ranked(app, norm, raw, spread, n, flag, i) for i, (app, norm, raw, spread, n, flag) in enumerate(rows, 1)]
