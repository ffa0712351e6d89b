"""The trend figures of the Cyber Incident & Breach Trends report, from incidents as
plain data. No Django import.

An incident here is anything with the attributes of ``veris.IncidentRecord`` that the
figures read: ``year``, ``actions`` (VERIS action category → {"variety": [...],
"vector": [...]}), ``industry`` (the victim's NAICS code), ``discovery_unit`` and
``discovery_value`` (VERIS ``timeline.discovery``), ``data_disclosure``. The database
model has the same attributes, so pages, API, report and tests share these functions.
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

ACTION_TYPES = ("hacking", "malware", "social", "error", "misuse", "physical", "environmental", "unknown")

#: NAICS 2017 two-digit sectors (the VERIS ``victim.industry`` is a NAICS code of 2 to 6
#: digits; 31–33, 44–45 and 48–49 are one sector each). "00" and anything else: Unknown.
NAICS_SECTORS: dict[str, str] = {
    "11": "Agriculture", "21": "Mining", "22": "Utilities", "23": "Construction",
    "31": "Manufacturing", "32": "Manufacturing", "33": "Manufacturing", "42": "Wholesale trade",
    "44": "Retail", "45": "Retail", "48": "Transportation", "49": "Transportation", "51": "Information",
    "52": "Finance and insurance", "53": "Real estate", "54": "Professional services",
    "55": "Management of companies", "56": "Administrative services", "61": "Educational services",
    "62": "Healthcare", "71": "Entertainment", "72": "Accommodation and food services",
    "81": "Other services", "92": "Public administration",
}
UNKNOWN_SECTOR = "Unknown"

#: VERIS ``timeline.*.unit`` in days. A month is 365.25 / 12 = 30.4375 days and a year
#: 365.25 days (the mean Gregorian lengths): VERIS records say "3 months", not which ones.
DAYS_PER_UNIT: dict[str, float] = {
    "Seconds": 1 / 86_400, "Minutes": 1 / 1_440, "Hours": 1 / 24, "Days": 1.0, "Weeks": 7.0,
    "Months": 365.25 / 12, "Years": 365.25,
}
#: Units that are not a duration: the incident was never discovered, the question does
#: not apply, or the coder did not know. Such incidents are left out of the median.
NOT_A_DURATION = ("Never", "NA", "Unknown")


def sector_of(industry: str | None) -> str:
    """The NAICS sector name of a VERIS ``victim.industry`` code."""
    return NAICS_SECTORS.get((industry or "")[:2], UNKNOWN_SECTOR)


def days_to_discovery(unit: str | None, value: float | int | None) -> float | None:
    """VERIS ``timeline.discovery`` in days, or None when it is not a known duration:
    a unit of Never, NA or Unknown, no unit, or a unit without a value ("some months":
    VERIS lets coders give only the unit when the number is not known; it cannot be
    placed on a scale, so it is left out rather than guessed as 1)."""
    if unit not in DAYS_PER_UNIT or value is None:
        return None
    try:
        days = float(value) * DAYS_PER_UNIT[unit]
    except (TypeError, ValueError):
        return None
    return days if days >= 0 else None


def action_types(incident: Any) -> list[str]:
    """The VERIS action categories of an incident, in VERIS's order."""
    actions = incident.actions or {}
    return [a for a in ACTION_TYPES if a in actions]


# --- Preventable by basic controls (our definition) ------------------------------------
#
# THIS IS OUR DEFINITION, not VERIS's nor the Online Trust Alliance's. An incident is
# *preventable* when at least one of its VERIS actions is one that a basic, widely
# recommended control addresses. Each rule names the control and the VERIS values it
# answers; the methodology page and the report print this table. An incident counts once
# however many rules match. "Exploit vuln" counts even when it was a zero-day, because
# VERIS does not record whether a patch existed: the share is an upper bound on that point.

@dataclass(frozen=True)
class PreventableRule:
    slug: str
    control: str  # the basic control, in English (templates translate it via their own strings)
    category: str  # VERIS action category
    field: str  # "variety" or "vector"
    values: tuple[str, ...]

    @property
    def path(self) -> str:
        """The VERIS field, dotted: ``action.error.variety``."""
        return f"action.{self.category}.{self.field}"

    def matches(self, incident: Any) -> bool:
        chosen = (incident.actions or {}).get(self.category) or {}
        return any(v in self.values for v in chosen.get(self.field) or [])


