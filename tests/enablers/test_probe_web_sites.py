"""Every web probe against every site of the test fleet: the answers are known in advance,
because ``fleet.web.SITES`` both generated the servers' configuration and says (through
``fleet.web.expected``) what a correct probe must find there."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest
from cryptography import x509

from fleet.web import SITES, expected, site
from isoc.enablers.probes_web import probe_web
from isoc.enablers.results import CHECKS, DomainResult, from_row, to_table

#: The checks of ``results.CHECKS`` that the web probes answer.
WEB_CHECKS = ("ipv6", "https", "https_redirect", "certificate", "tls13", "tls_legacy_off", "hsts", "http3")


@pytest.fixture(scope="module")
def scanned(web_fleet) -> dict[str, DomainResult]:
    """All sites probed at once, as the scanner does, with the fleet's configuration."""
    config = web_fleet.config()

    async def scan() -> dict[str, DomainResult]:
        results = {spec.name: DomainResult(spec.name, datetime.now(UTC), "fleet") for spec in SITES}
        await asyncio.gather(*(probe_web(name, result, config) for name, result in results.items()))
        return results

    return asyncio.run(scan())


@pytest.mark.parametrize("spec", SITES, ids=lambda spec: spec.name)
def test_every_web_field_is_what_the_site_serves(scanned, web_fleet, spec):
    result = scanned[spec.name]
    want = expected(spec, web_fleet)
    assert {name: getattr(result, name) for name in want} == want, result.why


@pytest.mark.parametrize("spec", SITES, ids=lambda spec: spec.name)
def test_every_web_check_says_why(scanned, spec):
    result = scanned[spec.name]
    assert set(WEB_CHECKS) <= {check for check, _ in CHECKS}
    for check in WEB_CHECKS:
        assert result.why.get(check), f"{spec.name}: no reason for {check}"
    # an error is recorded exactly where a probe got no answer
    for check, error in result.errors.items():
        assert error and check in result.why


def _certificate(web_fleet, name: str) -> x509.Certificate:
    return x509.load_pem_x509_certificate(web_fleet.certs[name].cert.read_bytes())


def test_a_valid_certificate_is_read(scanned, web_fleet):
    result = scanned["modern.test"]
    cert = _certificate(web_fleet, "modern.test")
    assert result.cert_issuer == "isoc test fleet CA"
    assert result.cert_not_after == cert.not_valid_after_utc
    assert result.cert_error is None
    assert result.why["certificate"].startswith(f"valid until {cert.not_valid_after_utc:%Y-%m-%d}")


def test_an_expired_certificate_says_when_it_expired(scanned, web_fleet):
    result = scanned["expired.test"]
    expiry = _certificate(web_fleet, "expired.test").not_valid_after_utc
    assert result.cert_not_after == expiry
    assert result.cert_error == result.why["certificate"] == f"certificate expired on {expiry:%Y-%m-%d}"
    assert result.cert_name_matches is True
    # the site answers HTTPS, and sends HSTS that browsers must ignore on this connection
    assert result.https_ok is True and "not valid" in result.why["https"]
    assert result.hsts is False and result.hsts_max_age == 86400
    assert "browsers ignore it" in result.why["hsts"] and "expired" in result.why["hsts"]


def test_a_certificate_for_another_name_names_both(scanned):
    result = scanned["wrongname.test"]
    assert result.cert_error == "certificate is for other-name.test, www.other-name.test, not wrongname.test"
    assert result.cert_name_matches is False and result.cert_valid is False


def test_tls_versions_are_asked_one_by_one(scanned, web_fleet):
    assert scanned["tls12.test"].why["tls13"].startswith("TLS 1.3 refused: TLS handshake failed")
    assert scanned["tls13.test"].why["tls12"].startswith("TLS 1.2 refused")
    assert scanned["modern.test"].why["tls_legacy_off"] == "TLS 1.0 and TLS 1.1 refused"
    if not web_fleet.legacy_tls:
        pytest.skip("this machine's OpenSSL cannot do TLS 1.0/1.1 even at security level 0: "
                    "legacy.test serves TLS 1.2 only")
    assert scanned["legacy.test"].why["tls_legacy_off"].startswith("TLS 1.0 and TLS 1.1 accepted")


def test_hsts_reasons_name_the_problem(scanned, web_fleet):
    origin = web_fleet.origin("https", "legacy.test")
    assert scanned["legacy.test"].why["hsts"] == f"no Strict-Transport-Security header on {origin}/"
    assert "directive max-age appears twice" in scanned["hstsbad.test"].why["hsts"]
    assert "tells browsers to forget HSTS" in scanned["hstsoff.test"].why["hsts"]
    assert "preload lists ask for max-age of at least 31536000" in scanned["tls13.test"].why["hsts"]
    assert scanned["modern.test"].why["hsts"].startswith("max-age=63072000; includeSubDomains; preload (730 days)")


def test_http3_is_an_actual_quic_handshake(scanned):
    assert "QUIC handshake with ALPN h3" in scanned["modern.test"].why["http3"]
    assert "GET / answers 200" in scanned["modern.test"].why["http3"]
    # advertised, but nothing answers QUIC: the advertisement alone is not HTTP/3
    broken = scanned["tls13.test"]
    assert broken.alt_svc_h3 is True and broken.http3 is False
    assert "no QUIC handshake" in broken.why["http3"] and "no answer within" in broken.errors["http3"]


def test_failures_are_errors_with_reasons(scanned):
    refused = scanned["refused.test"]
    assert refused.https_ok is False and "connection refused" in refused.errors["https"]
    assert refused.why["https"].startswith("nothing listens for HTTPS on port")
    hang = scanned["hang.test"]
    assert hang.https_ok is None and "no answer within 1 s (2 tries)" == hang.errors["https"]
    assert hang.cert_valid is True  # the handshake itself is answered
    dead = scanned["v6dead.test"]
    assert dead.ipv6_reachable is False and "connection refused" in dead.errors["ipv6"]
    assert dead.why["ipv6"].startswith("no HTTP(S) answer over IPv6 at [")


def test_a_site_without_https_is_read_over_http(scanned):
    result = scanned["httponly.test"]
    assert result.https_ok is False and result.http_redirects_to_https is False
    assert "without redirecting to HTTPS" in result.why["https_redirect"]
    assert result.security_headers == ["X-Frame-Options"]
    assert result.privacy_policy_url.endswith("/ds")  # found by its text, "Datenschutz"


def test_third_parties_and_cookies(scanned):
    result = scanned["tls12.test"]
    assert result.third_party_hosts == list(site("tls12.test").third_parties)
    assert result.cookies_before_consent == 2
    assert "before any consent" in result.why["cookies"]
    # a script from a subdomain of the site itself is not a third party
    assert scanned["modern.test"].third_party_hosts == []


def test_results_survive_the_parquet_row(scanned):
    results = list(scanned.values())
    assert [from_row(row) for row in to_table(results).to_pylist()] == results
