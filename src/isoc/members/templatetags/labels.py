"""``{% load labels %}``: ``{{ standing.status|label:"status" }}`` shows a stored value
as its translated label (see ``isoc.members.labels``)."""

from __future__ import annotations

from django import template

from isoc.members import labels

register = template.Library()


@register.filter
def label(value, kind: str) -> str:
    return labels.label(kind, value)
