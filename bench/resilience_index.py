"""Internet Resilience Index: the core (``isoc.resilience.index.compute``, numpy) against a
straightforward pandas implementation of the same method (the anchor), which must agree
to 1e-9 on every overall, pillar and dimension score and coverage.

Inputs: N countries (default 200) × every indicator of the shipped tree
(``iri-2026.1.yaml``), made up from a per-country level with noise, about one value in
ten missing, a few outliers beyond the Tukey fences, one indicator all-equal, and a
population for the per-capita indicators. Each round computes the whole index both ways.
Needs no database. ``python bench/resilience_index.py --countries 200 --rounds 7``.
"""

from __future__ import annotations

import argparse
import math
import platform
import random
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from isoc.resilience import index, tree  # noqa: E402


def inputs(tree_: tree.Tree, n: int, seed: int = 11) -> tuple[dict, dict]:
    rng = random.Random(seed)
    raw, population = {}, {}
    codes = [i.code for i in tree_.indicators()]
    for c in range(n):
        cc = f"C{c:04d}"
        level = rng.random()
        population[cc] = math.exp(rng.uniform(math.log(5e4), math.log(3e8)))
        values = {}
        for k, code in enumerate(codes):
            if rng.random() < 0.1:
                continue
            v = 100 * level + rng.gauss(0, 10) + k
            if rng.random() < 0.02:
                v *= 20  # an outlier
            values[code] = 7.0 if k == 3 else v  # indicator 3: every country equal
        raw[cc] = values
    return raw, population


def with_core(tree_, raw, population):
    return index.compute(tree_, raw, population)


def with_pandas(tree_, raw, population) -> pd.DataFrame:
    """The method in pandas: per capita, Tukey clipping (no clipping when IQR is 0),
    min-max (inverted when lower is better; all equal → 50), weighted means re-weighted
    among present values with coverage, overall = mean of ≥ 3 present pillars."""
    frame = pd.DataFrame.from_dict(raw, orient="index").reindex(columns=[i.code for i in tree_.indicators()])
    frame = frame.sort_index()
    pop = pd.Series(population).reindex(frame.index) / 1e6
    out = pd.DataFrame(index=frame.index)
    norm = pd.DataFrame(index=frame.index)
    for ind in tree_.indicators():
        col = frame[ind.code]
        if ind.per_capita:
            col = col / pop.where(pop > 0)
        q1, q3 = col.quantile(0.25), col.quantile(0.75)
        iqr = q3 - q1
        clipped = col.clip(q1 - 1.5 * iqr, q3 + 1.5 * iqr) if iqr > 0 else col
        lo, hi = clipped.min(), clipped.max()
        scaled = (clipped - lo) / (hi - lo) * 100 if hi > lo else clipped.where(clipped.isna(), 50.0)
        norm[ind.code] = scaled if ind.higher_is_better or not hi > lo else 100 - scaled
    pillar_scores = []
    for p in tree_.pillars:
        d_scores, d_covs, d_weights = [], [], []
        for d in p.dimensions:
            cols = [i.code for i in d.indicators]
            w = pd.Series({i.code: i.weight for i in d.indicators})
            present = norm[cols].notna()
            wsum = present.mul(w).sum(axis=1)
            score = norm[cols].fillna(0).mul(w).sum(axis=1) / wsum.where(wsum > 0)
            cov = wsum / w.sum()
            out[f"d:{d.code}"], out[f"dc:{d.code}"] = score, cov
            d_scores.append(score.rename(d.code))
            d_covs.append(cov.rename(d.code))
            d_weights.append(d.weight)
        ds, dc = pd.concat(d_scores, axis=1), pd.concat(d_covs, axis=1)
        w = pd.Series(d_weights, index=ds.columns)
        wsum = ds.notna().mul(w).sum(axis=1)
        out[f"p:{p.code}"] = ds.fillna(0).mul(w).sum(axis=1) / wsum.where(wsum > 0)
        out[f"pc:{p.code}"] = dc.mul(w).sum(axis=1) / w.sum()
        pillar_scores.append(f"p:{p.code}")
    present = out[pillar_scores].notna().sum(axis=1)
    out["overall"] = out[pillar_scores].mean(axis=1).where(present >= index.MIN_PILLARS)
    out["coverage"] = out[[f"pc:{p.code}" for p in tree_.pillars]].mean(axis=1)
    return out


def agree(core: index.Result, theirs: pd.DataFrame, tree_) -> float:
    worst = 0.0

    def compare(a, b, what):
        nonlocal worst
        if (a is None) != (b is None or (isinstance(b, float) and math.isnan(b))):
            raise AssertionError(f"{what}: {a} against {b}")
        if a is not None:
            worst = max(worst, abs(a - b))

    for cc, c in core.countries.items():
        row = theirs.loc[cc]
        compare(c.overall, row["overall"], f"{cc} overall")
        compare(c.coverage, row["coverage"], f"{cc} coverage")
        for p in tree_.pillars:
            compare(c.pillars[p.code].score, row[f"p:{p.code}"], f"{cc} {p.code}")
            compare(c.pillars[p.code].coverage, row[f"pc:{p.code}"], f"{cc} {p.code} coverage")
        for d in tree_.dimensions():
            compare(c.dimensions[d.code].score, row[f"d:{d.code}"], f"{cc} {d.code}")
            compare(c.dimensions[d.code].coverage, row[f"dc:{d.code}"], f"{cc} {d.code} coverage")
    if worst > 1e-9:
        raise AssertionError(f"scores differ by {worst}")
    return worst


def timed(fn, *args):
    start = time.perf_counter()
    result = fn(*args)
    return time.perf_counter() - start, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--countries", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    tree_ = tree.load()
    raw, population = inputs(tree_, args.countries)
    ratios, core_times, pandas_times = [], [], []
    for _ in range(args.rounds):
        t_core, core = timed(with_core, tree_, raw, population)
        t_pandas, theirs = timed(with_pandas, tree_, raw, population)
        worst = agree(core, theirs, tree_)
        core_times.append(t_core)
        pandas_times.append(t_pandas)
        ratios.append(t_core / t_pandas)
    values = sum(len(v) for v in raw.values())
    print(f"python {platform.python_version()}, pandas {pd.__version__}, numpy {np.__version__}")
    print(f"{args.countries:,} countries × {len(tree_.indicators())} indicators ({values:,} values present); "
          f"the two agree (largest difference {worst:.1e})")
    print(f"core (numpy):   median {statistics.median(core_times) * 1000:.2f} ms")
    print(f"anchor (pandas): median {statistics.median(pandas_times) * 1000:.2f} ms")
    print(f"ratio core time / pandas time: median {statistics.median(ratios):.2f} "
          f"(rounds {min(ratios):.2f}-{max(ratios):.2f})")


if __name__ == "__main__":
    main()
