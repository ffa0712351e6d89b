"""Detection benchmark: the moving-median outage detector (``isoc.shutdowns.detect``)
over 250 countries × 3 signals × 1 year at 5-minute resolution (~26 million points,
generated, seeded, with injected outages), side by side in the same run with a plain
pandas implementation of the same method (``rolling(window).median()`` on the history,
the same thresholds and the same in-painting), both on one core.

    .venv/bin/python bench/detect.py                  # the full figure
    .venv/bin/python bench/detect.py --countries 20   # a quick look

Prints the seconds for each (CPU seconds of this process, the figure that does not
depend on what else the machine is running, and wall-clock seconds), the ratio pandas ÷ ours, and whether both found the same
alert windows in every series (and the first differences if not). Results go to
``bench/out/detect-results.json`` too.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

# One core: keep BLAS/OpenMP pools (used by neither side, but to be sure) at one thread.
for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(var, "1")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from isoc.shutdowns.detect import DetectorConfig, detect_series, regularize  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out"
STEP = 300
DAY = 86400
KINDS = ("bgp", "active-probing", "probe-connectivity")


def generate(countries: int, days: int, seed: int):
    """Yield (country, kind, timestamps, values, injected) series, one at a time."""
    rng = np.random.default_rng(seed)
    t = np.arange(0, days * DAY, STEP, dtype=np.int64) + 1_672_531_200  # 2023-01-01
    phase = 2 * np.pi * (t % DAY) / DAY
    for c in range(countries):
        outages = []
        for _ in range(rng.poisson(1.0)):
            start = int(rng.integers(10 * DAY, (days - 3) * DAY)) // STEP * STEP + int(t[0])
            hours = float(rng.choice([1, 3, 8, 24, 72]))
            outages.append((start, start + int(hours * 3600), float(rng.uniform(0.05, 0.6))))
        for kind in KINDS:
            level = float(rng.lognormal(7, 1.5))
            v = level * (1 + 0.08 * np.sin(phase + rng.uniform(0, 6.3))) * (1 + rng.normal(0, 0.02, t.size))
            if kind != "bgp":
                v = np.round(v)
            v[rng.random(t.size) < 0.002] = np.nan  # scattered missing points
            for start, end, factor in outages:
                v[(t >= start) & (t < end)] *= factor * float(rng.uniform(0.8, 1.2))
            yield c, kind, t, v, outages


def pandas_detect(t, v, cfg: DetectorConfig):
    """The same method with pandas: a rolling median of the cleaned history, recomputed
    from the first alert on; point by point (a pandas median of the window) while the
    series alerts, because in-painting makes each prediction depend on the last."""
    t0, step, grid = regularize(t, v, cfg.step)
    n = grid.size
    W = max(1, -(-cfg.history // step))
    mc = max(1, min(W, -(-cfg.warmup // step)))
    limit = -(-cfg.inpaint_limit // step)
    clean = pd.Series(grid.copy())
    raw = pd.Series(grid)
    pred = np.full(n, np.nan)
    alert = np.zeros(n, dtype=bool)
    k = 0
    while k < n:
        lo = max(0, k - W)
        p = clean.iloc[lo:].rolling(W, min_periods=mc).median().shift(1).to_numpy()[k - lo :]
        x = grid[k:]
        with np.errstate(invalid="ignore"):
            hits = np.flatnonzero((p > 0) & (x < cfg.warning * p))
        if hits.size == 0:
            pred[k:] = p
            break
        j = k + int(hits[0])
        pred[k:j] = p[: j - k]
        run_start, inpainting = j, True
        while j < n:
            if inpainting and j - run_start >= limit:
                inpainting = False
                clean.iloc[run_start:j] = raw.iloc[run_start:j]
            hist = clean.iloc[max(0, j - W) : j]
            med = hist.median() if hist.count() >= mc else np.nan
            pred[j] = med
            xj = grid[j]
            if med > 0 and xj < cfg.warning * med:
                alert[j] = True
                clean.iloc[j] = med if inpainting else xj
                j += 1
                continue
            j += 1
            if xj == xj:
                break
        k = j
    # Windows and the minimum duration, as the detector defines them.
    from isoc.shutdowns.detect import _windows

    out = []
    for s, e in _windows(alert, grid, cfg.max_gap // step):
        if (e - s + 1) * step >= cfg.min_duration:
            out.append((t0 + s * step, t0 + (e + 1) * step))
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--countries", type=int, default=250)
    ap.add_argument("--days", type=int, default=365)
    ap.add_argument("--seed", type=int, default=2016)
    ap.add_argument("--skip-pandas", action="store_true")
    args = ap.parse_args(argv)
    cfg = DetectorConfig(step=STEP)

    ours_s = pandas_s = ours_wall = pandas_wall = 0.0
    points = series = same = injected = found_injected = 0
    differences = []
    for c, kind, t, v, outages in generate(args.countries, args.days, args.seed):
        series += 1
        points += v.size
        t1, w1 = time.process_time(), time.perf_counter()
        alerts = detect_series(t, v, cfg)
        ours_s += time.process_time() - t1
        ours_wall += time.perf_counter() - w1
        ours = [(a.start, a.end) for a in alerts]
        injected += len(outages)
        found_injected += sum(any(a < e and b > s for a, b in ours) for s, e, _ in outages)
        if not args.skip_pandas:
            t1, w1 = time.process_time(), time.perf_counter()
            theirs = pandas_detect(t, v, cfg)
            pandas_s += time.process_time() - t1
            pandas_wall += time.perf_counter() - w1
            if theirs == ours:
                same += 1
            elif len(differences) < 5:
                differences.append({"country": c, "kind": kind, "ours": ours, "pandas": theirs})
        if series % 75 == 0:
            print(f"  {series} series, ours {ours_s:.2f} s CPU, pandas {pandas_s:.1f} s CPU", file=sys.stderr)

    result = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": f"{platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}",
        "countries": args.countries,
        "days": args.days,
        "series": series,
        "points": points,
        "ours_cpu_seconds": round(ours_s, 3),
        "ours_wall_seconds": round(ours_wall, 3),
        "pandas_cpu_seconds": round(pandas_s, 3) if not args.skip_pandas else None,
        "pandas_wall_seconds": round(pandas_wall, 3) if not args.skip_pandas else None,
        "ratio_pandas_over_ours": round(pandas_s / ours_s, 1) if ours_s and not args.skip_pandas else None,
        "same_windows": f"{same}/{series}" if not args.skip_pandas else None,
        "injected_outages_found": f"{found_injected}/{injected} (injected outages × 3 signals counted per signal)",
        "differences": differences,
    }
    print(json.dumps(result, indent=2))
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "detect-results.json").write_text(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
