"""Every URL pattern of the site, walked from the URL conf (with the API's routes), for
the tests that must cover each one: CSRF, and the access rules (``access.py``)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RoutePattern

# An example value for each path converter, to make a concrete URL of a route.
EXAMPLES = {"int": "1", "str": "x", "slug": "x", "path": "x", "uuid": "00000000-0000-0000-0000-000000000000"}


@dataclass(frozen=True)
class Route:
    route: str  # as written in the URL conf, prefixes joined: "members/invoices/<str:number>/"
    name: str  # "namespace:name", or "" for an unnamed pattern
    callback: object

    def example_path(self) -> str | None:
        """A concrete path that resolves to this pattern, or None for a regular
        expression this does not know how to fill."""
        if "^" in self.route or "(?P" in self.route or "$" in self.route:
            return None
        # A parameter without a converter (the API's routes) is validated by the view: "1"
        # passes for both numbers and names.
        return "/" + re.sub(r"<(?:(\w+):)?\w+>", lambda m: EXAMPLES.get(m.group(1), "x") if m.group(1) else "1",
                            self.route)


def _text(pattern) -> str:
    return str(pattern.pattern if isinstance(pattern.pattern, RoutePattern) else pattern.pattern)


def routes(resolver: URLResolver | None = None, prefix: str = "", namespace: str = "") -> Iterator[Route]:
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        text = prefix + _text(entry)
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from routes(entry, text, inner)
        elif isinstance(entry, URLPattern):
            yield Route(text, f"{namespace}{entry.name}" if entry.name else "", entry.callback)
