"""Locale-aware formatting of money, numbers, countries and instants (no Django import).

Babel's CLDR data does the formatting; nothing is hand-formatted, so a French reader
sees "1 234,50 $US" and an Estonian one "1234,50 $", each as their locale writes it.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from functools import lru_cache
from zoneinfo import ZoneInfo, available_timezones

from babel import Locale, UnknownLocaleError
from babel.dates import format_date, format_time
from babel.numbers import format_currency, format_decimal

DEFAULT_LOCALE = "en"


@lru_cache(maxsize=64)
def locale(code: str | None) -> Locale:
    """The Babel locale for a Django language code ("fr", "pt-br"); English if unknown."""
    try:
        return Locale.parse((code or DEFAULT_LOCALE).replace("-", "_"))
    except (ValueError, TypeError, UnknownLocaleError):
        return Locale.parse(DEFAULT_LOCALE)


def money(amount: Decimal | int | float | str, currency: str, lang: str | None) -> str:
    return format_currency(Decimal(str(amount)), currency, locale=locale(lang))


def number(value: Decimal | int | float, lang: str | None, digits: int | None = None) -> str:
    fmt = None if digits is None else "#,##0." + "0" * digits if digits else "#,##0"
    return format_decimal(value, format=fmt, locale=locale(lang))


def country_name(code: str, lang: str | None) -> str:
    """The country's name in ``lang`` (CLDR), e.g. "DE" → "Allemagne" in French."""
    if not code:
        return ""
    return locale(lang).territories.get(code.upper(), code)


@lru_cache(maxsize=1)
def time_zones() -> frozenset[str]:
    return frozenset(available_timezones())


def valid_time_zone(name: str | None) -> str | None:
    """``name`` if it is an IANA time zone this machine knows, else None."""
    if name and name in time_zones():
        return name
    return None


def instant(value: datetime, zone: str, lang: str | None) -> str:
    """An aware instant in ``zone``, written for ``lang`` with the zone and its UTC
    offset named, so a deadline is unambiguous to the minute for a reader anywhere:
    "23 nov. 2026, 19:04 (Europe/Paris, UTC+01:00)"."""
    local = value.astimezone(ZoneInfo(zone))
    loc = locale(lang)
    # The locale's own way of joining a date and a time ("{1}, {0}", "{1} {0}", …).
    text = loc.datetime_formats["medium"].format(
        format_time(local, "short", locale=loc), format_date(local, "medium", locale=loc)
    )
    if zone == "UTC":
        return f"{text} (UTC)"
    offset = local.strftime("%z")
    return f"{text} ({zone}, UTC{offset[:3]}:{offset[3:]})"


def day(value: datetime, zone: str, lang: str | None) -> str:
    """The calendar day of an instant in ``zone``, for ``lang``."""
    return format_date(value.astimezone(ZoneInfo(zone)), "medium", locale=locale(lang))
