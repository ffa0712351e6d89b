"""Backup benchmark: `isoc backup` of a demo site against the anchor, doing the same by hand.

    ISOC_DATA_DIR=bench/out/backup-site .venv/bin/python bench/backup.py [--rounds 3]

The site is the one named by ``ISOC_DATA_DIR`` / ``DATABASE_URL`` (make it with
``isoc migrate && isoc demo --people 2000``). The anchor is what an operator would do by
hand for the same result: on SQLite the sqlite3 online backup of the database, on
PostgreSQL ``pg_dump --format=custom``, then one ``tar czf`` of that snapshot and the data
folder (GNU tar and gzip, in C). ``isoc backup`` does that work plus checksums and a manifest: the ratio says what
they cost. ``isoc restore`` of the archive onto a fresh SQLite file is timed too.
Medians over the rounds are printed, with the archive sizes.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "isoc.site.settings")
    import django

    django.setup()


def anchor(out: Path) -> float:
    """The database snapshot alone plus a tar of the data folder, by hand."""
    from django.conf import settings
    from django.db import connection

    from isoc.site.ops.backup import EXCLUDED_TOP, _pg_args, _pg_tool

    started = time.perf_counter()
    if connection.vendor == "sqlite":
        snapshot = out / "anchor.sqlite3"
        connection.ensure_connection()
        target = sqlite3.connect(snapshot)
        connection.connection.backup(target)
        target.close()
    else:
        snapshot = out / "anchor.pgdump"
        args, env = _pg_args()
        subprocess.run([_pg_tool("pg_dump"), "--format=custom", "--file", str(snapshot), *args], env=env, check=True)
    folder = Path(settings.DATA_DIR)
    excludes = [f"--exclude=./{name}" for name in EXCLUDED_TOP] + ["--exclude=./isoc.sqlite3*"]
    # One gzipped tar of the snapshot and the data folder: the same content as `isoc backup`'s.
    subprocess.run(["tar", "czf", str(out / "anchor.tar.gz"), "-C", str(out), snapshot.name, *excludes,
                    "-C", str(folder), "."], check=True)
    return time.perf_counter() - started


def ours(out: Path) -> float:
    from isoc.site.ops.backup import create_backup

    started = time.perf_counter()
    create_backup(out / "isoc.tar.gz")
    return time.perf_counter() - started


def restore_time(archive: Path) -> float:
    """`isoc restore` onto a fresh SQLite site in a subprocess (SQLite archives only)."""
    with tempfile.TemporaryDirectory() as fresh:
        env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "PROMETHEUS_MULTIPROC_DIR",
                                                                  "ISOC_PROMETHEUS_DEFAULT_DIR")}
        env["ISOC_DATA_DIR"] = fresh
        started = time.perf_counter()
        subprocess.run([str(Path(sys.executable).with_name("isoc")), "restore", str(archive)], env=env, check=True,
                       capture_output=True)
        return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=3)
    options = parser.parse_args()
    _setup()
    from django.db import connection

    from isoc.members.models import Person

    print(f"site: {connection.vendor}, {Person.objects.count():,} people, data folder {os.environ.get('ISOC_DATA_DIR')}")
    anchors, backups, restores = [], [], []
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        for _ in range(options.rounds):
            anchors.append(anchor(out))
            backups.append(ours(out))
            if connection.vendor == "sqlite":
                restores.append(restore_time(out / "isoc.tar.gz"))
        sizes = {p.name: p.stat().st_size for p in out.iterdir()}
    a, b = statistics.median(anchors), statistics.median(backups)
    print(f"anchor (snapshot + tar czf): {a:.2f} s  (rounds: {', '.join(f'{x:.2f}' for x in anchors)})")
    print(f"isoc backup:                 {b:.2f} s  (rounds: {', '.join(f'{x:.2f}' for x in backups)})")
    print(f"ratio isoc backup / anchor:  {b / a:.2f}")
    if restores:
        print(f"isoc restore (fresh SQLite): {statistics.median(restores):.2f} s (includes starting the command)")
    for name, size in sorted(sizes.items()):
        print(f"  {name}: {size / 1e6:.1f} MB")
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
