"""The Internet Resilience Index section of a Pulse country page: the latest score, its
pillars and a link to the full breakdown."""

from __future__ import annotations

from django.utils.translation import gettext as _

from isoc.pulse import country_panels
from isoc.resilience import queries
from isoc.resilience.labels import label
from isoc.resilience.models import CountryScore


@country_panels.register
def resilience_panel(request, country):
    quarter = queries.latest_quarter()
    score = CountryScore.objects.filter(quarter=quarter, version=queries.version(), country=country).first() if quarter else None
    if score is None:
        return None
    tree = queries.trees.default()
    pillars = [{"name": label(p.name), "score": score.pillars.get(p.code, {}).get("score")} for p in tree.pillars]
    return country_panels.Panel(title=_("Internet Resilience Index"), template="resilience/country_panel.html",
                                context={"score": score, "pillars": pillars}, order=40, slug="resilience")
