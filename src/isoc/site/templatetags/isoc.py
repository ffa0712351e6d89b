"""Template tags for locale-aware output: ``{% load isoc %}``.

- ``{{ amount|money:currency }}`` money as the reader's locale writes it
- ``{{ value|num }}``, ``{{ value|num:1 }}`` numbers
- ``{{ code|country }}`` a country's name in the reader's language
- ``{% instant dt %}`` an instant in the reader's time zone, zone named, inside ``<time>``
- ``{% instant dt zone="Africa/Nairobi" %}`` in a given zone (an event's own)
- ``{% localized obj "field" as text %}`` staff-written content in the reader's language
"""

from __future__ import annotations

from datetime import UTC, datetime

from django import template
from django.utils import timezone, translation
from django.utils.html import format_html

from isoc.site import l10n

register = template.Library()


@register.filter
def money(amount, currency: str = "USD") -> str:
    if amount in (None, ""):
        return ""
    return l10n.money(amount, currency, translation.get_language())


@register.filter
def num(value, digits=None) -> str:
    if value in (None, ""):
        return ""
    return l10n.number(value, translation.get_language(), None if digits is None else int(digits))


@register.filter
def country(code: str) -> str:
    return l10n.country_name(code or "", translation.get_language())


@register.simple_tag
def instant(value: datetime | None, zone: str | None = None) -> str:
    if value is None:
        return ""
    zone = l10n.valid_time_zone(zone) or timezone.get_current_timezone_name()
    if not l10n.valid_time_zone(zone):
        zone = "UTC"
    text = l10n.instant(value, zone, translation.get_language())
    return format_html('<time datetime="{}">{}</time>', value.astimezone(UTC).isoformat().replace("+00:00", "Z"), text)


@register.simple_tag(takes_context=True)
def localized(context, obj, field: str):
    """The field's text in the reader's language, with ``.fallback`` true (and ``.lang``
    "en") when it has not been translated yet."""
    return obj.localized(field, translation.get_language())
