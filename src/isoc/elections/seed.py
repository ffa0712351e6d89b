"""The electorates and seats of the Internet Society's Board of Trustees, from its bylaws
and membership model. Rows, not code: staff change weights, thresholds and seats."""

from __future__ import annotations

ELECTORATES = [
    # slug, name, kind, seats, petition threshold, appointed by
    ("chapters", "Chapters", "chapters", 4, 8, ""),
    ("organizations", "Organization members", "organizations", 4, 6, ""),
    ("sustaining", "Sustaining members", "sustaining", 1, 8, ""),
    ("ietf", "Appointed by the IETF", "appointed", 3, 0, "the IETF"),
    ("board", "Appointed by the Board", "appointed", 1, 0, "the Board of Trustees"),
]
TIER_WEIGHTS = {str(rank): rank for rank in range(1, 7)}


def seed(apps=None) -> None:
    """Create the electorates and their seats where missing (idempotent)."""
    if apps is None:
        from isoc.elections.models import Electorate, Seat
    else:
        Electorate, Seat = apps.get_model("elections", "Electorate"), apps.get_model("elections", "Seat")
    for order, (slug, name, kind, seats, threshold, by) in enumerate(ELECTORATES, start=1):
        electorate, _ = Electorate.objects.get_or_create(slug=slug, defaults={
            "name": name, "kind": kind, "petition_threshold": threshold, "appointed_by": by, "order": order,
            "weights": TIER_WEIGHTS if kind == "organizations" else {},
        })
        for number in range(1, seats + 1):
            Seat.objects.get_or_create(electorate=electorate, number=number)
