"""Countries and regions: every ISO country has its M49 and Internet Society region."""

from __future__ import annotations

import csv

import pycountry
import pytest

from isoc.pulse import regions


def test_every_iso_country_is_listed_once():
    codes = [c.code for c in regions.countries()]
    assert len(codes) == len(set(codes)) == len(pycountry.countries)


def test_every_country_but_antarctica_has_all_regions():
    missing = [c.code for c in regions.countries() if not (c.m49_region and c.m49_subregion and c.isoc_region)]
    assert missing == ["AQ"]


def test_m49_table_names_only_iso_countries():
    iso = {c.alpha_2 for c in pycountry.countries}
    listed = [cc for _n, _r, members in regions.M49_SUBREGIONS.values() for cc in members.split()]
    assert set(listed) <= iso
    assert len(listed) == len(set(listed))


@pytest.mark.parametrize(("code", "isoc", "m49_sub"), [
    ("EG", "africa", "015"), ("KE", "africa", "202"), ("US", "north-america", "021"),
    ("BR", "latin-america-caribbean", "419"), ("MX", "latin-america-caribbean", "419"),
    ("SA", "middle-east", "145"), ("IR", "middle-east", "034"), ("TR", "europe", "145"),
    ("GE", "europe", "145"), ("IN", "asia-pacific", "034"), ("AU", "asia-pacific", "053"),
    ("KZ", "asia-pacific", "143"), ("EE", "europe", "154"),
])
def test_rule_and_exceptions(code, isoc, m49_sub):
    info = regions.by_code()[code]
    assert (info.isoc_region, info.m49_subregion) == (isoc, m49_sub)


def test_m49_table_agrees_with_the_published_codes(shared_data):
    """Our written-out M49 table against the country-codes dataset (UN M49 columns)."""
    path = shared_data / "country" / "codes" / "country-codes.csv"
    if not path.exists():
        pytest.skip(f"{path} is absent")
    disagree = []
    for row in csv.DictReader(path.open(encoding="utf-8")):
        cc = row["ISO3166-1-Alpha-2"]
        info = regions.by_code().get(cc)
        if info is None or not row["Sub-region Code"]:
            continue
        if int(info.m49_subregion) != int(row["Sub-region Code"]) or int(info.m49_region) != int(row["Region Code"]):
            disagree.append(cc)
    assert disagree == []


def test_seeded_countries_in_the_database(db):
    from isoc.pulse.models import Country, Region
    from isoc.pulse.seed import seed_countries

    assert Country.objects.count() == len(pycountry.countries)
    assert Country.objects.get(code="KE").isoc_region.name == "Africa"
    assert Country.objects.get(code="FR").m49_subregion.name == "Western Europe"
    assert Region.objects.filter(kind=Region.Kind.ISOC).count() == 6
    assert seed_countries() == 0  # idempotent
    Country.objects.filter(code="KE").update(isoc_region=None)
    Country.objects.filter(code="FR").delete()
    assert seed_countries() == 2
    assert Country.objects.get(code="KE").isoc_region.slug == "isoc-africa"
