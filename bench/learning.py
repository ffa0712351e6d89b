"""Learning: grading quiz attempts and rendering lessons, each against an anchor measured
in the same run.

1. Grading: ``isoc.learning.quiz.grade`` + ``score`` over N attempts of a 10-question bank
   (single, multiple, short, open), against the anchor *JSON round trip*: decoding the
   submitted answers and encoding the result (``json.loads`` + ``json.dumps``), the least
   any grader does with an attempt. The ratio says what checking and grading cost on top.
2. Lessons: ``isoc.learning.render.lesson_html`` (markdown-it-py, then nh3's allow-list
   and the image rewrite) on the demo course's lessons, against the anchor *markdown-it
   alone* (the same Markdown rendered, not cleaned). The ratio is the price of safety.

Needs no database. ``python bench/learning.py --attempts 20000 --rounds 5``.
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from isoc.learning import quiz  # noqa: E402
from isoc.learning.folder import read_folder  # noqa: E402
from isoc.learning.render import _md, lesson_html  # noqa: E402

DEMO = ROOT / "src" / "isoc" / "learning" / "demo_courses"


def bank() -> list[dict]:
    questions = []
    for i in range(10):
        kind = ("single", "multiple", "short", "single", "multiple", "short", "single", "multiple", "short", "open")[i]
        q = {"kind": kind, "prompt": f"Question {i}", "points": 1 + i % 2, "explanation": ""}
        if kind in ("single", "multiple"):
            q["choices"] = [{"text": f"choice {k}", "correct": k == 0 or (kind == "multiple" and k == 2)}
                            for k in range(4)]
        elif kind == "short":
            q["accept"] = ["TCP/IP", "TCP IP", "Border Gateway Protocol"]
        questions.append(q)
    return questions


def attempts(questions: list[dict], n: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        answers = {}
        for i, q in enumerate(questions):
            if q["kind"] == "single":
                answers[str(i)] = [str(rng.randrange(4))]
            elif q["kind"] == "multiple":
                answers[str(i)] = [str(k) for k in range(4) if rng.random() < 0.5]
            elif q["kind"] == "short":
                answers[str(i)] = rng.choice([" tcp/ip ", "BGP", "border gateway  protocol"])
            else:
                answers[str(i)] = "An open answer of a few words." * 3
        out.append(json.dumps(answers))
    return out


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--attempts", type=int, default=20000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--lesson-repeats", type=int, default=200)
    args = parser.parse_args()
    questions = bank()
    raw = attempts(questions, args.attempts, 2026)

    def anchor_grading():
        for r in raw:
            json.dumps({"answers": json.loads(r)})

    def grading():
        for r in raw:
            clean, grade = quiz.grade(questions, json.loads(r))
            quiz.score(questions, grade.points)
            json.dumps({"answers": clean, "points": grade.points})

    bodies = []
    for folder in sorted(p for p in DEMO.iterdir() if (p / "course.yaml").is_file()):
        spec, _files = read_folder(folder)
        bodies += [lesson.body for lesson in spec.lessons()]
    bodies = bodies * max(1, args.lesson_repeats // max(1, len(bodies)) + 1)

    def anchor_lessons():
        for body in bodies:
            _md.render(body)

    def lessons():
        for body in bodies:
            lesson_html(body, "/learning/en/x/files/")

    rows = {"grading": [], "lessons": []}
    for _ in range(args.rounds):
        a, g = timed(anchor_grading), timed(grading)
        rows["grading"].append((a, g))
        a, lt = timed(anchor_lessons), timed(lessons)
        rows["lessons"].append((a, lt))
    print(f"python {platform.python_version()}, {args.attempts} attempts of {len(questions)} questions, "
          f"{len(bodies)} lesson renders, {args.rounds} rounds")
    for name, label, unit, count in (("grading", "attempts graded", "attempts/s", args.attempts),
                                     ("lessons", "lessons rendered", "lessons/s", len(bodies))):
        ratios = [t / a for a, t in rows[name]]
        anchor_rate = statistics.median(count / a for a, _t in rows[name])
        rate = statistics.median(count / t for _a, t in rows[name])
        print(f"{label}: {rate:,.0f} {unit}; anchor {anchor_rate:,.0f} {unit}; "
              f"time ratio {statistics.median(ratios):.2f}x (rounds {min(ratios):.2f}-{max(ratios):.2f}x)")


if __name__ == "__main__":
    main()
