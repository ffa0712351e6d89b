"""Prometheus metrics at /metrics.

Request latency is a histogram in prometheus_client's multiprocess mode (each gunicorn
process writes its own file under PROMETHEUS_MULTIPROC_DIR, default
``$ISOC_DATA_DIR/tmp/prometheus``; the scrape sums them), labelled by route name, method
and status class, never by raw path, so the label set stays bounded. Everything else is
read at scrape time: Celery queue depth (LLEN in Redis), the last successful import per
data source, and a few counts.

Access: open to loopback clients (a Prometheus on the same host) unless the request came
through a proxy (X-Forwarded-For); otherwise ``Authorization: Bearer $ISOC_METRICS_TOKEN``.
"""

from __future__ import annotations

import hmac
import ipaddress
import os
from pathlib import Path

from django.conf import settings
from django.http import HttpRequest, HttpResponse


def multiprocess_dir() -> Path:
    return Path(os.environ.get("PROMETHEUS_MULTIPROC_DIR") or Path(settings.DATA_DIR) / "tmp" / "prometheus")


# prometheus_client picks its value store when first imported: the folder must be known by then.
os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR", str(multiprocess_dir()))
multiprocess_dir().mkdir(parents=True, exist_ok=True)

from prometheus_client import CollectorRegistry, Histogram, generate_latest, multiprocess  # noqa: E402
from prometheus_client.core import GaugeMetricFamily  # noqa: E402
from prometheus_client.exposition import CONTENT_TYPE_LATEST  # noqa: E402

REQUEST_SECONDS = Histogram(
    "isoc_http_request_duration_seconds", "Time to answer a request, by route name, method and status class.",
    ["route", "method", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
METHODS = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}


def reset_multiprocess_dir() -> None:
    """Called when the server starts: the files of processes gone (named ``*_<pid>.db``)
    would otherwise be summed forever. Files of live processes stay."""
    folder = multiprocess_dir()
    folder.mkdir(parents=True, exist_ok=True)
    for path in folder.glob("*.db"):
        pid = path.stem.rsplit("_", 1)[-1]
        if pid.isdigit() and not Path(f"/proc/{pid}").exists():
            path.unlink(missing_ok=True)


reset_multiprocess_dir()  # each new process (a restarted worker too) sweeps out the dead ones' files


def observe_request(route: str, method: str, status: int, seconds: float) -> None:
    REQUEST_SECONDS.labels(route=route, method=method if method in METHODS else "other",
                           status=f"{status // 100}xx").observe(seconds)


def queue_names() -> list[str]:
    queues = getattr(settings, "CELERY_TASK_QUEUES", None) or ()
    names = [getattr(q, "name", q) for q in queues] or [getattr(settings, "CELERY_TASK_DEFAULT_QUEUE", "celery")]
    return [str(n) for n in names]


class ScrapeTimeCollector:
    """Figures computed when Prometheus asks, so they are right whichever process answers."""

    def collect(self):
        from django.db import DatabaseError, connection

        yield from self._queue_depth()
        try:  # the latency histograms stay worth scraping while the database is gone
            from_database = [*self._last_imports(), *self._counts()]
        except DatabaseError:
            connection.close()
            from_database = []
        yield GaugeMetricFamily("isoc_database_up", "1 when the database answered this scrape.",
                                value=1 if from_database else 0)
        yield from from_database

    def _queue_depth(self):
        from isoc.site.ops.health import broker_url

        url = broker_url()
        if not url.startswith(("redis://", "rediss://")):
            return
        import redis

        gauge = GaugeMetricFamily("isoc_task_queue_depth", "Tasks waiting in each Celery queue.", labels=["queue"])
        client = redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2)
        try:
            for name in queue_names():
                gauge.add_metric([name], client.llen(name))
        except redis.RedisError:
            return
        finally:
            client.close()
        yield gauge

    def _last_imports(self):
        from django.db.models import Max

        from isoc.pulse.models import ImportRun

        gauge = GaugeMetricFamily("isoc_import_last_success_timestamp_seconds",
                                  "Unix time of the last successful import run, per data source.", labels=["source"])
        rows = (ImportRun.objects.filter(outcome__in=[ImportRun.Outcome.APPLIED, ImportRun.Outcome.UNCHANGED],
                                         dataset__isnull=False, finished_at__isnull=False)
                .values("dataset__source__slug").annotate(last=Max("finished_at")))
        for row in rows:
            gauge.add_metric([row["dataset__source__slug"]], row["last"].timestamp())
        yield gauge

    def _counts(self):
        from isoc.members.models import Organization, Person
        from isoc.pulse.models import Dataset, ImportRun

        for name, help_text, count in (
            ("isoc_people", "People with an account (not erased).", lambda: Person.objects.filter(erased_at__isnull=True).count()),
            ("isoc_organizations", "Organization members (not cancelled).",
             lambda: Organization.objects.filter(cancelled_at__isnull=True).count()),
            ("isoc_datasets", "Pulse datasets.", lambda: Dataset.objects.count()),
            ("isoc_import_runs_failed", "Import runs rejected.",
             lambda: ImportRun.objects.filter(outcome=ImportRun.Outcome.REJECTED).count()),
        ):
            yield GaugeMetricFamily(name, help_text, value=count())


def scrape() -> bytes:
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry, path=str(multiprocess_dir()))
    registry.register(ScrapeTimeCollector())
    return generate_latest(registry)


def allowed(request: HttpRequest) -> bool:
    token = os.environ.get("ISOC_METRICS_TOKEN", "")
    offered = request.headers.get("Authorization", "")
    if token and hmac.compare_digest(offered.encode(), f"Bearer {token}".encode()):
        return True
    if "X-Forwarded-For" in request.headers:  # came through a proxy: not a local scraper
        return False
    try:
        return ipaddress.ip_address(request.META.get("REMOTE_ADDR", "")).is_loopback
    except ValueError:
        return False


def metrics_view(request: HttpRequest) -> HttpResponse:
    if not allowed(request):
        return HttpResponse("Metrics need Authorization: Bearer <ISOC_METRICS_TOKEN>.\n", status=403,
                            content_type="text/plain; charset=utf-8")
    body = scrape()
    return HttpResponse(body, content_type=CONTENT_TYPE_LATEST)
