"""Benchmark: MRT decoding, our compiled decoder against bgpdump, pybgpkit-parser and mrtparse.

Decodes the same real dumps with Debian's ``bgpdump -m`` (C, text lines), pybgpkit-parser
0.6.2 (Rust, Python objects), mrtparse (pure Python, nested dicts) and ours
(``isoc.routing.elements.read_batches``: Arrow record batches, compiled and pure-Python),
in rounds, and prints the median elements/s of each and our ratio to each. Everyone reads
the compressed file and pays for its own gzip/bzip2 decompression; ``--plain`` adds the same
run over decompressed copies (in ``bench/out/mrt/``), which shows the decoders alone.

An element is one prefix of one record, the grain of a bgpdump -m line: a RIB entry, an
announced or a withdrawn prefix (also those in MP_REACH/MP_UNREACH). BGP session state
changes are not elements. Each tool's count is printed; they must agree per file.

Usage: ``.venv/bin/python bench/mrt.py [--rounds 5] [--plain] [--skip-slow]``. Installs
pybgpkit-parser and mrtparse into the virtualenv with pip when missing (they are not project
dependencies), and bgpdump with apt-get when missing and running as root.
"""

from __future__ import annotations

import argparse
import bz2
import gzip
import importlib
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "mrt"
OUT = Path(__file__).resolve().parent / "out"
FILES = [
    "ripe-bgpdump/test_data/bview.20020722.2337.gz",  # TABLE_DUMP RIB, 2-byte ASNs
    "ripe-bgpdump/test_data/updates.20160811.1600.gz",  # BGP4MP AS4 updates, IPv4 + IPv6
    "ripe-bgpdump/test_data/updates.20070211.0141.gz",  # BGP4MP updates, 2-byte ASNs
    "dfz_name_and_shame/sydney.updates.20220601.0230.bz2",  # RouteViews updates, bzip2
    "pyasn/rib.20140523.0600_firstMB.bz2",  # TABLE_DUMP_V2 RIB (first MiB, torn tail)
]
PYPI = {"pybgpkit_parser": "pybgpkit-parser==0.6.2", "mrtparse": "mrtparse"}


def ensure_module(module: str) -> object | None:
    """Import a baseline, installing it into this virtualenv with pip when missing."""
    try:
        return importlib.import_module(module)
    except ImportError:
        pass
    print(f"installing {PYPI[module]} into {sys.prefix} (benchmark baseline, not a project dependency)")
    done = subprocess.run([sys.executable, "-m", "pip", "install", "-q", PYPI[module]], check=False)
    if done.returncode != 0:
        print(f"  could not install {PYPI[module]}: {module} is left out")
        return None
    importlib.invalidate_caches()
    return importlib.import_module(module)


def ensure_bgpdump() -> str | None:
    path = shutil.which("bgpdump")
    if path:
        return path
    if os.geteuid() == 0 and shutil.which("apt-get"):
        print("installing Debian's bgpdump with apt-get")
        subprocess.run(["apt-get", "install", "-y", "-qq", "bgpdump"], check=False,
                       stdout=subprocess.DEVNULL)  # fmt: skip
        path = shutil.which("bgpdump")
    if not path:
        print("bgpdump is missing (apt-get install bgpdump as root): it is left out")
    return path


# ---------------------------------------------------------------------------------------------
# One function per tool: decode the file completely, return the number of elements.


def count_bgpdump_lines(binary: str, path: Path) -> int:
    """Untimed: bgpdump -m lines that are elements (not STATE)."""
    out = subprocess.run([binary, "-m", str(path)], capture_output=True, check=False).stdout
    return sum(1 for line in out.splitlines() if b"|STATE|" not in line)


def run_bgpdump(binary: str, path: Path) -> int:
    """Timed: bgpdump -m writing its lines to /dev/null (its whole job: decode and print)."""
    subprocess.run([binary, "-m", str(path)], stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, check=False)  # fmt: skip
    return -1  # counted separately, untimed


