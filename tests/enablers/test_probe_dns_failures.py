"""Failure modes of the DNS and email probes: a resolver that never answers, one that
refuses, retries on the next resolver, fixed addresses instead of DNS, an SMTP server that
hangs after its greeting, a certificate for the wrong name, and a CA bundle not given."""

from __future__ import annotations

import asyncio
import socket
import threading
from dataclasses import replace

import pytest
from enablers_helpers import probe

from fleet import spec


class CountingSilentServer:
    """A DNS server on loopback that counts the questions it gets and answers none."""

    def __init__(self):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.settimeout(0.1)
        self.port = self.sock.getsockname()[1]
        self.questions = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self):
        while not self._stop.is_set():
            try:
                self.sock.recvfrom(4096)
                self.questions += 1
            except TimeoutError:
                continue

    def close(self):
        self._stop.set()
        self._thread.join()
        self.sock.close()


@pytest.fixture
def silent_server():
    server = CountingSilentServer()
    yield server
    server.close()


def test_a_resolver_that_never_answers_gives_timeouts_not_verdicts(fleet):
    from isoc.enablers.config import Resolver

    config = fleet.scan_config(resolvers=(Resolver(*fleet.dns.silent),), timeout=0.3, retries=0)
    result = probe("secure.test", config)
    assert result.dns_error == "timeout"
    assert "no answer from" in result.errors["dns"] and "0.3s" in result.errors["dns"]
    assert result.dnssec == "indeterminate" and result.dnssec_secure is None
    for column in ("caa", "spf_strict", "dkim", "dmarc_enforced", "mta_sts_enforce", "smtp_starttls"):
        assert getattr(result, column) is None, column
    assert "not measured" in result.why["spf"]


def test_timeouts_are_retried_as_configured(fleet, silent_server):
    from isoc.enablers.config import Resolver

    config = fleet.scan_config(resolvers=(Resolver("127.0.0.1", silent_server.port),), timeout=0.2, retries=2)
    result = probe("secure.test", config, email=False)
    assert result.dns_error == "timeout"
    # A and AAAA, each asked three times (one try and two retries); nothing more after the timeout
    assert silent_server.questions == 6


def test_a_retry_goes_to_the_next_resolver(fleet):
    from isoc.enablers.config import Resolver

    config = fleet.scan_config(resolvers=(Resolver(*fleet.dns.silent), fleet.resolver), timeout=0.2, retries=1)
    result = probe("secure.test", config)
    assert result.dns_error is None and result.dnssec == "secure"
    assert result.dkim is True and result.smtp_starttls is True


def test_a_resolver_that_refuses(fleet):
    from isoc.enablers.config import Resolver

    # The "refused" host exists but nothing listens on it. Its ICMP port-unreachable does
    # not reach an unconnected UDP socket, so the question times out like a silent one.
    config = fleet.scan_config(resolvers=(Resolver(fleet.v4("refused"), fleet.network.ports.dns),), timeout=0.5, retries=0)
    result = probe("secure.test", config, email=False)
    assert result.dns_error == "timeout" and "10.201." in result.errors["dns"] or fleet.network.mode == "loopback"
    assert result.a == [] and result.dnssec == "indeterminate" and result.caa is None


def test_a_name_that_does_not_exist(fleet):
    result = probe("missing.test", fleet.scan_config())
    assert result.dns_error == "NXDOMAIN" and result.a == [] and result.aaaa == []
    assert result.dnssec is None
    assert all("does not exist" in result.why[c] for c in ("dnssec", "caa", "spf", "dkim", "dmarc", "mta_sts", "starttls"))


def test_bogus_dnssec_is_found_by_the_checking_disabled_retry(fleet):
    result = probe("bogus.test", fleet.scan_config(), email=False)
    assert result.dnssec == "bogus" and result.dnssec_secure is False
    assert result.a == []  # the validating resolver does not give out the changed record
    assert result.aaaa == [fleet.v6("web")]  # the untouched AAAA still validates


