"""Jobs benchmark: the same batch of imports run by ``isoc import`` in one process (no
broker, eager) and fanned out over Redis to worker processes, timed end to end.

    .venv/bin/python bench/jobs.py                      # 40 files, 2 workers of concurrency 1
    .venv/bin/python bench/jobs.py --files 80 --workers 2 --concurrency 2

Each run gets a fresh copy of one migrated SQLite database (made once under
``bench/out/jobs/``), so both start from the same state; the command's own start-up is
inside both timings, the workers' start-up is not (they are started and ready before the
clock starts, as in a deployment). After the runs the two databases are compared (the
import tables without ids and times) and must be equal. Prints the time of each run and
the ratio distributed ÷ eager (the anchor: the eager run).
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out" / "jobs"
sys.path.insert(0, str(ROOT / "tests" / "jobs"))

from jobs_helpers import (  # noqa: E402
    JobDatabase,
    canonical_dump,
    free_port,
    isoc,
    run_isoc,
    write_indicator_files,
)


def base_database() -> Path:
    """A migrated SQLite database, made once and copied for each run."""
    base = OUT / "base"
    if not (base / "isoc.sqlite3").exists():
        base.mkdir(parents=True, exist_ok=True)
        print("migrating the base database (once)…", flush=True)
        done = run_isoc(JobDatabase(base), "migrate", timeout=900)
        if done.returncode:
            sys.exit(done.stdout + done.stderr)
    return base / "isoc.sqlite3"


def fresh(name: str, base: Path) -> JobDatabase:
    folder = OUT / name
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    shutil.copy(base, folder / "isoc.sqlite3")
    (folder / "secret_key").write_text((base.parent / "secret_key").read_text())
    return JobDatabase(folder)


def timed_import(db: JobDatabase, files: list[Path], broker: str = "") -> float:
    started = time.monotonic()
    done = run_isoc(db, "import", "worldbank", *map(str, files), broker=broker, timeout=3600)
    elapsed = time.monotonic() - started
    if done.returncode:
        sys.exit(f"isoc import failed:\n{done.stdout}\n{done.stderr}")
    return elapsed


def start_redis() -> tuple[subprocess.Popen, str]:
    port = free_port()
    process = subprocess.Popen([shutil.which("redis-server") or "/usr/bin/redis-server", "--port", str(port), "--bind",
                                "127.0.0.1", "--save", "", "--appendonly", "no"], stdout=subprocess.DEVNULL)
    time.sleep(0.5)
    return process, f"redis://127.0.0.1:{port}/0"


def start_workers(db: JobDatabase, broker: str, count: int, concurrency: int) -> list[subprocess.Popen]:
    workers = []
    for n in range(1, count + 1):
        log = (db.data_dir / f"worker{n}.log").open("w")
        workers.append(subprocess.Popen(isoc("worker", "--concurrency", str(concurrency), "--hostname", f"bench{n}@%h",
                                             "--loglevel", "warning"),
                                        env=db.env(ISOC_BROKER_URL=broker), stdout=log, stderr=subprocess.STDOUT,
                                        start_new_session=True))
    # Ready when each answers a ping through the broker.
    from celery import Celery

    control = Celery(broker=broker)
    deadline = time.monotonic() + 300
    while len(control.control.ping(timeout=1.0) or []) < count:
        if time.monotonic() > deadline:
            sys.exit("the workers did not come up")
    return workers


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--files", type=int, default=40, help="files in the batch (one task each)")
    parser.add_argument("--countries", type=int, default=200, help="countries per file")
    parser.add_argument("--years", type=int, default=60, help="years per country")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--concurrency", type=int, default=1, help="processes per worker")
    args = parser.parse_args()

    base = base_database()
    files = write_indicator_files(OUT / "incoming", args.files, countries=args.countries,
                                  years=range(1960, 1960 + args.years))
    eager_db = fresh("eager", base)
    eager = timed_import(eager_db, files)

    redis, broker = start_redis()
    dist_db = fresh("distributed", base)
    workers = start_workers(dist_db, broker, args.workers, args.concurrency)
    try:
        distributed = timed_import(dist_db, files, broker=broker)
    finally:
        for w in workers:
            os.killpg(w.pid, signal.SIGTERM)
        for w in workers:
            w.wait(timeout=60)
        redis.terminate()
    same = canonical_dump(eager_db) == canonical_dump(dist_db)
    values = args.files * args.countries * args.years
    print(f"machine: {platform.node()} {os.cpu_count()} CPUs, load {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"batch: {args.files} files, {values:,} values; SQLite; {args.workers} workers × concurrency {args.concurrency}")
    print(f"eager (one process):      {eager:7.2f} s")
    print(f"distributed (over Redis): {distributed:7.2f} s")
    print(f"distributed ÷ eager:      {distributed / eager:7.2f}")
    print(f"same database state:      {'yes' if same else 'NO'}")
    if not same:
        sys.exit(1)


if __name__ == "__main__":
    main()
