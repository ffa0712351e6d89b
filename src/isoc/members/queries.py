"""Read queries shared by pages and the API, so both show the same thing."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Exists, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from isoc.members import models as m


def active_term_q(prefix: str, at: datetime) -> Q:
    return Q(**{f"{prefix}starts_at__lte": at}) & (
        Q(**{f"{prefix}ends_at__isnull": True}) | Q(**{f"{prefix}ends_at__gt": at})
    )


def active_members(at: datetime | None = None, category: str | None = None) -> QuerySet[m.Person]:
    """People with an active individual membership at ``at`` (optionally of one category)."""
    at = at or timezone.now()
    terms = m.MembershipTerm.objects.filter(
        active_term_q("", at),
        membership__person=OuterRef("pk"),
        membership__created_at__lte=at,
    ).filter(Q(membership__cancelled_at__isnull=True) | Q(membership__cancelled_at__gt=at))
    if category:
        terms = terms.filter(category=category)
    return m.Person.objects.filter(Exists(terms))


def directory(q: str = "", country: str = "", category: str = "") -> QuerySet[m.Person]:
    """Members who opted in to the directory, filtered as a visitor asked."""
    people = active_members(category=category or None).filter(directory_listed=True, erased_at__isnull=True, is_active=True)
    if country:
        # Country is a filter only where the member shows their country.
        people = people.filter(country=country, show_country=True)
    if q:
        for word in q.split()[:5]:
            people = people.filter(Q(first_name__icontains=word) | Q(last_name__icontains=word))
        # The people found by a surname sit together in name order, and PostgreSQL, taking
        # them for spread out, would walk the name index until it had a page of them (3 s
        # for a common name among a million people, bench/RESULTS.md). Ordering by the same
        # names through an expression that index cannot give makes it find them by the
        # trigram indexes (migration 0006) and sort only them. Same order: names are never NULL.
        return people.order_by(Coalesce("last_name", Value("")), Coalesce("first_name", Value("")), "pk")
    return people.order_by("last_name", "first_name", "pk")


def active_organizations(at: datetime | None = None) -> QuerySet[m.Organization]:
    at = at or timezone.now()
    terms = m.OrganizationTerm.objects.filter(active_term_q("", at), organization=OuterRef("pk"))
    return m.Organization.objects.filter(Exists(terms), cancelled_at__isnull=True).select_related("tier")
