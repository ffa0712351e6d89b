"""Browser tests: Playwright (sync API) driving Debian's Chromium against pytest-django's
live server on 127.0.0.1.

One Chromium per test process (session scope), a fresh context (cookies, storage) per
test. Every request a page makes is checked: anything not addressed to the loopback
live server is aborted and fails the test, so no test can reach the Internet.
"""

from __future__ import annotations

import email
import email.policy
import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest

# Playwright's sync API runs an event loop in this thread, so Django sees an "async
# context" whenever a test touches the ORM while a page is open. The test body is plain
# sequential code, so Django's documented escape hatch for tests is safe here.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path(os.environ.get("ISOC_E2E_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-quic",
    "--no-first-run",
    "--disable-sync",
]
LOOPBACK = {"127.0.0.1", "localhost", "[::1]", "::1"}
TIMEOUT_MS = 15_000


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium, headless. Missing Chromium is a failure, not a skip: CI installs
    it, and a silently skipped browser suite would hide every regression it guards."""
    if not CHROMIUM.is_file() or not os.access(CHROMIUM, os.X_OK):
        pytest.fail(
            f"Chromium not found at {CHROMIUM}. Install Debian's package "
            "(apt-get install chromium) or set ISOC_E2E_CHROMIUM to its path. "
            "Do not run `playwright install`: these tests use the system browser.",
            pytrace=False,
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture(autouse=True)
def _e2e_database(request, transactional_db, django_db_serialized_rollback):
    """The live server runs in another thread, so tests need real commits
    (transactional_db). Flushing between tests would also wipe the roles, tiers and dues
    rate seeded by migration 0002; serialized rollback restores them for every test."""
    from django.core.cache import cache

    # allauth's rate limits live in the cache, keyed by client address; every test comes
    # from 127.0.0.1, so one test's failed logins must not throttle the next test.
    cache.clear()
    yield
    cache.clear()


@dataclass
class Browsing:
    """Opens isolated browser contexts (one per person) on the live server."""

    browser: object
    base_url: str
    contexts: list
    offsite: list[str]

    def new_page(self, **options):
        """A page in a new context; ``options`` go to ``new_context`` (e.g.
        ``java_script_enabled=False``)."""
        options = {"locale": "en-GB", "viewport": {"width": 1280, "height": 900}, **options}
        context = self.browser.new_context(base_url=self.base_url, **options)
        context.set_default_timeout(TIMEOUT_MS)
        context.route("**/*", self._only_loopback)
        self.contexts.append(context)
        return context.new_page()

    def _only_loopback(self, route) -> None:
        url = route.request.url
        parts = urlsplit(url)
        if parts.scheme in ("data", "blob", "about") or (parts.hostname or "") in LOOPBACK:
            route.continue_()
        else:
            self.offsite.append(url)
            route.abort("blockedbyclient")


@pytest.fixture
def browsing(browser, live_server) -> Iterator[Browsing]:
    b = Browsing(browser=browser, base_url=live_server.url, contexts=[], offsite=[])
    yield b
    for context in b.contexts:
        context.close()
    assert not b.offsite, f"pages tried to reach beyond the loopback server: {b.offsite}"


@pytest.fixture
def page(browsing):
    """A fresh browser context and page: a new visitor with no cookies."""
    return browsing.new_page()


@pytest.fixture
def new_page(browsing) -> Callable:
    """Another person at another browser, e.g. staff working beside a member."""
    return browsing.new_page


@pytest.fixture(scope="session")
def served_site(tmp_path_factory, worker_id):
    """The site as deployed (`isoc serve`, production settings, demo data) in a
    subprocess, once per test process: see served_site.py. Tests using it belong to the
    xdist groups "served_site" and "served_site_staff" (the staff crawl), so that at most
    two workers start one; its data folder is prepared once for both."""
    import served_site as serving

    # The base temporary folder of the whole run: xdist workers each have a folder under it.
    run_folder = tmp_path_factory.getbasetemp()
    if worker_id != "master":
        run_folder = run_folder.parent
    site, process = serving.start(tmp_path_factory.mktemp("served-site"), prepared=run_folder / "served-site-prepared")
    yield site
    serving.stop(process)


# --- mail ------------------------------------------------------------------------------


class Mailbox:
    """The folder Django's file email backend writes to, read like an inbox."""

    SEPARATOR = "\n" + "-" * 79 + "\n"

    def __init__(self, folder: Path):
        self.folder = folder

    def messages(self) -> list[email.message.EmailMessage]:
        found = []
        for path in sorted(self.folder.glob("*.log"), key=lambda p: p.stat().st_mtime_ns):
            for chunk in path.read_bytes().split(self.SEPARATOR.encode()):
                if chunk.strip():
                    found.append(email.message_from_bytes(chunk.lstrip(), policy=email.policy.default))
        return found

    def to(self, address: str) -> list[email.message.EmailMessage]:
        return [msg for msg in self.messages() if address.lower() in str(msg["To"]).lower()]

    def last_to(self, address: str) -> email.message.EmailMessage:
        received = self.to(address)
        files = sorted(p.name for p in self.folder.iterdir())
        assert received, f"no mail to {address} in {self.folder} (files: {files})"
        return received[-1]

    @staticmethod
    def body(msg: email.message.EmailMessage) -> str:
        part = msg.get_body(preferencelist=("plain", "html"))
        assert part is not None, "the message has no text body"
        return part.get_content()

    def link(self, address: str, path_contains: str) -> str:
        """The one absolute link in the latest mail to ``address`` whose path contains
        ``path_contains``."""
        body = self.body(self.last_to(address))
        links = [u for u in re.findall(r"https?://[^\s<>\"']+", body) if path_contains in u]
        assert len(links) == 1, f"expected one {path_contains} link in the mail, found {links}:\n{body}"
        return links[0]


@pytest.fixture
def mailbox(settings, tmp_path) -> Mailbox:
    """Mail goes to files in tmp_path, as on a site with no SMTP server configured."""
    folder = tmp_path / "mail"
    folder.mkdir()
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = folder
    settings.ACCOUNT_DEFAULT_HTTP_PROTOCOL = "http"
    return Mailbox(folder)
