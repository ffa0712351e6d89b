"""Fellowships: ranking and normalising reviews with the pure-Python core
(``isoc.fellowships.scoring.rank``) against the same figures computed with pandas
(groupby, vectorised), which must agree to 1e-9.

N reviews: each of N/4 applications scored by 4 of N/50 reviewers drawn at random, each
reviewer with their own harshness (some give every application the same score, so the
zero-spread rule is exercised). Figures compared: every application's normalised score
(mean per-reviewer z-score), raw mean, spread (max − min), disagreement flag, and the
ranking order. Needs no database. ``python bench/fellowships.py --reviews 10000 --rounds 5``.
"""

from __future__ import annotations

import argparse
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

from isoc.fellowships import scoring  # noqa: E402

THRESHOLD = 1.5
CRITERIA = [scoring.Criterion("motivation", 2), scoring.Criterion("experience", 2), scoring.Criterion("potential", 1)]


def reviews(n: int, seed: int = 7) -> list[scoring.Review]:
    rng = random.Random(seed)
    n_apps, n_reviewers = max(1, n // 4), max(5, n // 50)
    harshness = [rng.choice([-2, -1, 0, 0, 1, 2]) for _ in range(n_reviewers)]
    flat = set(rng.sample(range(n_reviewers), max(1, n_reviewers // 20)))  # give one score to everything
    out = []
    for app in range(n_apps):
        for reviewer in rng.sample(range(n_reviewers), 4):
            if reviewer in flat:
                scores = {c.key: 3 for c in CRITERIA}
            else:
                base = rng.randint(1, 5)
                scores = {c.key: max(0, min(5, base + harshness[reviewer] + rng.randint(-1, 1))) for c in CRITERIA}
            out.append(scoring.Review(f"r{reviewer}", f"a{app}", scoring.weighted_score(scores, CRITERIA)))
    return out[:n]


def with_core(rows: list[scoring.Review]) -> list[scoring.Ranked]:
    return scoring.rank(rows, THRESHOLD)


def with_pandas(frame: pd.DataFrame) -> pd.DataFrame:
    """The methodology in pandas: z per reviewer (population σ; one score or no spread → 0),
    mean z per application, raw mean, spread, flag; best first, ties by raw mean then id."""
    by = frame.groupby("reviewer", sort=False)["raw"]
    mean, std, count = by.transform("mean"), by.transform("std", ddof=0), by.transform("size")
    z = ((frame["raw"] - mean) / std).where((count >= 2) & (std >= scoring.ZERO_SPREAD), 0.0)
    apps = frame.assign(z=z).groupby("application").agg(normalised=("z", "mean"), raw_mean=("raw", "mean"),
                                                        hi=("raw", "max"), lo=("raw", "min"))
    apps["spread"] = apps["hi"] - apps["lo"]
    apps["disagreement"] = apps["spread"] > THRESHOLD
    apps = apps.reset_index()
    apps["key"] = apps["application"].astype(str)
    return apps.sort_values(["normalised", "raw_mean", "key"], ascending=[False, False, True], kind="mergesort")


def agree(core: list[scoring.Ranked], frame: pd.DataFrame) -> float:
    """The largest difference between the two (raises when the order or a flag differs)."""
    if [r.application for r in core] != list(frame["application"]):
        # Ties in float sums may order differently only when scores are equal to the last bit.
        raise AssertionError("the rankings differ")
    theirs = frame.set_index("application")
    worst = 0.0
    for r in core:
        row = theirs.loc[r.application]
        if bool(row["disagreement"]) != r.disagreement:
            raise AssertionError(f"{r.application}: disagreement flags differ")
        worst = max(worst, abs(row["normalised"] - r.normalised), abs(row["raw_mean"] - r.raw_mean),
                    abs(row["spread"] - r.spread))
    if worst > 1e-9:
        raise AssertionError(f"figures differ by {worst}")
    return worst


def timed(fn, *args) -> tuple[float, object]:
    start = time.perf_counter()
    result = fn(*args)
    return time.perf_counter() - start, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reviews", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    rows = reviews(args.reviews)
    frame = pd.DataFrame({"reviewer": [r.reviewer for r in rows], "application": [r.application for r in rows],
                          "raw": np.array([r.raw for r in rows], dtype=float)})
    ratios, core_times, pandas_times = [], [], []
    for _ in range(args.rounds):
        t_core, core = timed(with_core, rows)
        t_pandas, theirs = timed(with_pandas, frame)
        worst = agree(core, theirs)
        core_times.append(t_core)
        pandas_times.append(t_pandas)
        ratios.append(t_core / t_pandas)
    apps = len({r.application for r in rows})
    reviewers = len({r.reviewer for r in rows})
    print(f"python {platform.python_version()}, pandas {pd.__version__}, numpy {np.__version__}")
    print(f"{len(rows):,} reviews of {apps:,} applications by {reviewers:,} reviewers; the two agree "
          f"(largest difference {worst:.1e}, same order, same flags)")
    print(f"core (pure Python): median {statistics.median(core_times) * 1000:.1f} ms "
          f"({len(rows) / statistics.median(core_times):,.0f} reviews/s)")
    print(f"pandas:             median {statistics.median(pandas_times) * 1000:.1f} ms "
          f"({len(rows) / statistics.median(pandas_times):,.0f} reviews/s)")
    print(f"ratio core time / pandas time: median {statistics.median(ratios):.2f} "
          f"(rounds {min(ratios):.2f}-{max(ratios):.2f})")


if __name__ == "__main__":
    main()