def run_ours(engine: str) -> Callable[[Path], int]:
    from isoc.routing.elements import read_batches

    def run(path: Path) -> int:
        return sum(b.num_rows for b in read_batches(path, lambda w: None, engine=engine))

    return run


def run_bgpkit(module) -> Callable[[Path], int]:
    def run(path: Path) -> int:
        n = 0
        for _elem in module.Parser(url=str(path)):
            n += 1
        return n

    return run


def mrtparse_elements(data: dict) -> int:
    """Elements of one mrtparse record (its nested dicts)."""
    kind = next(iter(data.get("type", {0: ""})))
    if kind == 12:  # TABLE_DUMP: one prefix per record
        return 1
    if kind == 13:  # TABLE_DUMP_V2: one per RIB entry (the peer index table has none)
        return len(data.get("rib_entries", ()))
    if kind not in (16, 17) or not data.get("bgp_message"):
        return 0
    msg = data["bgp_message"]
    n = len(msg.get("withdrawn_routes", ())) + len(msg.get("nlri", ()))
    for attr in msg.get("path_attributes", ()):
        code = next(iter(attr["type"]))
        if code == 14:
            n += len(attr["value"].get("nlri", ()))
        elif code == 15:
            n += len(attr["value"].get("withdrawn_routes", ()))
    return n


def run_mrtparse(module) -> Callable[[Path], int]:
    def run(path: Path) -> int:
        n = 0
        try:
            for entry in module.Reader(str(path)):
                n += mrtparse_elements(entry.data)
        except (EOFError, OSError):
            pass  # a torn compressed tail (pyasn's first MiB): keep what came before it
        return n

    return run


# ---------------------------------------------------------------------------------------------


def decompressed(path: Path) -> Path:
    """A plain copy of ``path`` in bench/out/mrt/ (bz2 and gzip tolerate a truncated end)."""
    target = OUT / "mrt" / (path.name.rsplit(".", 1)[0] + ".mrt")
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        raw = path.read_bytes()
        if raw[:2] == b"\x1f\x8b":
            data = gzip.decompress(raw)
        else:
            data = bz2.BZ2Decompressor().decompress(raw)
        target.write_bytes(data)
    return target


def measure(tools: dict[str, Callable[[Path], int]], files: list[Path], rounds: int,
            counts: dict[tuple[str, str], int]) -> dict[str, dict[str, list[float]]]:  # fmt: skip
    """Seconds per (tool, file) over ``rounds`` rounds; a round runs every tool on every file."""
    times: dict[str, dict[str, list[float]]] = {t: {f.name: [] for f in files} for t in tools}
    for r in range(rounds):
        for path in files:
            for name, run in tools.items():
                start = time.perf_counter()
                n = run(path)
                times[name][path.name].append(time.perf_counter() - start)
                if n >= 0:
                    counts[(name, path.name)] = n
        print(f"  round {r + 1}/{rounds} done")
    return times


