"""The names of the shipped tree's pillars, dimensions and indicators, marked for
translation (context "IRI") so that the catalogs carry them; pages show a name through
``label``, which falls back to the file's English for a name of another tree file. A test
checks that every name of the shipped file is here."""

from __future__ import annotations

from django.utils.translation import pgettext, pgettext_lazy

NAMES = (
    pgettext_lazy("IRI", "Infrastructure"),
    pgettext_lazy("IRI", "Enabling technologies"),
    pgettext_lazy("IRI", "IPv6 adoption"),
    pgettext_lazy("IRI", "Internet users"),
    pgettext_lazy("IRI", "Data centres per population"),
    pgettext_lazy("IRI", "Core infrastructure"),
    pgettext_lazy("IRI", "Mobile coverage"),
    pgettext_lazy("IRI", "4G population coverage"),
    pgettext_lazy("IRI", "Performance"),
    pgettext_lazy("IRI", "Fixed broadband performance"),
    pgettext_lazy("IRI", "Fixed download speed"),
    pgettext_lazy("IRI", "Fixed latency"),
    pgettext_lazy("IRI", "Mobile broadband performance"),
    pgettext_lazy("IRI", "Mobile download speed"),
    pgettext_lazy("IRI", "Mobile latency"),
    pgettext_lazy("IRI", "Security"),
    pgettext_lazy("IRI", "Security threats"),
    pgettext_lazy("IRI", "Internet shutdowns"),
    pgettext_lazy("IRI", "Secure protocols"),
    pgettext_lazy("IRI", "HTTPS adoption"),
    pgettext_lazy("IRI", "DNSSEC adoption"),
    pgettext_lazy("IRI", "Routing hygiene"),
    pgettext_lazy("IRI", "RPKI coverage"),
    pgettext_lazy("IRI", "RPKI-invalid routes"),
    pgettext_lazy("IRI", "MANRS participants"),
    pgettext_lazy("IRI", "Market Readiness"),
    pgettext_lazy("IRI", "Market structure"),
    pgettext_lazy("IRI", "Market concentration"),
    pgettext_lazy("IRI", "Affordability"),
    pgettext_lazy("IRI", "GDP per capita"),
    pgettext_lazy("IRI", "Mobile broadband price"),
    pgettext_lazy("IRI", "Traffic localisation"),
    pgettext_lazy("IRI", "IXPs per population"),
    pgettext_lazy("IRI", "Domains per population"),
    pgettext_lazy("IRI", "Upstream diversity"),
    pgettext_lazy("IRI", "Upstream providers"),
    pgettext_lazy("IRI", "per million people"),
    pgettext_lazy("IRI", "events"),
    pgettext_lazy("IRI", "percent of income"),
    pgettext_lazy("IRI", "networks"),
    pgettext_lazy("IRI", "Mbit/s"),
    pgettext_lazy("IRI", "ms"),
    pgettext_lazy("IRI", "HHI"),
    pgettext_lazy("IRI", "US$"),
    pgettext_lazy("IRI", "%"),
)


def label(name: str) -> str:
    return pgettext("IRI", name)
