"""The trend figures, hand-checked on a few constructed incidents (no database)."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from isoc.incidents import trends


@dataclass
class Inc:
    year: int
    actions: dict = field(default_factory=dict)
    industry: str = ""
    discovery_unit: str = ""
    discovery_value: float | None = None
    data_disclosure: str = ""


def act(category: str, variety: str = "", vector: str = "") -> dict:
    return {category: {"variety": [variety] if variety else [], "vector": [vector] if vector else []}}


# Five incidents of 2022 and two of 2021, built so each figure can be worked out by hand.
A = Inc(2022, act("error", "Misconfiguration"), "622110", "Days", 10, "Yes")  # healthcare; preventable (configuration)
B = Inc(2022, {**act("hacking", "Use of stolen creds"), **act("malware", "Ransomware", "Direct install")},
        "611310", "Weeks", 2, "Yes")  # education; preventable (credentials): 14 days
C = Inc(2022, act("social", "Pretexting", "Phone"), "622110", "Months", 3, "No")  # not preventable; 91.3125 days
D = Inc(2022, act("physical", "Theft"), "9211", "Unknown", None, "Yes")  # public administration; median: left out
E = Inc(2022, act("malware", "Ransomware", "Email attachment"), "00", "Months", None)  # preventable (email); no value: out
F = Inc(2021, act("hacking", "Exploit vuln"), "522110", "Hours", 36)  # finance; 1.5 days
G = Inc(2021, act("misuse", "Privilege abuse"), "", "Never")
ALL = [A, B, C, D, E, F, G]


def test_counts_by_action_count_an_incident_under_each_of_its_actions():
    assert trends.counts_by_action([A, B, C, D, E]) == {
        "hacking": 1, "malware": 2, "social": 1, "error": 1, "physical": 1}


def test_counts_by_sector_use_the_naics_sector():
    assert trends.counts_by_sector([A, B, C, D, E]) == {
        "Healthcare": 2, "Educational services": 1, "Public administration": 1, "Unknown": 1}


def test_counts_by_year():
    assert trends.counts_by_year(ALL) == {2021: 2, 2022: 5}


def test_median_time_to_discovery_in_days():
    # 2022: known durations 10, 14 and 91.3125 days (D: Unknown, E: a unit without a value)
    median = trends.median_days_to_discovery([A, B, C, D, E])
    assert (median.days, median.used, median.excluded) == (14.0, 3, 2)
    # 2021: 1.5 days (G: Never); all: 1.5, 10, 14, 91.3125 → (10 + 14) / 2
    assert trends.median_days_to_discovery([F, G]).days == 1.5
    assert trends.median_days_to_discovery(ALL).days == 12.0
    assert trends.median_days_to_discovery([D, G]).days is None


@pytest.mark.parametrize(("unit", "value", "days"), [
    ("Seconds", 86_400, 1.0), ("Minutes", 2_880, 2.0), ("Hours", 12, 0.5), ("Days", 3, 3.0), ("Weeks", 1, 7.0),
    ("Months", 12, 365.25), ("Years", 2, 730.5), ("Never", 3, None), ("NA", None, None), ("Unknown", 1, None),
    ("Months", None, None), ("", 5, None), ("Days", -1, None),
])
def test_units_to_days(unit, value, days):
    assert trends.days_to_discovery(unit, value) == days


def test_preventable_share_is_our_definition():
    assert trends.preventable_reasons(A) == ["configuration"]
    assert trends.preventable_reasons(B) == ["credentials"]
    assert trends.preventable_reasons(E) == ["email-malware"]
    assert trends.preventable_reasons(F) == ["patching"]
    assert not trends.is_preventable(C) and not trends.is_preventable(D) and not trends.is_preventable(G)
    share = trends.preventable_share([A, B, C, D, E])
    assert (share.part, share.whole, share.percent) == (3, 5, 60.0)
    assert trends.preventable_share([]).percent is None


def test_year_figures_take_the_year_and_the_trend_up_to_it():
    later = Inc(2023, act("error", "Misdelivery"))
    f = trends.year_figures([*ALL, later], 2022)
    assert (f.year, f.incidents, f.breaches) == (2022, 5, 3)
    assert f.by_year == {2021: 2, 2022: 5}  # not 2023
    assert f.median.days == 14.0 and f.median_by_year[2021].days == 1.5
    assert (f.preventable.part, f.preventable.whole) == (3, 5)
    assert f.preventable_by_rule == {"configuration": 1, "disposal": 0, "credentials": 1, "patching": 0,
                                     "phishing": 0, "email-malware": 1}
