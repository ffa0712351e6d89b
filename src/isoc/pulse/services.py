"""Domain operations of Pulse that change state: seeding countries, and the review of
stories (submit → approve → publish, withdraw). Each public function is one transaction
and checks its own rules; views, the admin, the API and the CLI call these."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from isoc.members.services import RuleViolation
from isoc.pulse.models import Country, Story, StoryEvent
from isoc.pulse.seed import seed_countries

__all__ = ["seed_countries", "RuleViolation", "submit_story", "approve_story", "publish_story", "withdraw_story",
           "create_story"]


# --- stories --------------------------------------------------------------------------

_TRANSITIONS = {
    # action: (states it can start from, state it goes to)
    "submit": ({Story.State.DRAFT, Story.State.WITHDRAWN}, Story.State.IN_REVIEW),
    "approve": ({Story.State.IN_REVIEW}, Story.State.APPROVED),
    "publish": ({Story.State.APPROVED}, Story.State.PUBLISHED),
    "withdraw": ({Story.State.IN_REVIEW, Story.State.APPROVED, Story.State.PUBLISHED}, Story.State.WITHDRAWN),
}


def _require_staff(actor) -> None:
    if actor is None or not getattr(actor, "is_staff", False):
        raise RuleViolation(_("Only staff may change a story's state."), code="permission")


@transaction.atomic
def _move(story: Story, action: str, actor, note: str = "") -> Story:
    _require_staff(actor)
    story = Story.objects.select_for_update().get(pk=story.pk)
    sources, target = _TRANSITIONS[action]
    if story.state not in sources:
        raise RuleViolation(_("A story in state “%(state)s” cannot be %(action)s.")
                            % {"state": story.get_state_display(), "action": _ACTION_PAST[action]}, field="state")
    before = story.state
    if action == "submit":
        story.reviewer = None
    elif action == "approve":
        if story.author_id == actor.pk:
            raise RuleViolation(_("Another staff member must approve a story; its author cannot."), field="reviewer")
        story.reviewer = actor
    elif action == "publish":
        story.published_at = story.published_at or timezone.now()
    story.state = target
    story.save()
    StoryEvent.objects.create(story=story, actor=actor, from_state=before, to_state=target, note=note[:500])
    return story


# Completes "A story in state … cannot be …": some languages need another form of the verb
# there than in a status label (Estonian: "ei saa avaldada"). The context is spelled out in
# each call because message extraction reads only literal strings.
_ACTION_PAST = {
    "submit": pgettext_lazy("what cannot be done to a story", "submitted"),
    "approve": pgettext_lazy("what cannot be done to a story", "approved"),
    "publish": pgettext_lazy("what cannot be done to a story", "published"),
    "withdraw": pgettext_lazy("what cannot be done to a story", "withdrawn"),
}


def submit_story(story: Story, actor, note: str = "") -> Story:
    """The author (or any staff) sends a draft or withdrawn story for review."""
    return _move(story, "submit", actor, note)


def approve_story(story: Story, actor, note: str = "") -> Story:
    """Another staff member (not the author) approves a story in review."""
    return _move(story, "approve", actor, note)


def publish_story(story: Story, actor, note: str = "") -> Story:
    """Publish an approved story (its first publication date is kept on republishing)."""
    return _move(story, "publish", actor, note)


def withdraw_story(story: Story, actor, note: str = "") -> Story:
    """Take a story out of review or off the site; it can be edited and submitted again."""
    return _move(story, "withdraw", actor, note)


@transaction.atomic
def create_story(author, *, title: str, body: str, slug: str = "", summary: str = "", topic: str = "shutdowns",
                 countries: list[str] | None = None) -> Story:
    """A new draft by a staff author; its creation is the first event of its history."""
    _require_staff(author)
    story = Story.objects.create(slug=slug or slugify(title)[:200], title=title, body=body, summary=summary,
                                 topic=topic, author=author)
    if countries:
        story.countries.set(Country.objects.filter(code__in=[c.upper() for c in countries]))
    StoryEvent.objects.create(story=story, actor=author, from_state="", to_state=story.state, note="created")
    return story