def report(title: str, tools: list[str], files: list[Path], times, counts) -> dict:
    ours = "ours (compiled)"
    print(f"\n{title}")
    width = max(len(f.name) for f in files)
    header = f"| {'file':{width}} | elements | " + " | ".join(f"{t} el/s" for t in tools) + " |"
    print(header)
    print("|" + "|".join("---" for _ in range(header.count("|") - 1)) + "|")
    summary: dict = {"files": {}, "total": {}}
    total_el = 0
    total_s = dict.fromkeys(tools, 0.0)
    for path in files:
        n = counts[(ours, path.name)]
        total_el += n
        cells = []
        row = {"elements": n, "seconds": {}, "counts": {}}
        for t in tools:
            med = statistics.median(times[t][path.name])
            total_s[t] += med
            row["seconds"][t] = med
            row["counts"][t] = counts.get((t, path.name))
            cells.append(f"{n / med:,.0f}")
        summary["files"][path.name] = row
        print(f"| {path.name:{width}} | {n:,} | " + " | ".join(cells) + " |")
    rates = {t: total_el / total_s[t] for t in tools}
    print(f"| {'all files':{width}} | {total_el:,} | " + " | ".join(f"**{rates[t]:,.0f}**" for t in tools) + " |")
    summary["total"] = {"elements": total_el, "seconds": total_s, "elements_per_s": rates}
    print()
    for t in tools:
        if t != ours:
            print(f"  ours (compiled) ÷ {t}: {rates[ours] / rates[t]:.1f}×")
    summary["ratios"] = {t: rates[ours] / rates[t] for t in tools if t != ours}
    mismatches = [
        (f.name, t, counts.get((t, f.name)), counts[(ours, f.name)])
        for f in files
        for t in tools
        if counts.get((t, f.name)) not in (None, counts[(ours, f.name)])
    ]
    for name, tool, theirs, mine in mismatches:
        print(f"  count differs: {name}: {tool} {theirs:,}, ours {mine:,}")
    if not mismatches:
        print("  every tool counted the same elements in every file")
    summary["count_mismatches"] = mismatches
    return summary


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--plain", action="store_true", help="also time decompressed copies")
    ap.add_argument("--skip-slow", action="store_true", help="leave out mrtparse and our pure path")
    args = ap.parse_args()
    if not DATA.is_dir():
        sys.exit(f"real data folder {DATA} is absent")

    from isoc.routing import elements

    if elements.COMPILED is None:
        sys.exit(f"the compiled decoder is not built: {elements._COMPILED_PROBLEM}")
    tools: dict[str, Callable[[Path], int]] = {"ours (compiled)": run_ours("compiled")}
    bgpdump = ensure_bgpdump()
    if bgpdump:
        tools["bgpdump -m"] = lambda p: run_bgpdump(bgpdump, p)
    bgpkit = ensure_module("pybgpkit_parser")
    if bgpkit:
        tools["pybgpkit 0.6.2"] = run_bgpkit(bgpkit)
    if not args.skip_slow:
        mrtparse = ensure_module("mrtparse")
        if mrtparse:
            tools["mrtparse"] = run_mrtparse(mrtparse)
        tools["ours (pure Python)"] = run_ours("python")

    files = [DATA / f for f in FILES]
    variants = [("compressed input (each tool decompresses)", files)]
    if args.plain:
        variants.append(("decompressed input", [decompressed(f) for f in files]))

    import numpy
    import pyarrow

    machine = {
        "cpus": os.cpu_count(),
        "cpu": next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo")
                     if line.startswith("model name")), platform.processor()),  # fmt: skip
        "python": platform.python_version(),
        "pyarrow": pyarrow.__version__,
        "numpy": numpy.__version__,
        "load_before": os.getloadavg(),
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
    }
    if bgpdump:
        machine["bgpdump"] = subprocess.run(["dpkg-query", "-W", "-f=${Version}", "bgpdump"],
                                            capture_output=True, text=True, check=False).stdout  # fmt: skip
    print(f"machine: {machine}")
    results = {"machine": machine, "rounds": args.rounds, "variants": {}}
    for title, paths in variants:
        print(f"\n== {title}: {len(paths)} files, {args.rounds} rounds")
        counts: dict[tuple[str, str], int] = {}
        if bgpdump:
            for p in paths:
                counts[("bgpdump -m", p.name)] = count_bgpdump_lines(bgpdump, p)
        times = measure(tools, paths, args.rounds, counts)
        results["variants"][title] = report(
            f"{title}, median of {args.rounds} rounds", list(tools), paths, times, counts
        )
    machine["load_after"] = os.getloadavg()
    print(f"\nload average before {machine['load_before']}, after {machine['load_after']}")
    OUT.mkdir(exist_ok=True)
    (OUT / "mrt-results.json").write_text(json.dumps(results, indent=2, default=str))
    print(f"results written to {OUT / 'mrt-results.json'}")


if __name__ == "__main__":
    main()
