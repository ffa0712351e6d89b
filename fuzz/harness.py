"""The shared main of the atheris harnesses (``fuzz/fuzz_<target>.py``).

``python fuzz/fuzz_<target>.py [CORPUS_DIR ...] [libFuzzer flags]``:

- with no corpus folder, seeds are built from ``../shared/data`` into a temporary folder
  (``fuzz/corpus.py``); a corpus folder given empty is seeded the same way, and libFuzzer
  adds every new input that reaches new code to the first one, so a long run can resume;
- crashes are written to ``var/fuzz/crashes/<target>/`` (``-artifact_prefix=`` to change);
- the isoc code is instrumented for coverage (atheris ``instrument_imports``), the compiled
  MRT decoder only when built with ``-fsanitize=fuzzer-no-link`` (see the README).

Replay one input: ``python fuzz/fuzz_<target>.py var/fuzz/crashes/<target>/crash-…``.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent


def main(target: str) -> None:
    import atheris

    sys.path.insert(0, str(HERE))
    if str(REPO / "src") not in sys.path and (REPO / "src" / "isoc").is_dir():
        sys.path.insert(1, str(REPO / "src"))
    # Instrument isoc (and what it parses with) so coverage guides the mutations; the
    # libraries' own deep internals stay uninstrumented, as the harnesses do not fuzz them.
    with atheris.instrument_imports(include=["isoc"]):
        import fuzz_targets

        fuzz_targets.TARGETS[target]  # noqa: B018 - fail early on a wrong name
        _preload(target)
    test_one = fuzz_targets.TARGETS[target]

    args = list(sys.argv)
    folders = [a for a in args[1:] if not a.startswith("-") and Path(a).is_dir()]
    files = [a for a in args[1:] if not a.startswith("-") and Path(a).is_file()]
    if not files:
        import corpus

        if not folders:
            folder = tempfile.mkdtemp(prefix=f"isoc-fuzz-{target}-")
            args.append(folder)
            folders = [folder]
        if not any(Path(folders[0]).iterdir()):
            try:
                corpus.write_seeds(target, Path(folders[0]))
            except corpus.NoSharedData as exc:
                print(f"fuzz {target}: no seed corpus ({exc}); fuzzing from scratch", file=sys.stderr)
    if not any(a.startswith("-artifact_prefix=") for a in args):
        crashes = Path(os.environ.get("ISOC_DATA_DIR", REPO / "var")) / "fuzz" / "crashes" / target
        crashes.mkdir(parents=True, exist_ok=True)
        args.append(f"-artifact_prefix={crashes}/")
    if not any(a.startswith("-timeout=") for a in args):
        args.append("-timeout=20")  # an input that takes longer is a hang worth a look
    if not any(a.startswith("-rss_limit_mb=") for a in args):
        args.append("-rss_limit_mb=2048")

    atheris.Setup(args, test_one)
    atheris.Fuzz()


def _preload(target: str) -> None:
    """Import the target's modules now, inside the instrumentation, not on the first input."""
    modules = {
        "mrt": ["isoc.routing.mrt", "isoc.routing.elements", "isoc.routing.bgpdump_format"],
        "vrps": ["isoc.routing.vrps"],
        "peeringdb": ["isoc.infra.peeringdb", "isoc.infra.ixps_records", "isoc.pulse.importing"],
        "keepiton": ["isoc.shutdowns.keepiton", "isoc.shutdowns.matching"],
        "veris": ["isoc.incidents.veris"],
        "dns": ["isoc.enablers.probes_dns"],
        "tls": ["isoc.enablers.probes_web", "isoc.enablers.web_parsing"],
        "web": ["isoc.enablers.web_parsing"],
    }[target]
    import importlib

    for name in modules:
        importlib.import_module(name)
