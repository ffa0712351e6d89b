"""A real Redis, real ``isoc worker`` processes and databases of their own, on loopback.

Each database the workers share is a copy of the test run's migrated database (SQLite:
``VACUUM INTO`` a file in a temporary data folder; PostgreSQL: ``CREATE DATABASE … TEMPLATE``
of the test database, dropped afterwards), so no test pays for migrating again.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import pytest

REDIS = shutil.which("redis-server") or "/usr/bin/redis-server"
# Test-run variables that must not leak into the processes the tests start.
DROPPED = ("DATABASE_URL", "CELERY_BROKER_URL", "ISOC_BROKER_URL", "ISOC_RESULT_BACKEND", "DJANGO_SETTINGS_MODULE",
           "ISOC_DATA_DIR")
# Redelivery after a SIGKILL waits for the visibility timeout: short for that test (see the
# settings). Short is not free: a task still running after it is handed out a second time
# (harmless, tasks are idempotent, but it muddles what a test reads), so a test that kills
# no worker keeps a long one.
SHORT_VISIBILITY_TIMEOUT = 6
LONG_VISIBILITY_TIMEOUT = 600


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory):
    if not Path(REDIS).exists():
        pytest.skip("redis-server is not installed (apt-get install redis-server)")
    port = free_port()
    folder = tmp_path_factory.mktemp("redis")
    process = subprocess.Popen([REDIS, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                                "--dir", str(folder)], stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 20
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
                s.sendall(b"PING\r\n")
                if s.recv(16).startswith(b"+PONG"):
                    break
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            pytest.fail("redis-server did not start")
        time.sleep(0.05)
    yield f"redis://127.0.0.1:{port}"
    process.terminate()
    process.wait(timeout=10)


@dataclass
class JobDatabase:
    """A database (and data folder) of its own, as the environment of the processes using it."""

    data_dir: Path
    url: str = ""  # empty: SQLite in data_dir
    drop: object = None

    def env(self, **extra: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k not in DROPPED}
        env.update({"ISOC_DATA_DIR": str(self.data_dir), "PYTHONUNBUFFERED": "1", **extra})
        if self.url:
            env["DATABASE_URL"] = self.url
        return env


@pytest.fixture(scope="module")
def job_database(tmp_path_factory, django_db_setup, django_db_blocker):
    """A factory of copies of the test database (migrated and seeded); each is removed
    afterwards. The test must be transactional: a copy is made outside any transaction."""
    from django.db import connection

    made: list[JobDatabase] = []

    def make() -> JobDatabase:
        data_dir = tmp_path_factory.mktemp("jobs-data")
        with django_db_blocker.unblock():
            _seed()
            if connection.vendor == "sqlite":
                target = data_dir / "isoc.sqlite3"
                with connection.cursor() as cursor:
                    cursor.execute("VACUUM INTO %s", [str(target)])
                db = JobDatabase(data_dir)
            else:
                db = _postgres_copy(connection, data_dir)
        made.append(db)
        return db

    yield make
    with django_db_blocker.unblock():
        for db in made:
            if db.drop:
                db.drop()


def _seed() -> None:
    """The reference rows (countries, roles, tiers…) every test database holds; seeded here
    too because a module-scoped copy may be made before the per-test seeding fixture ran."""
    from isoc.chapters.seed import seed as seed_chapters
    from isoc.members.seed import seed
    from isoc.pulse.seed import seed_countries

    seed()
    seed_countries()
    seed_chapters()


def _postgres_copy(connection, data_dir: Path) -> JobDatabase:
    import psycopg

    settings = connection.settings_dict
    name = f"isoc_jobs_{uuid.uuid4().hex[:12]}"
    connection.close()  # a template database must have no other connections
    params = {"host": settings["HOST"] or "127.0.0.1", "port": settings["PORT"] or 5432, "user": settings["USER"],
              "password": settings["PASSWORD"] or None, "dbname": "postgres", "autocommit": True}
    with psycopg.connect(**params) as admin:
        admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{settings["NAME"]}"')

    def drop() -> None:
        with psycopg.connect(**params) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    password = f":{settings['PASSWORD']}" if settings["PASSWORD"] else ""
    url = f"postgres://{settings['USER']}{password}@{params['host']}:{params['port']}/{name}"
    return JobDatabase(data_dir, url=url, drop=drop)


@dataclass
class Worker:
    name: str
    process: subprocess.Popen
    log: Path
    killed: bool = False

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")

    def kill(self) -> None:
        """SIGKILL the whole worker (main process and its pool), as a lost machine."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)
        self.killed = True


