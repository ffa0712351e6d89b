"""One crawl of every page per role, shared by the accessibility and page-weight tests.

Both tests need every page of the site loaded in Chromium as a visitor, a member and
staff; loading each page once for both halves the time the browser suites take (the
staff crawl alone is several hundred pages, most of them Django's admin). Each page is
loaded with the cache off (its first-load weight is measured, then axe-core and the
extra page checks run on it as it stands), and then again right after the page one
comes from, with the cache on (its next-load weight). The result is kept per test
process and role, so whichever test asks first pays for the crawl.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field

import pytest
from crawl import ROLES, Visit, axe_violations, describe, page_problems, paths_for, routes

KB = 1000
# The staff crawl (several hundred pages, each loaded twice and checked by axe) is the
# longest test: the suite's per-test limit is for tests that hang, not for this one.
CRAWL_TIMEOUT = 1200
ONE_YEAR = 365 * 24 * 3600
HASHED = re.compile(r"\.[0-9a-f]{12}\.\w+$")  # ManifestStaticFilesStorage: name.0123456789ab.css
TEXT = ("text/", "application/javascript", "application/json", "image/svg+xml")

# The staff crawl (several hundred pages, most of them the admin) is as long as the other
# roles' crawls together: it runs in an xdist group of its own, on a second served site
# (a copy of the first one's prepared data folder), so that both workers share the crawls.
CRAWL_ROLES = [pytest.param(role, marks=pytest.mark.xdist_group("served_site_staff")) if role == "staff" else role
               for role in ROLES]


def check_page(visit, label: str) -> list[str]:
    """Everything wrong with the page as it is now (axe-core's WCAG 2.2 A/AA violations
    and the checks axe does not make), as lines naming it."""
    # The page's own checks first: axe-core, evaluated into the page, adds <style>
    # elements of its own that the Content-Security-Policy refuses (not the page's fault).
    failures = [f"{label}: {problem}" for problem in page_problems(visit.page)]
    violations = axe_violations(visit.page)
    if violations:
        failures.insert(0, describe(label, violations))
    return failures


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
        headers = {k.lower(): v for k, v in r["headers"].items()}
        self.responses[event["requestId"]] = (r["url"], event["type"], headers)
        if event["type"] == "Document" and "content-security-policy" not in headers:
            self.load.problems.append(f"{r['url']} has no Content-Security-Policy header")

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


@dataclass
class Crawl:
    """What one role's crawl found."""

    role: str
    paths: list[str]
    firsts: list[Load]
    nexts: dict[str, Load]
    checked: set[str]  # the pages axe-core ran on (where each path landed, once each)
    a11y_failures: list[str]


_crawls: dict[tuple[str, str], Crawl] = {}


def crawl(role: str, browser, site) -> Crawl:
    """The crawl of every page for ``role`` on the served ``site``, made once per test
    process."""
    key = (role, site.base_url)
    if key not in _crawls:
        _crawls[key] = _crawl(role, browser, site)
    return _crawls[key]


def _crawl(role: str, browser, site) -> Crawl:
    paths = paths_for(role, site.facts, routes())
    # axe-core is added to a page only when it is checked (crawl.axe_violations does it),
    # not to every navigation: the next-load pass has no use for it.
    visit = Visit(browser, site)
    checked: set[str] = set()
    failures: list[str] = []
    try:
        visit.sign_in(role)
        recorder = Recorder(visit)
        # First loads: the cache off, as for someone who has never been here.
        recorder.cache(enabled=False)
        firsts = []
        for path in paths:
            firsts.append(recorder.measure(path))
            landed = visit.path().split("?")[0]
            if landed in checked:
                continue  # e.g. a sign-in-only page sent a visitor to the sign-in page, checked already
            checked.add(landed)
            where = f"[{role}] {path}" + (f" (shown at {visit.path()})" if visit.path() != path else "")
            failures += check_page(visit, where)
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
    return Crawl(role, paths, firsts, nexts, checked, failures)
