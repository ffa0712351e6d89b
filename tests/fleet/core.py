"""The whole test fleet: a network (namespace or loopback), the test CA, NSD and unbound,
the Python servers (SMTP variants, the silent DNS server, the MTA-STS policy server), built
from ``fleet.spec``, and the web sites (nginx, the aioquic HTTP/3 server, hanging servers)
of ``fleet.web``, on the same network with certificates from the same CA.

    with Fleet.start(tmp_path) as fleet:
        config = fleet.scan_config(timeout=2)   # the fleet's resolver, CA and ports

The zones point every test domain at a server of the fleet (its web site, mail servers,
policy host), so a scan of fleet names measures every column against our own servers, and
``expected_web`` / ``spec.Domain.expect`` say what each must be. Start-up takes one to two
seconds; everything stops and the namespace is deleted on ``stop()`` (also at exit).
"""

from __future__ import annotations

import atexit
import json
import os
import select
import subprocess
import sys
import time
from dataclasses import dataclass, field, replace
from pathlib import Path

from fleet import spec
from fleet.ca import ServerCert, TestCA
from fleet.dns import DkimKeys, DnsFleet
from fleet.netns import Network, create_network
from fleet.web import DEFAULT_SITE, SITES, UNMEASURED, WebFleet, dns_domains, expected

TESTS_DIR = Path(__file__).resolve().parents[1]


def mta_sts_policy(domain: spec.Domain) -> str:
    """The policy text the fleet serves for ``domain`` (its MX names as the mx patterns)."""
    mx = "".join(f"mx: {name}\n" for name in domain.mx_names)
    return f"version: STSv1\nmode: {domain.mta_sts.mode}\n{mx}max_age: 86400\n"


