"""Demo routing data for ``make run`` and the page tests: generated, marked as demo
everywhere (datasets, networks, incidents, participants), and run through the real
pipeline (route summary, RPKI validation, incident detection, visibility, scores).

What it holds: 30 "Demo network" ASes (AS 4000000001…, a public range IANA has not
allocated, so no real network is named), each originating IPv4 /22s from 198.18.0.0/15
and an IPv6 /48 from 2001:db8::/32 (both reserved for benchmarks and documentation), seen
by three route-collector peers through two transit networks; a VRP set covering two
networks in three; and, month by month over the last six months, the story a score chart
should tell: invalid more-specifics fixed after a few months, a two-hour hijack, a route
leak through a multi-homed customer, more ROAs registered each month.
"""

from __future__ import annotations

import ipaddress
from datetime import UTC, datetime, timedelta

from django.db import transaction
from django.utils import timezone

from isoc.pulse.models import Country, Dataset, DataSource
from isoc.routing import pipeline, store
from isoc.routing.elements import batches_from_elements
from isoc.routing.models import (
    AutonomousSystem,
    ManrsParticipant,
    ParticipantNetwork,
    RoutingIncident,
    Snapshot,
)
from isoc.routing.mrt import AS_SEQUENCE, PathAttributes, RouteElement
from isoc.routing.vrps import from_records

DEMO_ASN = 4_000_000_000
NETWORKS = 30
TRANSIT = (DEMO_ASN + 950, DEMO_ASN + 951)
PEERS = (("192.0.2.1", DEMO_ASN + 901), ("192.0.2.2", DEMO_ASN + 902), ("192.0.2.3", DEMO_ASN + 903))
COUNTRIES = ("KE", "BR", "DE", "IN", "ZA", "FR")
MONTHS = 6
LEAKER, LEAKED = 5, 7  # network indexes: 5 is a customer of both transits, 7 of the second only


def asn(i: int) -> int:
    return DEMO_ASN + 1 + i


def v4_prefixes(i: int) -> list[str]:
    base = int(ipaddress.IPv4Address("198.18.0.0")) + i * 2 * 1024
    return [f"{ipaddress.IPv4Address(base)}/22", f"{ipaddress.IPv4Address(base + 1024)}/22"]


def v6_prefix(i: int) -> str:
    return f"2001:db8:{i + 1:x}::/48"


def _route(kind: str, t: int, peer: tuple[str, int], prefix: str, path: list[int]) -> RouteElement:
    source = "BGP4MP" if kind in ("A", "W") else "TABLE_DUMP2"
    attrs = None if kind == "W" else PathAttributes(origin=0, as_path=[(AS_SEQUENCE, tuple(path))], has_as_path=True,
                                                    next_hop=peer[0])
    return RouteElement(source, kind, t, peer[0], peer[1], prefix, attrs=attrs)


def _transit(i: int) -> int:
    return TRANSIT[i % 2]


def month_elements(month: int, t0: int) -> list[RouteElement]:
    """A RIB at ``t0`` and a day of updates after it, for demo month ``month`` (0 oldest)."""
    out: list[RouteElement] = []
    for peer in PEERS:
        for i in range(NETWORKS):
            path = [peer[1], _transit(i), asn(i)]
            for prefix in [*v4_prefixes(i), v6_prefix(i)]:
                out.append(_route("B", t0, peer, prefix, path))
            if i % 4 == 1 and month < 4:
                # A more-specific /24 beyond the ROA's maxLength: invalid until fixed in month 4.
                sub = v4_prefixes(i)[0].replace("/22", "/24")
                out.append(_route("B", t0, peer, sub, path))
    # Updates: a two-hour hijack of network 2's first /22 by network 3 in month 2 …
    if month == 2:
        victim = v4_prefixes(2)[0]
        for peer in PEERS[:2]:
            out.append(_route("A", t0 + 3600, peer, victim, [peer[1], _transit(3), asn(3)]))
        for peer in PEERS[:2]:
            out.append(_route("A", t0 + 3 * 3600, peer, victim, [peer[1], _transit(2), asn(2)]))
    # … and a route leak (network 5 re-announces network 7's prefix from one provider to the
    # other) in months 1 and 4, lasting 20 minutes and then two days.
    if month in (1, 4):
        leaked = v4_prefixes(LEAKED)[1]
        length = 1200 if month == 1 else 2 * 86400
        peer = PEERS[0]
        out.append(_route("A", t0 + 7200, peer, leaked, [peer[1], TRANSIT[0], asn(LEAKER), TRANSIT[1], asn(LEAKED)]))
        out.append(_route("A", t0 + 7200 + length, peer, leaked, [peer[1], _transit(LEAKED), asn(LEAKED)]))
    out.append(_route("A", t0 + 3 * 86400, PEERS[2], v6_prefix(0), [PEERS[2][1], _transit(0), asn(0)]))
    out.sort(key=lambda e: e.timestamp)
    return out


def demo_vrps(month: int):
    """ROAs for networks i % 3 != 0 from the start; the others register one by one."""
    records = []
    for i in range(NETWORKS):
        if i % 3 == 0 and i // 3 > month * 2:
            continue
        for prefix in v4_prefixes(i):
            records.append((prefix, 22, asn(i)))
        records.append((v6_prefix(i), 48, asn(i)))
    return from_records(records)


