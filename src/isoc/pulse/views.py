"""Pulse pages: the index (focus areas, datasets, countries), a dataset with its
provenance and downloads, a country with its figures and the panels other apps add, and
stories. Each page links to the API answer built from the same query (``queries``)."""

from __future__ import annotations

import re

from django.contrib.syndication.views import Feed
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import NoReverseMatch, reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from isoc.pulse import country_panels, figures, opendata, queries
from isoc.pulse.api import download_links
from isoc.pulse.models import Country, Dataset, Region, Story

PREVIEW_ROWS = 20


def _focus_areas() -> list[dict]:
    areas = [("shutdowns:overview", _("Internet shutdowns"),
              _("Deliberate disruptions of Internet access, from civil-society trackers and measurement signals.")),
             ("routing:overview", _("Routing security"),
              _("Route origin validation against RPKI, hijacks, leaks and bogons, and MANRS scores per network.")),
             ("enablers:overview", _("Enabling technologies"),
              _("Adoption of IPv6, HTTPS, TLS 1.3, HTTP/3 and DNSSEC by country.")),
             ("trust:index", _("Online trust"),
              _("The Online Trust Audit of websites' email and web security.")),
             ("resilience:index", _("Internet resilience"),
              _("The Internet Resilience Index: infrastructure, performance, security and market readiness by country.")),
             ("infra:ixps", _("Internet exchange points"),
              _("IXPs and their members: keeping local traffic local.")),
             ("infra:cn", _("Community networks"),
              _("Networks built and run by communities to connect the unconnected, and a cost planner."))]
    out = []
    for name, title, text in areas:
        try:
            url = reverse(name)
        except NoReverseMatch:
            url = ""
        out.append({"title": title, "text": text, "url": url})
    return out


def index(request):
    regions = Region.objects.filter(kind=Region.Kind.ISOC).order_by("name")
    everywhere = list(queries.countries())
    by_region = [(r, [c for c in everywhere if c.isoc_region_id == r.pk]) for r in regions]
    return render(request, "pulse/index.html", {
        "focus_areas": _focus_areas(),
        "datasets": queries.datasets(),
        "by_region": by_region,
        "stories": Story.objects.filter(state=Story.State.PUBLISHED).order_by("-published_at")[:5],
    })


def country(request, code: str):
    if not re.fullmatch(r"[A-Za-z]{2}", code):
        raise Http404
    country = get_object_or_404(queries.countries(), code=code.upper())
    return render(request, "pulse/country.html", {
        "country": country,
        "series": queries.country_series(country.code),
        "panels": country_panels.panels_for(request, country),
        "stories": country.stories.filter(state=Story.State.PUBLISHED).order_by("-published_at")[:10],
    })


def dataset(request, slug: str):
    try:
        ds = queries.dataset_with_runs(slug)
    except Dataset.DoesNotExist:
        raise Http404 from None
    table = opendata.table_for(ds)
    preview = []
    for i, row in enumerate(table.rows):
        if i >= PREVIEW_ROWS:
            break
        preview.append(row)
    return render(request, "pulse/dataset.html", {
        "dataset": ds, "columns": table.columns, "preview": preview, "downloads": download_links(ds),
    })


def story(request, slug: str):
    story = get_object_or_404(Story, slug=slug)
    if story.state != Story.State.PUBLISHED and not request.user.is_staff:
        raise Http404
    # Figures follow the body's language: they are rendered from the data, not stored.
    body = story.localized("body", getattr(request, "LANGUAGE_CODE", None))
    return render(request, "pulse/story.html", {"story": story, "body": mark_safe(figures.render_story_body(body.text))})  # noqa: S308 - sanitized by nh3



def stories(request):
    """Published stories, filtered by ``topic`` and ``country``."""
    qs = Story.objects.filter(state=Story.State.PUBLISHED).prefetch_related("countries").order_by("-published_at")
    # Only plausible values reach the database (PostgreSQL refuses NUL bytes with an error).
    topic, country = request.GET.get("topic", "")[:40], request.GET.get("country", "")[:2].upper()
    topic = topic if re.fullmatch(r"[-\w]*", topic) else ""
    country = country if re.fullmatch(r"[A-Z]{2}", country) else ""
    if topic:
        qs = qs.filter(topic=topic)
    if country:
        qs = qs.filter(countries__code=country)
    topics = (Story.objects.filter(state=Story.State.PUBLISHED).order_by("topic")
              .values_list("topic", flat=True).distinct())
    countries = (Country.objects.filter(stories__state=Story.State.PUBLISHED).distinct().order_by("name"))
    return render(request, "pulse/stories.html", {"stories": qs, "topic": topic, "country": country,
                                                  "topics": topics, "countries": countries})


class StoriesFeed(Feed):
    """Atom feed of published stories."""

    feed_type = Atom1Feed
    title = _("Internet Society Pulse stories")
    subtitle = _("Data-driven stories from Internet Society Pulse.")

    def link(self):
        return reverse("pulse:stories")

    def items(self):
        return Story.objects.filter(state=Story.State.PUBLISHED).select_related("author").order_by("-published_at")[:50]

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        return item.summary

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        return item.updated_at

    def item_categories(self, item):
        return [item.topic]
