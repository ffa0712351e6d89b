from django import template

from isoc.learning import labels

register = template.Library()


@register.filter
def topic_label(value: str) -> str:
    return labels.TOPICS.get(value, value)


@register.filter
def level_label(value: str) -> str:
    return labels.LEVELS.get(value, value)


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if hasattr(mapping, "get") else None
