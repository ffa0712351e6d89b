"""Fixtures of the enablers tests: the web part of the test fleet, started once a session."""

from __future__ import annotations

import shutil

import pytest


@pytest.fixture(scope="session")
def web_fleet():
    """nginx, the aioquic HTTP/3 server and the hanging servers of ``fleet.web.SITES``,
    in a network namespace (or on loopback, which the log says); stopped at the end of
    the session even when a test fails (and at exit, should the session be killed)."""
    from fleet.web import WebFleet

    if not shutil.which("nginx"):
        pytest.skip("nginx is not installed (apt-get install nginx; .ci/run installs it)")
    fleet = WebFleet()
    try:
        fleet.start()
        print(f"web fleet: {fleet.network.reason}; TLS 1.0/1.1 possible here: {fleet.legacy_tls}")
        yield fleet
    finally:
        fleet.stop()
