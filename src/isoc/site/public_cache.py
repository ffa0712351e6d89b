"""A cache of public pages (the Pulse pages and the Pulse API) for visitors who are not
signed in, shared by every web process (Redis with ``ISOC_CACHE_URL``, else files in the
data folder) and invalidated by the data behind each page.

How it stays correct:

- Every write to a table through Django (services, the admin, importers' bulk writes:
  INSERT, UPDATE and DELETE statements) bumps that table's version in the shared cache when
  its transaction commits (at once in autocommit; never when it rolls back).
- A page is stored with the tables it read while it was rendered and their versions as they
  were *before* it was rendered; it is served only while every one of them is unchanged. A
  write committed during the render moves a version past the recorded one, so a page that
  may have read half-old data is never served. The first render of a page only learns its
  tables; the next one is stored.
- Only visitors who are not signed in: GET, no session cookie, no pending messages, no
  ``Authorization`` header; only 200 responses that set no cookie and do not forbid caching.
  Each CSRF token in the page is replaced by a placeholder when stored and by this visitor's
  own token when served, so forms keep working and no token is shared.
- The key holds the path with its query, the language, the time zone and whether htmx
  asked for a fragment: each variant is stored on its own.
- ``PUBLIC_PAGE_CACHE_SECONDS`` bounds how long a page lives, for what changes with the
  clock alone ("ongoing", "last week").

Files that pages read besides the database (signal Parquet files) are written together
with their rows (``Signal``), so those writes bump the versions too.
"""

from __future__ import annotations

import contextvars
import hashlib
import re
import time

from django.conf import settings
from django.core.cache import cache
from django.db import connections, transaction
from django.db.backends.signals import connection_created
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.utils import translation

PLACEHOLDER = "__isoc_public_cache_csrf__"
TOKEN = re.compile(r'(name="csrfmiddlewaretoken" value=")([A-Za-z0-9]{64})(")')
TABLE = re.compile(r'\b(?:FROM|JOIN|INTO|UPDATE)\s+"(\w+)"', re.IGNORECASE)
WRITES = ("INSERT", "UPDATE", "DELETE")
_reading: contextvars.ContextVar[set[str] | None] = contextvars.ContextVar("isoc_public_cache_reading", default=None)


# --- table versions -------------------------------------------------------------------


def _version_key(table: str) -> str:
    return f"isoc:table-version:{table}"


def versions(tables) -> dict[str, int]:
    """The current version of each table; a table never written since the cache was
    emptied gets one now (so a page can be stored against it)."""
    keys = {t: _version_key(t) for t in tables}
    found = cache.get_many(list(keys.values()))
    out = {}
    for table, key in keys.items():
        if key not in found:
            cache.add(key, time.time_ns(), None)
            found[key] = cache.get(key)
        out[table] = found[key]
    return out


def bump(tables) -> None:
    """Tables changed: pages that read them are stale. ``time_ns`` rather than incr, so a
    version is new even after the cache lost the old one."""
    now = time.time_ns()
    cache.set_many({_version_key(t): now for t in tables}, None)


def _flush(connection) -> None:
    written = connection.__dict__.pop("_isoc_written", set())
    if written:
        bump(written)


def _watch(execute, sql, params, many, context):
    """Installed on every database connection: notes the tables a page reads while it is
    being recorded, and bumps the tables a write touches when its transaction commits."""
    result = execute(sql, params, many, context)
    head = sql.lstrip()[:6].upper()
    reading = _reading.get()
    if head in WRITES:
        # A database cache's own table is not page data (and bumping it would recurse).
        _written(context["connection"], {t for t in TABLE.findall(sql) if "cache" not in t})
    elif reading is not None:
        reading.update(TABLE.findall(sql))
    return result


def _written(connection, tables: set[str]) -> None:
    if not tables:
        return
    if not connection.in_atomic_block:
        bump(tables)
        return
    pending = connection.__dict__.setdefault("_isoc_written", set())
    # One flush per transaction; a rolled-back savepoint drops its callbacks, and with them
    # a flush registered inside it (what it wrote is gone too, so forget it).
    if not any(getattr(fn, "_isoc_flush", False) for _sids, fn, *_rest in connection.run_on_commit):
        pending.clear()

        def flush() -> None:
            _flush(connection)

        flush._isoc_flush = True
        transaction.on_commit(flush, using=connection.alias)
    pending.update(tables)


def watch(connection) -> None:
    if _watch not in connection.execute_wrappers:
        connection.execute_wrappers.append(_watch)


