"""The fleet's DNS: the zones of ``fleet.spec`` written and signed with dnspython, served by
NSD (authoritative for the root, ``test.`` and every test zone), and unbound as a
validating resolver whose root hints name our NSD and whose trust anchor is our root key.

Signing: every signed zone gets one ECDSA P-256 key (a combined signing key, flags 257),
signatures valid from yesterday for 30 days, NSEC. A parent publishes the DS of a
``signed``/``bogus`` child; an ``island`` child gets none; a ``badds`` child gets the DS of
a key it does not use; a ``bogus`` zone has records changed after signing, so their
signatures no longer verify.
"""

from __future__ import annotations

import subprocess
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import dns.dnssec
import dns.message
import dns.name
import dns.query
import dns.rdata
import dns.rdataclass
import dns.rdataset
import dns.rdatatype
import dns.zone
from cryptography.hazmat.primitives.asymmetric import ec

from fleet.netns import Network
from fleet.spec import NS_NAME, Domain, Zone, zone_of

TTL = 300
NEGATIVE_TTL = 60
#: What a tampered record is changed to (TEST-NET-3: never a fleet address).
TAMPERED_ADDRESS = "203.0.113.66"
ALGORITHM = dns.dnssec.Algorithm.ECDSAP256SHA256

Addresses = dict[str, tuple[str, str]]  # role → (IPv4, IPv6)


def _txt(text: str) -> str:
    """A TXT rdata in zone-file syntax: strings of at most 255 octets, quoted."""
    chunks = [text[i:i + 255] for i in range(0, len(text), 255)] or [""]
    return " ".join('"' + c.replace("\\", "\\\\").replace('"', '\\"') + '"' for c in chunks)


def _fqdn(name: str) -> str:
    return name if name.endswith(".") else name + "."


@dataclass
class DkimKeys:
    """The DKIM public keys (base64, as they appear after ``p=``) by key type."""

    rsa: str
    ed25519: str

    @classmethod
    def generate(cls) -> DkimKeys:
        import base64

        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric import ed25519, rsa

        rsa_public = rsa.generate_private_key(public_exponent=65537, key_size=2048).public_key()
        der = rsa_public.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
        raw = ed25519.Ed25519PrivateKey.generate().public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        return cls(rsa=base64.b64encode(der).decode(), ed25519=base64.b64encode(raw).decode())

    def record(self, state: str, key_type: str) -> str:
        if state == "revoked":
            return "v=DKIM1; k=rsa; p="
        if state == "malformed":
            return "v=DKIM1; k=rsa; p=bm90IGEga2V5IGF0IGFsbA=="  # base64 of "not a key at all"
        return f"v=DKIM1; k={key_type}; p={getattr(self, key_type)}"


def domain_records(domain: Domain, addresses: Addresses, dkim_keys: DkimKeys) -> list[tuple[str, str, str]]:
    """(owner, type, rdata) for everything ``domain`` declares, including the addresses
    of its MX hosts and MTA-STS policy host."""
    if not domain.exists:
        return []
    name = _fqdn(domain.name)
    records: list[tuple[str, str, str]] = []

    def addresses_of(owner: str, v4_roles, v6_roles) -> None:
        records.extend((owner, "A", addresses[r][0]) for r in v4_roles)
        records.extend((owner, "AAAA", addresses[r][1]) for r in v6_roles)

    if domain.cname:
        records.append((name, "CNAME", _fqdn(domain.cname)))
    else:
        addresses_of(name, domain.a, domain.aaaa)
        records.extend((name, "CAA", caa) for caa in domain.caa)
        records.extend((name, "TXT", _txt(t)) for t in domain.txt)
        if domain.null_mx:
            records.append((name, "MX", "0 ."))
        for mx in domain.mx:
            records.append((name, "MX", f"{mx.preference} {_fqdn(mx.name)}"))
            if mx.host:
                addresses_of(_fqdn(mx.name), [mx.host], [mx.host])
    for key in domain.dkim:
        records.append((f"{key.selector}._domainkey.{name}", "TXT", _txt(dkim_keys.record(key.state, key.key_type))))
    if domain.dmarc:
        records.append((f"_dmarc.{name}", "TXT", _txt(domain.dmarc)))
    if domain.mta_sts:
        records.append((f"_mta-sts.{name}", "TXT", _txt(domain.mta_sts.txt)))
        if domain.mta_sts.policy_host:
            host = domain.mta_sts.policy_host
            addresses_of(f"mta-sts.{name}", [host], [host])
    return records


@dataclass
class SignedZone:
    zone: Zone
    dns_zone: dns.zone.Zone
    dnskey: dns.rdata.Rdata | None = None  # the key it is signed with
    ds: dns.rdata.Rdata | None = None  # what its parent publishes (None: no DS)


def _new_key():
    private = ec.generate_private_key(ec.SECP256R1())
    return private, dns.dnssec.make_dnskey(private.public_key(), ALGORITHM, flags=257)


