"""The names of the shipped tree's pillars, dimensions and indicators, marked for
translation (context "IRI") so that the catalogs carry them; pages show a name through
``label``, which falls back to the file's English for a name of another tree file. A test
checks that every name of the shipped file is here."""

from __future__ import annotations

from django.utils.translation import pgettext_lazy

NAMES = {
    "Infrastructure": pgettext_lazy("IRI", "Infrastructure"),
    "Enabling technologies": pgettext_lazy("IRI", "Enabling technologies"),
    "IPv6 adoption": pgettext_lazy("IRI", "IPv6 adoption"),
    "Internet users": pgettext_lazy("IRI", "Internet users"),
    "Data centres per population": pgettext_lazy("IRI", "Data centres per population"),
    "Core infrastructure": pgettext_lazy("IRI", "Core infrastructure"),
    "Mobile coverage": pgettext_lazy("IRI", "Mobile coverage"),
    "4G population coverage": pgettext_lazy("IRI", "4G population coverage"),
    "Performance": pgettext_lazy("IRI", "Performance"),
    "Fixed broadband performance": pgettext_lazy("IRI", "Fixed broadband performance"),
    "Fixed download speed": pgettext_lazy("IRI", "Fixed download speed"),
    "Fixed latency": pgettext_lazy("IRI", "Fixed latency"),
    "Mobile broadband performance": pgettext_lazy("IRI", "Mobile broadband performance"),
    "Mobile download speed": pgettext_lazy("IRI", "Mobile download speed"),
    "Mobile latency": pgettext_lazy("IRI", "Mobile latency"),
    "Security": pgettext_lazy("IRI", "Security"),
    "Security threats": pgettext_lazy("IRI", "Security threats"),
    "Internet shutdowns": pgettext_lazy("IRI", "Internet shutdowns"),
    "Secure protocols": pgettext_lazy("IRI", "Secure protocols"),
    "HTTPS adoption": pgettext_lazy("IRI", "HTTPS adoption"),
    "DNSSEC adoption": pgettext_lazy("IRI", "DNSSEC adoption"),
    "Routing hygiene": pgettext_lazy("IRI", "Routing hygiene"),
    "RPKI coverage": pgettext_lazy("IRI", "RPKI coverage"),
    "RPKI-invalid routes": pgettext_lazy("IRI", "RPKI-invalid routes"),
    "MANRS participants": pgettext_lazy("IRI", "MANRS participants"),
    "Market Readiness": pgettext_lazy("IRI", "Market Readiness"),
    "Market structure": pgettext_lazy("IRI", "Market structure"),
    "Market concentration": pgettext_lazy("IRI", "Market concentration"),
    "Affordability": pgettext_lazy("IRI", "Affordability"),
    "GDP per capita": pgettext_lazy("IRI", "GDP per capita"),
    "Mobile broadband price": pgettext_lazy("IRI", "Mobile broadband price"),
    "Traffic localisation": pgettext_lazy("IRI", "Traffic localisation"),
    "IXPs per population": pgettext_lazy("IRI", "IXPs per population"),
    "Domains per population": pgettext_lazy("IRI", "Domains per population"),
    "Upstream diversity": pgettext_lazy("IRI", "Upstream diversity"),
    "Upstream providers": pgettext_lazy("IRI", "Upstream providers"),
    "per million people": pgettext_lazy("IRI", "per million people"),
    "events": pgettext_lazy("IRI", "events"),
    "percent of income": pgettext_lazy("IRI", "percent of income"),
    "networks": pgettext_lazy("IRI", "networks"),
    "Mbit/s": pgettext_lazy("IRI", "Mbit/s"),
    "ms": pgettext_lazy("IRI", "ms"),
    "HHI": pgettext_lazy("IRI", "HHI"),
    "US$": pgettext_lazy("IRI", "US$"),
    "%": pgettext_lazy("IRI", "%"),
}


def label(name: str) -> str:
    return str(NAMES.get(name, name))
