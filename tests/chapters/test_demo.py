"""The demo: about 120 chapters in the six bureaus, every life-cycle state, labelled demo,
and a computed standing that agrees with each state."""

from __future__ import annotations

from collections import Counter

import pytest

from isoc.chapters import demo
from isoc.chapters import models as cm
from isoc.chapters import services as cs

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_chapters():
    from isoc.members import demo as members_demo

    members_demo.generate(people=200, organizations=5, seed=7, password="x")
    return demo.generate(seed=7)


def test_demo_chapters_cover_bureaus_and_states(demo_chapters):
    chapters = cm.Chapter.objects.filter(is_demo=True)
    assert 110 <= chapters.count() <= 130
    assert set(chapters.values_list("bureau__slug", flat=True)) == set(demo.PER_BUREAU)
    states = Counter(chapters.values_list("state", flat=True))
    assert set(states) == set(cm.Chapter.State.values)
    assert not cm.Chapter.objects.filter(is_demo=False, kind="chapter").exists()


def test_demo_standing_agrees_with_state(demo_chapters):
    chapters = list(cm.Chapter.objects.filter(is_demo=True))
    standings = cs.standings(chapters)
    for c in chapters:
        assert standings[c.pk].good == (c.state == "chartered"), (c.slug, c.state, standings[c.pk].failures)
    # The daily review changes nothing in a fresh demo.
    assert [(c.slug, f, t) for c, f, t in cs.review_all(dry_run=True) if c.is_demo] == []


def test_demo_standing_groups_have_members_and_officers(demo_chapters):
    for slug in ("accessibility", "youth"):
        group = cm.Chapter.objects.get(slug=slug)
        assert cs.member_count(group) >= 30
        assert cs.voting_delegate(group) is not None
        assert cs.in_good_standing(group)


def test_demo_runs_once_and_reset_replaces(demo_chapters):
    assert demo.generate(seed=7)["chapters"] == 0
    before = cm.Chapter.objects.filter(is_demo=True).count()
    assert demo.generate(seed=7, reset=True)["chapters"] == before
    assert cm.Chapter.objects.filter(is_demo=True).count() == before


def test_demo_officer_history_agrees_with_the_terms(demo_chapters):
    terms = cm.OfficerTerm.objects.filter(is_demo=True)
    assert terms.exists()
    appointed = set(cm.OfficerChange.objects.filter(kind="appointed").values_list("term_id", flat=True))
    assert appointed == set(terms.values_list("pk", flat=True))
    ended = set(cm.OfficerChange.objects.filter(kind__in=["ended", "dechartered"]).values_list("term_id", "ends_on"))
    assert ended == set(terms.filter(ends_on__isnull=False).values_list("pk", "ends_on"))
    assert cm.OfficerChange.objects.filter(kind="dechartered").exclude(chapter__state="de-chartered").count() == 0
    demo.generate(seed=7, reset=True)
    assert cm.OfficerChange.objects.filter(term__isnull=True).count() == 0  # the old rows went with their terms
