"""Country and currency choices (ISO 3166-1 alpha-2, ISO 4217), from pycountry."""

from __future__ import annotations

import pycountry

COUNTRY_CHOICES: list[tuple[str, str]] = sorted(
    ((c.alpha_2, getattr(c, "common_name", c.name)) for c in pycountry.countries),
    key=lambda pair: pair[1],
)
COUNTRY_NAMES: dict[str, str] = dict(COUNTRY_CHOICES)

# Currencies the secretariat invoices in.
CURRENCY_CHOICES: list[tuple[str, str]] = [
    (code, pycountry.currencies.get(alpha_3=code).name)  # type: ignore[union-attr]
    for code in ("USD", "EUR", "CHF", "GBP", "CAD", "AUD", "JPY", "INR", "BRL", "ZAR", "KES", "SGD")
]
