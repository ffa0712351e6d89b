"""End to end: ``scanner.scan`` (and ``isoc enablers scan``) over fleet domains measures
every column against our own servers, and each is what the fleet set up.

One fleet (``fleet.core.Fleet``) serves it all: its zones (signed, unsigned, bogus, lame…)
point every domain at its web sites (nginx, aioquic), mail servers and policy hosts, and
the scan trusts the fleet's one CA. The expected values come from the same declarations
that built the servers: ``spec.Domain.expect`` for DNS and email, ``Fleet.expected_web``
(``fleet.web.expected``) for the web columns. Failure modes are fleet domains too: a web
server that hangs after the TLS handshake (hang.test), refused connections
(refused.test), a name server that never answers (lame.test: timeouts), a mail server
that hangs after its greeting (broken.test).
"""

from __future__ import annotations

import os
import pickle
import signal
import subprocess
import sys
import time

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from fleet import spec
from fleet.core import wait_until

CHECK_COLUMNS = {
    "dnssec": "dnssec_secure", "caa": "caa", "spf": "spf_strict", "dkim": "dkim", "dmarc": "dmarc_enforced",
    "mta_sts": "mta_sts_enforce", "starttls": "smtp_starttls",
}
#: Per probe: generous for a loaded 2-core machine, short enough that the hanging servers
#: cost seconds, not minutes.
TIMEOUT = 2.0


def _config(fleet, **overrides):
    return fleet.scan_config(**{"timeout": TIMEOUT, "retries": 0, "concurrency": 64, "domain_deadline": 15.0,
                                **overrides})


def expected_row(fleet, domain: spec.Domain) -> dict:
    """Every column the fleet's configuration decides for ``domain``."""
    from isoc.enablers.results import DomainResult

    a, aaaa = fleet.expected_addresses(domain)
    target = next(d for d in fleet.domains if d.name == domain.cname) if domain.cname else domain
    answerable = domain.exists and spec.zone_of(domain.name, fleet.dns.zones).signing not in ("badds", "lame")
    want = {"a": a, "aaaa": aaaa, "dnssec": spec.domain_dnssec(domain),
            "mx": target.mx_names if answerable else []}
    want |= {column: domain.expect[check] for check, column in CHECK_COLUMNS.items()}
    want |= fleet.expected_web(domain)
    assert set(want) <= {f for f in DomainResult.__dataclass_fields__}
    return want


def differences(fleet, domain: spec.Domain, row: dict) -> dict:
    """Column → (got, expected) wherever the row is not what the fleet set up."""
    return {column: (row[column], value) for column, value in expected_row(fleet, domain).items()
            if row[column] != value or type(row[column]) is not type(value)}


@pytest.fixture(scope="module")
def full_scan(fleet, tmp_path_factory):
    """Every fleet domain (the DNS/email ones and every web site), one scan, all probes."""
    from isoc.enablers.results import from_row
    from isoc.enablers.scanner import scan

    out = tmp_path_factory.mktemp("e2e")
    started = time.monotonic()
    summary = scan([d.name for d in fleet.domains], out, _config(fleet), scan="e2e")
    wall = time.monotonic() - started
    rows = {r["domain"]: r for r in pq.read_table(out).to_pylist()}
    return summary, wall, rows, {name: from_row(row) for name, row in rows.items()}


def test_every_fleet_domain_is_measured_once(fleet, full_scan):
    summary, _, rows, _ = full_scan
    assert summary.measured == len(fleet.domains) == len(rows)
    assert summary.failed == 0  # no deadline reached, no probe crashed
    # the domains of both kinds are there: DNS/email ones and web sites
    assert {"secure.test", "bogus.test", "lame.test", "modern.test", "hang.test", "refused.test"} <= set(rows)


@pytest.mark.parametrize("name", [d.name for d in spec.DOMAINS] + [
    "modern.test", "tls12.test", "legacy.test", "tls13.test", "expired.test", "wrongname.test", "hstsbad.test",
    "hstsoff.test", "httponly.test", "hang.test", "v6dead.test"])