def demo_relationships() -> dict[tuple[int, int], int]:
    rel: dict[tuple[int, int], int] = {(TRANSIT[0], TRANSIT[1]): 0, (TRANSIT[1], TRANSIT[0]): 0}
    for i in range(NETWORKS):
        providers = TRANSIT if i == LEAKER else (_transit(i),)
        for p in providers:
            rel[(p, asn(i))] = -1
            rel[(asn(i), p)] = 1
    for _ip, peer_asn in PEERS:
        for t in TRANSIT:
            rel[(peer_asn, t)] = rel[(t, peer_asn)] = 0
    return rel


def _source() -> DataSource:
    source, _ = DataSource.objects.get_or_create(slug="demo", defaults={
        "name": "Demo data (generated)", "publisher": "isoc demo generator", "licence": "Generated, no real data"})
    return source


def _month_start(now: datetime, back: int) -> datetime:
    first = now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    for _ in range(back):
        first = (first - timedelta(days=1)).replace(day=1)
    return first


def remove() -> None:
    datasets = Dataset.objects.filter(is_demo=True, slug__startswith="demo-routing-")
    RoutingIncident.objects.filter(dataset__in=datasets).delete()
    Snapshot.objects.filter(dataset__in=datasets).delete()
    ManrsParticipant.objects.filter(is_demo=True).delete()
    AutonomousSystem.objects.filter(is_demo=True).delete()
    datasets.delete()


@transaction.atomic
def generate(now: datetime | None = None, reset: bool = False) -> dict:
    """Create the routing demo (idempotent: does nothing when it exists, unless ``reset``)."""
    from isoc.routing.services import recompute_scores, store_route_import, store_vrps

    if reset:
        remove()
    if Snapshot.objects.filter(dataset__slug__startswith="demo-routing-").exists():
        return {"snapshots": 0, "incidents": 0}
    now = now or timezone.now()
    countries = set(Country.objects.filter(code__in=COUNTRIES).values_list("code", flat=True))
    networks = []
    for i in range(NETWORKS):
        cc = COUNTRIES[i % len(COUNTRIES)]
        networks.append(AutonomousSystem(
            asn=asn(i), name=f"DEMO-NET-{i + 1}", description=f"Demo network {i + 1} (generated)",
            country_id=cc if cc in countries else None, rir="demo",
            contact_email=f"noc@demo-net-{i + 1}.example" if i % 2 == 0 else "", is_demo=True))
    for n, label in ((TRANSIT[0], "A"), (TRANSIT[1], "B")):
        networks.append(AutonomousSystem(asn=n, name=f"DEMO-TRANSIT-{label}", description="Demo transit network (generated)", is_demo=True))
    AutonomousSystem.objects.bulk_create(networks, ignore_conflicts=True)
    source = _source()
    relationships = demo_relationships()
    asn_country = {n.asn: n.country_id for n in networks if n.country_id}
    incidents = 0
    months = []
    for back in range(MONTHS - 1, -1, -1):
        month = MONTHS - 1 - back
        start = _month_start(now, back) + timedelta(days=1)
        if start > now:
            start = _month_start(now, back)
        months.append(start.date().replace(day=1))
        vrp_ds = Dataset.objects.create(
            source=source, slug=f"demo-routing-vrps-{start:%Y-%m}", title=f"Demo RPKI VRPs {start:%Y-%m} (generated)",
            kind=Dataset.Kind.DEMO, origin="generated", retrieved_at=start, importer="demo", importer_version="1", is_demo=True)
        vrpset = demo_vrps(month)
        store_vrps(vrp_ds, vrpset)
        index = store.vrp_index(vrp_ds)
        context = pipeline.Context(vrp_index=index[1] if index else None, relationships=relationships,
                                   asn_country=asn_country, vrp_source=vrp_ds.pk)
        t0 = int(start.astimezone(UTC).timestamp())
        result = pipeline.analyse_batches(batches_from_elements(month_elements(month, t0)), context)
        ds = Dataset.objects.create(
            source=source, slug=f"demo-routing-bgp-{start:%Y-%m}", title=f"Demo BGP routes {start:%Y-%m} (generated)",
            kind=Dataset.Kind.DEMO, origin="generated", retrieved_at=start, importer="demo", importer_version="1", is_demo=True)
        store_route_import(ds, result, rescore=False)
        RoutingIncident.objects.filter(dataset=ds).update(is_demo=True)
        incidents += len(result.incidents)
    _participants(asn_country)
    recompute_scores(months=months)
    return {"snapshots": MONTHS, "incidents": incidents}


def _participants(asn_country: dict[int, str]) -> None:
    from isoc.members.models import Organization

    orgs = list(Organization.objects.filter(is_demo=True).order_by("pk")[:4])
    actions_all = ["filtering", "anti-spoofing", "coordination", "global-validation"]
    for k in range(6):
        members = [asn(i) for i in range(k * 4, k * 4 + 2)]
        p = ManrsParticipant.objects.create(
            name=f"Demo MANRS participant {k + 1}", slug=f"demo-manrs-{k + 1}",
            organization=orgs[k] if k < len(orgs) else None,
            programme=ManrsParticipant.Programme.NETWORK_OPERATOR if k % 3 else ManrsParticipant.Programme.IXP,
            country_id=asn_country.get(members[0]), joined_on=(timezone.now() - timedelta(days=400 - 30 * k)).date(),
            actions=actions_all if k % 2 == 0 else ["filtering", "coordination", "global-validation"], is_demo=True)
        ParticipantNetwork.objects.bulk_create([ParticipantNetwork(participant=p, asn=a) for a in members])
