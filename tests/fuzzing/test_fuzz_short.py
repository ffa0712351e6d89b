"""A short fuzz run of every harness (fuzz/fuzz_<target>.py), as CI can afford: a couple of
seconds each from the seed corpus that fuzz/corpus.py builds from ../shared/data. A crash
(an exception other than the parser's documented error) fails the test and names the input
libFuzzer wrote. The long run is documented in the README (``make fuzz``)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("atheris", reason="atheris is in the test extra: pip install -e '.[test]'")

REPO = Path(__file__).resolve().parents[2]
TARGETS = ("mrt", "vrps", "peeringdb", "keepiton", "veris", "dns", "tls", "web")
SECONDS = int(os.environ.get("ISOC_FUZZ_SECONDS", "2"))


@pytest.mark.xdist_group("fuzz")
@pytest.mark.parametrize("target", TARGETS)
def test_a_short_fuzz_run_finds_no_crash(target, tmp_path):
    sys.path.insert(0, str(REPO / "fuzz"))
    from corpus import SHARED_DATA

    if not SHARED_DATA.is_dir():
        pytest.skip(f"{SHARED_DATA} is absent: the seed corpus is built from ../shared/data (see its SOURCES.md)")
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    crashes = tmp_path / "crashes"
    crashes.mkdir()
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO / "src"), os.environ.get("PYTHONPATH", "")])}
    run = subprocess.run(
        [sys.executable, str(REPO / "fuzz" / f"fuzz_{target}.py"), str(corpus),
         f"-max_total_time={SECONDS}", f"-artifact_prefix={crashes}/", "-print_final_stats=1"],
        capture_output=True, text=True, env=env, timeout=120, cwd=tmp_path,
    )
    found = sorted(p.name for p in crashes.iterdir())
    log = run.stderr[-4000:]
    assert run.returncode == 0 and not found, f"fuzz_{target} crashed ({found}):\n{log}"
    assert "stat::number_of_executed_units" in run.stderr, f"fuzz_{target} did not run:\n{log}"
    assert any(corpus.iterdir()), f"fuzz_{target} had no seed corpus:\n{log}"
