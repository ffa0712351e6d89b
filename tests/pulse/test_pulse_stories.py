"""Stories: review workflow with history, sanitized Markdown with live figures, list, feed, admin."""

from __future__ import annotations

import pytest
from tests.conftest import make_person

from isoc.pulse import services, storytext
from isoc.pulse.models import Dataset, DataSource, IndicatorValue, Story, StoryEvent


@pytest.fixture
def author(db):
    return make_person("writer@example.org", staff=True)


@pytest.fixture
def reviewer(db):
    return make_person("editor@example.org", staff=True)


@pytest.fixture
def data(db):
    source = DataSource.objects.create(slug="wb", name="World Bank WDI", publisher="The World Bank", licence="CC BY 4.0")
    ds = Dataset.objects.create(source=source, slug="wb-pop", title="Population, total", kind="indicator",
                                origin="population.csv", importer="worldbank", importer_version="1")
    for year, value in [(2019, 51.0e6), (2020, 52.5e6)]:
        IndicatorValue.objects.create(dataset=ds, indicator="SP.POP.TOTL", country_id="KE", year=year, value=value)
    return ds


def _story(author, body="Text", **kw):
    return services.create_story(author, title=kw.pop("title", "Kenya in numbers"), body=body, countries=["KE"], **kw)


def test_review_workflow_records_every_transition(author, reviewer):
    story = _story(author)
    story = services.submit_story(story, author)
    with pytest.raises(services.RuleViolation, match="cannot"):
        services.publish_story(story, reviewer)  # not approved yet
    with pytest.raises(services.RuleViolation, match="author cannot"):
        services.approve_story(story, author)
    story = services.approve_story(story, reviewer, note="figures checked")
    assert story.reviewer == reviewer
    story = services.publish_story(story, author)
    assert story.state == Story.State.PUBLISHED and story.published_at is not None
    first = story.published_at
    story = services.withdraw_story(story, reviewer)
    story = services.submit_story(story, author)
    assert story.reviewer is None
    story = services.publish_story(services.approve_story(story, reviewer), reviewer)
    assert story.published_at == first
    assert [(e.from_state, e.to_state, e.actor) for e in StoryEvent.objects.filter(story=story)] == [
        ("", "draft", author), ("draft", "in-review", author), ("in-review", "approved", reviewer),
        ("approved", "published", author), ("published", "withdrawn", reviewer), ("withdrawn", "in-review", author),
        ("in-review", "approved", reviewer), ("approved", "published", reviewer)]


def test_non_staff_cannot_move_stories(author, person):
    story = _story(author)
    with pytest.raises(services.RuleViolation):
        services.submit_story(story, person)
    assert Story.objects.get(pk=story.pk).state == Story.State.DRAFT


def test_markdown_is_sanitized_and_embeds_are_found():
    html = storytext.render("# T\n\n**bold** <script>alert(1)</script> [x](javascript:alert(1))\n\n{{ dataset:abc }}",
                            lambda e: f"<figure>{e.kind}:{e.ref}</figure>")
    assert "<strong>bold</strong>" in html and "<script>" not in html and "javascript:" not in html
    assert "<figure>dataset:abc</figure>" in html
    assert storytext.embeds("{{ indicator:SP.POP.TOTL?country=ke }}")[0].params == {"country": "ke"}


def test_a_story_shows_live_figures_from_the_data(client, author, reviewer, data):
    body = "Population:\n\n{{ indicator:SP.POP.TOTL?country=KE }}\n\nThe dataset:\n\n{{ dataset:wb-pop }}\n\n{{ dataset:gone }}"
    story = _story(author, body=body)
    services.publish_story(services.approve_story(services.submit_story(story, author), reviewer), reviewer)
    page = client.get(story.get_absolute_url()).content.decode()
    assert "52,500,000" in page and 'href="/pulse/datasets/wb-pop/"' in page
    assert "/api/v1/pulse/datasets/wb-pop/download/csv" in page
    assert "Figure not available" in page
    IndicatorValue.objects.filter(year=2020).update(value=53.0e6)  # tied to the data, not copied
    page = client.get(story.get_absolute_url()).content.decode()
    assert "53,000,000" in page
    # The embedded series is drawn as a chart too, named for screen readers, its bars
    # labelled by year; the same numbers stay in the table beneath it.
    assert '<svg class="sd-bars"' in page and 'role="img"' in page
    assert '<title id="figure-sp-pop-totl-ke">' in page and ">2020</text>" in page


def test_unpublished_story_hidden_from_public(client, author):
    story = _story(author)
    assert client.get(story.get_absolute_url()).status_code == 404
    client.force_login(author)
    assert client.get(story.get_absolute_url()).status_code == 200


def test_list_by_topic_and_country_and_feed(client, author, reviewer):
    ke = _story(author, title="Kenya story", topic="shutdowns")
    other = services.create_story(author, title="France story", body="x", countries=["FR"], topic="routing")
    draft = services.create_story(author, title="Unfinished story", body="x", countries=["KE"])
    for s in (ke, other):
        services.publish_story(services.approve_story(services.submit_story(s, author), reviewer), reviewer)
    everything = client.get("/pulse/stories/").content.decode()
    assert "Kenya story" in everything and "France story" in everything and draft.title not in everything
    by_country = client.get("/pulse/stories/", {"country": "ke"}).content.decode()
    assert "Kenya story" in by_country and "France story" not in by_country
    by_topic = client.get("/pulse/stories/", {"topic": "routing"}).content.decode()
    assert "France story" in by_topic and "Kenya story" not in by_topic
    feed = client.get("/pulse/stories/feed/")
    assert feed["Content-Type"].startswith("application/atom+xml")
    text = feed.content.decode()
    assert "Kenya story" in text and "France story" in text and draft.title not in text


def test_admin_actions_call_services(client, author, reviewer):
    from django.contrib.auth import get_user_model

    admin_user = get_user_model().objects.get(pk=reviewer.pk)
    admin_user.is_superuser = True
    admin_user.save()
    story = _story(author)
    services.submit_story(story, author)
    client.force_login(admin_user)
    url = "/admin/pulse/story/"
    client.post(url, {"action": "approve_story", "_selected_action": [story.pk]})
    assert Story.objects.get(pk=story.pk).state == Story.State.APPROVED
    client.post(url, {"action": "publish_story", "_selected_action": [story.pk]})
    assert Story.objects.get(pk=story.pk).state == Story.State.PUBLISHED
    # The author, even as an administrator, cannot approve their own.
    mine = _story(admin_user, title="Mine")
    services.submit_story(mine, admin_user)
    client.post(url, {"action": "approve_story", "_selected_action": [mine.pk]})
    assert Story.objects.get(pk=mine.pk).state == Story.State.IN_REVIEW
