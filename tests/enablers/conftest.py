"""The enablers tests' fleet: one set of real servers for DNS, email and the web (``fleet``,
``fleet.core.Fleet``), started once per test session, stopped and its network namespace
deleted at the end, even when tests fail. ``web_fleet`` is its web part (``fleet.web``).

As root the fleet lives in a network namespace with real addresses and standard ports;
otherwise (or with ISOC_FLEET_LOOPBACK=1) on loopback addresses with high ports, and the
session header says so.
"""

from __future__ import annotations

import shutil

import pytest

from fleet.netns import namespaces_allowed


def pytest_report_header(config):
    if namespaces_allowed():
        return "enablers fleet: test hosts in a network namespace (10.201.N.0/24, fd00:201:0:N::/64)"
    return ("enablers fleet: network namespaces not allowed here (not root, or ISOC_FLEET_LOOPBACK=1): "
            "loopback addresses and high ports instead")


@pytest.fixture(scope="session")
def fleet(tmp_path_factory, request):
    """NSD, unbound, the mail and policy servers, nginx, the aioquic HTTP/3 server and the
    hanging servers, on one network with one CA; its zones point every test domain at them."""
    from fleet.core import Fleet

    if not shutil.which("nginx"):
        pytest.skip("nginx is not installed (apt-get install nginx; .ci/run installs it)")
    fleet = Fleet.start(tmp_path_factory.mktemp("fleet"))
    try:
        # Said on the terminal, not only in captured output: a loopback fleet (not root)
        # tests less (one IPv6 address, no standard ports), and the reader should know.
        note = f"fleet: {fleet.network.reason}; TLS 1.0/1.1 possible here: {fleet.web.legacy_tls}"
        reporter = request.config.pluginmanager.get_plugin("terminalreporter")
        capture = request.config.pluginmanager.get_plugin("capturemanager")
        if reporter is not None and capture is not None:
            with capture.global_and_fixture_disabled():
                reporter.write_line(f"\n{note}")
        yield fleet
    finally:
        fleet.stop()


@pytest.fixture(scope="session")
def web_fleet(fleet):
    """The fleet's web sites (``fleet.web.WebFleet``): ``config()`` reaches them by fixed
    addresses, without DNS."""
    return fleet.web
