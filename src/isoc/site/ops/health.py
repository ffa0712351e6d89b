"""Liveness (/healthz) and readiness (/readyz).

Liveness says only that this process answers: no dependency, so a database outage does
not make an orchestrator restart every web process. Readiness says whether it can serve
now: the database answers (within its connect timeout), its migrations are applied, the
data folder takes a write, and the broker answers when one is configured.
"""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, JsonResponse

BROKER_TIMEOUT_SECONDS = 2
_migrations_applied = False  # once true in a process it stays true (a deploy restarts it)


def liveness(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


def broker_url() -> str:
    return os.environ.get("ISOC_BROKER_URL") or os.environ.get("CELERY_BROKER_URL") or ""


def check_database() -> str:
    from django.db import connection

    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:
        connection.close()  # a dead connection must not be reused by the next request
        raise
    return "reachable"


def check_migrations() -> str:
    global _migrations_applied
    if _migrations_applied:
        return "applied"
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if plan:
        raise RuntimeError(f"{len(plan)} migration(s) not applied; run `isoc migrate`")
    _migrations_applied = True
    return "applied"


def check_data_folder() -> str:
    folder = settings.DATA_DIR
    with tempfile.NamedTemporaryFile(dir=folder, prefix=".readyz-", delete=True) as probe:
        probe.write(b"ok")
        probe.flush()
    return f"writable ({folder})"


def check_broker() -> str:
    url = broker_url()
    if not url.startswith(("redis://", "rediss://")):
        return "not configured" if not url else "not checked (not Redis)"
    import redis

    client = redis.Redis.from_url(url, socket_connect_timeout=BROKER_TIMEOUT_SECONDS,
                                  socket_timeout=BROKER_TIMEOUT_SECONDS)
    try:
        client.ping()
    finally:
        client.close()
    return "reachable"


CHECKS: dict[str, Callable[[], str]] = {
    "database": check_database,
    "migrations": check_migrations,
    "data_folder": check_data_folder,
    "broker": check_broker,
}


def run_checks() -> tuple[bool, dict]:
    """Every check, each named with ok, a detail and how long it took."""
    results = {}
    for name, check in CHECKS.items():
        if name == "migrations" and not results["database"]["ok"]:
            results[name] = {"ok": False, "detail": "not checked: no database", "ms": 0.0}
            continue
        started = time.perf_counter()
        try:
            results[name] = {"ok": True, "detail": check()}
        except Exception as exc:  # noqa: BLE001 - any failure is "not ready", named
            results[name] = {"ok": False, "detail": f"{type(exc).__name__}: {exc}"[:300]}
        results[name]["ms"] = round((time.perf_counter() - started) * 1000, 1)
    return all(r["ok"] for r in results.values()), results


def readiness(request: HttpRequest) -> JsonResponse:
    ready, checks = run_checks()
    response = JsonResponse({"status": "ready" if ready else "unavailable", "checks": checks},
                            status=200 if ready else 503)
    response["Cache-Control"] = "no-store"
    if not ready:
        response["Retry-After"] = "10"
    return response
