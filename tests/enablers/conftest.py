"""The enablers tests' fleet: started once per test session (about a second), stopped and
its network namespace deleted at the end, even when tests fail.

As root the fleet lives in a network namespace with real addresses and standard ports;
otherwise (or with ISOC_FLEET_LOOPBACK=1) on loopback addresses with high ports, and the
session header says so.
"""

from __future__ import annotations

import pytest

from fleet.netns import namespaces_allowed


def pytest_report_header(config):
    if namespaces_allowed():
        return "enablers fleet: test hosts in a network namespace (10.201.N.0/24, fd00:201:0:N::/64)"
    return ("enablers fleet: network namespaces not allowed here (not root, or ISOC_FLEET_LOOPBACK=1): "
            "loopback addresses and high ports instead")


@pytest.fixture(scope="session")
def fleet(tmp_path_factory):
    from fleet.core import Fleet

    fleet = Fleet.start(tmp_path_factory.mktemp("fleet"))
    try:
        yield fleet
    finally:
        fleet.stop()
