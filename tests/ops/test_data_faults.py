"""A read-only or full data folder during an import: a clear error, the previous data intact.

The import is the RIPE Atlas one (``isoc import atlas-disco``), which writes one Parquet
signal file per country and network under ``$ISOC_DATA_DIR/signals`` in the same
transaction as their rows. For real: the import runs in a private mount namespace
(``unshare -m``, as root, here and in CI) where that folder is bind-mounted read-only, or
replaced by a tiny tmpfs holding the previous files and filled to the last byte.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import shlex
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

ISOC = Path(sys.executable).with_name("isoc")
DROPPED = ("DATABASE_URL", "CELERY_BROKER_URL", "ISOC_BROKER_URL", "DJANGO_SETTINGS_MODULE", "PROMETHEUS_MULTIPROC_DIR",
           "ISOC_PROMETHEUS_DEFAULT_DIR")


def _can_mount() -> str | None:
    """Why mounting is impossible here, or None."""
    if os.geteuid() != 0:
        return "needs root for a private mount namespace (unshare -m)"
    if not shutil.which("unshare") or not shutil.which("mount"):
        return "unshare/mount are not installed"
    probe = Path("/tmp") / f"isoc-ops-mount-{os.getpid()}"
    probe.mkdir(exist_ok=True)
    try:
        done = subprocess.run(["unshare", "-m", "sh", "-c", f"mount -t tmpfs -o size=16k tmpfs {probe}"],
                              capture_output=True, text=True, timeout=30)
    finally:
        probe.rmdir()
    return None if done.returncode == 0 else f"mounting in a namespace is not permitted: {done.stderr.strip()}"


WHY_NOT = _can_mount()
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.xdist_group("ops"),
              pytest.mark.skipif(WHY_NOT is not None, reason=WHY_NOT or ""),
              pytest.mark.skipif("postgres" in os.environ.get("DATABASE_URL", ""),
                                 reason="runs in the SQLite run of the suite: the site under test is a SQLite file")]


def _log(path: Path, shift: int) -> Path:
    events = []
    for probe in range(1, 5):
        events.append({"prb_id": probe, "timestamp": 60 * probe + shift, "event": "connect", "asn": 3320, "type": "connection"})
        events.append({"prb_id": probe, "timestamp": 3600 + 60 * probe + shift, "event": "disconnect", "asn": 3320,
                       "type": "connection"})
    with gzip.open(path, "wt") as fh:
        json.dump(events, fh)
    return path


def _hashes(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _state(database: Path) -> tuple:
    with sqlite3.connect(database) as db:
        return (db.execute("SELECT slug, sha256 FROM pulse_dataset ORDER BY slug").fetchall(),
                db.execute("SELECT parquet_path, points, starts_at, ends_at FROM shutdowns_signal ORDER BY id").fetchall())


@pytest.fixture
def site(tmp_path, settings):
    """A site whose first Atlas import went through: its signal files and rows exist."""
    from django.db import connection

    from isoc.pulse.importing import discover, get_importer, import_file

    discover()
    folder = tmp_path / "site"
    folder.mkdir()
    settings.DATA_DIR = folder
    names = tmp_path / "asnames.json"
    names.write_text(json.dumps({"3320": "DTAG Deutsche Telekom AG, DE"}))
    options = {"asn-names": str(names), "min-probes": "1"}
    first = import_file(get_importer("atlas-disco", **options), _log(tmp_path / "atlas.json.gz", 0))
    assert first.error is None and first.rows_stored == 2, first.summary()
    connection.ensure_connection()
    copy = sqlite3.connect(folder / "isoc.sqlite3")
    connection.connection.backup(copy)
    copy.close()
    # The next day's log: same name, other content, so it is not "unchanged".
    newer = tmp_path / "next" / "atlas.json.gz"
    newer.parent.mkdir()
    _log(newer, 30)
    env = {k: v for k, v in os.environ.items() if k not in DROPPED}
    env.update({"ISOC_DATA_DIR": str(folder)})
    command = [str(ISOC), "import", "atlas-disco", str(newer), "-o", f"asn-names={names}", "-o", "min-probes=1"]
    return folder, env, " ".join(shlex.quote(c) for c in command)


def _in_namespace(script: str, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(["unshare", "-m", "sh", "-c", script], env=env, capture_output=True, text=True, timeout=300)


def test_read_only_data_folder_during_an_import(site):
    folder, env, command = site
    signals = folder / "signals"
    before_files, before_rows = _hashes(signals), _state(folder / "isoc.sqlite3")
    assert before_files and before_rows[1]
    done = _in_namespace(f"mount --bind {signals} {signals} && mount -o remount,bind,ro {signals} && {command}", env)
    output = " ".join((done.stdout + done.stderr).split())
    assert done.returncode == 1, output
    assert "rejected, nothing stored" in output and "Read-only file system (EROFS)" in output
    assert str(signals) in output  # the path that could not be written
    assert _hashes(signals) == before_files
    assert _state(folder / "isoc.sqlite3") == before_rows  # the import's transaction was rolled back
    with sqlite3.connect(folder / "isoc.sqlite3") as db:
        outcome, report = db.execute("SELECT outcome, report FROM pulse_importrun ORDER BY id DESC LIMIT 1").fetchone()
    assert outcome == "rejected" and "EROFS" in report


def test_full_disk_during_an_import(site, tmp_path):
    folder, env, command = site
    signals = folder / "signals"
    before_files, before_rows = _hashes(signals), _state(folder / "isoc.sqlite3")
    keep = tmp_path / "keep"
    # A 64 KiB filesystem holding the previous files, then filled up; after the import,
    # what it holds is listed from inside the namespace (it vanishes with it).
    lister = ("import hashlib, json, pathlib, sys; r = pathlib.Path(sys.argv[1]); "
              "print('FILES', json.dumps({p.relative_to(r).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest() "
              "for p in sorted(r.rglob('*')) if p.is_file()}))")
    script = (f"cp -a {signals} {keep} && mount -t tmpfs -o size=64k tmpfs {signals} && cp -a {keep}/. {signals}/ "
              f"&& {{ dd if=/dev/zero of={signals}/.filler bs=1k 2>/dev/null; true; }} && {command}; status=$?; "
              f"rm -f {signals}/.filler; {sys.executable} -c {shlex.quote(lister)} {signals}; exit $status")
    done = _in_namespace(script, env)
    output = " ".join((done.stdout + done.stderr).split())
    assert done.returncode == 1, output
    assert "rejected, nothing stored" in output and "No space left on device (ENOSPC)" in output
    listed = json.loads(next(line for line in done.stdout.splitlines() if line.startswith("FILES "))[6:])
    assert listed == before_files  # the previous files intact, no temporary file left behind
    assert _state(folder / "isoc.sqlite3") == before_rows
