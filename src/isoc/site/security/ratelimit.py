"""Fixed-window rate limits in Django's cache, for what allauth and axes do not cover:
creating API tokens on the web and requests with a bad API token.

The limits are ``settings.ISOC_RATE_LIMITS`` (name -> (requests, seconds)). The counters
live in the default cache: with several web processes it must be a shared one
(``ISOC_CACHE_URL``), or each process counts on its own.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest


class RateLimited(Exception):
    """Too many requests of one kind from one client; ``retry_after`` in seconds."""

    def __init__(self, retry_after: int):
        super().__init__(f"retry after {retry_after} s")
        self.retry_after = retry_after


def client_address(request: HttpRequest) -> str:
    # REMOTE_ADDR only: X-Forwarded-For is set by whoever sends the request; a proxy that
    # must be trusted for it should rewrite REMOTE_ADDR itself.
    return request.META.get("REMOTE_ADDR", "unknown")


def _window(name: str, key: str) -> tuple[str, int, int]:
    limit, seconds = settings.ISOC_RATE_LIMITS[name]
    start = int(time.time()) // seconds * seconds
    return f"isoc-rl:{name}:{key}:{start}", limit, start + seconds - int(time.time())


def check(name: str, key: str) -> None:
    """Raise RateLimited when ``key`` already used up limit ``name`` in this window."""
    cache_key, limit, remaining = _window(name, key)
    if (cache.get(cache_key) or 0) >= limit:
        raise RateLimited(max(remaining, 1))


def count(name: str, key: str) -> None:
    """Count one more use of limit ``name`` by ``key``."""
    cache_key, _, remaining = _window(name, key)
    if not cache.add(cache_key, 1, timeout=remaining + 1):
        try:
            cache.incr(cache_key)
        except ValueError:  # expired between add and incr
            cache.add(cache_key, 1, timeout=remaining + 1)


def hit(name: str, key: str) -> None:
    """Check and count in one step (for actions limited whether they succeed or not)."""
    check(name, key)
    count(name, key)


def refused_page(request: HttpRequest, exc: RateLimited, message: str, back: str = ""):
    """The 429 page, saying what was refused and when to try again."""
    from django.shortcuts import render

    response = render(request, "security/rate_limited.html",
                      {"message": message, "retry_after": exc.retry_after, "back": back}, status=429)
    response["Retry-After"] = str(exc.retry_after)
    return response
