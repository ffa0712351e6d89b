"""Adoption figures from per-domain check results. Django-free.

A domain counts for a technology when the check was measured on it (passed or failed);
its share is passed / measured. Domains where the check was not measured (no address, a
probe timed out, the check does not apply) are counted apart and left out of the share,
so an outage of our own probes does not read as low adoption.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from isoc.enablers.results import CHECKS

#: The technologies the overview shows, in order (check names of ``results.CHECKS``).
HEADLINE = ("ipv6", "https", "tls13", "http3", "dnssec", "hsts", "dmarc")
TECHNOLOGIES: tuple[str, ...] = tuple(name for name, _column in CHECKS)

GLOBAL, CCTLD, HOSTING = "global", "cctld", "hosting"


@dataclass(frozen=True)
class DomainChecks:
    """What aggregation needs of one domain: its checks and its two countries."""

    checks: Mapping[str, bool | None]
    cctld_country: str = ""
    hosting_country: str = ""


@dataclass
class Figure:
    technology: str
    method: str  # GLOBAL, CCTLD or HOSTING
    country: str  # "" for GLOBAL
    measured: int = 0
    adopted: int = 0
    not_measured: int = 0

    @property
    def percent(self) -> float | None:
        return round(100.0 * self.adopted / self.measured, 1) if self.measured else None


def figures(domains: Iterable[DomainChecks], technologies: Iterable[str] = TECHNOLOGIES) -> list[Figure]:
    """Per technology: the global figure, then one per ccTLD country and one per hosting
    country (a domain without a country by a method counts only globally for it)."""
    techs = tuple(technologies)
    out: dict[tuple[str, str, str], Figure] = {}

    def add(tech: str, method: str, country: str, value: bool | None) -> None:
        key = (tech, method, country)
        fig = out.get(key)
        if fig is None:
            fig = out[key] = Figure(tech, method, country)
        if value is None:
            fig.not_measured += 1
        else:
            fig.measured += 1
            fig.adopted += bool(value)

    for domain in domains:
        for tech in techs:
            value = domain.checks.get(tech)
            add(tech, GLOBAL, "", value)
            if domain.cctld_country:
                add(tech, CCTLD, domain.cctld_country, value)
            if domain.hosting_country:
                add(tech, HOSTING, domain.hosting_country, value)
    return sorted(out.values(), key=lambda f: (techs.index(f.technology), f.method, f.country))


def pooled(parts: Iterable[tuple[int, int]]) -> tuple[int, int]:
    """(adopted, measured) of several figures taken together (a region: its countries'
    domains pooled, so a country with more measured domains weighs more)."""
    adopted = measured = 0
    for a, m in parts:
        adopted += a
        measured += m
    return adopted, measured
