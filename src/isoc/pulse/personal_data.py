"""Personal data in Pulse (see isoc.site.personal_data): measurement data names
countries, networks and sources, not people. A person appears as a story's author or
reviewer and as who ran an import or changed a story.

A story's author link is kept (pointing at the account's pseudonym): a published story
must keep a byline row, and the author field may not be empty."""

from __future__ import annotations

from isoc.pulse.models import Story
from isoc.site.personal_data import anonymise, detach, not_personal

COVERS = {
    "pulse.Region": not_personal("a world region"),
    "pulse.Country": not_personal("a country"),
    "pulse.DataSource": not_personal("a data provider, an organisation"),
    "pulse.Dataset": not_personal("a published dataset"),
    "pulse.ImportRun": detach("actor"),
    "pulse.Story": anonymise("kept, the author linked to the pseudonym: a story always has an author", "reviewer"),
    "pulse.StoryEvent": detach("actor"),
}


def export(person) -> dict:
    return {"stories_written": [{"title": s.title, "slug": s.slug, "state": s.state}
                                for s in Story.objects.filter(author=person).order_by("pk")]}


def erase(person, actor) -> dict:
    return {}