PREVENTABLE_RULES: tuple[PreventableRule, ...] = (
    PreventableRule("configuration", "Secure configuration and change review", "error", "variety",
                    ("Misconfiguration", "Publishing error")),
    PreventableRule("disposal", "Secure disposal of media and documents", "error", "variety", ("Disposal error",)),
    PreventableRule("credentials", "Multi-factor authentication and credential hygiene", "hacking", "variety",
                    ("Use of stolen creds", "Brute force")),
    PreventableRule("patching", "Timely patching of known vulnerabilities", "hacking", "variety", ("Exploit vuln",)),
    PreventableRule("phishing", "Email authentication, filtering and phishing awareness", "social", "variety",
                    ("Phishing",)),
    PreventableRule("email-malware", "Email filtering of malicious attachments and links", "malware", "vector",
                    ("Email", "Email attachment", "Email link", "Email autoexecute", "Email unknown", "Email other")),
)


def preventable_reasons(incident: Any) -> list[str]:
    """The slugs of the rules (controls) that would have addressed this incident."""
    return [r.slug for r in PREVENTABLE_RULES if r.matches(incident)]


def is_preventable(incident: Any) -> bool:
    return bool(preventable_reasons(incident))


# --- The figures --------------------------------------------------------------------------


def counts_by_action(incidents: Iterable[Any]) -> dict[str, int]:
    """Incidents per VERIS action category; an incident with several actions counts in
    each, so the counts may add up to more than the incidents."""
    counts: Counter[str] = Counter()
    for incident in incidents:
        counts.update(action_types(incident))
    return {a: counts[a] for a in ACTION_TYPES if counts[a]}


def counts_by_sector(incidents: Iterable[Any]) -> dict[str, int]:
    """Incidents per victim sector (NAICS), most first, then by name."""
    counts = Counter(sector_of(i.industry) for i in incidents)
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


def counts_by_year(incidents: Iterable[Any]) -> dict[int, int]:
    """Incidents per incident year (VERIS ``timeline.incident.year``), oldest first."""
    counts = Counter(i.year for i in incidents if i.year)
    return dict(sorted(counts.items()))


@dataclass
class Median:
    days: float | None  # None when no incident has a known duration
    used: int  # incidents with a known duration
    excluded: int  # incidents left out (see ``days_to_discovery``)


def median_days_to_discovery(incidents: Iterable[Any]) -> Median:
    """The median of the known times to discovery, in days."""
    known, excluded = [], 0
    for incident in incidents:
        days = days_to_discovery(incident.discovery_unit, incident.discovery_value)
        if days is None:
            excluded += 1
        else:
            known.append(days)
    return Median(statistics.median(known) if known else None, len(known), excluded)


def median_by_year(incidents: Sequence[Any]) -> dict[int, Median]:
    years = sorted({i.year for i in incidents if i.year})
    return {y: median_days_to_discovery([i for i in incidents if i.year == y]) for y in years}


@dataclass
class Share:
    part: int
    whole: int

    @property
    def percent(self) -> float | None:
        return round(100.0 * self.part / self.whole, 1) if self.whole else None


def preventable_share(incidents: Iterable[Any]) -> Share:
    incidents = list(incidents)
    return Share(sum(1 for i in incidents if is_preventable(i)), len(incidents))


def preventable_by_rule(incidents: Iterable[Any]) -> dict[str, int]:
    counts: Counter[str] = Counter()
    for incident in incidents:
        counts.update(preventable_reasons(incident))
    return {r.slug: counts[r.slug] for r in PREVENTABLE_RULES}


def breaches(incidents: Iterable[Any]) -> int:
    """Incidents that are breaches in VERIS's sense: data disclosure confirmed ("Yes")."""
    return sum(1 for i in incidents if i.data_disclosure == "Yes")


@dataclass
class YearFigures:
    """Everything the report for one incident year shows."""

    year: int
    incidents: int
    breaches: int
    by_action: dict[str, int]
    by_sector: dict[str, int]
    by_year: dict[int, int]  # all years up to the report's, for the trend
    median: Median
    median_by_year: dict[int, Median]
    preventable: Share
    preventable_by_rule: dict[str, int] = field(default_factory=dict)


def year_figures(incidents: Sequence[Any], year: int) -> YearFigures:
    """The report's figures: those of incidents of ``year``, and the trend up to it."""
    upto = [i for i in incidents if i.year and i.year <= year]
    of_year = [i for i in upto if i.year == year]
    return YearFigures(
        year=year, incidents=len(of_year), breaches=breaches(of_year), by_action=counts_by_action(of_year),
        by_sector=counts_by_sector(of_year), by_year=counts_by_year(upto),
        median=median_days_to_discovery(of_year), median_by_year=median_by_year(upto),
        preventable=preventable_share(of_year), preventable_by_rule=preventable_by_rule(of_year))
