"""The two programmes and their tracks, seeded by migration 0002 (not demo data: these
are the Internet Society's own programmes; staff edit them in the admin). Courses are
not known when migrations run: staff (or ``isoc demo``) set each track's prerequisite
course and each programme's onboarding course."""

from __future__ import annotations

PROGRAMMES = [
    {
        "slug": "next-generation-leaders", "name": "Next Generation Leaders", "order": 1,
        "summary": "Develops young professionals into Internet policy and technology leaders through online "
                   "courses, mentoring and participation in Internet governance.",
        "asks_travel": False,
        "tracks": [
            {"slug": "youth", "name": "Youth", "min_age": 20, "max_age": 30,
             "description": "For people aged 20 to 30 starting their path in Internet policy or technology."},
            {"slug": "policy", "name": "Policy", "endorsement_required": True,
             "description": "For professionals in policy, endorsed by an Internet Society chapter."},
        ],
    },
    {
        "slug": "igf-ambassadors", "name": "IGF Ambassadors", "order": 2,
        "summary": "Funds people to attend the annual Internet Governance Forum and take part in its sessions.",
        "asks_travel": True,
        "tracks": [
            {"slug": "youth", "name": "Youth", "min_age": 18, "max_age": 30,
             "description": "For people aged 18 to 30 who completed the Internet governance course."},
            {"slug": "policy", "name": "Policy", "endorsement_required": True,
             "description": "For policy practitioners endorsed by an Internet Society chapter."},
        ],
    },
]


def seed(apps=None) -> None:
    """Create the programmes and tracks missing (idempotent; keeps staff edits)."""
    if apps is None:
        from isoc.fellowships.models import Programme, Track
    else:
        Programme = apps.get_model("fellowships", "Programme")  # noqa: N806
        Track = apps.get_model("fellowships", "Track")  # noqa: N806
    for data in PROGRAMMES:
        data = dict(data)
        tracks = data.pop("tracks")
        programme, _ = Programme.objects.get_or_create(slug=data["slug"], defaults=data)
        for track in tracks:
            Track.objects.get_or_create(programme=programme, slug=track["slug"], defaults=track)
