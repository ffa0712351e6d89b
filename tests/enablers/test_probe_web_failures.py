"""How the web probes fail: within their timeouts, with the reason, without holding up
other domains, and measuring the domain (not the address) they are pointed at."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime

import pytest
import trustme

from fleet.web import site
from isoc.enablers.probes_web import probe_web
from isoc.enablers.results import DomainResult


def _probe(domain: str, config, **addresses) -> tuple[DomainResult, float]:
    result = DomainResult(domain, datetime.now(UTC), "fleet", **addresses)
    started = time.monotonic()
    asyncio.run(probe_web(domain, result, config))
    return result, time.monotonic() - started


@pytest.mark.parametrize(("timeout", "retries"), [(0.4, 0), (0.3, 2)])
def test_a_server_that_hangs_after_the_handshake_costs_only_its_timeouts(web_fleet, timeout, retries):
    result, elapsed = _probe("hang.test", web_fleet.config(timeout=timeout, retries=retries))
    budget = timeout * (retries + 1)
    # a bound, not a benchmark: without per-try timeouts the probe would wait forever
    assert elapsed < budget + 2.0
    tries = f" ({retries + 1} tries)" if retries else ""
    assert result.errors["https"] == f"no answer within {timeout:g} s{tries}"
    assert result.errors["https_redirect"] == f"no answer within {timeout:g} s{tries}"
    assert result.https_ok is None and result.http_redirects_to_https is None and result.hsts is None


def test_a_hanging_domain_does_not_hold_up_the_others(web_fleet):
    config = web_fleet.config(timeout=1.5, retries=1)
    finished: list[str] = []

    async def both() -> None:
        async def one(name: str) -> None:
            await probe_web(name, DomainResult(name, datetime.now(UTC), "fleet"), config)
            finished.append(name)

        await asyncio.gather(one("hang.test"), one("tls12.test"))

    asyncio.run(both())
    assert finished == ["tls12.test", "hang.test"]


def test_refused_connections_are_tried_again_then_reported(web_fleet):
    result, _ = _probe("refused.test", web_fleet.config(retries=2))
    assert result.errors["https"] == "connection refused (3 tries)"
    assert result.https_ok is False
    assert result.cert_valid is None and result.tls13 is None and result.tls_legacy_off is None
    assert "no HTTP service on port" in result.why["https_redirect"]


def test_an_aaaa_address_where_nothing_listens(web_fleet):
    result, _ = _probe("v6dead.test", web_fleet.config())
    assert result.ipv6_reachable is False
    assert result.https_ok is True  # over IPv4 the site works
    assert result.why["ipv6"].count("connection refused") == 2  # HTTPS and HTTP both tried


def test_a_domain_without_addresses_is_not_measured(web_fleet):
    result, _ = _probe("unknown.test", web_fleet.config())
    assert result.https_ok is None and result.ipv6_reachable is None and result.errors == {}
    assert result.why["https"] == "no A or AAAA address: nothing to connect to"


def test_the_addresses_in_the_result_come_before_the_configured_ones(web_fleet):
    # modern.test's name sent to tls12.test's server: the certificate is checked against
    # the domain being measured, never against the address connected to
    address = web_fleet.addresses(site("tls12.test"))[0]
    result, _ = _probe("modern.test", web_fleet.config(), a=[address])
    assert result.cert_valid is False and result.cert_name_matches is False
    assert result.cert_error == "certificate is for tls12.test, not modern.test"
    assert result.tls13 is False  # tls12.test's configuration answered


def test_an_ipv6_only_domain_is_measured_over_ipv6(web_fleet):
    address6 = web_fleet.addresses(site("modern.test"))[1]
    result, _ = _probe("modern.test", web_fleet.config(hosts={}), aaaa=[address6])
    assert result.ipv6_reachable is True and result.https_ok is True and result.cert_valid is True
    assert result.tls13 is True and result.hsts is True
    assert result.http3 is True and "GET / answers 200" in result.why["http3"]


def test_certificates_are_checked_against_the_configured_bundle(web_fleet, tmp_path):
    other = tmp_path / "other-ca.pem"
    trustme.CA().cert_pem.write_to_path(str(other))
    result, _ = _probe("modern.test", web_fleet.config(ca_bundle=other))
    assert result.cert_valid is False and result.cert_name_matches is True
    assert result.cert_error.startswith("certificate issued by isoc test fleet CA does not chain to a trusted root")
    # HTTPS is still answered, but HSTS is not in force on such a connection
    assert result.https_ok is True and result.hsts is False


def test_http3_goes_to_the_configured_quic_port(web_fleet):
    # modern.test advertises h3=":443"; the configured QUIC port stands for 443, and
    # nothing listens on this one
    result, _ = _probe("modern.test", web_fleet.config(quic_port=web_fleet.ports["quic"] + 2, timeout=0.5, retries=0))
    assert result.alt_svc_h3 is True and result.http3 is False
    assert result.errors["http3"] == "no answer within 0.5 s"
