"""Demo events (all marked ``is_demo``): 50 events over the past and coming months, in
many time zones, global, regional and chapter-run, free and paid, some full with a
waitlist. Registrations go through the services, so seats, invoices and history are real."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from isoc.events import services
from isoc.events.models import (
    Event,
    EventFunding,
    EventRefund,
    Registration,
    RegistrationChange,
    Session,
)

COUNT = 50
PLACES = [  # (city, country, zone)
    ("Nairobi", "KE", "Africa/Nairobi"), ("Tallinn", "EE", "Europe/Tallinn"), ("Lima", "PE", "America/Lima"),
    ("Dhaka", "BD", "Asia/Dhaka"), ("Suva", "FJ", "Pacific/Fiji"), ("Montréal", "CA", "America/Toronto"),
    ("Madrid", "ES", "Europe/Madrid"), ("Accra", "GH", "Africa/Accra"), ("Kathmandu", "NP", "Asia/Kathmandu"),
    ("Geneva", "CH", "Europe/Zurich"),
]
TOPICS = ["Internet Governance Forum", "Community Networks Summit", "Routing Security Workshop", "Encryption Day",
          "IPv6 Deployment Clinic", "Internet Measurement Meetup", "Chapter Leaders Forum", "Youth Ambassadors Day",
          "Internet Shutdowns Roundtable", "Open Standards Hackathon"]
SESSIONS = ["Opening", "Keynote", "Panel: an open Internet", "Hands-on lab", "Lightning talks", "Closing"]


def remove() -> None:
    EventRefund.objects.filter(registration__is_demo=True).delete()
    RegistrationChange.objects.filter(registration__is_demo=True).delete()
    Registration.objects.filter(is_demo=True).delete()
    EventFunding.objects.filter(event__is_demo=True).delete()
    Event.objects.filter(is_demo=True).delete()


def _chapters() -> list:
    from isoc.chapters.models import Chapter

    return list(Chapter.objects.filter(kind=Chapter.Kind.CHAPTER).order_by("-is_demo", "pk")[:10])


@transaction.atomic
def generate(*, count: int = COUNT, seed: int = 2026, reset: bool = False, now: datetime | None = None) -> dict:
    """Create the demo events (does nothing when they exist, unless ``reset``)."""
    from isoc.members.models import Person

    if reset:
        remove()
    if Event.objects.filter(is_demo=True).exists():
        return {"events": 0, "registrations": 0}
    rng = random.Random(seed)
    now = (now or timezone.now()).replace(minute=0, second=0, microsecond=0)
    chapters = _chapters()
    people = list(Person.objects.filter(is_demo=True, is_active=True).order_by("pk")[:400])
    made = registrations = 0
    for i in range(count):
        city, country, zone = PLACES[i % len(PLACES)]
        topic = TOPICS[i % len(TOPICS)]
        days = rng.randint(-120, 180) if i >= 4 else 20 + i  # the first four: upcoming, for the crawl and the demo
        starts = now + timedelta(days=days, hours=rng.randint(0, 10))
        length = timedelta(hours=rng.choice([2, 3, 8, 24 + 8]))
        scope = Event.Scope.CHAPTER if chapters and i % 5 == 2 else (Event.Scope.REGIONAL if i % 3 == 0 else Event.Scope.GLOBAL)
        mode = [Event.Mode.ONLINE, Event.Mode.IN_PERSON, Event.Mode.HYBRID][i % 3]
        paid = i % 4 == 1
        capacity = 3 if i in (0, 3) else rng.choice([10, 25, 50, 100])
        members_open = starts - timedelta(days=60)
        public_open = members_open + timedelta(days=rng.choice([0, 7, 14]))
        if i == 2:  # one still in the members' priority window
            public_open = now + timedelta(days=5)
        event = Event.objects.create(
            slug=slugify(f"demo-{topic}-{city}-{i + 1}")[:120], title=f"{topic} {city} (demo)",
            summary=f"A generated demo event: {topic.lower()} in {city}.",
            description="Generated demo data: this event does not exist.\n\nIt shows how events, agendas, "
                        "registration windows and waitlists work.",
            scope=scope, chapter=chapters[i % len(chapters)] if scope == Event.Scope.CHAPTER else None,
            region="Africa" if scope == Event.Scope.REGIONAL and country in ("KE", "GH") else "",
            mode=mode, venue="" if mode == Event.Mode.ONLINE else f"{city} Conference Centre",
            city="" if mode == Event.Mode.ONLINE else city, country="" if mode == Event.Mode.ONLINE else country,
            online_url="https://meet.example.org/demo" if mode != Event.Mode.IN_PERSON else "",
            time_zone=zone, starts_at=starts, ends_at=starts + length, capacity=capacity,
            members_open_at=members_open, public_open_at=min(public_open, starts), closes_at=starts,
            fee=Decimal(rng.choice(["25.00", "50.00", "120.00"])) if paid else Decimal("0.00"),
            currency=rng.choice(["USD", "EUR"]), is_demo=True,
        )
        for k, title in enumerate(SESSIONS[: max(2, min(len(SESSIONS), int(length.total_seconds() // 3600)))]):
            at = starts + timedelta(minutes=45 * k)
            if at + timedelta(minutes=40) <= event.ends_at:
                Session.objects.create(event=event, title=title, starts_at=at, ends_at=at + timedelta(minutes=40),
                                       room=f"Room {k % 3 + 1}", speakers="Demo Speaker" if k else "")
        made += 1
        if people and event.phase(now) in ("open", "members_only"):
            want = capacity + 2 if capacity <= 3 else rng.randint(0, min(capacity, 12))
            for person in rng.sample(people, min(want, len(people))):
                try:
                    services.register(event, person, at=now, notify=False)
                    registrations += 1
                except services.RuleViolation:
                    continue  # e.g. not a member during the priority window
    return {"events": made, "registrations": registrations}