def test_every_column_is_what_the_fleet_set_up(fleet, full_scan, name):
    _, _, rows, results = full_scan
    domain = next(d for d in fleet.domains if d.name == name)
    assert differences(fleet, domain, rows[name]) == {}, (domain.note, results[name].why, results[name].errors)


def test_the_expectations_are_not_vacuous(fleet):
    """The comparison covers every web column, and the fleet's domains differ in them."""
    web = {name: fleet.expected_web(next(d for d in fleet.domains if d.name == name))
           for name in ("secure.test", "tls12.test", "expired.test", "hang.test", "lame.test")}
    assert web["secure.test"]["hsts_max_age"] == 31536000 and web["secure.test"]["http3"] is True
    assert web["tls12.test"]["tls13"] is False and web["tls12.test"]["privacy_policy_elements"] == [
        "data_collected", "purpose", "contact"]
    assert web["expired.test"]["cert_error"].startswith("certificate expired on ")
    assert web["hang.test"]["https_ok"] is None and web["hang.test"]["cert_valid"] is True
    assert all(value in (None, []) for value in web["lame.test"].values())  # no address: nothing measured


def test_every_check_says_why(full_scan):
    from isoc.enablers.results import CHECKS

    _, _, _, results = full_scan
    for name, result in results.items():
        missing = [check for check, _ in CHECKS if not result.why.get(check)]
        assert not missing, f"{name}: no reason for {missing}"


def test_the_everything_right_domain_passes_every_check(full_scan):
    from isoc.enablers.results import CHECKS, PRIVACY_ELEMENTS

    _, _, rows, _ = full_scan
    row = rows["secure.test"]
    assert {column: row[column] for _, column in CHECKS} == {column: True for _, column in CHECKS}
    assert row["privacy_policy_reachable"] is True and row["privacy_policy_elements"] == list(PRIVACY_ELEMENTS)
    assert row["errors"] == "{}"


def test_failure_modes_are_recorded_with_their_reasons(full_scan):
    _, _, _, results = full_scan
    hang = results["hang.test"]  # completes the TLS handshake, then never answers
    assert hang.https_ok is None and hang.errors["https"] == f"no answer within {TIMEOUT:g} s"
    assert hang.cert_valid is True and hang.dnssec == "secure"
    refused = results["refused.test"]  # web site, MX and MTA-STS policy host: nothing listens
    assert refused.https_ok is False and refused.errors["https"] == "connection refused"
    assert refused.http_redirects_to_https is None and "no HTTP service on port" in refused.why["https_redirect"]
    assert refused.smtp_starttls is None and refused.spf_strict is False
    lame = results["lame.test"]  # its name server never answers: DNS times out
    # the resolver gives up on it (SERVFAIL) or, first, we give up on the resolver
    assert lame.dns_error == "SERVFAIL" or "timeout" in lame.dns_error.lower(), lame.dns_error
    assert lame.https_ok is None and lame.why["https"] == "no A or AAAA address: nothing to connect to"
    broken = results["broken.test"]  # its MX greets, then hangs
    assert broken.smtp_starttls is None and broken.errors.get("starttls")
    bogus = results["bogus.test"]  # the A record fails validation: measured over IPv6 only
    assert (bogus.dnssec, bogus.a, bogus.https_ok, bogus.ipv6_reachable) == ("bogus", [], True, True)


def test_one_slow_domain_never_stalls_the_run(full_scan):
    """The hanging and silent servers cost their own domains their timeouts; the run takes
    about as long as its slowest domain, not the sum of them."""
    _, wall, _, results = full_scan
    durations = {name: r.duration_ms / 1000 for name, r in results.items()}
    slowest = max(durations.values())
    assert slowest >= TIMEOUT  # the slow ones did wait for their timeouts
    assert wall < slowest + 5, (wall, sorted(durations.items(), key=lambda item: -item[1])[:5])
    assert sum(durations.values()) > 2 * wall  # measured side by side
    assert durations["secure.test"] < durations["hang.test"] + 1


# --- the command --------------------------------------------------------------------------


