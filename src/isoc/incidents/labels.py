"""Translated names for the VERIS values the pages and the report show (the stored
values stay VERIS's English, as in the schema)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

ACTION_TYPES = {
    "hacking": _("Hacking"),
    "malware": _("Malware"),
    "social": pgettext_lazy("VERIS action", "Social engineering"),
    "error": pgettext_lazy("VERIS action", "Error"),
    "misuse": _("Misuse"),
    "physical": pgettext_lazy("VERIS action", "Physical"),
    "environmental": pgettext_lazy("VERIS action", "Environmental"),
    "unknown": pgettext_lazy("VERIS action", "Unknown"),
}

SECTORS = {
    "Agriculture": _("Agriculture"),
    "Mining": _("Mining"),
    "Utilities": _("Utilities"),
    "Construction": _("Construction"),
    "Manufacturing": _("Manufacturing"),
    "Wholesale trade": _("Wholesale trade"),
    "Retail": _("Retail"),
    "Transportation": _("Transportation"),
    "Information": pgettext_lazy("NAICS sector", "Information"),
    "Finance and insurance": _("Finance and insurance"),
    "Real estate": _("Real estate"),
    "Professional services": _("Professional services"),
    "Management of companies": _("Management of companies"),
    "Administrative services": _("Administrative services"),
    "Educational services": _("Educational services"),
    "Healthcare": _("Healthcare"),
    "Entertainment": _("Entertainment"),
    "Accommodation and food services": _("Accommodation and food services"),
    "Other services": _("Other services"),
    "Public administration": _("Public administration"),
    "Unknown": pgettext_lazy("NAICS sector", "Unknown"),
}

CONTROLS = {
    "configuration": _("Secure configuration and change review"),
    "disposal": _("Secure disposal of media and documents"),
    "credentials": _("Multi-factor authentication and credential hygiene"),
    "patching": _("Timely patching of known vulnerabilities"),
    "phishing": _("Email authentication, filtering and phishing awareness"),
    "email-malware": _("Email filtering of malicious attachments and links"),
}

#: VERIS timeline units, as the methodology lists them.
UNITS = {
    "Seconds": _("Seconds"), "Minutes": _("Minutes"), "Hours": _("Hours"), "Days": _("Days"),
    "Weeks": _("Weeks"), "Months": _("Months"), "Years": _("Years"),
}


def action_label(slug: str) -> str:
    return str(ACTION_TYPES.get(slug, slug))


def sector_label(name: str) -> str:
    return str(SECTORS.get(name, name))
