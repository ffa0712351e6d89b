"""Benchmark: the enablers scanner against a sequential checkdmarc + httpx/ssl baseline, on
the test fleet.

Starts the test fleet (``tests/fleet``: NSD, unbound, the SMTP and MTA-STS servers, and the
web: nginx and the aioquic HTTP/3 server, in a network namespace) serving ``--domains``
well-configured domains ``d00000.bench.test`` … (signed zone; A, AAAA, CAA, MX, SPF, DKIM,
DMARC; MTA-STS on one in ten; a web site with TLS 1.2/1.3, an http→https redirect, HSTS,
HTTP/3 and a privacy policy, ``fleet.web.DEFAULT_SITE``) plus ``--baseline`` more for the
baseline, so that each side meets a cold resolver cache for its own names. Then, in the
same run:

1. **scanner**: ``isoc.enablers.scanner.scan`` over the first ``--domains`` names
   (``--concurrency`` at once), every probe: DNS, DNSSEC, CAA, email (SPF, DKIM, DMARC,
   MTA-STS, STARTTLS) and web (HTTPS and the redirect, certificate, TLS 1.0–1.3 one by one,
   HSTS, IPv6 reachability, HTTP/3 with a QUIC handshake, the home page and the privacy
   policy), results to Parquet;
2. **baseline**: for each of the other names, one after the other,
   ``checkdmarc.check_domains([name], nameservers=[resolver], check_mx_tls=True)`` (SPF,
   DMARC, MX and STARTTLS, DNSSEC, MTA-STS, TLS-RPT, BIMI), then a plain ``ssl`` handshake
   with the site (certificate checked, its expiry and the TLS version read) and a plain
   ``httpx`` GET of ``https://<name>/`` (status, Strict-Transport-Security, Alt-Svc).

``--rtt-ms`` (default 40) puts that round trip between the fleet's clients and its
authoritative DNS, mail, policy and web servers (relays that hold each packet or datagram,
``fleet.latency``; the validating resolver stays next to the scanner, as a scan's own
resolver is). With 0 the fleet answers at loopback speed and both sides are bound by the
CPU alone.

The two alternate in ``--rounds`` rounds (each on its share of the names), so that both meet
the same load from other work on a shared machine. Prints domains/s of each, the ratio
(overall, and its range over the rounds), and how many verdicts each got right (a fast wrong
scan is no win). Writes ``bench/out/scan-results-rtt<ms>.json``. Needs root (network
namespaces). Usage: ``.venv/bin/python bench/scan.py [--domains 2000] [--baseline 100]
[--concurrency 64] [--rtt-ms 40]``.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import socket
import ssl
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from fleet import spec  # noqa: E402
from fleet.core import Fleet  # noqa: E402
from isoc.enablers.results import from_row  # noqa: E402
from isoc.enablers.scanner import scan  # noqa: E402

OUT = ROOT / "bench" / "out"


def _web_probes_installed() -> bool:
    return importlib.util.find_spec("isoc.enablers.probes_web") is not None


def scanner_wrong(fleet: Fleet, result, domain: spec.Domain, with_web: bool) -> dict:
    """What the scanner got wrong for ``domain``: every DNS and email verdict the spec
    expects and, with the web probes, every web column (``Fleet.expected_web``)."""
    got = {"dnssec": result.dnssec_secure, "caa": result.caa, "spf": result.spf_strict, "dkim": result.dkim,
           "dmarc": result.dmarc_enforced, "mta_sts": result.mta_sts_enforce, "starttls": result.smtp_starttls}
    wrong = {check: (got[check], want) for check, want in domain.expect.items() if got[check] is not want}
    if with_web:
        for column, want in fleet.expected_web(domain).items():
            if getattr(result, column) != want:
                wrong[column] = (getattr(result, column), want)
    return wrong


def run_scanner(fleet: Fleet, domains: list[spec.Domain], concurrency: int, workdir: Path, with_web: bool) -> dict:
    config = fleet.scan_config(dkim_selectors=("s1",), concurrency=concurrency, timeout=5.0, retries=1,
                               domain_deadline=60.0)
    started, cpu = time.perf_counter(), time.process_time()
    summary = scan([d.name for d in domains], workdir / "scan", config, batch_size=1000)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    import pyarrow.parquet as pq

    rows = {r["domain"]: from_row(r) for r in pq.read_table(workdir / "scan").to_pylist()}  # every round's
    wrong = {d.name: problems for d in domains if (problems := scanner_wrong(fleet, rows[d.name], d, with_web))}
    for name, problems in list(wrong.items())[:3]:  # say why: a timeout under load, or a real disagreement
        print(f"  not all right: {name} {problems} errors={rows[name].errors}")
    if wrong:
        columns = Counter(column for problems in wrong.values() for column in problems)
        print(f"  wrong columns over {len(wrong)} domains: {dict(columns.most_common())}")
    correct = len(domains) - len(wrong)
    return {"domains": len(domains), "seconds": seconds, "rate": len(domains) / seconds, "correct": correct,
            "failed": summary.failed, "cpu_seconds": cpu}


class _FleetNames:
    """Name resolution for the baseline's own connections (requests, smtplib): names of
    the fleet resolve to the fleet's addresses, as the fleet's DNS says; nothing else
    resolves, so the baseline cannot reach the Internet either."""

    def __init__(self, fleet: Fleet, domains: list[spec.Domain]):
        self.addresses: dict[str, str] = {}
        for domain in domains:
            for mx in domain.mx:
                self.addresses[mx.name] = fleet.v4(mx.host)
            if domain.mta_sts and domain.mta_sts.policy_host:
                self.addresses[f"mta-sts.{domain.name}"] = fleet.v4(domain.mta_sts.policy_host)
            if domain.a:
                self.addresses[domain.name] = fleet.v4(domain.a[0])
        self._original = socket.getaddrinfo

    def getaddrinfo(self, host, port, *args, **kwargs):
        name = host.decode() if isinstance(host, bytes) else host
        if name in self.addresses:
            return self._original(self.addresses[name], port, *args, **kwargs)
        try:
            socket.inet_pton(socket.AF_INET6 if ":" in str(name) else socket.AF_INET, str(name))
        except (OSError, TypeError):
            raise socket.gaierror(socket.EAI_NONAME, f"{name} is not a fleet name") from None
        return self._original(host, port, *args, **kwargs)

    def __enter__(self):
        socket.getaddrinfo = self.getaddrinfo
        return self

    def __exit__(self, *exc):
        socket.getaddrinfo = self._original


def baseline_correct(result: dict, web: dict | None, domain: spec.Domain) -> bool:
    spf_ok = result.get("spf", {}).get("valid") is True
    dmarc_ok = result.get("dmarc", {}).get("valid") is True
    dnssec_ok = result.get("dnssec") is True
    hosts = result.get("mx", {}).get("hosts", [])
    tls_ok = bool(hosts) and all(h.get("starttls") for h in hosts)
    sts_ok = result.get("mta_sts", {}).get("valid") is True if domain.mta_sts else True
    web_ok = web is None or (web.get("status") == 200 and web.get("tls") == "TLSv1.3" and bool(web.get("hsts"))
                             and "h3" in web.get("alt_svc", "") and web.get("not_after") is not None)
    return spf_ok and dmarc_ok and dnssec_ok and tls_ok and sts_ok and web_ok


def plain_web_check(name: str, ca: ssl.SSLContext) -> dict:
    """What a plain script checks of a web site: one verified TLS handshake (version,
    certificate expiry), one GET of the home page (status, HSTS, Alt-Svc)."""
    import httpx

    found: dict = {}
    try:
        with socket.create_connection((name, 443), timeout=5.0) as raw, ca.wrap_socket(raw, server_hostname=name) as tls:
            found["tls"] = tls.version()
            found["not_after"] = tls.getpeercert().get("notAfter")
        response = httpx.get(f"https://{name}/", verify=ca, timeout=5.0)
        found |= {"status": response.status_code, "hsts": response.headers.get("strict-transport-security"),
                  "alt_svc": response.headers.get("alt-svc", "")}
    except (OSError, httpx.HTTPError) as error:
        found["error"] = str(error)
    return found


def run_baseline(fleet: Fleet, domains: list[spec.Domain], with_web: bool) -> dict:
    import checkdmarc

    resolver = fleet.dns.resolver[0]
    correct = 0
    os.environ["SSL_CERT_FILE"] = os.environ["REQUESTS_CA_BUNDLE"] = str(fleet.ca.ca_pem)
    ca = ssl.create_default_context(cafile=str(fleet.ca.ca_pem))
    started, cpu = time.perf_counter(), time.process_time()
    with _FleetNames(fleet, domains):
        for domain in domains:
            result = checkdmarc.check_domains([domain.name], nameservers=[resolver], timeout=5.0, check_mx_tls=True)
            web = plain_web_check(domain.name, ca) if with_web else None
            correct += baseline_correct(result, web, domain)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    return {"domains": len(domains), "seconds": seconds, "rate": len(domains) / seconds, "correct": correct,
            "cpu_seconds": cpu}


def machine() -> dict:
    cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")), "?")
    return {"cpus": os.cpu_count(), "cpu": cpu, "python": platform.python_version(),
            "load_before": os.getloadavg(), "unbound": _version(["unbound", "-V"]), "nsd": _version(["nsd", "-v"]),
            "nginx": _version(["nginx", "-v"])}


def _version(argv: list[str]) -> str:
    done = subprocess.run(argv, capture_output=True, text=True)
    text = (done.stdout + done.stderr).strip().splitlines()
    return text[0] if text else "?"


def _chunks(items: list, parts: int) -> list[list]:
    size = -(-len(items) // parts)
    return [items[i:i + size] for i in range(0, len(items), size)]


def _total(runs: list[dict]) -> dict:
    domains, seconds = sum(r["domains"] for r in runs), sum(r["seconds"] for r in runs)
    cpu = sum(r["cpu_seconds"] for r in runs)
    return {"domains": domains, "seconds": seconds, "rate": domains / seconds, "correct": sum(r["correct"] for r in runs),
            "cpu_seconds": cpu, "cpu_ms_per_domain": 1000 * cpu / domains}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--domains", type=int, default=2000, help="domains the scanner measures")
    parser.add_argument("--baseline", type=int, default=100, help="domains the sequential baseline measures")
    parser.add_argument("--rounds", type=int, default=4,
                        help="alternate scanner and baseline this many times (each on its share of the domains), "
                             "so both meet the same load from other work on the machine")
    parser.add_argument("--concurrency", type=int, default=64,
                        help="domains the scanner measures at once (each opens about a dozen connections: "
                             "more than 64 at once overloads a 2-core machine that also runs the fleet)")
    parser.add_argument("--rtt-ms", type=float, default=40.0,
                        help="round trip to the authoritative DNS, mail and policy servers (0: none)")
    args = parser.parse_args()
    if os.geteuid() != 0:
        raise SystemExit("bench/scan.py needs root: the fleet runs in a network namespace")

    all_domains = spec.bench_domains(args.domains + args.baseline)
    ours, theirs = all_domains[:args.domains], all_domains[args.domains:]
    zones = (spec.Zone(".", "signed"), spec.Zone("test.", "signed"), spec.BENCH_ZONE)
    with_web = _web_probes_installed()
    scope = "DNS, email and web" if with_web else "DNS and email only (isoc.enablers.probes_web is not installed)"
    OUT.mkdir(parents=True, exist_ok=True)
    info = machine()
    rounds = []
    with tempfile.TemporaryDirectory(prefix="isoc-bench-scan-") as tmp:
        started = time.perf_counter()
        with Fleet.start(Path(tmp) / "fleet", domains=all_domains, zones=zones, rtt_ms=args.rtt_ms,
                         web=with_web) as fleet:
            fleet_seconds = time.perf_counter() - started
            print(f"fleet: {len(all_domains):,} domains served, started in {fleet_seconds:.1f}s; "
                  f"round trip to its servers {args.rtt_ms:g} ms ({fleet.network.reason}); {scope}")
            for n, (mine, sample) in enumerate(zip(_chunks(ours, args.rounds), _chunks(theirs, args.rounds),
                                                   strict=True), start=1):
                scanner = run_scanner(fleet, mine, args.concurrency, Path(tmp), with_web)
                baseline = run_baseline(fleet, sample, with_web)
                ratio = scanner["rate"] / baseline["rate"]
                rounds.append({"scanner": scanner, "baseline": baseline, "ratio": ratio})
                print(f"round {n}: scanner {scanner['domains']:,} domains in {scanner['seconds']:.1f}s "
                      f"= {scanner['rate']:.1f}/s ({scanner['correct']:,} all right); baseline {baseline['domains']:,} "
                      f"in {baseline['seconds']:.1f}s = {baseline['rate']:.2f}/s ({baseline['correct']:,} all right); "
                      f"ratio {ratio:.1f}x", flush=True)
    scanner, baseline = _total([r["scanner"] for r in rounds]), _total([r["baseline"] for r in rounds])
    ratio = scanner["rate"] / baseline["rate"]
    ratios = sorted(r["ratio"] for r in rounds)
    print(f"scanner:  {scanner['domains']:,} domains in {scanner['seconds']:.1f}s = {scanner['rate']:.1f} domains/s "
          f"(concurrency {args.concurrency}), {scanner['correct']:,} with every verdict right")
    print(f"baseline: {baseline['domains']:,} domains in {baseline['seconds']:.1f}s = {baseline['rate']:.2f} domains/s "
          f"(sequential checkdmarc{' + ssl + httpx' if with_web else ''}), {baseline['correct']:,} with every verdict right")
    print(f"ratio: {ratio:.1f}x (rounds {ratios[0]:.1f}-{ratios[-1]:.1f}x)  [{scope}]")
    print(f"CPU of the measuring process per domain: scanner {scanner['cpu_ms_per_domain']:.1f} ms, "
          f"baseline {baseline['cpu_ms_per_domain']:.1f} ms; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    info["load_after"] = os.getloadavg()
    record = {"when": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "scope": scope, "machine": info,
              "rtt_ms": args.rtt_ms, "concurrency": args.concurrency, "scanner": scanner, "baseline": baseline,
              "ratio": ratio, "rounds": rounds, "fleet_seconds": fleet_seconds,
              "command": " ".join([Path(sys.executable).name, *sys.argv])}
    (OUT / f"scan-results-rtt{args.rtt_ms:g}.json").write_text(json.dumps(record, indent=2))


if __name__ == "__main__":
    main()
