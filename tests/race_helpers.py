"""Concurrent writers, with real threads and real transactions: ``race`` releases several
workers at the same instant, each on its own database connection. Use it with the
``threaded_db`` fixture (tests/conftest.py), which makes the SQLite test database one that
several connections can write to at once."""

from __future__ import annotations

import threading
from collections.abc import Callable

from django.db import close_old_connections, connections

THREADS = 8


def race(worker: Callable[[int], object], n: int = THREADS) -> list[object]:
    """Run ``worker(i)`` in ``n`` threads released at the same instant; return what each
    returned or raised (the outcome is what the tests inspect)."""
    barrier = threading.Barrier(n)
    results: list[object] = [None] * n

    def run(i: int) -> None:
        try:
            barrier.wait(timeout=30)
            results[i] = worker(i)
        except Exception as exc:
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a thread hung"
    close_old_connections()
    return results