def test_fixed_addresses_replace_dns_for_the_domain_and_its_mx(fleet):
    config = fleet.scan_config(hosts={
        "secure.test": ("192.0.2.10", "2001:db8::10"),
        # send mx.secure.test's mail to the server with a certificate for another name
        "mx.secure.test": (fleet.v4("mx-wrongname"),),
    })
    result = probe("secure.test", config)
    assert (result.a, result.aaaa) == (["192.0.2.10"], ["2001:db8::10"])
    assert result.dnssec == "secure"  # still measured from DNS
    assert result.smtp_starttls is False
    assert "certificate not valid for the MX name" in result.why["starttls"]


def test_smtp_server_that_hangs_after_its_greeting(fleet):
    config = fleet.scan_config(timeout=0.4, retries=1)
    result = probe("broken.test", config)
    assert result.smtp_starttls is None
    assert "greeted, then no answer to EHLO within 0.4s" in result.errors["starttls"]


def test_wrong_name_certificate_on_starttls(fleet):
    result = probe("soft.test", fleet.scan_config())
    assert result.smtp_starttls is False
    assert "mx.soft.test" in result.why["starttls"] and "Hostname mismatch" in result.why["starttls"]


def test_without_the_test_ca_no_certificate_is_trusted(fleet):
    config = replace(fleet.scan_config(), ca_bundle=None)  # the system's store: our CA is not in it
    result = probe("secure.test", config)
    assert result.smtp_starttls is False and "certificate" in result.why["starttls"]
    assert result.mta_sts_enforce is False and "certificate" in result.why["mta_sts"]


def test_mx_without_address(fleet):
    config = fleet.scan_config(hosts={"mx.secure.test": ()})
    result = probe("secure.test", config)
    assert result.smtp_starttls is False and "has no address" in result.why["starttls"]


def test_dkim_without_selectors_is_not_measured(fleet):
    result = probe("secure.test", fleet.scan_config(dkim_selectors=()))
    assert result.dkim is None and "no DKIM selectors" in result.why["dkim"]


def test_probes_are_cancellable(fleet):
    """The scanner's deadline cancels probes; a cancelled probe must stop at once."""
    from enablers_helpers import new_result

    from isoc.enablers.probes_dns import probe_email

    config = fleet.scan_config(timeout=30, retries=0)

    async def run():
        result = new_result("broken.test", config)
        task = asyncio.create_task(probe_email("broken.test", result, config))
        await asyncio.sleep(0.5)  # now waiting on the hanging SMTP server
        task.cancel()
        done, _ = await asyncio.wait({task}, timeout=2)
        return done

    assert asyncio.run(run())


def test_the_loopback_fleet_works_where_namespaces_are_not_allowed(tmp_path):
    """Without root the fleet falls back to loopback addresses and high ports."""
    from fleet.core import Fleet

    domains = [spec.BY_NAME[n] for n in ("secure.test", "bogus.test", "plain.test")]
    with Fleet.start(tmp_path, domains=domains, loopback=True) as loopback:
        assert loopback.network.mode == "loopback" and "not allowed" in loopback.network.reason
        config = loopback.scan_config()
        secure, bogus, plain = (probe(d.name, config) for d in domains)
    assert secure.dnssec == "secure" and secure.smtp_starttls is True and secure.mta_sts_enforce is True
    assert bogus.dnssec == "bogus"
    assert plain.dnssec == "insecure" and plain.smtp_starttls is False


def test_a_fleet_at_a_distance_answers_the_same(tmp_path):
    """The benchmark's fleet puts a round trip before its servers (delaying relays); the
    answers must not change, only take longer."""
    from fleet.core import Fleet
    from fleet.netns import namespaces_allowed

    if not namespaces_allowed():
        pytest.skip("the delaying relays need the fleet in a network namespace (root)")
    domains = [spec.BY_NAME[n] for n in ("secure.test", "soft.test")]
    with Fleet.start(tmp_path, domains=domains, rtt_ms=20) as distant:
        secure, soft = (probe(d.name, distant.scan_config()) for d in domains)
    assert (secure.dnssec, secure.dkim, secure.smtp_starttls, secure.mta_sts_enforce) == ("secure", True, True, True)
    assert (soft.spf_strict, soft.smtp_starttls, soft.mta_sts_mode) == (True, False, "testing")