def test_the_command_measures_what_the_fleet_set_up(fleet, tmp_path, monkeypatch):
    from isoc.enablers import cli
    from isoc.site.cli import app

    if fleet.network.mode != "netns":
        pytest.skip("the command uses standard ports; the loopback fleet has high ones (ScanConfig covers that)")
    stored = []
    monkeypatch.setattr(cli, "_record", lambda files: stored.extend(files) or True)  # the database hand-over
    names = ["secure.test", "tls12.test", "expired.test", "wrongname.test", "hang.test", "refused.test", "missing.test"]
    listing = tmp_path / "list.txt"
    listing.write_text("\n".join(names) + "\n")
    out = tmp_path / "out"
    resolver = f"{fleet.dns.resolver[0]}:{fleet.dns.resolver[1]}"
    args = ["enablers", "scan", str(listing), "--out", str(out), "--resolver", resolver, "--ca-bundle",
            str(fleet.ca.ca_pem), "--timeout", str(TIMEOUT), "--retries", "0", "--concurrency", "16",
            *(f"--dkim-selector={s}" for s in spec.DKIM_SELECTORS)]
    result = CliRunner().invoke(app, args, env={"COLUMNS": "300"})
    assert result.exit_code == 0, result.output
    assert f"{len(names)} domains in" in result.output and stored == sorted(out.glob("*.parquet"))
    rows = {r["domain"]: r for r in pq.read_table(out).to_pylist()}
    assert sorted(rows) == sorted(names)
    for name in names:
        domain = next(d for d in fleet.domains if d.name == name)
        assert differences(fleet, domain, rows[name]) == {}, name


# --- an interrupted scan -------------------------------------------------------------------

KILLABLE_SCAN = """
import pickle, sys
from isoc.enablers.scanner import scan
domains, out, config = pickle.load(open(sys.argv[1], "rb"))
scan(domains, out, config, scan="first", batch_size=1)  # a file per domain: a kill loses none
"""


def test_a_killed_scan_resumes_without_measuring_any_domain_twice_or_losing_one(fleet, tmp_path):
    from isoc.enablers.scanner import measured_domains, scan

    # fast domains first, then two slow ones that hold both slots, then the rest
    fast = ["secure.test", "plain.test", "modern.test", "tls12.test", "expired.test", "soft.test"]
    rest = ["nomail.test", "tls13.test", "island.test", "legacy.test", "wrongname.test", "missing.test"]
    domains = fast + ["hang.test", "lame.test"] + rest
    out = tmp_path / "out"
    config = _config(fleet, concurrency=2)
    job = tmp_path / "job.pickle"
    job.write_bytes(pickle.dumps((domains, out, config)))
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
    process = subprocess.Popen([sys.executable, "-c", KILLABLE_SCAN, str(job)], env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        assert wait_until(lambda: len(list(out.glob("*.parquet"))) >= 4 or process.poll() is not None, 60)
        assert process.poll() is None, f"the scan ended before it could be killed: {process.stderr.read()!r}"
        os.kill(process.pid, signal.SIGKILL)  # no cleanup, no last flush
    finally:
        process.kill()
        process.wait()
    first = measured_domains(out)
    assert 4 <= len(first) < len(domains)

    summary = scan(domains, out, config, scan="second")
    assert (summary.skipped, summary.measured) == (len(first), len(domains) - len(first))
    assert not list(out.glob("*partial*")), "a file half-written by the killed run is left behind"
    table = pq.read_table(out, columns=["domain", "scan"])
    measured = table.column("domain").to_pylist()
    assert sorted(measured) == sorted(domains)  # every domain once: none twice, none lost
    by_scan = dict(zip(measured, table.column("scan").to_pylist(), strict=True))
    assert {d for d, s in by_scan.items() if s == "first"} == first
    rows = {r["domain"]: r for r in pq.read_table(out).to_pylist()}
    for name in domains:  # and the resumed rows are as right as the first ones
        domain = next(d for d in fleet.domains if d.name == name)
        assert differences(fleet, domain, rows[name]) == {}, name
