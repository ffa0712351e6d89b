"""Every DNS and email check of every fleet domain, against what the fleet configured
(``fleet/spec.py``): the servers were built from the same declarations, so each expected
answer is known in advance."""

from __future__ import annotations

import asyncio

import pytest

from fleet import spec
from fleet.core import mta_sts_policy

CHECK_COLUMNS = {
    "dnssec": "dnssec_secure", "caa": "caa", "spf": "spf_strict", "dkim": "dkim", "dmarc": "dmarc_enforced",
    "mta_sts": "mta_sts_enforce", "starttls": "smtp_starttls",
}


@pytest.fixture(scope="module")
def results(fleet):
    """Every spec domain probed once, all at once, as a scan does."""
    from enablers_helpers import new_result

    from isoc.enablers.probes_dns import DnsClient, probe_dns, probe_email

    config = fleet.scan_config(timeout=1.5, retries=1)

    async def one(name):
        result = new_result(name, config)
        client = DnsClient(config)
        await probe_dns(name, result, config, client)
        await probe_email(name, result, config, client)
        return result

    async def run():
        return await asyncio.gather(*(one(d.name) for d in spec.DOMAINS))

    return {r.domain: r for r in asyncio.run(run())}


CASES = [(d.name, check) for d in spec.DOMAINS for check in d.expect]


def test_the_results_use_the_checks_of_the_row_layout():
    from isoc.enablers.results import CHECKS

    assert set(CHECK_COLUMNS.items()) <= set(CHECKS)


@pytest.mark.parametrize(("name", "check"), CASES, ids=[f"{n}-{c}" for n, c in CASES])
def test_each_check_says_what_the_fleet_configured(results, name, check):
    domain, result = spec.BY_NAME[name], results[name]
    expected = domain.expect[check]
    got = getattr(result, CHECK_COLUMNS[check])
    assert got is expected, f"{name} {check}: {got!r}, expected {expected!r} ({domain.note}); why: {result.why.get(check)!r}; errors: {result.errors}"
    # every verdict comes with the reason an operator reads on the lookup page
    assert result.why.get(check), f"{name} {check} has no reason"


@pytest.mark.parametrize("name", [d.name for d in spec.DOMAINS])
def test_addresses_are_the_configured_ones(fleet, results, name):
    a, aaaa = fleet.expected_addresses(spec.BY_NAME[name])
    assert (results[name].a, results[name].aaaa) == (a, aaaa)


@pytest.mark.parametrize("name", [d.name for d in spec.DOMAINS])
def test_dnssec_state_is_the_zone_signing(results, name):
    assert results[name].dnssec == spec.domain_dnssec(spec.BY_NAME[name])


@pytest.mark.parametrize("name", [d.name for d in spec.DOMAINS])
def test_mx_hosts_in_preference_order(results, name):
    domain = spec.BY_NAME[name]
    target = spec.BY_NAME[domain.cname] if domain.cname else domain
    expected = [] if spec.zone_of(name).signing in ("badds", "lame") or not domain.exists else target.mx_names
    assert results[name].mx == expected


def test_every_result_records_the_resolver_it_asked(fleet, results):
    assert {r.resolver for r in results.values()} == {str(fleet.resolver)}


def test_spf_record_and_its_all_qualifier(results):
    assert results["secure.test"].spf == "v=spf1 mx ip4:192.0.2.25 -all"
    assert [results[n].spf_all for n in ("secure.test", "soft.test", "plain.test")] == ["-", "~", "?"]
    assert "foo" in results["broken.test"].why["spf"]  # the syntax error is named
    assert "2 SPF records" in results["refused.test"].why["spf"]
    assert results["badds.test"].spf is None and "SERVFAIL" in results["badds.test"].errors["spf"]


def test_dkim_lists_the_selectors_with_a_usable_key(results):
    assert results["secure.test"].dkim_selectors == spec.BY_NAME["secure.test"].dkim_valid == ["s1", "s2"]
    assert "rsa 2048 bits" in results["secure.test"].why["dkim"] and "ed25519" in results["secure.test"].why["dkim"]
    assert results["multimx.test"].dkim_selectors == ["s2"]
    assert "revoked" in results["soft.test"].why["dkim"]
    assert "not an RSA public key" in results["broken.test"].why["dkim"]
    assert "s1, s2, absent" in results["plain.test"].why["dkim"]  # which selectors were tried


def test_dmarc_policy_and_pct(results):
    got = {n: (results[n].dmarc_policy, results[n].dmarc_pct) for n in
           ("secure.test", "plain.test", "soft.test", "multimx.test", "nullmx.test", "broken.test", "refused.test")}
    assert got == {"secure.test": ("reject", 100), "plain.test": ("none", 100), "soft.test": ("quarantine", 50),
                   "multimx.test": ("quarantine", 100), "nullmx.test": ("reject", 100),
                   "broken.test": (None, None), "refused.test": (None, None)}
    assert "pct=100" in results["soft.test"].why["dmarc"]
    # www.secure.test has no record of its own: the organizational domain's sp= applies
    assert results["www.secure.test"].dmarc_policy == "reject"
    assert "secure.test" in results["www.secure.test"].why["dmarc"]


def test_mta_sts_mode_and_why(fleet, results):
    assert results["secure.test"].mta_sts_mode == "enforce"
    assert results["soft.test"].mta_sts_mode == "testing"
    assert "404" in results["multimx.test"].why["mta_sts"]
    assert "certificate" in results["stswrong.test"].why["mta_sts"]
    assert "no address" in results["broken.test"].why["mta_sts"]
    assert "refused" in results["refused.test"].errors["mta_sts"]
    assert "mode: enforce" in mta_sts_policy(spec.BY_NAME["secure.test"])


def test_caa_records_and_inheritance(results):
    assert results["secure.test"].caa_records == sorted(spec.BY_NAME["secure.test"].caa)
    assert results["www.secure.test"].caa  # through the CNAME to the apex
    assert results["plain.test"].caa_records == []


def test_starttls_reasons_name_the_mx_and_what_to_fix(results):
    assert "does not offer STARTTLS" in results["plain.test"].why["starttls"]
    assert "not valid for the MX name" in results["soft.test"].why["starttls"]
    assert "mx.plain.test" in results["multimx.test"].why["starttls"]
    assert "EHLO" in results["broken.test"].errors["starttls"]  # greeted, then silence
    assert "refused" in results["refused.test"].errors["starttls"]
    assert "null MX" in results["nullmx.test"].why["starttls"]


def test_dns_errors(results):
    assert results["missing.test"].dns_error == "NXDOMAIN"
    assert results["bogus.test"].dns_error == "SERVFAIL"  # the changed A record
    assert results["badds.test"].dns_error == "SERVFAIL"
    assert results["lame.test"].dns_error in ("timeout", "SERVFAIL")
    assert results["secure.test"].dns_error is None and results["plain.test"].dns_error is None


def test_dnssec_reasons(results):
    assert "DS" in results["island.test"].why["dnssec"] and "signed" in results["island.test"].why["dnssec"]
    assert "not signed" in results["plain.test"].why["dnssec"]
    assert "checking disabled" in results["bogus.test"].why["dnssec"]
    assert results["lame.test"].errors["dnssec"]
