"""Liveness, readiness, request ids, JSON access logs and the metrics endpoint."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest
from django.test import Client
from prometheus_client.parser import text_string_to_metric_families

from isoc.site.ops import context
from isoc.site.ops.logs import ContextFilter, JsonFormatter

pytestmark = pytest.mark.django_db


def test_healthz_is_liveness_without_dependencies(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}


def test_probes_skip_the_https_redirect_and_host_check(settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.ALLOWED_HOSTS = ["isoc.example"]
    client = Client(HTTP_HOST="10.1.2.3:8000")
    assert client.get("/healthz").status_code == 200
    assert client.get("/readyz").status_code == 200


def test_readyz_names_each_check():
    response = Client().get("/readyz")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "ready"
    assert set(body["checks"]) == {"database", "migrations", "data_folder", "broker"}
    assert all(check["ok"] for check in body["checks"].values())
    assert body["checks"]["broker"]["detail"] == "not configured"


def test_readyz_fails_on_a_read_only_data_folder(settings, tmp_path):
    folder = tmp_path / "data"
    folder.mkdir()
    folder.chmod(0o500)
    settings.DATA_DIR = folder
    try:
        import os

        if os.access(folder, os.W_OK):  # root ignores permission bits
            pytest.skip("running as root: permission bits do not make a folder read-only (see test_data_faults)")
        response = Client().get("/readyz")
    finally:
        folder.chmod(0o700)
    assert response.status_code == 503
    assert response.json()["checks"]["data_folder"]["ok"] is False


def test_readyz_fails_when_the_broker_is_unreachable(monkeypatch):
    import socket

    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.setenv("ISOC_BROKER_URL", f"redis://127.0.0.1:{port}/0")
    response = Client().get("/readyz")
    assert response.status_code == 503
    broker = response.json()["checks"]["broker"]
    assert broker["ok"] is False and "Connection" in broker["detail"]
    assert response["Retry-After"]


def test_request_id_is_taken_from_a_sane_header_or_generated():
    client = Client()
    given = client.get("/healthz", HTTP_X_REQUEST_ID="proxy-abc-12345678")
    assert given["X-Request-ID"] == "proxy-abc-12345678"
    for hostile in ("x", "a b c d e f g h", "evil\"}\n{\"level\":\"CRITICAL", "z" * 500):
        made = client.get("/healthz", HTTP_X_REQUEST_ID=hostile)
        assert made["X-Request-ID"] != hostile and context.SANE_REQUEST_ID.fullmatch(made["X-Request-ID"])
    assert client.get("/").get("X-Request-ID") != client.get("/").get("X-Request-ID")


class _Collect(logging.Handler):
    def __init__(self):
        super().__init__()
        self.lines: list[dict] = []
        self.addFilter(ContextFilter())
        self.setFormatter(JsonFormatter())

    def emit(self, record):
        self.lines.append(json.loads(self.format(record)))


@pytest.fixture
def json_lines():
    handler = _Collect()
    logging.getLogger().addHandler(handler)
    old = logging.getLogger("isoc.access").level
    logging.getLogger("isoc.access").setLevel(logging.INFO)
    yield handler.lines
    logging.getLogger().removeHandler(handler)
    logging.getLogger("isoc.access").setLevel(old)


def test_one_json_access_line_per_request_with_its_id(json_lines, member_client, person):
    response = member_client.get("/members/directory/", HTTP_X_REQUEST_ID="req-0123456789")
    access = [line for line in json_lines if line["logger"] == "isoc.access"]
    assert len(access) == 1, json_lines
    line = access[0]
    assert line["request_id"] == "req-0123456789" == response["X-Request-ID"]
    assert line["method"] == "GET" and line["path"] == "/members/directory/"
    assert line["status"] == response.status_code and line["duration_ms"] >= 0
    assert line["user_id"] == person.pk and line["level"] == "INFO" and line["time"].endswith("+00:00")


def test_every_line_of_a_request_carries_its_id(json_lines, monkeypatch):
    from isoc.site import views

    def noisy(request):
        logging.getLogger("isoc.test").warning("inside the view")
        raise RuntimeError("boom")

    monkeypatch.setattr(views, "home", noisy)
    from django.urls import clear_url_caches

    import isoc.site.urls as urls

    monkeypatch.setattr(urls.urlpatterns[0], "callback", noisy)
    clear_url_caches()
    response = Client(raise_request_exception=False).get("/", HTTP_X_REQUEST_ID="req-fail-0001")
    assert response.status_code == 500 and b"Traceback" not in response.content
    mine = [line for line in json_lines if line["request_id"] == "req-fail-0001"]
    assert {"isoc.test", "django.request", "isoc.access"} <= {line["logger"] for line in mine}
    error = next(line for line in mine if line["logger"] == "django.request")
    assert "RuntimeError: boom" in error["exception"]


def _scrape(client, **headers):
    response = client.get("/metrics", **headers)
    assert response.status_code == 200, response.content
    return {f.name: f for f in text_string_to_metric_families(response.content.decode())}


def test_metrics_parse_and_count_requests_by_route(client):
    client.get("/members/directory/")
    client.get("/no/such/page/")
    families = _scrape(client)
    samples = families["isoc_http_request_duration_seconds"].samples
    routes = {s.labels["route"] for s in samples if s.name.endswith("_count")}
    assert "members:directory" in routes and "unmatched" in routes
    assert not any("/" in r for r in routes)  # route names, never raw paths
    counts = [s for s in samples if s.name.endswith("_count") and s.labels["route"] == "members:directory"]
    assert counts and counts[0].labels["status"] in {"2xx", "3xx"}
    assert families["isoc_database_up"].samples[0].value == 1
    assert "isoc_people" in families


def test_metrics_report_the_last_successful_import_per_source(client, tmp_path):
    from isoc.pulse.importing import import_file

    csv = tmp_path / "population.csv"
    csv.write_text("Country Name,Country Code,Year,Value\nFrance,FRA,2020,67000000\nGermany,DEU,2020,83000000\n")
    result = import_file("worldbank", csv)
    if result.error:
        pytest.skip(f"world bank sample not accepted here: {result.error}")
    families = _scrape(client)
    gauge = families["isoc_import_last_success_timestamp_seconds"]
    assert [s.labels["source"] for s in gauge.samples] and all(s.value > 1.7e9 for s in gauge.samples)


def test_metrics_need_a_token_off_loopback(monkeypatch):
    remote = Client(REMOTE_ADDR="203.0.113.9")
    assert remote.get("/metrics").status_code == 403
    proxied = Client(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert proxied.get("/metrics").status_code == 403
    monkeypatch.setenv("ISOC_METRICS_TOKEN", "s3cret-metrics-token")
    assert remote.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 403
    assert remote.get("/metrics", HTTP_AUTHORIZATION="Bearer s3cret-metrics-token").status_code == 200


def test_database_errors_answer_503_page_and_api_json(monkeypatch):
    from django.db import OperationalError

    from isoc.members import views as member_views

    def lost(*args, **kwargs):
        raise OperationalError("connection refused")

    from django.db.backends.base.base import BaseDatabaseWrapper

    client = Client(raise_request_exception=False, HTTP_ACCEPT_LANGUAGE="fr")
    monkeypatch.setattr(BaseDatabaseWrapper, "ensure_connection", lost)
    page = client.get("/members/directory/")
    api = client.get("/api/v1/events/")
    monkeypatch.undo()
    assert page.status_code == 503 and page["Retry-After"]
    assert "Traceback" not in page.content.decode() and "temporairement" in page.content.decode()
    assert api.status_code == 503 and api["Content-Type"] == "application/json"
    assert set(api.json()) == {"detail", "errors"}
    assert member_views  # the views module is real; only the connection was cut


@pytest.fixture
def redis_url(tmp_path):
    """A real redis-server on a free loopback port."""
    import shutil
    import socket
    import subprocess
    import time

    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("redis-server is not installed")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    process = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                                "--dir", str(tmp_path)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        import redis

        client = redis.Redis(port=port)
        deadline = time.monotonic() + 10
        while True:
            try:
                client.ping()
                break
            except redis.ConnectionError:
                assert time.monotonic() < deadline, "redis-server did not start"
                time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0", client
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_metrics_report_the_celery_queue_depth_and_readyz_the_broker(redis_url, monkeypatch):
    url, client = redis_url
    monkeypatch.setenv("ISOC_BROKER_URL", url)
    client.rpush("celery", "task-1", "task-2", "task-3")
    families = _scrape(Client())
    depth = {s.labels["queue"]: s.value for s in families["isoc_task_queue_depth"].samples}
    assert depth == {"celery": 3}
    ready = Client().get("/readyz").json()["checks"]["broker"]
    assert ready == {"ok": True, "detail": "reachable", "ms": ready["ms"]}


def test_task_log_lines_carry_the_task_id(json_lines):
    from isoc.site.celery import app

    @app.task(name="isoc.tests.ops.noisy_task")
    def noisy_task():
        logging.getLogger("isoc.test").warning("working")
        return 1

    result = noisy_task.apply()
    line = next(line for line in json_lines if line["message"] == "working")
    assert line["task_id"] == result.id
    assert context.task_id.get() is None  # cleared when the task ended


def test_a_storage_error_in_a_web_request_is_a_503_not_a_500(monkeypatch):
    """A page whose write hits a full or read-only disk answers 503 with the reason, no traceback."""
    import errno

    from django.test import Client

    from isoc.site.ops.files import DataFolderError

    def full(request):
        raise DataFolderError(Path("/srv/isoc/media/cv.pdf"), OSError(errno.ENOSPC, "No space left on device"))

    from django.urls import clear_url_caches

    import isoc.site.urls as urls

    monkeypatch.setattr(urls.urlpatterns[0], "callback", full)
    clear_url_caches()
    response = Client(raise_request_exception=False).get("/")
    assert response.status_code == 503 and response["Retry-After"]
    page = response.content.decode()
    assert "Traceback" not in page and "/srv/isoc" not in page and "cannot store files" in page
