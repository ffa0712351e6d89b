"""Community network state changes: add, update, record support, record a training.

Each is one transaction that locks the network's row, checks who may act and what was
typed, and leaves a ``NetworkEvent`` (who, when, field → [before, after]). Refusals raise
``RuleViolation`` (``code="forbidden"`` when the person may not act) naming the field.

Who may act: staff, everywhere; an officer of a chapter (in office today) in the
countries that chapter serves (its country and the other countries of a cross-border
chapter), and on networks linked to their chapter; nobody else.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from isoc.chapters import services as chapter_services
from isoc.chapters.models import Chapter
from isoc.infra.models.community import (
    MAX_PEOPLE_SERVED,
    CommunityNetwork,
    NetworkEvent,
    NetworkStatus,
    NetworkTechnology,
    SupportKind,
    SupportReceived,
    Technology,
    Training,
)
from isoc.members.countries import CURRENCY_CHOICES
from isoc.members.models import Person
from isoc.members.services import RuleViolation
from isoc.pulse.models import Country

# Addresses under /pulse/community-networks/ that a network's slug must not take.
RESERVED_SLUGS = frozenset({"add", "planner", "map", "api"})
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
MAX_TEXT = {"name": 200, "place": 200, "operator": 200, "description": 4000, "website": 200, "note": 500,
            "provider": 200, "topic": 200}


# --- who may act ------------------------------------------------------------------------


@dataclass(frozen=True)
class Reach:
    """Where a person may act: every country (staff), or their chapters' countries and chapters."""

    everywhere: bool
    countries: frozenset[str]
    chapter_ids: frozenset[int]

    @property
    def anywhere(self) -> bool:
        return self.everywhere or bool(self.countries) or bool(self.chapter_ids)


def reach(person: Person | None) -> Reach:
    if person is None or not getattr(person, "is_authenticated", False) or person.pk is None:
        return Reach(False, frozenset(), frozenset())
    if person.is_staff:
        return Reach(True, frozenset(), frozenset())
    chapters = list(chapter_services.officer_chapters(person).exclude(state=Chapter.State.DECHARTERED))
    countries = set()
    for c in chapters:
        if c.country:
            countries.add(c.country.upper())
        countries.update(str(x).upper() for x in (c.extra_countries or []))
    return Reach(False, frozenset(countries), frozenset(c.pk for c in chapters))


def may_add(person: Person | None, country_code: str | None = None) -> bool:
    """Whether ``person`` may add a network (in ``country_code``, or anywhere they can)."""
    r = reach(person)
    if country_code is None:
        return r.everywhere or bool(r.countries)
    return r.everywhere or country_code.upper() in r.countries


def may_update(person: Person | None, network: CommunityNetwork) -> bool:
    r = reach(person)
    return r.everywhere or network.country_id in r.countries or (
        network.chapter_id is not None and network.chapter_id in r.chapter_ids)


def linkable_chapters(person: Person | None) -> QuerySet[Chapter]:
    """Chapters a person may name as running or supporting a network."""
    r = reach(person)
    live = Chapter.objects.exclude(state=Chapter.State.DECHARTERED).filter(kind=Chapter.Kind.CHAPTER)
    return live if r.everywhere else live.filter(pk__in=r.chapter_ids)


def addable_countries(person: Person | None) -> QuerySet[Country]:
    r = reach(person)
    return Country.objects.all() if r.everywhere else Country.objects.filter(code__in=r.countries)


def _forbidden(message: str) -> RuleViolation:
    return RuleViolation(message, code="forbidden")


# --- checking what was typed --------------------------------------------------------------


def _text(value: Any, field: str, *, required: bool = True) -> str:
    text = "" if value is None else str(value).strip()
    if _CONTROL.search(text):
        raise RuleViolation(_("This text has control characters; type it again."), field)
    if required and not text:
        raise RuleViolation(_("This field is required."), field)
    if len(text) > MAX_TEXT.get(field, 200):
        raise RuleViolation(_("At most %(n)s characters.") % {"n": MAX_TEXT.get(field, 200)}, field)
    return text


