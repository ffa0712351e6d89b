"""The enabling technologies section of a Pulse country page: the country's adoption by
ccTLD and by hosting, beside its region and the world, and third-party IPv6 figures."""

from __future__ import annotations

from django.utils.translation import gettext as _

from isoc.enablers import adoption, queries
from isoc.pulse import country_panels


@country_panels.register
def enablers_panel(request, country):
    blocks = []
    for method, title in ((adoption.CCTLD, _("Domains under its ccTLD")), (adoption.HOSTING, _("Domains hosted there"))):
        scan, rows = queries.country_comparison(country.code, method)
        if scan is not None:
            blocks.append({"title": title, "scan": scan, "rows": rows})
    ipv6 = queries.thirdparty_series("ipv6", country.code)
    for entry in ipv6:
        entry["label"] = queries.series_label(entry)
    return country_panels.Panel(title=_("Enabling technologies"), template="enablers/country_panel.html",
                                context={"blocks": blocks, "ipv6": ipv6}, order=30, slug="enablers")
