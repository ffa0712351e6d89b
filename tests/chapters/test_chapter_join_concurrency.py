"""Two (or more) simultaneous joins of one person to one chapter: real requests posted at
the same instant from threads, each with its own database connection. Exactly one
current membership results, the other requests are told "already a member", and no
error (500, IntegrityError) leaks out.

``services.join`` locks the chapter row (SELECT … FOR UPDATE on PostgreSQL; SQLite's
IMMEDIATE transactions serialize writers), and the partial unique index
``one_open_chapter_membership`` stands behind the lock: a join that loses the race on
the index is turned into the same refusal. The second test takes the lock away to show
the index alone holds. Run with DATABASE_URL pointing at PostgreSQL to exercise row
locking and the index under real concurrency (CI runs both); on SQLite the test
database is copied into a file for the threads (the ``threaded_db`` fixture, tests/conftest.py).
"""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from django.db.models import QuerySet
from django.test import Client

from isoc.chapters import models as cm
from isoc.chapters import services as cs
from race_helpers import race

pytestmark = pytest.mark.django_db(transaction=True)


def joins_at_once(chapter, person, n: int) -> list:
    """``n`` browsers of one person press "Join" at the same instant (each its own session)."""
    clients = []
    for _ in range(n):
        client = Client(raise_request_exception=False)  # a 500 is an outcome to see, not an exception
        client.force_login(person)
        clients.append(client)
    return race(lambda i: clients[i].post(f"/chapters/{chapter.slug}/join/", follow=True), n)


def assert_one_membership(chapter, person, results) -> None:
    assert not any(isinstance(r, Exception) for r in results), results
    assert [r.status_code for r in results] == [200] * len(results), [r.status_code for r in results]
    pages = [r.content.decode() for r in results]
    assert sum("Welcome to Estonia Chapter." in p for p in pages) == 1
    assert sum("You are already a member of Estonia Chapter." in p for p in pages) == len(results) - 1
    assert cm.ChapterMembership.objects.filter(chapter=chapter, person=person, left_at__isnull=True).count() == 1
    assert cm.ChapterMembership.objects.filter(chapter=chapter, person=person).count() == 1
    assert cs.member_count(chapter) == 1


@pytest.mark.parametrize("n", [2, 6])
def test_simultaneous_joins_of_one_person_give_one_membership(threaded_db, forming, new_person, n):
    person = new_person(isoc_member=False)
    assert_one_membership(forming, person, joins_at_once(forming, person, n))


def test_the_unique_index_holds_without_the_lock(threaded_db, forming, new_person, monkeypatch):
    """Without the chapter row lock, the joins pass the "already a member?" check together
    and race to insert: the index lets one in and the loser's IntegrityError becomes the
    refusal. (On SQLite the IMMEDIATE transactions still serialize them.)"""
    monkeypatch.setattr(cs, "_lock", lambda chapter: cm.Chapter.objects.get(pk=chapter.pk))
    checked = threading.Barrier(2, timeout=10)
    seen = threading.local()
    exists = QuerySet.exists

    def exists_then_wait(qs):
        # Both requests answer "not a member yet" before either inserts: the worst
        # interleaving. (SQLite's second writer cannot get this far until the first commits.)
        answer = exists(qs)
        if qs.model is cm.ChapterMembership and connection.vendor != "sqlite" and not getattr(seen, "once", False):
            seen.once = True
            try:
                checked.wait()
            except threading.BrokenBarrierError:
                pass
        return answer

    monkeypatch.setattr(QuerySet, "exists", exists_then_wait)
    person = new_person(isoc_member=False)
    assert_one_membership(forming, person, joins_at_once(forming, person, 2))