@dataclass
class Fleet:
    network: Network
    workdir: Path
    ca: TestCA
    dns: DnsFleet
    domains: list[spec.Domain]
    addresses: dict[str, tuple[str, str]]
    certs: dict[str, ServerCert] = field(default_factory=dict)
    rtt_ms: float = 0.0
    web: WebFleet | None = None
    _stopped: bool = False

    @classmethod
    def start(cls, workdir: Path, *, domains: list[spec.Domain] | None = None,
              zones: tuple[spec.Zone, ...] | None = None, loopback: bool | None = None,
              rtt_ms: float = 0.0, web: bool | None = None) -> Fleet:
        """Start the fleet. ``rtt_ms`` (benchmarks, namespaces only): the round-trip time
        between the fleet's clients and its authoritative DNS, mail, policy and web servers
        (the resolver stays near the scanner, as a scan's own resolver is). ``web``: serve
        the web sites too (default: with the default domains; given ``domains``, only when
        asked, and then only the default site that those domains point at)."""
        full = domains is None
        domains = list(spec.DOMAINS if domains is None else domains)
        web = full if web is None else web
        if web and full:  # every site is also a DNS name
            domains += dns_domains(SITES, taken={d.name for d in domains})
        zones = spec.ZONES if zones is None else zones
        workdir = Path(workdir)
        workdir.mkdir(parents=True, exist_ok=True)
        network = create_network(loopback=loopback)
        if rtt_ms and network.mode != "netns":
            network.close()
            raise ValueError("rtt_ms needs the fleet in a network namespace (root)")
        try:
            ca = TestCA(workdir / "ca")
            web_fleet = None
            if web:
                default_names = tuple(d.name for d in domains if d.exists and d.web == DEFAULT_SITE.name)
                web_fleet = WebFleet(network, ca, workdir / "web", sites=SITES if full else (),
                                     default_names=default_names, delay=rtt_ms / 2000)
            network.add_hosts(sorted(set(spec.HOSTS.values()) | set(web_fleet.hosts() if web_fleet else ())))
            addresses = {role: (network.address(n), network.address6(n)) for role, n in spec.HOSTS.items()}
            if network.mode == "loopback":  # every IPv6 address is ::1, where the web sites listen
                refused = addresses["refused"][0]
                addresses["refused"] = (refused, f"::ffff:{refused}")  # IPv4-mapped: nothing listens there
            if web_fleet:
                addresses |= web_fleet.roles()
                web_fleet.configure()
            dns_fleet = DnsFleet(network, workdir / "dns", zones, domains, addresses, DkimKeys.generate(),
                                 behind_relay=bool(rtt_ms))
            fleet = cls(network, workdir, ca, dns_fleet, domains, addresses, rtt_ms=rtt_ms, web=web_fleet)
            atexit.register(fleet.stop)
            dns_fleet.build()
            fleet._start_python_servers()
            if web_fleet:
                web_fleet.start()
            dns_fleet.start()
        except BaseException:
            network.close()
            raise
        return fleet

    # --- the Python servers -----------------------------------------------------------

    def _hosts(self, role: str) -> list[str]:
        v4, v6 = self.addresses[role]
        return [v4, v6] if self.network.mode == "netns" else [v4]

    def _mx_names(self, role: str) -> list[str]:
        return sorted({mx.name for d in self.domains for mx in d.mx if mx.host == role})

    def _policies(self, role: str) -> dict[str, str]:
        return {f"mta-sts.{d.name}": mta_sts_policy(d) for d in self.domains
                if d.mta_sts and d.mta_sts.policy_host == role and d.mta_sts.served}

    def _start_python_servers(self) -> None:
        ports = self.network.ports
        ca = self.ca
        self.certs["mx-tls"] = ca.issue(*self._mx_names("mx-tls"), stem="mx-tls")
        self.certs["mx-wrongname"] = ca.issue_wrong_name(stem="mx-wrongname")
        policy_names = sorted(f"mta-sts.{d.name}" for d in self.domains if d.mta_sts and d.mta_sts.policy_host == "mta-sts")
        self.certs["mta-sts"] = ca.issue(*(policy_names or ["mta-sts.invalid"]), stem="mta-sts")
        self.certs["mta-sts-wrongname"] = ca.issue_wrong_name(stem="mta-sts-wrongname")
        servers = [
            {"kind": "smtp", "hosts": self._hosts("mx-tls"), "port": ports.smtp, "hostname": "mx.secure.test",
             "cert": str(self.certs["mx-tls"].cert), "key": str(self.certs["mx-tls"].key)},
            {"kind": "smtp", "hosts": self._hosts("mx-plain"), "port": ports.smtp, "hostname": "mx.plain.test"},
            {"kind": "smtp", "hosts": self._hosts("mx-wrongname"), "port": ports.smtp, "hostname": "mx.soft.test",
             "cert": str(self.certs["mx-wrongname"].cert), "key": str(self.certs["mx-wrongname"].key)},
            {"kind": "smtp-hang", "hosts": self._hosts("mx-hang"), "port": ports.smtp, "hostname": "mx.broken.test"},
            {"kind": "dns-silent", "hosts": [self.addresses["silent"][0]], "port": ports.dns},
        ]
        for role in ("mta-sts", "mta-sts-wrongname"):
            servers.append({"kind": "https-policy", "hosts": self._hosts(role), "port": ports.https,
                            "cert": str(self.certs[role].cert), "key": str(self.certs[role].key),
                            "policies": self._policies(role)})
        if self.rtt_ms:
            servers.append({"kind": "relay", "hosts": [self.addresses["ns"][0]], "port": ports.dns,
                            "target": list(self.dns.nsd_listen)})
        self._start_servers_process("servers", servers)
        if self.rtt_ms and self.web:
            # the web's relays carry most of a scan's traffic: a process of their own, so
            # that they use the other CPU rather than slow the DNS and mail servers
            self._start_servers_process("web-relays", self.web.relays())

    def _start_servers_process(self, name: str, servers: list[dict]) -> None:
        config = self.workdir / f"{name}.json"
        config.write_text(json.dumps({"servers": servers, "delay": self.rtt_ms / 2000}, indent=1))
        env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(TESTS_DIR), os.environ.get("PYTHONPATH", "")])}
        log = open(self.workdir / f"{name}.log", "w")
        process = self.network.popen([sys.executable, "-m", "fleet.servers", str(config)],
                                     stdout=subprocess.PIPE, stderr=log, env=env, text=True)
        ready, _, _ = select.select([process.stdout], [], [], 20)
        line = process.stdout.readline() if ready else ""
        if line.strip() != "ready":
            process.kill()
            raise RuntimeError(f"fleet servers did not start: {(self.workdir / f'{name}.log').read_text()[-2000:]}")

    # --- what tests use ---------------------------------------------------------------

    @property
    def resolver(self):
        from isoc.enablers.config import Resolver

        return Resolver(*self.dns.resolver)

    @property
    def silent_resolver(self):
        from isoc.enablers.config import Resolver

        return Resolver(*self.dns.silent)

    def scan_config(self, **overrides):
        """A ScanConfig pointing at this fleet: our resolver, our CA, our ports."""
        from isoc.enablers.config import ScanConfig

        ports = self.network.ports
        config = ScanConfig(resolvers=(self.resolver,), ca_bundle=self.ca.ca_pem, smtp_port=ports.smtp,
                            http_port=ports.http, https_port=ports.https, quic_port=ports.https,
                            dkim_selectors=spec.DKIM_SELECTORS, timeout=2.0, retries=0, concurrency=32,
                            domain_deadline=20.0)
        return replace(config, **overrides)

    def v4(self, role: str) -> str:
        return self.addresses[role][0]

    def v6(self, role: str) -> str:
        return self.addresses[role][1]

    def expected_addresses(self, domain: spec.Domain) -> tuple[list[str], list[str]]:
        """The A and AAAA answers a correct resolver gives for ``domain``."""
        target = next((d for d in self.domains if d.name == domain.cname), None) if domain.cname else domain
        if not domain.exists or target is None:
            return [], []
        zone = spec.zone_of(target.name, self.dns.zones)
        if zone.signing in ("badds", "lame"):  # the resolver refuses, or never hears back
            return [], []
        v4 = [] if target.name + "." in zone.tampered else sorted({self.v4(r) for r in target.a})
        return v4, sorted({self.v6(r) for r in target.aaaa})

    def expected_web(self, domain: spec.Domain) -> dict:
        """The web columns a correct scan reports for ``domain``: what the site its
        addresses lead to serves, or nothing measured when it has no address."""
        v4, v6 = self.expected_addresses(domain)
        if not (v4 or v6) or self.web is None:
            return dict(UNMEASURED)
        target = next((d for d in self.domains if d.name == domain.cname), domain) if domain.cname else domain
        site = DEFAULT_SITE if target.web == DEFAULT_SITE.name else next(s for s in SITES if s.name == target.web)
        return expected(site, self.web, domain.name, aaaa=bool(v6))

    def stop(self) -> None:
        if self._stopped:
            return
        self._stopped = True
        self.network.close()

    def __enter__(self) -> Fleet:
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


def wait_until(predicate, timeout: float, interval: float = 0.05) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return predicate()
