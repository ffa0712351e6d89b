"""Demo data for the Internet Resilience Index (labelled demo).

Inputs for every country over the four quarters up to the current one, in one demo
dataset, then the real computation over them. Each country gets a hidden "development
level"; every indicator follows it with noise (lower-is-better ones against it), improves
a little each quarter, and about one value in ten is missing so that coverage shows. A
few large outliers exercise the clipping. Population is made up too (log-uniform)."""

from __future__ import annotations

import math
import random

from django.db import transaction

from isoc.pulse.models import Country, Dataset, DataSource
from isoc.resilience import services
from isoc.resilience import tree as trees
from isoc.resilience.inputs import POPULATION, Input
from isoc.resilience.models import Computation, CountryScore, InputValue

DATASET = "resilience-demo-inputs"
QUARTERS = 4
COUNTS = {"shutdowns", "upstream-providers"}  # whole numbers
MISSING = 0.1
#: indicator code → (value at level 0, value at level 1): the range a made-up value spans.
RANGES = {
    "ipv6-adoption": (2, 70), "internet-users": (8, 98), "data-centres": (0.05, 6), "mobile-4g-coverage": (20, 100),
    "fixed-download": (3, 250), "fixed-latency": (80, 8), "mobile-download": (4, 120), "mobile-latency": (90, 20),
    "shutdowns": (6, 0), "https-adoption": (40, 97), "dnssec-adoption": (1, 45), "rpki-coverage": (10, 90),
    "rpki-invalid": (3, 0.2), "manrs-participants": (0.01, 3), "market-concentration": (6000, 1800),
    "gdp-per-capita": (400, 60000), "broadband-price": (20, 0.3), "ixps": (0.02, 1.5), "domains": (200, 120000),
    "upstream-providers": (1, 6),
}


def quarters(today=None) -> list[str]:
    year, q = map(int, services.current_quarter(today).replace("Q", "").split("-"))
    out = []
    for _ in range(QUARTERS):
        out.append(f"{year}-Q{q}")
        year, q = (year - 1, 4) if q == 1 else (year, q - 1)
    return out[::-1]


def _dataset() -> Dataset:
    source, _ = DataSource.objects.get_or_create(slug="demo", defaults={
        "name": "Demo data", "publisher": "isoc (generated)", "licence": "CC0 1.0",
        "description": "Made-up data for demonstrations and tests."})
    dataset, _ = Dataset.objects.get_or_create(slug=DATASET, defaults={
        "source": source, "title": "Internet Resilience Index inputs (demo)", "kind": Dataset.Kind.DEMO,
        "origin": "isoc.resilience.demo (generated)", "importer": "resilience-demo", "importer_version": "1", "is_demo": True})
    return dataset


def _value(code: str, level: float, step: int, rng: random.Random) -> float:
    low, high = RANGES.get(code, (0, 100))
    t = min(1.0, max(0.0, level + 0.02 * step + rng.gauss(0, 0.08)))
    if low > 0 and high > 0 and max(low, high) / min(low, high) > 50:  # spans orders of magnitude: interpolate logs
        return round(math.exp(math.log(low) + t * (math.log(high) - math.log(low))), 3)
    return round(low + t * (high - low), 2)


def generate(*, reset: bool = False, seed: int = 2026) -> dict:
    if reset:
        remove()
    if Computation.objects.filter(is_demo=True).exists():
        return {}
    tree = trees.default()
    rng = random.Random(seed)
    countries = list(Country.objects.order_by("code").values_list("code", flat=True))
    if not countries:
        return {}
    dataset = _dataset()
    levels = {cc: rng.betavariate(2, 2) for cc in countries}
    populations = {cc: round(math.exp(rng.uniform(math.log(5e4), math.log(3e8)))) for cc in countries}
    outliers = set(rng.sample(countries, min(3, len(countries))))
    computed = 0
    with transaction.atomic():
        for step, quarter in enumerate(quarters()):
            rows = []
            for cc in countries:
                rows.append(Input(cc, POPULATION, float(populations[cc]), dataset))
                for ind in tree.indicators():
                    if rng.random() < MISSING:
                        continue
                    value = _value(ind.code, levels[cc], step, rng)
                    if ind.code in COUNTS:
                        value = float(round(value))
                    if ind.per_capita:  # the range is per million people; the input is the count
                        value = float(round(value * populations[cc] / 1e6))
                    if cc in outliers and ind.code == "fixed-download":
                        value *= 8  # far beyond the upper fence: clipped
                    rows.append(Input(cc, ind.code, value, dataset))
            services.record_inputs(quarter, rows, tree=tree)
            services.compute_quarter(quarter, tree=tree, is_demo=True)
            computed += 1
    return {"quarters": computed, "countries": len(countries)}


def remove() -> None:
    with transaction.atomic():
        CountryScore.objects.filter(computation__is_demo=True).delete()
        Computation.objects.filter(is_demo=True).delete()
        InputValue.objects.filter(dataset__is_demo=True, dataset__slug=DATASET).delete()
        InputValue.objects.filter(dataset__importer="resilience-inputs", dataset__is_demo=True).delete()
        Dataset.objects.filter(slug=DATASET).delete()