def _coordinate(value: Any, field: str, limit: int) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError) as exc:
        raise RuleViolation(_("Not a number."), field) from exc
    if not number.is_finite() or not -limit <= number <= limit:
        raise RuleViolation(_("Between %(low)s and %(high)s degrees.") % {"low": -limit, "high": limit}, field)
    return number.quantize(Decimal("0.00001"))


def _whole(value: Any, field: str, high: int) -> int:
    try:
        number = int(str(value).strip()) if not isinstance(value, int) else value
    except (TypeError, ValueError) as exc:
        raise RuleViolation(_("A whole number."), field) from exc
    if isinstance(value, bool) or not 0 <= number <= high:
        raise RuleViolation(_("Between 0 and %(high)s.") % {"high": high}, field)
    return number


def _country(value: Any) -> Country:
    if isinstance(value, Country):
        return value
    code = str(value or "").strip().upper()
    country = Country.objects.filter(code=code).first() if re.fullmatch(r"[A-Z]{2}", code) else None
    if country is None:
        raise RuleViolation(_("Choose a country."), "country")
    return country


def _technologies(values: Any) -> list[str]:
    chosen = sorted({str(v) for v in (values or [])})
    if not chosen:
        raise RuleViolation(_("Choose at least one technology."), "technologies")
    unknown = [v for v in chosen if v not in Technology.values]
    if unknown:
        raise RuleViolation(_("Unknown technology: %(v)s") % {"v": unknown[0][:40]}, "technologies")
    return chosen


def _website(value: Any) -> str:
    text = _text(value, "website", required=False)
    if text:
        try:
            URLValidator(schemes=["http", "https"])(text)
        except ValidationError as exc:
            raise RuleViolation(_("Enter a web address starting with http:// or https://."), "website") from exc
    return text


def _day(value: Any, field: str) -> date:
    if isinstance(value, datetime):
        value = value.date()
    if not isinstance(value, date):
        raise RuleViolation(_("Enter a date."), field)
    return value


def _facts(data: dict[str, Any]) -> dict[str, Any]:
    """The checked facts of a network from what was typed (every field, like a form)."""
    status = str(data.get("status") or NetworkStatus.ACTIVE)
    if status not in NetworkStatus.values:
        raise RuleViolation(_("Choose a status."), "status")
    latitude = _coordinate(data.get("latitude"), "latitude", 90)
    longitude = _coordinate(data.get("longitude"), "longitude", 180)
    if (latitude is None) != (longitude is None):
        raise RuleViolation(_("Give both latitude and longitude, or neither."),
                            "longitude" if longitude is None else "latitude")
    started_on = data.get("started_on") or None
    if started_on is not None:
        started_on = _day(started_on, "started_on")
        if started_on > timezone.localdate() and status != NetworkStatus.PLANNED:
            raise RuleViolation(_("Only a planned network starts in the future."), "started_on")
    chapter = data.get("chapter") or None
    if chapter is not None and not isinstance(chapter, Chapter):
        raise RuleViolation(_("Choose a chapter."), "chapter")
    return {
        "name": _text(data.get("name"), "name"), "country": _country(data.get("country")),
        "place": _text(data.get("place"), "place"), "latitude": latitude, "longitude": longitude,
        "technologies": _technologies(data.get("technologies")),
        "people_served": _whole(data.get("people_served", 0) or 0, "people_served", MAX_PEOPLE_SERVED),
        "operator": _text(data.get("operator"), "operator"), "chapter": chapter, "status": status,
        "started_on": started_on, "website": _website(data.get("website")),
        "description": _text(data.get("description"), "description", required=False),
    }


FIELDS = ("name", "country", "place", "latitude", "longitude", "technologies", "people_served", "operator",
          "chapter", "status", "started_on", "website", "description")


def _plain(field: str, value: Any) -> Any:
    """A fact as JSON for the history."""
    if value is None:
        return None
    if field == "country":
        return value.code if isinstance(value, Country) else value
    if field == "chapter":
        return value.slug if isinstance(value, Chapter) else value
    if isinstance(value, Decimal | date):
        return str(value)
    return value