def _on_connection(sender, connection, **kwargs) -> None:
    if settings.PUBLIC_PAGE_CACHE:
        watch(connection)


connection_created.connect(_on_connection, dispatch_uid="isoc.site.public_cache")


def watch_open_connections() -> None:
    """For connections opened before the cache was switched on (tests)."""
    for alias in connections:
        watch(connections[alias])


# --- the page cache ---------------------------------------------------------------------


def cacheable_request(request: HttpRequest) -> bool:
    return (settings.PUBLIC_PAGE_CACHE and request.method == "GET"
            and request.path.startswith(tuple(settings.PUBLIC_PAGE_CACHE_PATHS))
            and settings.SESSION_COOKIE_NAME not in request.COOKIES and "messages" not in request.COOKIES
            and "HTTP_AUTHORIZATION" not in request.META)


def page_key(request: HttpRequest) -> str:
    variant = "|".join([request.get_full_path(), translation.get_language() or "", str(getattr(request, "time_zone", "")),
                        request.headers.get("HX-Request", "")])
    return "isoc:public-page:" + hashlib.sha256(variant.encode()).hexdigest()


def _storable(response: HttpResponse) -> bool:
    control = response.get("Cache-Control", "")
    return (response.status_code == 200 and not response.streaming
            and not any(c != settings.CSRF_COOKIE_NAME for c in response.cookies)
            and not any(word in control for word in ("private", "no-store", "no-cache")))


def _served(request: HttpRequest, entry: dict) -> HttpResponse:
    body = entry["body"]
    if PLACEHOLDER.encode() in body:
        body = body.replace(PLACEHOLDER.encode(), get_token(request).encode())
    response = HttpResponse(body, status=200)
    for name, value in entry["headers"]:
        response[name] = value
    response["Content-Length"] = str(len(body))
    response["X-Public-Cache"] = "hit"
    return response


def _entry(response: HttpResponse, tables: dict[str, int]) -> dict | None:
    body = response.content
    if b"csrfmiddlewaretoken" in body:
        charset = response.charset or "utf-8"
        text, replaced = TOKEN.subn(rf"\g<1>{PLACEHOLDER}\g<3>", body.decode(charset))
        if replaced != text.count("csrfmiddlewaretoken"):
            return None  # a token in a form we do not recognize: never store someone's token
        body = text.encode(charset)
    headers = [(k, v) for k, v in response.items() if k.lower() not in ("content-length", "set-cookie")]
    return {"body": body, "headers": headers, "tables": tables}


class PublicPageCacheMiddleware:
    """Serves and stores public pages for visitors who are not signed in (see the module)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not cacheable_request(request):
            return self.get_response(request)
        key = page_key(request)
        entry = cache.get(key)
        if entry is not None and versions(entry["tables"]) == entry["tables"]:
            return _served(request, entry)
        known = cache.get(key + ":tables")
        before = versions(known) if known is not None else None
        read: set[str] = set()
        token = _reading.set(read)
        try:
            response = self.get_response(request)
        finally:
            _reading.reset(token)
        if not _storable(response):
            return response
        if before is not None and read <= set(before):
            stored = _entry(response, {t: before[t] for t in read})
            if stored is not None:
                cache.set(key, stored, settings.PUBLIC_PAGE_CACHE_SECONDS)
        else:  # first render, or it read new tables: learn them, store the next render
            cache.set(key + ":tables", sorted(read | set(known or ())), settings.PUBLIC_PAGE_CACHE_SECONDS)
        response["X-Public-Cache"] = "miss"
        return response


# --- an expensive count, computed by one process at a time ---------------------------------


def shared_count(key: str, compute, *, fresh: int = 60, stale: int = 3600, wait: float = 10.0) -> int:
    """``compute()`` cached for ``fresh`` seconds in the shared cache, counted by one
    process at a time: while it counts, the others answer with the previous count (kept
    ``stale`` seconds), or, when there is none yet, wait up to ``wait`` seconds for it.
    Without this, every request arriving while the count is missing counts too: sixteen
    3-second counts of a million people at once (bench/RESULTS.md) starve the site."""
    value = cache.get(key)
    if value is not None:
        return value
    lock = key + ":counting"
    if cache.add(lock, 1, 60):
        try:
            value = compute()
            cache.set_many({key: value}, fresh)
            cache.set(key + ":stale", value, stale)
            return value
        finally:
            cache.delete(lock)
    previous = cache.get(key + ":stale")
    if previous is not None:
        return previous
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        time.sleep(0.05)
        value = cache.get(key)
        if value is not None:
            return value
    return compute()