@dataclass
class Workers:
    broker: str
    members: list[Worker] = field(default_factory=list)

    def by_hostname(self, hostname: str) -> Worker:
        return next(w for w in self.members if hostname.startswith(w.name + "@"))


def isoc(*args: str) -> list[str]:
    return [sys.executable, "-m", "isoc.site.cli", *args]


@pytest.fixture
def start_workers(tmp_path_factory):
    """``start_workers(db, broker, count)``: that many real ``isoc worker`` processes, ready."""
    started: list[Worker] = []

    def start(db: JobDatabase, broker: str, count: int = 2, concurrency: int = 1,
              visibility_timeout: int = LONG_VISIBILITY_TIMEOUT) -> Workers:
        logs = tmp_path_factory.mktemp("worker-logs")
        env = db.env(ISOC_BROKER_URL=broker, ISOC_BROKER_VISIBILITY_TIMEOUT=str(visibility_timeout),
                     ISOC_JOBS_TEST_HOLD="1")
        group = Workers(broker)
        for n in range(1, count + 1):
            name = f"w{n}"
            log = logs / f"{name}.log"
            with log.open("w") as out:
                process = subprocess.Popen(
                    isoc("worker", "--concurrency", str(concurrency), "--hostname", f"{name}@jobs-test", "--loglevel", "info"),
                    env=env, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
            worker = Worker(name, process, log)
            started.append(worker)
            group.members.append(worker)
        deadline = time.monotonic() + 120  # a hang guard: a loaded 2-core machine is slow to import Django
        for worker in group.members:
            while "ready." not in worker.log_text():
                if worker.process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"worker {worker.name} did not start:\n{worker.log_text()}")
                time.sleep(0.1)
        return group

    yield start
    for worker in started:
        if worker.process.poll() is None:
            os.killpg(worker.process.pid, signal.SIGTERM)
            try:
                worker.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(worker.process.pid, signal.SIGKILL)
                worker.process.wait()


def run_isoc(db: JobDatabase, *args: str, broker: str = "", timeout: float = 180) -> subprocess.CompletedProcess:
    env = db.env(ISOC_BROKER_URL=broker) if broker else db.env()
    return subprocess.run(isoc(*args), env=env, capture_output=True, text=True, timeout=timeout)


DUMP = r"""
import json, django
django.setup()
from isoc.pulse.models import DataSource, Dataset, ImportRun, IndicatorValue
print(json.dumps({
    "sources": sorted(DataSource.objects.values_list("slug", "name", "publisher", "licence", "url")),
    "datasets": sorted(Dataset.objects.values_list("slug", "source__slug", "title", "kind", "description", "origin",
                                                   "sha256", "importer", "importer_version")),
    "values": sorted(IndicatorValue.objects.values_list("dataset__slug", "indicator", "country_id", "year", "value")),
    "applied": sorted(ImportRun.objects.filter(outcome="applied").values_list(
        "dataset__slug", "origin", "sha256", "rows_read", "rows_stored", "rows_skipped")),
    "rejected": sorted(ImportRun.objects.filter(outcome="rejected").values_list("origin", "report__error__message")),
}, default=str))
"""


def canonical_dump(db: JobDatabase) -> dict:
    """The import tables of ``db`` without ids and times, sorted: equal for equal states."""
    done = subprocess.run([sys.executable, "-c", DUMP], env=db.env(DJANGO_SETTINGS_MODULE="isoc.site.settings"),
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def write_indicator_files(folder: Path, count: int, countries: int = 60, years: range = range(2000, 2020)) -> list[Path]:
    """``count`` World Bank bulk CSV files, each a different (made-up) indicator, in the
    format of the real WDI downloads: preamble, header, one row per country, and a World row
    (an aggregate, which the importer skips and reports)."""
    from isoc.pulse import regions

    codes = sorted(regions.by_alpha3())[:countries]
    folder.mkdir(parents=True, exist_ok=True)
    files = []
    for n in range(count):
        code = f"ISOC.JOBS.T{n:02d}"
        lines = ['"Data Source","World Development Indicators",', '"Last Updated Date","2026-01-01",', "",
                 ",".join(f'"{h}"' for h in ["Country Name", "Country Code", "Indicator Name", "Indicator Code",
                                             *map(str, years)]) + ","]
        for i, alpha3 in enumerate([*codes, "WLD"]):
            values = [f"{(n + 1) * 1000 + i * 10 + (y - years.start) * 0.5:.1f}" for y in years]
            lines.append(",".join(f'"{v}"' for v in [f"Country {alpha3}", alpha3, f"Jobs test {n}", code, *values]) + ",")
        path = folder / f"API_{code}_DS2_en_csv_v2.csv"
        path.write_text("\n".join(lines) + "\n")
        files.append(path)
    return files