def _current(network: CommunityNetwork) -> dict[str, Any]:
    out = {f: getattr(network, f) for f in FIELDS if f not in ("technologies", "country", "chapter")}
    out["country"] = network.country
    out["chapter"] = network.chapter
    out["technologies"] = network.technology_values()
    return out


def _unique_slug(name: str) -> str:
    base = (slugify(name) or "network")[:100].strip("-") or "network"
    if base in RESERVED_SLUGS:
        base = f"{base}-network"
    slug, n = base, 2
    while CommunityNetwork.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def _check_chapter(actor: Person | None, chapter: Chapter | None, before: Chapter | None = None) -> None:
    """Only staff link any chapter; an officer links their own (or keeps the link there was)."""
    if chapter is None or (before is not None and chapter.pk == before.pk):
        return
    if not linkable_chapters(actor).filter(pk=chapter.pk).exists():
        raise RuleViolation(_("You may only name a chapter you are an officer of."), "chapter", code="forbidden")


# --- operations -------------------------------------------------------------------------


def _create(facts: dict[str, Any], *, actor: Person | None, at: datetime, is_demo: bool) -> CommunityNetwork:
    technologies = facts.pop("technologies")
    network = CommunityNetwork.objects.create(slug=_unique_slug(facts["name"]), created_at=at, updated_at=at,
                                              is_demo=is_demo, **facts)
    NetworkTechnology.objects.bulk_create([NetworkTechnology(network=network, technology=t) for t in technologies])
    facts["technologies"] = technologies
    NetworkEvent.objects.create(network=network, kind=NetworkEvent.Kind.ADDED, at=at, actor=actor, is_demo=is_demo,
                                changes={f: [None, _plain(f, facts[f])] for f in FIELDS if facts[f] not in (None, "", [])})
    return network


@transaction.atomic
def add_network(actor: Person | None, *, at: datetime | None = None, is_demo: bool = False,
                **data: Any) -> CommunityNetwork:
    """Add a network to the registry (staff anywhere; a chapter's officer in its countries)."""
    if not may_add(actor):
        raise _forbidden(_("Only the secretariat and chapter officers can add community networks."))
    facts = _facts(data)
    if not may_add(actor, facts["country"].code):
        raise RuleViolation(_("You may add networks only in the countries your chapter serves."), "country",
                            code="forbidden")
    _check_chapter(actor, facts["chapter"])
    return _create(facts, actor=actor, at=at or timezone.now(), is_demo=is_demo)


def _lock(network: CommunityNetwork) -> CommunityNetwork:
    return CommunityNetwork.objects.select_for_update().get(pk=network.pk)


def _require_update(actor: Person | None, network: CommunityNetwork) -> None:
    if not may_update(actor, network):
        raise _forbidden(_("Only the secretariat and the officers of a chapter serving its country can change "
                           "this network."))


@transaction.atomic
def update_network(network: CommunityNetwork, actor: Person | None, *, at: datetime | None = None,
                   **data: Any) -> NetworkEvent | None:
    """Change a network's facts (every field given, as a form sends them); the event lists
    what changed. Nothing changed: no event (None)."""
    network = _lock(network)
    _require_update(actor, network)
    facts = _facts(data)
    if facts["country"].code != network.country_id and not may_add(actor, facts["country"].code):
        raise RuleViolation(_("You may move a network only to a country your chapter serves."), "country",
                            code="forbidden")
    _check_chapter(actor, facts["chapter"], network.chapter)
    before = _current(network)
    changes = {f: [_plain(f, before[f]), _plain(f, facts[f])] for f in FIELDS
               if _plain(f, before[f]) != _plain(f, facts[f])}
    if not changes:
        return None
    at = at or timezone.now()
    technologies = facts.pop("technologies")
    for name, value in facts.items():
        setattr(network, name, value)
    network.updated_at = at
    network.save()
    if "technologies" in changes:
        network.technologies.exclude(technology__in=technologies).delete()
        have = set(network.technologies.values_list("technology", flat=True))
        NetworkTechnology.objects.bulk_create([NetworkTechnology(network=network, technology=t)
                                               for t in technologies if t not in have])
    return NetworkEvent.objects.create(network=network, kind=NetworkEvent.Kind.UPDATED, at=at, actor=actor,
                                       changes=changes, is_demo=network.is_demo)


