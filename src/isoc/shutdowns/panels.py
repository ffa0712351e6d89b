"""The shutdowns section of a Pulse country page: the country's published events over
time and its national signals' latest week (the same as ``/pulse/shutdowns/countries/<cc>/``)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from isoc.pulse import country_panels
from isoc.shutdowns import views


@country_panels.register
def shutdowns_panel(request, country):
    context = views.country_context(country)
    if not context["event_count"] and not context["signals"]:
        return country_panels.Panel(title=_("Internet shutdowns"), template="shutdowns/country_panel.html",
                                    context={**context, "quiet": True}, order=10, slug="shutdowns")
    return country_panels.Panel(title=_("Internet shutdowns"), template="shutdowns/country_panel.html",
                                context=context, order=10, slug="shutdowns")
