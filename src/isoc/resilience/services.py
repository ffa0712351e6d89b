"""State changes of the resilience app, one transaction each: record input values (from a
collector, an imported file or the demo), collect a quarter's inputs from the other apps,
compute a quarter's scores (the history is a Computation row each time), remove demo
data. Refusals raise ``ResilienceError`` with a message fit for a form or the CLI."""

from __future__ import annotations

import csv
import math
import re
from collections.abc import Iterable
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from isoc.pulse.importing import sha256_of
from isoc.pulse.models import Country, Dataset, DataSource
from isoc.resilience import index
from isoc.resilience import tree as trees
from isoc.resilience.inputs import POPULATION, Input, collectors
from isoc.resilience.models import Computation, CountryScore, InputValue

QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")
IMPORT_COLUMNS = ["quarter", "country", "indicator", "value"]


class ResilienceError(ValueError):
    pass


def check_quarter(text: str) -> str:
    text = (text or "").strip().upper()
    m = QUARTER.match(text)
    if not m or not 1990 <= int(m.group(1)) <= 2100:
        raise ResilienceError(f"{text!r} is not a quarter: write it as YYYY-Qn, e.g. 2026-Q3.")
    return text


def current_quarter(today=None) -> str:
    today = today or timezone.now().date()
    return f"{today.year}-Q{(today.month - 1) // 3 + 1}"


def _codes(tree: trees.Tree) -> set[str]:
    return {i.code for i in tree.indicators()} | {POPULATION}


@transaction.atomic
def record_inputs(quarter: str, inputs: Iterable[Input], *, tree: trees.Tree | None = None) -> int:
    """Store input values for a quarter (a value already there for the same country and
    indicator is replaced, with its new dataset). Refuses the whole batch on an unknown
    indicator or country, or a value that is not a finite number."""
    quarter = check_quarter(quarter)
    codes = _codes(tree or trees.default())
    known = set(Country.objects.values_list("code", flat=True))
    rows = list(inputs)
    for i in rows:
        if i.indicator not in codes:
            raise ResilienceError(f"{i.indicator!r} is not an indicator of the index.")
        if i.country not in known:
            raise ResilienceError(f"{i.country!r} is not a known country code.")
        if not isinstance(i.value, (int, float)) or not math.isfinite(i.value):
            raise ResilienceError(f"{i.country} {i.indicator}: {i.value!r} is not a finite number.")
    now = timezone.now()
    existing = {(v.country_id, v.indicator): v for v in InputValue.objects.filter(quarter=quarter)}
    latest = {(i.country, i.indicator): i for i in rows}  # the last of a repeated key wins
    changed, new = [], []
    for key, i in latest.items():
        row = existing.get(key)
        if row is None:
            new.append(InputValue(quarter=quarter, country_id=i.country, indicator=i.indicator, value=float(i.value),
                                  dataset=i.dataset, observed=i.observed, recorded_at=now))
        else:
            row.value, row.dataset, row.observed, row.recorded_at = float(i.value), i.dataset, i.observed, now
            changed.append(row)
    InputValue.objects.bulk_create(new, batch_size=2000)
    InputValue.objects.bulk_update(changed, ["value", "dataset", "observed", "recorded_at"], batch_size=2000)
    return len(latest)


def collect_inputs(quarter: str, *, tree: trees.Tree | None = None) -> int:
    """Read every source the tree names (our measurements, imported World Bank series) as
    of the quarter's end and store the values, in one transaction."""
    quarter = check_quarter(quarter)
    tree = tree or trees.default()
    with transaction.atomic():
        rows = [row for collect in collectors(tree) for row in collect(quarter)]
        return record_inputs(quarter, rows, tree=tree)


def quarter_inputs(quarter: str) -> tuple[dict[str, dict[str, float]], dict[str, float]]:
    """The stored inputs of a quarter: (country → indicator → raw value, country → population)."""
    raw: dict[str, dict[str, float]] = {}
    population: dict[str, float] = {}
    for cc, code, value in InputValue.objects.filter(quarter=quarter).values_list("country_id", "indicator", "value"):
        if code == POPULATION:
            population[cc] = value
        else:
            raw.setdefault(cc, {})[code] = value
    return raw, population


def compute_quarter(quarter: str, *, actor=None, tree: trees.Tree | None = None, is_demo: bool = False) -> Computation:
    """Compute every country's scores for a quarter from its stored inputs and store them,
    replacing that quarter's earlier scores under the same tree version; one transaction."""
    quarter = check_quarter(quarter)
    tree = tree or trees.default()
    with transaction.atomic():
        raw, population = quarter_inputs(quarter)
        if not raw:
            raise ResilienceError(f"No input values for {quarter}: collect or import them first.")
        result = index.compute(tree, raw, population)
        Computation.objects.filter(quarter=quarter, version=tree.version, is_current=True).update(is_current=False)
        CountryScore.objects.filter(quarter=quarter, version=tree.version).delete()
        computation = Computation.objects.create(quarter=quarter, version=tree.version, actor=actor, is_demo=is_demo,
                                                 countries=len(result.countries),
                                                 inputs=sum(len(v) for v in raw.values()))
        ranks = {c.country: n for n, c in enumerate(result.ranking(), start=1)}
        CountryScore.objects.bulk_create([_score_row(quarter, tree, c, ranks.get(cc), raw.get(cc, {}), computation)
                                          for cc, c in result.countries.items()])
        return computation


