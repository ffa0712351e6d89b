"""schemathesis against the whole API's OpenAPI schema (/api/v1/openapi.json): for every
operation, generated requests (valid ones, and hostile values within the declared types)
never get a 5xx, and every response is one the schema declares: a documented status code,
the declared content type and headers, a body that matches its schema.

The requests go straight to the WSGI app (no server), inside one test's transaction, over a
small demo data set so that lists and detail pages return real rows. Each operation is
tried anonymously and, when it has a security requirement, with a member's API token. Hypothesis is derandomized and the number
of examples per operation small, so that CI sees the same requests every run, in about a
minute; ``ISOC_SCHEMA_EXAMPLES`` raises it for a longer local run.
"""

from __future__ import annotations

import os

import pytest

schemathesis = pytest.importorskip("schemathesis", reason="schemathesis is in the test extra: pip install -e '.[test]'")

from hypothesis import HealthCheck, Phase, given, settings  # noqa: E402
from schemathesis.checks import not_a_server_error  # noqa: E402
from schemathesis.specs.openapi.checks import (  # noqa: E402
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

EXAMPLES = int(os.environ.get("ISOC_SCHEMA_EXAMPLES", "6"))
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
# Operations that change state are tried too: a failed write is rolled back with the test.


@pytest.fixture
def demo_rows(db):
    """A small demo data set across the apps the API serves, and a member's API token.

    Each part is small (its timing is printed with -s): the checks need a few real rows
    per list and detail, not volume."""
    import time

    from isoc.members import demo
    from isoc.members import models as m
    from isoc.members.tokens import create_token

    def step(name, generate, **kwargs):
        started = time.monotonic()
        generate(**kwargs)
        print(f"demo {name}: {time.monotonic() - started:.1f}s")

    from isoc.chapters import demo as chapters_demo
    from isoc.enablers import demo as enablers_demo
    from isoc.events import demo as events_demo
    from isoc.incidents import demo as incidents_demo
    from isoc.infra import demo_ixps
    from isoc.routing import demo as routing_demo

    step("members", demo.generate, people=20, organizations=6, seed=2026, reset=True, password="demo-password-123")
    step("routing", routing_demo.generate, reset=True)
    step("enablers", enablers_demo.generate, reset=True)
    step("chapters", chapters_demo.generate, seed=2026, reset=True)
    step("events", events_demo.generate, count=6, reset=True)
    step("incidents", incidents_demo.generate, reset=True, size=20)
    step("ixps", demo_ixps.generate, reset=True)
    person = m.Person.objects.filter(is_demo=True).order_by("pk").first()
    _, key = create_token(person, "schemathesis")
    return key


def _operations(schema):
    for result in schema.get_all_operations():
        yield result.ok()


def _runner(operation, headers: dict):
    """One hypothesis test of ``operation``: its generated cases, called and checked."""

    @settings(max_examples=EXAMPLES, derandomize=True, deadline=None, database=None,
              phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
    @given(case=operation.as_strategy())
    def run(case):
        case.call_and_validate(headers=headers, checks=CHECKS)

    return run


@pytest.fixture
def connections_kept_open():
    """The WSGI handler closes the database connection around each request when it is
    not in autocommit mode, which inside this test's transaction it never is: on
    PostgreSQL every request after the first would find the connection closed (SQLite's
    in-memory test database ignores the close). Django's own test client disconnects the
    same handler for the same reason."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def test_every_api_operation_answers_as_its_schema_says(demo_rows, connections_kept_open):
    from django.core.wsgi import get_wsgi_application

    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())
    failures: list[str] = []
    for operation in _operations(schema):
        # A public operation ignores the token: asking it twice would only double the time.
        secured = bool(operation.definition.raw.get("security"))
        for auth in (None, f"Bearer {demo_rows}") if secured else (None,):
            # identity: the WSGI transport hands over the bytes as sent, and GZipMiddleware
            # would otherwise compress every body the checks read.
            headers = {"Accept-Encoding": "identity", **({"Authorization": auth} if auth else {})}
            try:
                _runner(operation, headers)()
            except (Exception, BaseExceptionGroup) as exc:  # every operation's failure is reported
                who = "with a token" if auth else "anonymously"
                failures.append(f"{operation.label} {who}: {type(exc).__name__}: {str(exc)[:2500]}")
    assert not failures, f"{len(failures)} operation(s) fail:\n\n" + "\n\n".join(failures)


def test_no_two_api_schemas_share_a_name():
    """The schema's components are keyed by class name: two response schemas of one name
    (an ``EventOut`` in events and in shutdowns) silently replaced each other, and clients
    were told one endpoint's fields for the other's. Each name must be one class."""
    import pydantic

    import isoc.site.api  # noqa: F401 - imports every app's API module

    modules: dict[str, set[str]] = {}
    pending = [pydantic.BaseModel]
    while pending:
        for sub in pending.pop().__subclasses__():
            pending.append(sub)
            if sub.__module__.startswith("isoc."):
                modules.setdefault(sub.__name__, set()).add(sub.__module__)
    shared = {name: sorted(where) for name, where in modules.items() if len(where) > 1}
    assert not shared, f"schema names defined in more than one module (rename one): {shared}"
