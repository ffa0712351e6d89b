"""The reads behind the IXP pages, API and CSV (one query, several renderings), and the
"keep local traffic local" statistics per IXP and per country.

Definitions (shown on the pages):

- an IXP's **members on a day**: distinct networks (ASNs) with a membership that began on
  or before that day and had not ended (``left_on`` after it, or none), any source;
- **member growth over 12 months**: members on the day minus members 365 days before, and
  that as a percentage of the earlier count; *not known* when the IXP's history does not
  reach back that far (its first snapshot is later);
- **route-server peering rate**: among the day's members whose source says whether they
  peer with the route server, the share that do; *not known* when no source says;
- a country's **routed networks**: networks registered in the country (routing's
  ``AutonomousSystem.country``) that originated routes in the latest month routing has
  scores for (``NetworkScore.routes > 0``); the **local-IXP share** is the part of them
  that are members of an IXP in the country; *not known* when routing has no such month.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Count, Q, QuerySet

from isoc.infra.models.ixps import Ixp, Membership
from isoc.infra.services.ixps import members_q

GROWTH_DAYS = 365
ACTIVE = Ixp.Status.ACTIVE


def search(*, q: str = "", country: str = "", city: str = "", asn: int | None = None, status: str = "",
           include_demo: bool = True) -> QuerySet[Ixp]:
    """IXPs by name (short or long), city, country code and member ASN (present or past)."""
    qs = Ixp.objects.select_related("country").annotate(source_count=Count("sources", distinct=True))
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(long_name__icontains=q) | Q(city__icontains=q))
    if country:
        qs = qs.filter(country_id=country.upper())
    if city:
        qs = qs.filter(city__icontains=city)
    if asn is not None:
        qs = qs.filter(memberships__asn=asn)
    if status:
        qs = qs.filter(status=status)
    if not include_demo:
        qs = qs.filter(is_demo=False)
    return qs.distinct().order_by("country__name", "name", "pk")


def members_on(ixp_ids, on: date) -> set[int]:
    return set(Membership.objects.filter(members_q(on), ixp_id__in=ixp_ids).values_list("asn", flat=True))


def history_start(ixp_ids) -> date | None:
    from django.db.models import Min

    return Membership.objects.filter(ixp_id__in=ixp_ids).aggregate(m=Min("record__first_seen"))["m"]


@dataclass
class Growth:
    now: int
    before: int | None  # None: the history does not reach back 12 months
    added: int | None
    percent: float | None


def growth(ixp_ids, on: date) -> Growth:
    now = len(members_on(ixp_ids, on))
    start = history_start(ixp_ids)
    year_ago = on - timedelta(days=GROWTH_DAYS)
    if start is None or start > year_ago:
        return Growth(now=now, before=None, added=None, percent=None)
    before = len(members_on(ixp_ids, year_ago))
    return Growth(now=now, before=before, added=now - before,
                  percent=round(100.0 * (now - before) / before, 1) if before else None)


def route_server_rate(ixp_ids, on: date) -> float | None:
    """Percent of the day's members (that a source says anything about) peering with the
    route server; None when no source says."""
    rows = Membership.objects.filter(members_q(on), ixp_id__in=ixp_ids, route_server_peer__isnull=False)
    said = dict(rows.values_list("asn", "route_server_peer"))
    peers = set(rows.filter(route_server_peer=True).values_list("asn", flat=True))
    if not said:
        return None
    return round(100.0 * len(peers) / len(said), 1)


@dataclass
class IxpStats:
    on: date
    members: int
    growth: Growth
    route_server_rate: float | None
    manrs: bool


def ixp_stats(ixp: Ixp, on: date) -> IxpStats:
    g = growth([ixp.pk], on)
    return IxpStats(on=on, members=g.now, growth=g, route_server_rate=route_server_rate([ixp.pk], on),
                    manrs=ixp.manrs_participant_id is not None)


def routed_networks(code: str) -> set[int] | None:
    """ASNs registered in the country that originated routes in routing's latest scored
    month; None when routing has no scores at all."""
    from isoc.routing.models import AutonomousSystem, NetworkScore

    month = NetworkScore.objects.order_by("-month").values_list("month", flat=True).first()
    if month is None:
        return None
    routed = NetworkScore.objects.filter(month=month, routes__gt=0).values_list("asn", flat=True)
    return set(AutonomousSystem.objects.filter(country_id=code.upper(), asn__in=routed).values_list("asn", flat=True))


@dataclass
class CountryStats:
    code: str
    on: date
    ixps: int  # active IXPs
    members: int  # distinct networks on them
    growth: Growth
    route_server_rate: float | None
    manrs_ixps: int
    routed: int | None
    routed_at_local_ixp: int | None
    local_share: float | None  # percent


def active_ixps(code: str | None = None) -> QuerySet[Ixp]:
    qs = Ixp.objects.filter(status=ACTIVE)
    return qs.filter(country_id=code.upper()) if code else qs


def country_stats(code: str, on: date) -> CountryStats:
    ixps = list(active_ixps(code).values_list("pk", "manrs_participant_id"))
    ids = [pk for pk, _m in ixps]
    g = growth(ids, on)
    members = members_on(ids, on)
    routed = routed_networks(code)
    at_local = len(routed & members) if routed is not None else None
    share = round(100.0 * at_local / len(routed), 1) if routed and at_local is not None else None
    return CountryStats(code=code.upper(), on=on, ixps=len(ids), members=len(members), growth=g,
                        route_server_rate=route_server_rate(ids, on), manrs_ixps=sum(1 for _p, m in ixps if m),
                        routed=len(routed) if routed is not None else None, routed_at_local_ixp=at_local,
                        local_share=share)


def ixps_by_country(on: date) -> dict[str, int]:
    """Active IXPs per country code, counting those seen by a source on or before ``on``."""
    rows = (active_ixps().filter(sources__first_seen__lte=on).values("country_id")
            .annotate(n=Count("pk", distinct=True)))
    return {r["country_id"]: r["n"] for r in rows if r["n"]}


def members_table(ixp: Ixp) -> list[dict]:
    """Every stay of every network on the IXP (all sources), newest first, with the name
    routing knows for the network."""
    from isoc.routing.models import AutonomousSystem

    stays = list(ixp.memberships.select_related("record").order_by("left_on", "asn", "first_seen"))
    names = dict(AutonomousSystem.objects.filter(asn__in={s.asn for s in stays}).values_list("asn", "name"))
    return [{"asn": s.asn, "name": s.organisation or names.get(s.asn, ""), "addresses": s.addresses,
             "route_server_peer": s.route_server_peer, "first_seen": s.first_seen, "last_seen": s.last_seen,
             "left_on": s.left_on, "source": s.record.source} for s in stays]