def _parent(zone: Zone, zones: tuple[Zone, ...]) -> Zone | None:
    if zone.name == ".":
        return None
    return zone_of(zone.name.split(".", 1)[1] or ".", tuple(z for z in zones if z.name != zone.name))


def build_zones(zones: tuple[Zone, ...], domains: list[Domain], addresses: Addresses,
                dkim_keys: DkimKeys) -> dict[str, SignedZone]:
    """Every zone's contents, delegations and signatures; children first so that each
    parent can publish its children's DS records."""
    ns_v4 = addresses["ns"][0]
    contents: dict[str, set[tuple[str, str, str]]] = {z.name: set() for z in zones}
    contents["test."].add((NS_NAME, "A", ns_v4))
    for domain in domains:
        for owner, rdtype, rdata in domain_records(domain, addresses, dkim_keys):
            contents[zone_of(owner, zones).name].add((owner, rdtype, rdata))

    now = datetime.now(UTC)
    signed: dict[str, SignedZone] = {}
    for zone in sorted(zones, key=lambda z: -len(dns.name.from_text(z.name))):
        origin = dns.name.from_text(zone.name)
        ns_name = f"ns.{zone.name}" if zone.signing == "lame" else NS_NAME
        records = set(contents[zone.name])
        records.add((zone.name, "SOA", f"{NS_NAME} hostmaster.test. 1 3600 600 86400 {NEGATIVE_TTL}"))
        records.add((zone.name, "NS", ns_name))
        if zone.name == ".":
            records.add((NS_NAME, "A", ns_v4))  # glue below the test. delegation
        for child in (z for z in zones if _parent(z, zones) == zone):
            child_ns = f"ns.{child.name}" if child.signing == "lame" else NS_NAME
            records.add((child.name, "NS", child_ns))
            if child.signing == "lame":
                records.add((child_ns, "A", addresses["silent"][0]))
            if signed[child.name].ds is not None:
                records.add((child.name, "DS", signed[child.name].ds.to_text()))
        dns_zone = dns.zone.Zone(origin, relativize=False)
        with dns_zone.writer() as txn:
            for owner, rdtype, rdata in sorted(records):
                txn.add(dns.name.from_text(owner), TTL,
                        dns.rdata.from_text(dns.rdataclass.IN, dns.rdatatype.from_text(rdtype), rdata, origin=origin))
        result = SignedZone(zone, dns_zone)
        if zone.signing in ("signed", "island", "bogus", "badds"):
            private, dnskey = _new_key()
            dns.dnssec.sign_zone(dns_zone, keys=[(private, dnskey)], dnskey_ttl=TTL,
                                 inception=now - timedelta(days=1), expiration=now + timedelta(days=30))
            result.dnskey = dnskey
            if zone.signing in ("signed", "bogus"):
                result.ds = dns.dnssec.make_ds(origin, dnskey, "SHA256")
            elif zone.signing == "badds":
                result.ds = dns.dnssec.make_ds(origin, _new_key()[1], "SHA256")
            for owner in zone.tampered:
                _tamper(dns_zone, owner)
        signed[zone.name] = result
    return signed


def _tamper(dns_zone: dns.zone.Zone, owner: str) -> None:
    """Change an A record after signing: its RRSIG stays and no longer verifies."""
    name = dns.name.from_text(owner)
    rdataset = dns.rdataset.from_text(dns.rdataclass.IN, dns.rdatatype.A, TTL, TAMPERED_ADDRESS)
    with dns_zone.writer() as txn:
        txn.replace(name, rdataset)


def zone_file_name(zone: Zone) -> str:
    return "root.zone" if zone.name == "." else f"{zone.name.rstrip('.')}.zone"


