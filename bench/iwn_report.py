"""IWN impact assessment: reports for N answer sets with the Django-free core
(``isoc.iwn.assess.report``: validation, then each part's verdict and the overall one)
against the same rules vectorised with NumPy (answers as an N × questions code matrix),
which must agree on every part's verdict, every overall verdict and every harm signalled.

Answer sets are drawn at random (seeded): each question answered yes / no / not sure /
not applicable or left out, so every verdict occurs. Both sides start from the same
list of answer dicts (NumPy's time includes encoding them). Needs no database.
``python bench/iwn_report.py --sets 10000 --rounds 5``.
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

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from isoc.iwn import assess  # noqa: E402
from isoc.iwn.questionnaire import ANSWERS, CURRENT  # noqa: E402

Q = CURRENT
KEYS = list(Q.questions)
CODES = {a: i for i, a in enumerate(ANSWERS)}  # yes 0, no 1, not_sure 2, na 3; unanswered 4
UNANSWERED = len(ANSWERS)
VERDICT_CODES = [assess.NO_HARM, assess.NOT_ENOUGH, assess.MAY_HARM]  # worst last: the overall is the max


def answer_sets(n: int, seed: int = 8) -> list[dict[str, str]]:
    """Three kinds of author in equal shares: one who answers carefully and finds little
    harm, one who is mostly unsure, and one whose answers are drawn evenly."""
    rng = random.Random(seed)
    out = []
    for n_set in range(n):
        answers: dict[str, str] = {}
        kind = n_set % 3
        for key, q in Q.questions.items():
            safe = "no" if "yes" in q.harm_if else "yes"
            if kind == 0:
                a = rng.choices([safe, "na", "not_sure", sorted(q.harm_if)[0]], [90, 6, 3, 1])[0]
            elif kind == 1:
                a = rng.choices([safe, "not_sure", None], [40, 40, 20])[0]
            else:
                a = rng.choice([*ANSWERS, None])
            if a is not None:
                answers[key] = a
        out.append(answers)
    return out


def with_core(sets: list[dict[str, str]]) -> list[assess.Report]:
    return [assess.report(Q, answers) for answers in sets]


def core_codes(reports: list[assess.Report]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    part_v = np.array([[VERDICT_CODES.index(f.verdict) for f in r.findings] for r in reports], dtype=np.int8)
    overall = np.array([VERDICT_CODES.index(r.verdict) for r in reports], dtype=np.int8)
    harms = np.zeros((len(reports), len(KEYS)), dtype=bool)
    index = {k: i for i, k in enumerate(KEYS)}
    for n, r in enumerate(reports):
        for f in r.findings:
            for q in f.harms:
                harms[n, index[q.key]] = True
    return part_v, overall, harms


# The NumPy side: the same rules, written once more from the module docstring of assess.
HARM_TABLE = np.array([[a in Q.questions[k].harm_if for a in (*ANSWERS, "")] for k in KEYS], dtype=bool)  # Q × 5
PART_OF = np.array([next(i for i, p in enumerate(Q.parts) if any(q.key == k for q in p.questions)) for k in KEYS])
PARTS = len(Q.parts)


def encode(sets: list[dict[str, str]]) -> np.ndarray:
    """Answers as codes, refusing what the core refuses (unknown question or answer)."""
    codes = np.full((len(sets), len(KEYS)), UNANSWERED, dtype=np.int8)
    index = {k: i for i, k in enumerate(KEYS)}
    for n, answers in enumerate(sets):
        for key, value in answers.items():
            if key not in index or (value and value not in CODES):
                raise ValueError(f"set {n}: {key}={value!r}")
            if value:
                codes[n, index[key]] = CODES[value]
    return codes


def with_numpy(sets: list[dict[str, str]]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    codes = encode(sets)
    harms = HARM_TABLE[np.arange(len(KEYS)), codes]  # N × Q
    applicable = codes != CODES["na"]
    unsure = (codes == CODES["not_sure"]) | (codes == UNANSWERED)

    def per_part(values: np.ndarray) -> np.ndarray:
        out = np.zeros((values.shape[0], PARTS), dtype=np.int32)
        np.add.at(out.T, PART_OF, values.T.astype(np.int32))
        return out

    harmed, n_applicable, n_unsure = per_part(harms) > 0, per_part(applicable), per_part(unsure)
    lacking = (n_applicable > 0) & (n_unsure > Q.unknown_share * n_applicable)
    part_v = np.where(harmed, 2, np.where(lacking, 1, 0)).astype(np.int8)
    return part_v, part_v.max(axis=1), harms


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sets", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    sets = answer_sets(args.sets)
    ratios, core_times, numpy_times = [], [], []
    for _round in range(args.rounds):
        t0 = time.perf_counter()
        reports = with_core(sets)
        t1 = time.perf_counter()
        vectorised = with_numpy(sets)
        t2 = time.perf_counter()
        for name, ours, theirs in zip(("part verdicts", "overall verdicts", "harms"), core_codes(reports), vectorised, strict=True):
            if not np.array_equal(ours, theirs):
                raise SystemExit(f"the core and NumPy disagree on the {name}")
        core_times.append(t1 - t0)
        numpy_times.append(t2 - t1)
        ratios.append((t1 - t0) / (t2 - t1))
    counts = {v: sum(r.verdict == v for r in reports) for v in assess.VERDICTS}
    print(f"machine: {platform.processor() or platform.machine()}, Python {platform.python_version()}, "
          f"numpy {np.__version__}")
    print(f"{args.sets} answer sets × {len(KEYS)} questions, {PARTS} parts; overall verdicts {counts}; "
          "core and NumPy agree on every part verdict, overall verdict and harm signalled")
    print(f"core (pure Python): median {statistics.median(core_times) * 1000:.1f} ms "
          f"({args.sets / statistics.median(core_times):,.0f} reports/s)")
    print(f"anchor (NumPy):     median {statistics.median(numpy_times) * 1000:.1f} ms "
          f"({args.sets / statistics.median(numpy_times):,.0f} reports/s)")
    print(f"core time ÷ NumPy time: median {statistics.median(ratios):.2f} (range {min(ratios):.2f}–{max(ratios):.2f})")


if __name__ == "__main__":
    main()
