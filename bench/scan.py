"""Benchmark: the enablers scanner against a sequential checkdmarc baseline, on the test fleet.

Starts the test fleet (``tests/fleet``: NSD, unbound, the SMTP and MTA-STS servers in a
network namespace) serving ``--domains`` well-configured domains ``d00000.bench.test`` …
(signed zone; A, AAAA, CAA, MX, SPF, DKIM, DMARC; MTA-STS on one in ten) plus
``--baseline`` more for the baseline, so that each side meets a cold resolver cache for
its own names. Then, in the same run:

1. **scanner**: ``isoc.enablers.scanner.scan`` over the first ``--domains`` names
   (``--concurrency`` at once), DNS and email probes, results to Parquet;
2. **baseline**: for each of the other names, one after the other,
   ``checkdmarc.check_domains([name], nameservers=[resolver], check_mx_tls=True)`` (SPF,
   DMARC, MX and STARTTLS, DNSSEC, MTA-STS, TLS-RPT, BIMI), and a plain httpx GET of
   ``https://<name>/`` when the web probes exist (``isoc.enablers.probes_web``).

``--rtt-ms`` (default 40) puts that round trip between the fleet's clients and its
authoritative DNS, mail and policy servers (relays that hold each packet, ``fleet.latency``;
the validating resolver stays next to the scanner, as a scan's own resolver is). With 0 the
fleet answers at loopback speed and both sides are bound by the CPU alone.

The two alternate in ``--rounds`` rounds (each on its share of the names), so that both meet
the same load from other work on a shared machine. Prints domains/s of each, the ratio
(overall, and its range over the rounds), and how many verdicts each got right (a fast wrong
scan is no win). Writes ``bench/out/scan-results-rtt<ms>.json``. Needs root (network
namespaces). Usage: ``.venv/bin/python bench/scan.py [--domains 2000] [--baseline 100]
[--concurrency 256] [--rtt-ms 40]``.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import socket
import subprocess
import sys
import tempfile
import time
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


def scanner_correct(result, domain: spec.Domain) -> bool:
    """Every DNS and email verdict the spec expects (a result with the wrong verdicts, or
    with errors where none were due, does not count)."""
    got = {"dnssec": result.dnssec_secure, "caa": result.caa, "spf": result.spf_strict, "dkim": result.dkim,
           "dmarc": result.dmarc_enforced, "mta_sts": result.mta_sts_enforce, "starttls": result.smtp_starttls}
    return all(got[check] is expected for check, expected in domain.expect.items())


def run_scanner(fleet: Fleet, domains: list[spec.Domain], concurrency: int, workdir: Path) -> dict:
    config = fleet.scan_config(dkim_selectors=("s1",), concurrency=concurrency, timeout=5.0, retries=1,
                               domain_deadline=60.0)
    started = time.perf_counter()
    summary = scan([d.name for d in domains], workdir / "scan", config, batch_size=1000)
    seconds = time.perf_counter() - started
    import pyarrow.parquet as pq

    rows = {r["domain"]: from_row(r) for r in pq.read_table(workdir / "scan").to_pylist()}  # every round's
    wrong = [d for d in domains if not scanner_correct(rows[d.name], d)]
    for domain in wrong[:5]:  # say why: a timeout under load, or a real disagreement
        result = rows[domain.name]
        print(f"  not all right: {domain.name} why={result.why} errors={result.errors}")
    correct = len(domains) - len(wrong)
    return {"domains": len(domains), "seconds": seconds, "rate": len(domains) / seconds, "correct": correct,
            "failed": summary.failed}


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


def baseline_correct(result: dict, domain: spec.Domain) -> bool:
    spf_ok = result.get("spf", {}).get("valid") is True
    dmarc_ok = result.get("dmarc", {}).get("valid") is True
    dnssec_ok = result.get("dnssec") is True
    hosts = result.get("mx", {}).get("hosts", [])
    tls_ok = bool(hosts) and all(h.get("starttls") for h in hosts)
    sts_ok = result.get("mta_sts", {}).get("valid") is True if domain.mta_sts else True
    return spf_ok and dmarc_ok and dnssec_ok and tls_ok and sts_ok


def run_baseline(fleet: Fleet, domains: list[spec.Domain], with_web: bool) -> dict:
    import checkdmarc
    import httpx

    resolver = fleet.dns.resolver[0]
    correct = 0
    os.environ["SSL_CERT_FILE"] = os.environ["REQUESTS_CA_BUNDLE"] = str(fleet.ca.ca_pem)
    started = time.perf_counter()
    with _FleetNames(fleet, domains):
        for domain in domains:
            result = checkdmarc.check_domains([domain.name], nameservers=[resolver], timeout=5.0, check_mx_tls=True)
            if with_web:
                try:
                    httpx.get(f"https://{domain.name}/", verify=str(fleet.ca.ca_pem), timeout=5.0)
                except httpx.HTTPError:
                    pass
            correct += baseline_correct(result, domain)
    seconds = time.perf_counter() - started
    return {"domains": len(domains), "seconds": seconds, "rate": len(domains) / seconds, "correct": correct}


def machine() -> dict:
    cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")), "?")
    return {"cpus": os.cpu_count(), "cpu": cpu, "python": platform.python_version(),
            "load_before": os.getloadavg(), "unbound": _version(["unbound", "-V"]), "nsd": _version(["nsd", "-v"])}


def _version(argv: list[str]) -> str:
    done = subprocess.run(argv, capture_output=True, text=True)
    text = (done.stdout + done.stderr).strip().splitlines()
    return text[0] if text else "?"


def _chunks(items: list, parts: int) -> list[list]:
    size = -(-len(items) // parts)
    return [items[i:i + size] for i in range(0, len(items), size)]


def _total(runs: list[dict]) -> dict:
    domains, seconds = sum(r["domains"] for r in runs), sum(r["seconds"] for r in runs)
    return {"domains": domains, "seconds": seconds, "rate": domains / seconds, "correct": sum(r["correct"] for r in runs)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--domains", type=int, default=2000, help="domains the scanner measures")
    parser.add_argument("--baseline", type=int, default=100, help="domains the sequential baseline measures")
    parser.add_argument("--rounds", type=int, default=4,
                        help="alternate scanner and baseline this many times (each on its share of the domains), "
                             "so both meet the same load from other work on the machine")
    parser.add_argument("--concurrency", type=int, default=256)
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
        with Fleet.start(Path(tmp) / "fleet", domains=all_domains, zones=zones, rtt_ms=args.rtt_ms) as fleet:
            fleet_seconds = time.perf_counter() - started
            print(f"fleet: {len(all_domains):,} domains served, started in {fleet_seconds:.1f}s; "
                  f"round trip to its servers {args.rtt_ms:g} ms ({fleet.network.reason}); {scope}")
            for n, (mine, sample) in enumerate(zip(_chunks(ours, args.rounds), _chunks(theirs, args.rounds),
                                                   strict=True), start=1):
                scanner = run_scanner(fleet, mine, args.concurrency, Path(tmp))
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
          f"(sequential checkdmarc{' + httpx' if with_web else ''}), {baseline['correct']:,} with every verdict right")
    print(f"ratio: {ratio:.1f}x (rounds {ratios[0]:.1f}-{ratios[-1]:.1f}x)  [{scope}]")
    info["load_after"] = os.getloadavg()
    record = {"when": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "scope": scope, "machine": info,
              "rtt_ms": args.rtt_ms, "concurrency": args.concurrency, "scanner": scanner, "baseline": baseline,
              "ratio": ratio, "rounds": rounds, "fleet_seconds": fleet_seconds,
              "command": " ".join([Path(sys.executable).name, *sys.argv])}
    (OUT / f"scan-results-rtt{args.rtt_ms:g}.json").write_text(json.dumps(record, indent=2))


if __name__ == "__main__":
    main()
