"""Reference data of the chapters app: the six regional bureaus, the standards in force,
and the two global standing groups (Accessibility, Youth). Used by the migration and, in
tests, after a transactional test empties the tables. Idempotent: it never overwrites
what staff changed."""

from __future__ import annotations

from datetime import UTC, datetime

from isoc.pulse.regions import ISOC_REGIONS

STANDARDS_FROM = datetime(2000, 1, 1, tzinfo=UTC)
STANDING_GROUPS = [
    ("accessibility", "Accessibility Standing Group",
     "People working for an Internet that everyone can use, whatever their abilities."),
    ("youth", "Youth Standing Group",
     "Young people shaping the future of the Internet, wherever they live."),
]


def seed(apps=None, schema_editor=None) -> None:
    if apps is None:
        from django.apps import apps as global_apps

        apps = global_apps
    Bureau = apps.get_model("chapters", "RegionalBureau")
    Standards = apps.get_model("chapters", "ChapterStandards")
    Chapter = apps.get_model("chapters", "Chapter")
    Transition = apps.get_model("chapters", "ChapterTransition")
    for order, (slug, name) in enumerate(ISOC_REGIONS.items(), start=1):
        Bureau.objects.get_or_create(slug=slug, defaults={"name": name, "order": order})
    if not Standards.objects.exists():
        Standards.objects.create(effective_from=STANDARDS_FROM, required_roles=["chair", "secretary", "treasurer"])
    now = datetime.now(UTC)
    for slug, name, about in STANDING_GROUPS:
        if Chapter.objects.filter(slug=slug).exists():
            continue
        group = Chapter.objects.create(
            slug=slug, name=name, kind="standing-group", description=about, state="chartered",
            state_since=now, formed_at=now, chartered_at=now, country=None)
        Transition.objects.create(chapter=group, kind="formed", from_state="", to_state="in-formation", at=now,
                                  reason="An existing Internet Society standing group.")
        Transition.objects.create(chapter=group, kind="chartered", from_state="in-formation", to_state="chartered",
                                  at=now, reason="An existing Internet Society standing group.")
