"""How a scan reaches the world: which resolver, which ports, how patient, how parallel.

Django-free. Everything that points the scanner somewhere is here, so that tests and demos
point it at our own servers (a test fleet on loopback or in network namespaces) and never
at the Internet: the resolver every DNS question goes to, optional fixed addresses per
name, the ports of each service, and the CA bundle that certificates are checked against.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

#: DKIM selectors tried when a scan is given none (common ones of large mail providers).
COMMON_DKIM_SELECTORS = ("default", "selector1", "selector2", "google", "k1", "s1", "s2", "dkim", "mail")


@dataclass(frozen=True)
class Resolver:
    host: str
    port: int = 53

    def __str__(self) -> str:
        return f"[{self.host}]:{self.port}" if ":" in self.host else f"{self.host}:{self.port}"


@dataclass(frozen=True)
class ScanConfig:
    #: The resolvers DNS questions go to, in order; none: the system's (/etc/resolv.conf).
    #: DNSSEC status comes from a validating resolver's answers (AD bit, SERVFAIL that a
    #: checking-disabled retry answers = bogus), so point this at one that validates.
    resolvers: tuple[Resolver, ...] = ()
    #: Fixed addresses per name ("www.example.test" → ("10.1.0.5", "fd00::5")), used
    #: instead of DNS for A/AAAA: a test without a DNS server, or a site known by address.
    hosts: dict[str, tuple[str, ...]] = field(default_factory=dict)
    http_port: int = 80
    https_port: int = 443
    quic_port: int = 443  # UDP
    smtp_port: int = 25
    #: PEM file of the CAs certificates are validated against; None: the system's store.
    ca_bundle: Path | None = None
    dkim_selectors: tuple[str, ...] = COMMON_DKIM_SELECTORS
    #: Per probe (one DNS question, one connection, one handshake), seconds.
    timeout: float = 5.0
    #: Extra tries of a probe that timed out or was refused (not of one that answered "no").
    retries: int = 1
    #: Domains measured at once.
    concurrency: int = 64
    #: A domain's whole measurement may take at most this long (seconds); past it the
    #: domain is recorded with what it has and an error, and the run goes on.
    domain_deadline: float = 60.0
    user_agent: str = "isoc-enablers-scanner/1 (+https://github.com/isoc; research measurement)"

    @property
    def resolver_label(self) -> str:
        return ",".join(str(r) for r in self.resolvers) or "system"
