"""Template helpers of the shutdowns pages: ``{% load shutdowns_tags %}``.

- ``{{ event.duration|duration }}`` a duration as the reader's locale writes it ("2 days, 5 hours")
- ``{% utc dt %}`` an instant in UTC, inside ``<time>``
- ``{{ dt|chart_tick:span }}`` a short tick label for a chart axis (UTC)
"""

from __future__ import annotations

from datetime import UTC, timedelta

from babel.dates import format_date, format_datetime
from babel.lists import format_list
from babel.units import format_unit
from django import template
from django.utils import translation

from isoc.site import l10n
from isoc.site.templatetags.isoc import instant

register = template.Library()


@register.filter
def duration(value: timedelta | None) -> str:
    """The two largest units of a duration (days and hours, or hours and minutes)."""
    if value is None:
        return ""
    loc = l10n.locale(translation.get_language())
    minutes = max(int(value.total_seconds() // 60), 0)
    days, rest = divmod(minutes, 1440)
    hours, mins = divmod(rest, 60)
    if days:
        parts = [("duration-day", days), ("duration-hour", hours)]
    elif hours:
        parts = [("duration-hour", hours), ("duration-minute", mins)]
    else:
        parts = [("duration-minute", mins)]
    shown = [format_unit(n, unit, length="long", locale=loc) for unit, n in parts if n] or [
        format_unit(0, "duration-minute", length="long", locale=loc)]
    return format_list(shown, style="unit", locale=loc)


@register.simple_tag
def utc(value):
    """The instant in UTC (the reader's zone is shown beside it with ``{% instant %}``)."""
    return instant(value, "UTC")


@register.filter
def chart_tick(value, span_seconds=None) -> str:
    """A short tick label: day and month, with the time when ticks are less than a day apart."""
    if value is None:
        return ""
    loc = l10n.locale(translation.get_language())
    value = value.astimezone(UTC)
    if span_seconds is not None and float(span_seconds) <= 3 * 86400:
        return format_datetime(value, "d MMM HH:mm", tzinfo=UTC, locale=loc)
    return format_date(value, "d MMM yyyy" if span_seconds and float(span_seconds) > 180 * 86400 else "d MMM", locale=loc)


@register.filter
def seconds_between(start, end) -> float:
    return (end - start).total_seconds() if start and end else 0.0
