"""Fixtures of the enablers tests: the web part of the test fleet, started once a session."""

from __future__ import annotations

import shutil

import pytest


@pytest.fixture(scope="session")
def web_fleet(request):
    """nginx, the aioquic HTTP/3 server and the hanging servers of ``fleet.web.SITES``,
    in a network namespace (or on loopback, which the log says); stopped at the end of
    the session even when a test fails (and at exit, should the session be killed)."""
    from fleet.web import WebFleet

    if not shutil.which("nginx"):
        pytest.skip("nginx is not installed (apt-get install nginx; .ci/run installs it)")
    fleet = WebFleet()
    try:
        fleet.start()
        # Said on the terminal, not only in captured output: a loopback fleet (not root)
        # tests less (one IPv6 address, no standard ports), and the reader should know.
        note = f"web fleet: {fleet.network.reason}; TLS 1.0/1.1 possible here: {fleet.legacy_tls}"
        reporter = request.config.pluginmanager.get_plugin("terminalreporter")
        capture = request.config.pluginmanager.get_plugin("capturemanager")
        if reporter is not None and capture is not None:
            with capture.global_and_fixture_disabled():
                reporter.write_line(f"\n{note}")
        yield fleet
    finally:
        fleet.stop()
