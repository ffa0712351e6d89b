"""An expensive count (the directory's total) is computed by one request at a time: the
others wait for it, or show the previous total while it is being recounted."""

from __future__ import annotations

import threading
import time

from django.core.cache import cache

from isoc.site.public_cache import shared_count


def test_simultaneous_requests_count_once():
    calls = []

    def slow_count() -> int:
        calls.append(1)
        time.sleep(0.3)
        return 27_436

    barrier = threading.Barrier(8)
    seen: list[int] = []

    def request() -> None:
        barrier.wait()
        seen.append(shared_count("count:test", slow_count))

    threads = [threading.Thread(target=request) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert seen == [27_436] * 8
    assert len(calls) == 1


def test_while_one_recounts_the_others_show_the_previous_total():
    assert shared_count("count:test2", lambda: 10) == 10
    cache.delete("count:test2")  # the fresh total expired
    cache.add("count:test2:counting", 1, 60)  # and another request is recounting
    assert shared_count("count:test2", lambda: 11) == 10
    cache.delete("count:test2:counting")
    assert shared_count("count:test2", lambda: 11) == 11
