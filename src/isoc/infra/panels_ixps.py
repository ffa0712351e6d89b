"""The IXP section of a Pulse country page: the country's statistics and its active IXPs."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from isoc.infra import queries_ixps as queries
from isoc.pulse import country_panels

PANEL_IXPS = 10  # listed on the country page; the IXP country page has them all


@country_panels.register
def ixps_panel(request, country):
    ixps = list(queries.active_ixps(country.code).order_by("name")[:PANEL_IXPS])
    if not ixps and not queries.search(country=country.code).exists():
        return None
    return country_panels.Panel(title=_("Internet exchange points"), template="infra/ixps/country_panel.html",
                                context={"stats": queries.country_stats(country.code, timezone.localdate()),
                                         "ixps": ixps}, order=40, slug="ixps")