def _amount(value: Any) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        amount = Decimal(str(value).strip())
    except (InvalidOperation, ValueError) as exc:
        raise RuleViolation(_("Not an amount of money."), "amount") from exc
    if not amount.is_finite() or amount < 0 or amount >= Decimal("1e10"):
        raise RuleViolation(_("An amount is zero or more, and less than ten billion."), "amount")
    return amount.quantize(Decimal("0.01"))


@transaction.atomic
def record_support(network: CommunityNetwork, actor: Person | None, *, kind: str, provider: str, received_on: date,
                   amount: Any = None, currency: str = "", note: str = "", at: datetime | None = None,
                   is_demo: bool = False) -> SupportReceived:
    """Record support the network received; a grant is money, so it has an amount and currency."""
    network = _lock(network)
    if not is_demo:
        _require_update(actor, network)
    if kind not in SupportKind.values:
        raise RuleViolation(_("Choose a kind of support."), "kind")
    provider = _text(provider, "provider")
    received_on = _day(received_on, "received_on")
    if received_on > timezone.localdate():
        raise RuleViolation(_("Record support once it was received."), "received_on")
    value = _amount(amount)
    currency = (currency or "").strip().upper()
    if kind == SupportKind.GRANT and value is None:
        raise RuleViolation(_("A grant has an amount."), "amount")
    if value is not None and currency not in dict(CURRENCY_CHOICES):
        raise RuleViolation(_("Choose the amount's currency."), "currency")
    if value is None:
        currency = ""
    note = _text(note, "note", required=False)
    at = at or timezone.now()
    row = SupportReceived.objects.create(network=network, kind=kind, provider=provider, amount=value,
                                         currency=currency, received_on=received_on, note=note, recorded_by=actor,
                                         recorded_at=at, is_demo=is_demo or network.is_demo)
    NetworkEvent.objects.create(network=network, kind=NetworkEvent.Kind.SUPPORT, at=at, actor=actor,
                                is_demo=row.is_demo, changes={"support": [None, {
                                    "kind": kind, "provider": provider, "received_on": str(received_on),
                                    "amount": str(value) if value is not None else None, "currency": currency}]})
    return row


@transaction.atomic
def record_training(network: CommunityNetwork, actor: Person | None, *, held_on: date, topic: str,
                    participants: Any, at: datetime | None = None, is_demo: bool = False) -> Training:
    """Record a training held for the network's community."""
    network = _lock(network)
    if not is_demo:
        _require_update(actor, network)
    held_on = _day(held_on, "held_on")
    if held_on > timezone.localdate():
        raise RuleViolation(_("Record a training once it was held."), "held_on")
    topic = _text(topic, "topic")
    count = _whole(participants, "participants", 100_000)
    if count < 1:
        raise RuleViolation(_("A training has at least one participant."), "participants")
    at = at or timezone.now()
    row = Training.objects.create(network=network, held_on=held_on, topic=topic, participants=count,
                                  recorded_by=actor, recorded_at=at, is_demo=is_demo or network.is_demo)
    NetworkEvent.objects.create(network=network, kind=NetworkEvent.Kind.TRAINING, at=at, actor=actor,
                                is_demo=row.is_demo, changes={"training": [None, {
                                    "held_on": str(held_on), "topic": topic, "participants": count}]})
    return row


def add_demo_network(*, at: datetime, **data: Any) -> CommunityNetwork:
    """A demo network, added as the system (no person); used by ``demo_community`` only."""
    with transaction.atomic():
        return _create(_facts(data), actor=None, at=at, is_demo=True)
