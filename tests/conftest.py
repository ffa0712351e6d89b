"""Shared fixtures: people in each role, signed-in clients, and the shared data folder."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from hypothesis import settings

# How long one example takes is not what these tests check (timing belongs in bench/):
# on a busy machine hypothesis' default 200 ms deadline failed correct code at random.
settings.register_profile("isoc", deadline=None)
settings.load_profile("isoc")

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
PASSWORD = "correct-horse-battery-staple"


@contextmanager
def _outside_playwrights_loop(item: pytest.Item) -> Iterator[None]:
    """Playwright's synchronous API (the e2e tests' browser, kept for the whole session)
    leaves its event loop marked as running in the main thread between calls. A later test
    on the same worker whose code starts a loop of its own (``asyncio.run``: the scanner,
    the test fleet) would be refused with "cannot be called from a running event loop".
    Outside the e2e tests that loop is hidden, and put back afterwards for the browser."""
    loop = asyncio._get_running_loop()
    if loop is None or item.get_closest_marker("e2e"):
        yield
        return
    asyncio._set_running_loop(None)
    try:
        yield
    finally:
        asyncio._set_running_loop(loop)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_setup(item):
    with _outside_playwrights_loop(item):
        return (yield)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    with _outside_playwrights_loop(item):
        return (yield)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    if nextitem is None:  # the session's fixtures, the browser among them, end here: leave its loop be
        return (yield)
    with _outside_playwrights_loop(item):
        return (yield)


@pytest.fixture(autouse=True)
def _empty_cache():
    """Cached counts and lockouts must not leak from one test into the next."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _celery_may_join():
    """Celery keeps "may a result be waited for" in one process-wide flag, which eager
    tasks set and restore around each call: tasks queued from several threads at once (the
    concurrency tests' simultaneous requests) can restore it out of order and leave it set,
    so a later test's ``.delay().get()`` would be refused. Start every test with it clear."""
    from celery._state import _set_task_join_will_block

    _set_task_join_will_block(False)
    yield


@pytest.fixture(autouse=True)
def _shortcut_login_has_second_factor(request):
    """Staff need a second factor (isoc.site.security.two_factor). ``client.force_login``
    and ``client.login`` skip the sign-in pages altogether; in tests they stand for a
    complete sign-in, second factor included, so that the many tests about what staff
    may do need no change. They are told apart from a real request (the browser tests'
    live server) by their bare HttpRequest, which has no REQUEST_METHOD. Tests marked
    ``second_factor`` (tests/security) check the requirement itself."""
    if request.node.get_closest_marker("second_factor"):
        yield
        return
    from django.contrib.auth.signals import user_logged_in

    from isoc.site.security.two_factor import mark_second_factor

    def shortcut(sender, request, user, **kwargs):
        if request is not None and "REQUEST_METHOD" not in request.META:
            mark_second_factor(request, user, how="test-shortcut")

    user_logged_in.connect(shortcut, weak=False, dispatch_uid="tests-shortcut-login-2fa")
    yield
    user_logged_in.disconnect(dispatch_uid="tests-shortcut-login-2fa")


def _forget_post_migrate_rows() -> None:
    """Before a serialized-rollback test restores the database as migrations left it: if a
    transactional test ran last on this worker, its teardown flushed every table and
    Django's post_migrate handlers then created the content types and permissions again,
    under new ids (SQLite does not reuse them). Restoring the serialized rows would then
    collide on (app_label, model). Those recreated rows are dropped first; the restore
    brings back the original ones. The seeded tiers tell the two states apart: migrations
    create them, a flush removes them and post_migrate does not recreate them."""
    from django.contrib.auth.models import Permission
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection

    from isoc.members.models import OrganizationTier

    if OrganizationTier.objects.exists():
        return  # the database is as migrations left it: nothing was recreated
    with connection.constraint_checks_disabled():
        Permission.objects.all()._raw_delete(connection.alias)
        ContentType.objects.all()._raw_delete(connection.alias)
    ContentType.objects.clear_cache()


@pytest.fixture(autouse=True)
def reference_data(request):
    """Roles, tiers, dues and the countries with their regions exist in every test that uses the database, also after a
    transactional test has emptied the tables (which undoes migration 0002's seed)."""
    marker = request.node.get_closest_marker("django_db")
    wants_db = marker is not None or {"db", "transactional_db", "live_server", "django_db_setup"} & set(request.fixturenames)
    if not wants_db or request.node.get_closest_marker("no_seed"):
        return
    if "django_db_serialized_rollback" in request.fixturenames or (marker and marker.kwargs.get("serialized_rollback")):
        request.getfixturevalue("django_db_setup")
        with request.getfixturevalue("django_db_blocker").unblock():
            _forget_post_migrate_rows()
    request.getfixturevalue("_django_db_helper")
    from isoc.chapters.seed import seed as seed_chapters
    from isoc.members.seed import seed
    from isoc.pulse.seed import seed_countries

    seed()
    seed_countries()
    seed_chapters()


@pytest.fixture
def threaded_db(tmp_path):
    """A database that several threads can write to at once (see tests/race_helpers.py).

    On PostgreSQL the services' row locks (SELECT … FOR UPDATE) serialize concurrent
    writers; on SQLite, IMMEDIATE transactions do. pytest-django's SQLite test database
    lives in memory with a shared cache, where a second writer fails at once ("database
    table is locked") instead of waiting; so on SQLite the test database is copied into a
    file for the test's duration, as production runs on a file with WAL."""
    import sqlite3

    from django.db import connection

    if connection.vendor != "sqlite" or not connection.is_in_memory_db():
        yield
        return
    connection.ensure_connection()
    memory = connection.connection  # kept open: closing the last connection would drop the in-memory database
    path = tmp_path / "threads.sqlite3"
    target = sqlite3.connect(path)
    memory.backup(target)
    target.close()
    settings_dict = connection.settings_dict  # shared with every thread's connection
    name = settings_dict["NAME"]
    settings_dict["NAME"] = str(path)
    connection.connection = None
    try:
        yield
    finally:
        connection.close()
        settings_dict["NAME"] = name
        connection.connection = memory


@pytest.fixture
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.skip(f"real test data folder {SHARED_DATA} is absent")
    return SHARED_DATA


def make_person(email: str, *, staff: bool = False, admin: bool = False, **fields):
    from allauth.account.models import EmailAddress
    from django.contrib.auth.models import Group

    from isoc.members.models import Person

    person = Person.objects.create_user(email=email, password=PASSWORD, is_staff=staff or admin,
                                        is_superuser=admin, **fields)
    EmailAddress.objects.create(user=person, email=email, verified=True, primary=True)
    person.groups.add(Group.objects.get(name="member"))
    if staff:
        person.groups.add(Group.objects.get(name="staff"))
    return person


@pytest.fixture
def person(db):
    return make_person("ada@example.org", first_name="Ada", last_name="Lovelace", country="GB")


@pytest.fixture
def other_person(db):
    return make_person("grace@example.org", first_name="Grace", last_name="Hopper", country="US")


@pytest.fixture
def staff(db):
    return make_person("secretariat@example.org", staff=True, first_name="Sam", last_name="Staff")


@pytest.fixture
def member_client(client, person):
    client.force_login(person)
    return client


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client
