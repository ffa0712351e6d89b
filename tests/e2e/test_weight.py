"""Page weight on a slow connection: every page (the same crawl as the accessibility
test, signed out, as a member and as staff) measured in Chromium on the site as deployed
(`isoc serve`: whitenoise, hashed and compressed static files, GZip for HTML).

Budget, in bytes on the wire (compressed bodies plus headers, as Chromium's network
layer counts them; everything the page loads, not only HTML, CSS and JS):

- first load, empty cache: under 150 KB;
- next load, another page after one was seen: under 30 KB, so caching must work.

Also checked: every static file has a content-hashed name and a far-future, immutable
Cache-Control; every text response above 1 KB travels compressed. A page over budget
fails the test, named with its sizes by kind.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field

import pytest
from crawl import ROLES, Visit, paths_for, routes

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("served_site")]

KB = 1000
FIRST_LOAD_BUDGET = 150 * KB
NEXT_LOAD_BUDGET = 30 * KB
ONE_YEAR = 365 * 24 * 3600
HASHED = re.compile(r"\.[0-9a-f]{12}\.\w+$")  # ManifestStaticFilesStorage: name.0123456789ab.css
TEXT = ("text/", "application/javascript", "application/json", "image/svg+xml")


@dataclass
class Load:
    """What one navigation transferred."""

    path: str
    status: int = 0
    by_kind: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    problems: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(self.by_kind.values())

    def __str__(self) -> str:
        kinds = ", ".join(f"{kind} {size / KB:.1f}" for kind, size in sorted(self.by_kind.items(), key=lambda kv: -kv[1]))
        return f"{self.path}: {self.total / KB:.1f} KB ({kinds})"


class Recorder:
    """Adds up, per navigation, the bytes every request of the page received, from
    Chromium's DevTools protocol (Network.loadingFinished's encodedDataLength: bodies as
    sent, compressed, plus headers); requests answered by the cache transfer nothing."""

    def __init__(self, visit: Visit):
        self.visit = visit
        self.cdp = visit.context.new_cdp_session(visit.page)
        self.load = Load("")
        self.responses: dict[str, tuple[str, str, dict]] = {}
        self.done: set[str] = set()
        self.cdp.on("Network.responseReceived", self._received)
        self.cdp.on("Network.requestWillBeSent", self._redirected)
        self.cdp.on("Network.loadingFinished", self._finished)
        self.cdp.on("Network.loadingFailed", lambda event: self.done.add(event["requestId"]))
        self.cdp.send("Network.enable")

    def cache(self, enabled: bool) -> None:
        """With the cache off, every load is a first visit (as DevTools' "Disable cache")."""
        self.cdp.send("Network.setCacheDisabled", {"cacheDisabled": not enabled})

    def measure(self, path: str) -> Load:
        self.load, self.responses, self.done = Load(path), {}, set()
        response = self.visit.page.goto(path)  # returns after the load event: styles, scripts, images are in
        assert response is not None and response.status < 500, f"{path} answered {response and response.status}"
        self.load.status = response.status
        # DevTools events come on their own channel: wait until every response seen has finished.
        for _ in range(50):
            if set(self.responses) <= self.done:
                break
            self.visit.page.wait_for_timeout(20)
        return self.load

    def _received(self, event) -> None:
        r = event["response"]
        self.responses[event["requestId"]] = (r["url"], event["type"], {k.lower(): v for k, v in r["headers"].items()})

    def _redirected(self, event) -> None:
        if "redirectResponse" in event:
            self.load.by_kind["redirect"] += int(event["redirectResponse"].get("encodedDataLength", 0))

    def _finished(self, event) -> None:
        self.done.add(event["requestId"])
        url, kind, headers = self.responses.get(event["requestId"], ("?", "Other", {}))
        size = int(event["encodedDataLength"])
        self.load.by_kind[kind.lower()] += size
        if size == 0:
            return
        local = url.removeprefix(self.visit.site.base_url)
        content_type = headers.get("content-type", "")
        length = int(headers.get("content-length") or 0)
        if content_type.startswith(TEXT) and (length > 1000 or not length) and not headers.get("content-encoding"):
            self.load.problems.append(f"{local} ({content_type}, {size} bytes) is sent uncompressed")
        if local.startswith("/static/"):
            cache = headers.get("cache-control", "")
            max_age = int(m.group(1)) if (m := re.search(r"max-age=(\d+)", cache)) else 0
            if not HASHED.search(local.split("?")[0]):
                self.load.problems.append(f"{local} has no content hash in its name")
            if max_age < ONE_YEAR or "immutable" not in cache:
                self.load.problems.append(f"{local} is not cached for a year as immutable (Cache-Control: {cache!r})")


def kind(path: str) -> str:
    """Which pages share their assets: the site's pages all do; an admin page shares its
    scripts with the admin pages of the same view (lists, change forms, delete pages…)."""
    if not path.startswith("/admin/"):
        return "site"
    if m := re.fullmatch(r"/admin/\w+/\w+/(?:[^/]+/)?(add|change|history|delete|password|mark-paid)/", path):
        return "admin " + m.group(1)
    if re.fullmatch(r"/admin/(?!password_change/)\w+/\w+/", path):
        return "admin list"
    return "admin"


def previous_of_kind(loads: list[Load]) -> dict[str, str]:
    """For each page, the page a person comes from: the one before it in the crawl of the
    same kind that was shown (200), or the last such one for the first of its kind. An
    error page (an admin add page where adding is not allowed answers 403 in the site's
    own layout) is nobody's way in."""
    order = {load.path: i for i, load in enumerate(loads)}
    shown: dict[str, list[str]] = defaultdict(list)
    for load in loads:
        if load.status == 200:
            shown[kind(load.path)].append(load.path)
    came_from = {}
    for load in loads:
        group = [p for p in shown[kind(load.path)] if p != load.path] or [p for p in shown["site"] if p != load.path]
        earlier = [p for p in group if order[p] < order[load.path]]
        came_from[load.path] = (earlier or group)[-1]
    return came_from


@pytest.mark.parametrize("role", ROLES)
def test_every_page_is_light(role, browser, served_site):
    paths = paths_for(role, served_site.facts, routes())
    visit = Visit(browser, served_site)
    try:
        visit.sign_in(role)
        recorder = Recorder(visit)
        # First loads: the cache off, as for someone who has never been here.
        recorder.cache(enabled=False)
        firsts = [recorder.measure(path) for path in paths]
        # Next loads: each page right after the page one comes from (see previous_of_kind).
        recorder.cache(enabled=True)
        came_from = previous_of_kind(firsts)
        nexts = {}
        for path in sorted(paths, key=lambda p: list(dict.fromkeys(map(kind, paths))).index(kind(p))):
            if visit.path() != came_from[path]:  # mostly it is: pages of a kind are measured in a row
                visit.page.goto(came_from[path])
            nexts[path] = recorder.measure(path)
    finally:
        visit.close()

    over = [f"first load of {load} > {FIRST_LOAD_BUDGET / KB:.0f} KB" for load in firsts if load.total > FIRST_LOAD_BUDGET]
    over += [f"next load of {load} > {NEXT_LOAD_BUDGET / KB:.0f} KB" for load in nexts.values() if load.total > NEXT_LOAD_BUDGET]
    problems = sorted({p for load in [*firsts, *nexts.values()] for p in load.problems})
    heaviest = max(firsts, key=lambda load: load.total)
    heaviest_next = max(nexts.values(), key=lambda load: load.total)
    print(f"\n[{role}] {len(paths)} pages; heaviest first load {heaviest}; heaviest next load {heaviest_next}")
    assert not over and not problems, f"[{role}] pages over budget or badly served:\n" + "\n".join(over + problems)