@dataclass
class DnsFleet:
    """NSD and unbound for a set of zones, in ``network``; ``start()`` returns once both answer."""

    network: Network
    workdir: Path
    zones: tuple[Zone, ...]
    domains: list[Domain]
    addresses: Addresses
    dkim_keys: DkimKeys
    #: NSD listens on the namespace's loopback, and a delaying relay on the ns address
    #: forwards to it (the benchmark's distance to authoritative servers).
    behind_relay: bool = False
    signed: dict[str, SignedZone] = field(default_factory=dict)

    @property
    def nsd_listen(self) -> tuple[str, int]:
        return ("127.0.0.1", 53) if self.behind_relay else self.authoritative

    @property
    def authoritative(self) -> tuple[str, int]:
        return self.addresses["ns"][0], self.network.ports.dns

    @property
    def resolver(self) -> tuple[str, int]:
        return self.addresses["resolver"][0], self.network.ports.dns

    @property
    def silent(self) -> tuple[str, int]:
        return self.addresses["silent"][0], self.network.ports.dns

    @property
    def root_dnskey(self) -> str:
        return f". {TTL} IN DNSKEY {self.signed['.'].dnskey.to_text()}"

    def build(self) -> None:
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.signed = build_zones(self.zones, self.domains, self.addresses, self.dkim_keys)
        served = [z for z in self.zones if z.signing != "lame"]
        for zone in served:
            self.signed[zone.name].dns_zone.to_file(str(self.workdir / zone_file_name(zone)), relativize=False)
        (self.workdir / "nsd.conf").write_text(self._nsd_conf(served))
        (self.workdir / "unbound.conf").write_text(self._unbound_conf())
        (self.workdir / "root.hints").write_text(f". 3600000 NS {NS_NAME}\n{NS_NAME} 3600000 A {self.addresses['ns'][0]}\n")
        (self.workdir / "root.key").write_text(self.root_dnskey + "\n")

    def _nsd_conf(self, zones: list[Zone]) -> str:
        d = self.workdir
        lines = [
            "server:",
            f"  ip-address: {self.nsd_listen[0]}",
            f"  port: {self.nsd_listen[1]}",
            '  username: ""', '  chroot: ""', f'  zonesdir: "{d}"', '  database: ""',
            f'  pidfile: "{d}/nsd.pid"', f'  xfrdfile: "{d}/xfrd.state"', f'  xfrdir: "{d}"',
            f'  zonelistfile: "{d}/zone.list"', f'  logfile: "{d}/nsd.log"',
            "  server-count: 1", "  verbosity: 1", "  hide-version: yes", "  do-ip6: no",
            "remote-control:", "  control-enable: no",
        ]
        for zone in zones:
            lines += ["zone:", f'  name: "{zone.name}"', f'  zonefile: "{zone_file_name(zone)}"']
        return "\n".join(lines) + "\n"

    def _unbound_conf(self) -> str:
        d = self.workdir
        port = self.network.ports.dns
        lines = [
            "server:",
            f"  interface: {self.resolver[0]}", f"  port: {port}",
            '  username: ""', '  chroot: ""', f'  directory: "{d}"', f'  pidfile: "{d}/unbound.pid"',
            f'  logfile: "{d}/unbound.log"', "  use-syslog: no", "  do-daemonize: no", "  verbosity: 1",
            "  val-log-level: 2", "  num-threads: 1", "  so-reuseport: no", "  do-ip6: no",
            "  access-control: 0.0.0.0/0 allow", "  access-control: ::/0 allow",
            "  do-not-query-localhost: no",
            f'  trust-anchor-file: "{d}/root.key"',
            # unbound answers names under test. from its own NXDOMAIN zone unless told not to
            '  local-zone: "test." nodefault',
            # Under a scan's load unbound 1.17 now and then answered SERVFAIL right after the
            # minimised question for an empty non-terminal (s1._domainkey.<name>): the fleet
            # must answer as configured, so it asks full names.
            "  harden-referral-path: no", "  prefetch: no", "  qname-minimisation: no", "  msg-cache-size: 16m", "  rrset-cache-size: 32m",
            "  outgoing-range: 8192", "  num-queries-per-thread: 4096",
        ]
        stubs = ["remote-control:", "  control-enable: no"]
        if self.network.mode == "netns":
            lines.append(f'  root-hints: "{d}/root.hints"')
        else:
            # Delegations name port 53, and loopback hosts cannot all listen there: point
            # unbound at each zone's server with its port instead of following referrals.
            for zone in self.zones:
                host = self.silent[0] if zone.signing == "lame" else self.authoritative[0]
                stubs += ["stub-zone:", f'  name: "{zone.name}"', f"  stub-addr: {host}@{port}"]
        return "\n".join(lines + stubs) + "\n"

    def start(self, timeout: float = 10.0) -> None:
        self.network.popen(["nsd", "-d", "-c", str(self.workdir / "nsd.conf")],
                           stdout=subprocess.DEVNULL, stderr=open(self.workdir / "nsd.stderr", "w"))
        self.network.popen(["unbound", "-d", "-c", str(self.workdir / "unbound.conf")],
                           stdout=subprocess.DEVNULL, stderr=open(self.workdir / "unbound.stderr", "w"))
        wait_for_dns(*self.authoritative, "test.", timeout, self.workdir / "nsd.log")
        wait_for_dns(*self.resolver, "secure.test.", timeout, self.workdir / "unbound.log")


def wait_for_dns(host: str, port: int, qname: str, timeout: float, log: Path) -> None:
    deadline = time.monotonic() + timeout
    query = dns.message.make_query(qname, "SOA")
    while True:
        try:
            dns.query.udp(query, host, port=port, timeout=0.2)
            return
        except (dns.exception.Timeout, OSError):
            if time.monotonic() > deadline:
                text = log.read_text()[-2000:] if log.exists() else "(no log)"
                raise RuntimeError(f"DNS server {host}:{port} did not answer within {timeout}s; log:\n{text}") from None
            time.sleep(0.05)
