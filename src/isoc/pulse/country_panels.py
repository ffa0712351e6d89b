"""Sections other apps add to a Pulse country page (``/pulse/countries/<cc>/``).

Register a callable taking ``(request, country)`` and returning a ``Panel`` (or None
to show nothing for that country)::

    from isoc.pulse import country_panels

    @country_panels.register
    def shutdowns_panel(request, country):
        events = ...
        return country_panels.Panel(title=_("Internet shutdowns"), template="shutdowns/country_panel.html",
                                    context={"events": events}, order=10)

Put it in ``<app>/panels.py`` (imported for every installed app when a country page is
first shown) or in your AppConfig.ready(). The template is rendered with the panel's own
context plus ``panel`` and ``country``; the page puts it in a section under an ``<h2>``
with the panel's title, so its own headings start at ``<h3>``. Name the source of each
figure and link to its dataset.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

PanelFunction = Callable[[Any, Any], "Panel | None"]
_PANELS: list[PanelFunction] = []
_discovered = False


@dataclass
class Panel:
    title: str
    template: Any  # a template name, or a compiled django.template.Template
    context: dict[str, Any] = field(default_factory=dict)
    order: int = 100
    slug: str = ""
    html: str = ""


def register(fn: PanelFunction) -> PanelFunction:
    if fn not in _PANELS:
        _PANELS.append(fn)
    return fn


def unregister(fn: PanelFunction) -> None:
    if fn in _PANELS:
        _PANELS.remove(fn)


def panels_for(request: Any, country: Any) -> list[Panel]:
    global _discovered
    if not _discovered:
        from django.utils.module_loading import autodiscover_modules

        autodiscover_modules("panels")
        _discovered = True
    from django.template.loader import render_to_string

    panels = sorted((p for p in (fn(request, country) for fn in list(_PANELS)) if p is not None), key=lambda p: p.order)
    for i, p in enumerate(panels):
        p.slug = p.slug or f"panel-{i + 1}"
        context = {**p.context, "panel": p, "country": country}
        if isinstance(p.template, str):
            p.html = render_to_string(p.template, context, request)
        else:  # a compiled django.template.Template
            from django.template import RequestContext

            p.html = p.template.render(RequestContext(request, context))
    return panels
