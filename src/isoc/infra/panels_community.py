"""The community networks section of a Pulse country page: the networks registered there."""

from __future__ import annotations

from django.db.models import Sum
from django.utils.translation import gettext as _

from isoc.infra.models.community import CommunityNetwork
from isoc.pulse import country_panels

# The section lists at most this many networks; the registry filtered by country has the rest.
SHOWN = 20


@country_panels.register
def community_networks_panel(request, country):
    qs = CommunityNetwork.objects.filter(country_id=country.code).order_by("name", "pk")
    people = qs.aggregate(n=Sum("people_served"))["n"] or 0
    return country_panels.Panel(title=_("Community networks"), template="infra/community/country_panel.html",
                                context={"networks": list(qs[:SHOWN]), "people": people}, order=60,
                                slug="community-networks")
