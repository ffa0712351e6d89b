"""Countries and the regions they belong to, without Django.

Every ISO 3166-1 country or territory (as pycountry knows them) gets:

- its **UN M49** region and sub-region (the UN Statistics Division's "Standard country or
  area codes for statistical use"). The table below is written out here, because neither
  pycountry nor Babel's bundled CLDR data carry the containment; it follows M49 at the
  sub-region level (Sub-Saharan Africa and Latin America and the Caribbean are one
  sub-region each, as in M49; M49's "intermediate regions" are not used). Taiwan is placed
  in Eastern Asia as CLDR does. Antarctica (AQ) belongs to no M49 region.
- its **Internet Society region** (the regional bureaus: Africa, Asia-Pacific, Europe,
  Latin America & Caribbean, Middle East, North America). The Internet Society does not
  publish a country list per bureau, so this is *our* rule, derived from M49:

  ============================  ============================================================
  M49                           Internet Society region
  ============================  ============================================================
  Africa (002, all of it)       Africa (North Africa included)
  Northern America (021)        North America
  Latin America & Caribb. (419) Latin America & Caribbean
  Europe (150)                  Europe
  Western Asia (145)            Middle East, **except** Armenia, Azerbaijan, Georgia,
                                Cyprus and Türkiye → Europe
  Iran (IR, Southern Asia)      Middle East (exception)
  rest of Asia (142)            Asia-Pacific (Central, Eastern, South-eastern, Southern Asia)
  Oceania (009)                 Asia-Pacific
  Antarctica (AQ)               none
  ============================  ============================================================
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import pycountry

# M49 regions: code → name.
M49_REGIONS: dict[str, str] = {
    "002": "Africa",
    "019": "Americas",
    "142": "Asia",
    "150": "Europe",
    "009": "Oceania",
}

# M49 sub-regions: code → (name, region code, ISO alpha-2 members).
M49_SUBREGIONS: dict[str, tuple[str, str, str]] = {
    "015": ("Northern Africa", "002", "DZ EG EH LY MA SD TN"),
    "202": ("Sub-Saharan Africa", "002",
            "AO BF BI BJ BW CD CF CG CI CM CV DJ ER ET GA GH GM GN GQ GW IO KE KM LR LS MG ML MR MU "
            "MW MZ NA NE NG RE RW SC SH SL SN SO SS ST SZ TD TF TG TZ UG YT ZA ZM ZW"),
    "021": ("Northern America", "019", "BM CA GL PM US"),
    "419": ("Latin America and the Caribbean", "019",
            "AG AI AR AW BB BL BO BQ BR BS BV BZ CL CO CR CU CW DM DO EC FK GD GF GP GS GT GY HN HT "
            "JM KN KY LC MF MQ MS MX NI PA PE PR PY SR SV SX TC TT UY VC VE VG VI"),
    "143": ("Central Asia", "142", "KG KZ TJ TM UZ"),
    "030": ("Eastern Asia", "142", "CN HK JP KP KR MN MO TW"),
    "035": ("South-eastern Asia", "142", "BN ID KH LA MM MY PH SG TH TL VN"),
    "034": ("Southern Asia", "142", "AF BD BT IN IR LK MV NP PK"),
    "145": ("Western Asia", "142", "AE AM AZ BH CY GE IL IQ JO KW LB OM PS QA SA SY TR YE"),
    "151": ("Eastern Europe", "150", "BG BY CZ HU MD PL RO RU SK UA"),
    "154": ("Northern Europe", "150", "AX DK EE FI FO GB GG IE IM IS JE LT LV NO SE SJ"),
    "039": ("Southern Europe", "150", "AD AL BA ES GI GR HR IT ME MK MT PT RS SI SM VA"),
    "155": ("Western Europe", "150", "AT BE CH DE FR LI LU MC NL"),
    "053": ("Australia and New Zealand", "009", "AU CC CX HM NF NZ"),
    "054": ("Melanesia", "009", "FJ NC PG SB VU"),
    "057": ("Micronesia", "009", "FM GU KI MH MP NR PW UM"),
    "061": ("Polynesia", "009", "AS CK NU PF PN TK TO TV WF WS"),
}

# The Internet Society's regions: slug → name, in the order pages list them.
ISOC_REGIONS: dict[str, str] = {
    "africa": "Africa",
    "asia-pacific": "Asia-Pacific",
    "europe": "Europe",
    "latin-america-caribbean": "Latin America & Caribbean",
    "middle-east": "Middle East",
    "north-america": "North America",
}

# The rule, by M49 sub-region; then the exceptions, by country.
_ISOC_BY_SUBREGION = {
    "015": "africa", "202": "africa",
    "021": "north-america", "419": "latin-america-caribbean",
    "151": "europe", "154": "europe", "039": "europe", "155": "europe",
    "145": "middle-east",
    "143": "asia-pacific", "030": "asia-pacific", "035": "asia-pacific", "034": "asia-pacific",
    "053": "asia-pacific", "054": "asia-pacific", "057": "asia-pacific", "061": "asia-pacific",
}
ISOC_EXCEPTIONS: dict[str, str] = {
    "AM": "europe", "AZ": "europe", "GE": "europe", "CY": "europe", "TR": "europe",
    "IR": "middle-east",
}


@dataclass(frozen=True)
class CountryInfo:
    code: str  # ISO 3166-1 alpha-2
    alpha3: str
    numeric: str
    name: str
    m49_region: str | None  # M49 code, e.g. "002"
    m49_subregion: str | None
    isoc_region: str | None  # slug of ISOC_REGIONS


@cache
def _subregion_of() -> dict[str, str]:
    table: dict[str, str] = {}
    for code, (_name, _region, members) in M49_SUBREGIONS.items():
        for cc in members.split():
            if cc in table:
                raise ValueError(f"{cc} is in two M49 sub-regions")
            table[cc] = code
    return table


def isoc_region(code: str) -> str | None:
    """The Internet Society region (slug) of an alpha-2 code, by the rule above."""
    code = code.upper()
    if code in ISOC_EXCEPTIONS:
        return ISOC_EXCEPTIONS[code]
    sub = _subregion_of().get(code)
    return _ISOC_BY_SUBREGION.get(sub) if sub else None


@cache
def countries() -> tuple[CountryInfo, ...]:
    """Every ISO 3166-1 country, in alpha-2 order, with its regions."""
    out = []
    for c in sorted(pycountry.countries, key=lambda c: c.alpha_2):
        sub = _subregion_of().get(c.alpha_2)
        out.append(CountryInfo(
            code=c.alpha_2, alpha3=c.alpha_3, numeric=c.numeric,
            name=getattr(c, "common_name", None) or c.name,
            m49_region=M49_SUBREGIONS[sub][1] if sub else None,
            m49_subregion=sub,
            isoc_region=isoc_region(c.alpha_2),
        ))
    return tuple(out)


@cache
def by_alpha3() -> dict[str, CountryInfo]:
    """Alpha-3 → country (World Bank files key countries by alpha-3)."""
    return {c.alpha3: c for c in countries()}


@cache
def by_code() -> dict[str, CountryInfo]:
    return {c.code: c for c in countries()}
