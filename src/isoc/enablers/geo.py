"""Which country a measured domain counts for. Django-free.

Two methods, both shown on the pages and explained on the methodology page:

- **By ccTLD**: the country whose country-code top-level domain the name ends in
  (``example.fr`` → FR; ``bbc.co.uk`` → GB). Generic TLDs (``.com``, ``.org``, new gTLDs)
  and codes that name no country (``.eu``, ``.su``) give none.
- **By hosting**: where the site is hosted, from its first IPv4 address (its first IPv6
  address when it has no IPv4): the longest BGP route covering the address gives the
  origin AS, and the AS's country comes from the registry (the AS data of the routing app,
  else the RIR delegation of the AS number). When no route covers the address, the RIR
  delegation of the address block itself gives the country (and no AS).

The route table, the AS → country map and the RIR delegations are passed in
(``HostingMap``); the Django shell builds them from the routing app's imported data.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pycountry

from isoc.routing.registry import Delegations, load_delegations

#: ccTLDs that are not the lower-cased ISO 3166-1 code of their country.
CCTLD_EXCEPTIONS: dict[str, str] = {
    "uk": "GB",  # the United Kingdom uses .uk; .gb is reserved and unused
    "gb": "GB",
    "ac": "SH",  # Ascension Island: part of Saint Helena, Ascension and Tristan da Cunha
}
#: Two-letter TLDs that name no ISO 3166-1 country (a region, or a country that is gone).
NOT_A_COUNTRY: frozenset[str] = frozenset({"eu", "su"})

_ISO_CODES: frozenset[str] = frozenset(c.alpha_2 for c in pycountry.countries)


def tld_of(domain: str) -> str:
    """The top-level label of ``domain``, lower-cased, without a trailing dot."""
    return domain.strip().rstrip(".").rsplit(".", 1)[-1].lower()


def country_by_cctld(domain: str) -> str | None:
    """The ISO 3166-1 alpha-2 code of the country whose ccTLD ``domain`` is under, or None
    (a generic TLD, an internationalized TLD, or a two-letter TLD of no country)."""
    tld = tld_of(domain)
    if len(tld) != 2 or not tld.isascii() or not tld.isalpha() or tld in NOT_A_COUNTRY:
        return None
    if tld in CCTLD_EXCEPTIONS:
        return CCTLD_EXCEPTIONS[tld]
    code = tld.upper()
    return code if code in _ISO_CODES else None


@dataclass(frozen=True)
class Hosting:
    """Where one address is hosted, and how we know."""

    address: str
    asn: int | None = None
    country: str | None = None
    #: "route" (a BGP route's origin AS, then the AS's country), "delegation" (no route:
    #: the RIR delegation of the address block), or "" (nothing known).
    method: str = ""
    prefix: str | None = None  # the route that covered the address


@dataclass
class RouteTable:
    """Longest-prefix match of addresses to the origin AS of the routes covering them."""

    _by_version: dict[int, dict[int, dict[int, int]]] = field(default_factory=lambda: {4: {}, 6: {}})

    @classmethod
    def from_routes(cls, routes: Iterable[tuple[str, int]]) -> RouteTable:
        """From (prefix, origin AS) pairs; routes without a single origin (AS_SET: a
        negative or missing AS) and unparseable prefixes are left out. When several
        origins announce the same prefix (MOAS), the lowest AS number is kept, so that the
        answer does not depend on the order of the rows."""
        table = cls()
        for prefix, origin in routes:
            if origin is None or origin < 0:
                continue
            try:
                net = ipaddress.ip_network(prefix, strict=False)
            except ValueError:
                continue
            lengths = table._by_version[net.version].setdefault(net.prefixlen, {})
            key = int(net.network_address)
            lengths[key] = min(origin, lengths.get(key, origin))
        return table

    def __len__(self) -> int:
        return sum(len(m) for v in self._by_version.values() for m in v.values())

    def lookup(self, address: str) -> tuple[str, int] | None:
        """(covering prefix, origin AS) of the most specific route covering ``address``."""
        ip = ipaddress.ip_address(address)
        bits = ip.max_prefixlen
        value = int(ip)
        by_length = self._by_version[ip.version]
        for length in sorted(by_length, reverse=True):
            key = (value >> (bits - length)) << (bits - length) if length else 0
            origin = by_length[length].get(key)
            if origin is not None:
                network = ipaddress.ip_network((key, length))
                return str(network), origin
        return None


@dataclass
class HostingMap:
    """Everything the hosting method needs: routes, AS countries, RIR delegations."""

    routes: RouteTable = field(default_factory=RouteTable)
    asn_countries: Mapping[int, str] = field(default_factory=dict)
    delegations: Delegations | None = None

    def country_of_asn(self, asn: int) -> str | None:
        country = self.asn_countries.get(asn)
        if country:
            return country
        if self.delegations is not None:
            return self.delegations.country_of_asn(asn)
        return None

    def locate(self, address: str) -> Hosting:
        """Where ``address`` is hosted (see the module docstring for the order of methods)."""
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return Hosting(address)
        if not ip.is_global and not _is_documentation(ip):
            return Hosting(address)
        found = self.routes.lookup(address)
        if found is not None:
            prefix, asn = found
            return Hosting(address, asn=asn, country=self.country_of_asn(asn), method="route", prefix=prefix)
        if self.delegations is not None:
            country = self.delegations.country_of_prefix(f"{ip}/{ip.max_prefixlen}")
            if country:
                return Hosting(address, country=country, method="delegation")
        return Hosting(address)

    def locate_domain(self, a: Iterable[str], aaaa: Iterable[str]) -> Hosting | None:
        """Where a domain with these addresses is hosted: by its first IPv4 address, else
        its first IPv6 address; None when it has no address."""
        for address in [*a, *aaaa][:1]:
            return self.locate(address)
        return None


def _is_documentation(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    # Demo data and tests use the documentation and benchmarking ranges (RFC 5737, 3849,
    # 2544): look them up like public space so a demo scan has hosting countries.
    ranges = ("192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24", "198.18.0.0/15", "2001:db8::/32")
    return any(ip in ipaddress.ip_network(r) for r in ranges if ipaddress.ip_network(r).version == ip.version)


def load_rir_directory(folder: str | Path) -> Delegations:
    """Every RIR delegation statistics file in ``folder`` (``delegated-*``, not the
    ``.md5`` files) combined; each checked against its ``.md5`` when one is beside it."""
    files = sorted(p for p in Path(folder).glob("delegated-*") if p.is_file() and not p.name.endswith(".md5"))
    if not files:
        raise FileNotFoundError(f"no delegated-* files in {folder}")
    return Delegations.combine(load_delegations(p) for p in files)