def _node(node: index.Node) -> dict:
    return {"score": node.score, "coverage": node.coverage}


def _score_row(quarter, tree, c: index.CountryResult, rank, raw, computation) -> CountryScore:
    return CountryScore(
        quarter=quarter, version=tree.version, country_id=c.country, overall=c.overall, coverage=c.coverage,
        partial=c.partial, rank=rank, computation=computation,
        pillars={k: _node(v) for k, v in c.pillars.items()}, dimensions={k: _node(v) for k, v in c.dimensions.items()},
        indicators={code: {"raw": raw[code], "adjusted": c.adjusted.get(code), "normalised": c.indicators.get(code)}
                    for code in raw})


def import_inputs(path: str | Path, *, source: str, publisher: str, licence: str, url: str = "",
                  tree: trees.Tree | None = None, is_demo: bool = False) -> int:
    """Import a CSV of third-party values (``quarter,country,indicator,value[,observed]``)
    as a pulse dataset of the named source. A bad row refuses the whole file, naming the
    row; nothing is stored."""
    path = Path(path)
    tree = tree or trees.default()
    codes = _codes(tree)
    try:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            lines = list(csv.reader(fh, strict=True))
    except (OSError, csv.Error, UnicodeDecodeError) as exc:
        raise ResilienceError(f"{path.name}: cannot read it as a UTF-8 CSV file ({exc}).") from None
    if not lines or [c.strip().lower() for c in lines[0][:4]] != IMPORT_COLUMNS:
        raise ResilienceError(f"{path.name}, row 1: the header must start with {','.join(IMPORT_COLUMNS)}.")
    known = set(Country.objects.values_list("code", flat=True))
    parsed: dict[str, list[tuple[str, str, float, str]]] = {}
    for n, line in enumerate(lines[1:], start=2):
        if not any(c.strip() for c in line):
            continue
        if len(line) < 4:
            raise ResilienceError(f"{path.name}, row {n}: expected at least 4 fields, found {len(line)}.")
        try:
            quarter = check_quarter(line[0])
        except ResilienceError as exc:
            raise ResilienceError(f"{path.name}, row {n}: {exc}") from None
        cc, code = line[1].strip().upper(), line[2].strip()
        if cc not in known:
            raise ResilienceError(f"{path.name}, row {n}: {cc!r} is not a known country code.")
        if code not in codes:
            raise ResilienceError(f"{path.name}, row {n}: {code!r} is not an indicator of the index {tree.version}.")
        try:
            value = float(line[3])
        except ValueError:
            value = math.nan
        if not math.isfinite(value):
            raise ResilienceError(f"{path.name}, row {n}: {line[3][:40]!r} is not a number.")
        parsed.setdefault(quarter, []).append((cc, code, value, line[4].strip()[:40] if len(line) > 4 else ""))
    if not parsed:
        raise ResilienceError(f"{path.name}: no rows.")
    with transaction.atomic():
        dataset = _import_dataset(path, source, publisher, licence, url, is_demo)
        return sum(record_inputs(q, [Input(cc, code, v, dataset, obs) for cc, code, v, obs in rows], tree=tree)
                   for q, rows in parsed.items())


def _import_dataset(path: Path, source: str, publisher: str, licence: str, url: str, is_demo: bool) -> Dataset:
    from django.utils.text import slugify

    src, _ = DataSource.objects.get_or_create(slug=slugify(source)[:80] or "unnamed", defaults={
        "name": source, "publisher": publisher, "licence": licence, "url": url})
    sha = sha256_of(path)
    dataset, _ = Dataset.objects.update_or_create(slug=f"resilience-{slugify(path.stem)[:60]}-{sha[:10]}", defaults={
        "source": src, "title": f"{source}: {path.name}", "kind": Dataset.Kind.DEMO if is_demo else Dataset.Kind.INDICATOR,
        "origin": path.name, "sha256": sha, "importer": "resilience-inputs", "importer_version": "1",
        "is_demo": is_demo, "retrieved_at": timezone.now()})
    return dataset


@transaction.atomic
def remove_quarter(quarter: str, *, version: str | None = None) -> int:
    """Remove a quarter's scores (its inputs stay, so it can be computed again)."""
    quarter = check_quarter(quarter)
    qs = CountryScore.objects.filter(quarter=quarter)
    if version:
        qs = qs.filter(version=version)
    n = qs.count()
    qs.delete()
    Computation.objects.filter(quarter=quarter, **({"version": version} if version else {})).update(is_current=False)
    return n
