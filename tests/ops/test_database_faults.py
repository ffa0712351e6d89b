"""The database goes away under a running site, on a real PostgreSQL.

A throw-away cluster, the site served by `isoc serve` (gunicorn, one process)
from a subprocess: while the database is stopped, pages and the API answer 503 within
seconds (a translated page or the API's JSON error, Retry-After, no traceback) and the
liveness probe stays up; once it is started again the same server answers 200 by itself.
And a write cut off half way (the database stopped between two statements of one service)
leaves nothing behind.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pg_cluster
import pytest

pytestmark = [pytest.mark.xdist_group("ops"),
              pytest.mark.timeout(600),  # a cluster and a server started on a loaded machine
              pytest.mark.skipif(pg_cluster.binaries() is None, reason="PostgreSQL server binaries (initdb, pg_ctl) are not installed"),
              # It makes its own cluster whatever the suite's database: once per CI is enough.
              pytest.mark.skipif("postgres" in os.environ.get("DATABASE_URL", ""),
                                 reason="runs once, in the SQLite run of the suite (it starts its own PostgreSQL)")]

ISOC = Path(sys.executable).with_name("isoc")
HEADERS = {"X-Forwarded-Proto": "https"}
DROPPED = ("DATABASE_URL", "CELERY_BROKER_URL", "ISOC_BROKER_URL", "DJANGO_SETTINGS_MODULE", "PROMETHEUS_MULTIPROC_DIR",
           "ISOC_PROMETHEUS_DEFAULT_DIR", "ISOC_BENCH")

SEED = r"""
import os
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "isoc.site.settings")
import django
django.setup()
from django.core.management import call_command
call_command("migrate", "--noinput", verbosity=0)
from datetime import timedelta
from decimal import Decimal
from django.utils import timezone
from isoc.events.models import Event
from isoc.members.models import Person
now = timezone.now()
Event.objects.create(slug="fault-drill", title="Fault drill", time_zone="UTC", starts_at=now + timedelta(days=9),
    ends_at=now + timedelta(days=9, hours=2), capacity=5, members_open_at=now - timedelta(days=2),
    public_open_at=now - timedelta(days=1), closes_at=now + timedelta(days=8), fee=Decimal("0.00"),
    currency="USD", published=True)
Person.objects.create_user(email="cut@example.org", password="correct-horse-battery-staple")
"""

# Register for the event through the service; stop the database right after the
# registration row is inserted, before the service's next statement (its history row).
CUT_WRITE = r"""
import os, subprocess, sys
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "isoc.site.settings")
import django
django.setup()
from django.db import OperationalError, InterfaceError, connection
from isoc.events import services
from isoc.events.models import Event
from isoc.members.models import Person
event, person = Event.objects.get(slug="fault-drill"), Person.objects.get(email="cut@example.org")
stop = sys.argv[1:]

def cut(execute, sql, params, many, context):
    result = execute(sql, params, many, context)
    if sql.startswith('INSERT INTO "events_registration"'):
        subprocess.run(stop, check=True, capture_output=True)
    return result

try:
    with connection.execute_wrapper(cut):
        services.register(event, person, notify=False)
except (OperationalError, InterfaceError) as exc:
    print("CUT", type(exc).__name__)
else:
    print("NOT CUT")
"""


def _env(data_dir: Path, url: str, port: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in DROPPED}
    # ISOC_DEBUG=1 spares this test collectstatic (half a minute of CPU); the production
    # path of the same answers (the 500 handler, DEBUG off) is checked in test_probes.
    env.update({"ISOC_DATA_DIR": str(data_dir), "DATABASE_URL": url, "ISOC_DEBUG": "1", "ISOC_SECURE_PROXY": "1",
                "ISOC_ALLOWED_HOSTS": "127.0.0.1", "ISOC_SITE_URL": f"http://127.0.0.1:{port}", "PYTHONUNBUFFERED": "1"})
    return env


def _get(url: str, timeout: float = 15) -> tuple[int, dict, bytes, float]:
    started = time.monotonic()
    request = urllib.request.Request(url, headers={**HEADERS, "Accept-Language": "fr"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, dict(response.headers), response.read(), time.monotonic() - started
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read(), time.monotonic() - started


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    cluster = pg_cluster.make()
    data_dir = tmp_path_factory.mktemp("faults")
    port = pg_cluster._free_port()
    env = _env(data_dir, cluster.url, port)
    process = None
    try:
        done = subprocess.run([sys.executable, "-c", SEED], env=env, capture_output=True, text=True, timeout=600)
        assert done.returncode == 0, done.stderr
        log = (data_dir / "serve.log").open("w")
        process = subprocess.Popen([str(ISOC), "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", "1",
                                    "--threads", "2"], env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 300
        while True:
            try:
                if _get(base + "/healthz", timeout=5)[0] == 200:
                    break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            assert process.poll() is None and time.monotonic() < deadline, (data_dir / "serve.log").read_text()
            time.sleep(0.3)
        yield base, cluster, env
    finally:
        if process is not None:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
        cluster.stop("immediate")
        shutil.rmtree(cluster.folder.parent, ignore_errors=True)


def test_database_restart_fails_fast_then_recovers_by_itself(served):
    base, cluster, _ = served
    assert _get(base + "/")[0] == 200
    assert _get(base + "/api/v1/events/")[0] == 200
    assert _get(base + "/readyz")[0] == 200

    cluster.stop("fast")
    try:
        status, headers, body, took = _get(base + "/")
        assert status == 503 and took < 5, (status, took)
        page = body.decode()
        assert "Traceback" not in page and "temporairement indisponible" in page and int(headers["Retry-After"]) > 0
        status, headers, body, took = _get(base + "/api/v1/events/")
        assert status == 503 and took < 5 and headers["Content-Type"] == "application/json"
        import json

        error = json.loads(body)
        assert set(error) == {"detail", "errors"} and error["detail"]
        assert _get(base + "/healthz")[0] == 200  # liveness: the process is fine, do not restart it
        status, _, body, _ = _get(base + "/readyz")
        assert status == 503 and json.loads(body)["checks"]["database"]["ok"] is False
        metrics = _get(base + "/metrics")
        assert metrics[0] == 200 and b"isoc_database_up 0.0" in metrics[2]
    finally:
        cluster.start()

    deadline = time.monotonic() + 15
    while (status := _get(base + "/")[0]) != 200 and time.monotonic() < deadline:
        time.sleep(0.5)
    assert status == 200, "the site did not recover after the database came back"
    assert _get(base + "/api/v1/events/")[0] == 200 and _get(base + "/readyz")[0] == 200


def test_a_write_cut_off_by_the_database_stopping_leaves_nothing(served):
    _, cluster, env = served
    before = cluster.psql("SELECT count(*) FROM events_registration")
    stop = ["su", "postgres", "-s", "/bin/sh", "-c", f"{cluster.bin}/pg_ctl -D {cluster.folder} -m immediate -w stop"] \
        if os.geteuid() == 0 else [f"{cluster.bin}/pg_ctl", "-D", str(cluster.folder), "-m", "immediate", "-w", "stop"]
    try:
        done = subprocess.run([sys.executable, "-c", CUT_WRITE, *stop], env=env, capture_output=True, text=True, timeout=120)
    finally:
        cluster.start()
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "CUT OperationalError" or done.stdout.startswith("CUT"), done.stdout + done.stderr
    assert cluster.psql("SELECT count(*) FROM events_registration") == before
    assert cluster.psql("SELECT count(*) FROM events_registration r JOIN members_person p ON p.id = r.person_id "
                        "WHERE p.email = 'cut@example.org'") == "0"
