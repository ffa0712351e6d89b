"""Demo IXPs (labelled demo): three dozen exchanges in twenty-odd countries with two years
of quarterly snapshots, so that members join and leave and growth shows. They are stored
through the same service as an import (source "demo"), never reconciled with real IXPs,
and never taken from the real PeeringDB or PCH files. Reproducible from a seed."""

from __future__ import annotations

import ipaddress
from datetime import date, timedelta
from pathlib import Path
from random import Random

from django.db import transaction
from django.utils import timezone

from isoc.infra.ixps_records import (
    ACTIVE,
    DEFUNCT,
    PLANNED,
    Snapshot,
    SourceIxp,
    SourceLan,
    SourceMember,
)

# (country, city) of the demo exchanges; the demo routing networks are in KE, BR, DE, IN, ZA, FR.
PLACES = [("KE", "Nairobi"), ("KE", "Mombasa"), ("BR", "São Paulo"), ("BR", "Porto Alegre"), ("DE", "Frankfurt"),
          ("DE", "Hamburg"), ("IN", "Mumbai"), ("IN", "Chennai"), ("ZA", "Johannesburg"), ("ZA", "Cape Town"),
          ("FR", "Paris"), ("FR", "Marseille"), ("NG", "Lagos"), ("GH", "Accra"), ("RW", "Kigali"), ("UG", "Kampala"),
          ("TZ", "Dar es Salaam"), ("SN", "Dakar"), ("EG", "Cairo"), ("AR", "Buenos Aires"), ("CL", "Santiago"),
          ("MX", "Mexico City"), ("CO", "Bogotá"), ("US", "Ashburn"), ("CA", "Toronto"), ("GB", "London"),
          ("NL", "Amsterdam"), ("SE", "Stockholm"), ("JP", "Tokyo"), ("SG", "Singapore"), ("AU", "Sydney"),
          ("ID", "Jakarta"), ("NP", "Kathmandu"), ("FJ", "Suva"), ("AE", "Dubai"), ("LB", "Beirut")]
QUARTERS = 8  # two years of snapshots, one per quarter, the last one today
DEMO_ASN_BASE = 4_000_000_000  # the demo routing networks' range (isoc.routing.demo)


def _ixps(rng: Random) -> list[SourceIxp]:
    out = []
    for i, (cc, city) in enumerate(PLACES):
        status = DEFUNCT if i % 17 == 16 else PLANNED if i % 13 == 12 else ACTIVE
        v4 = ipaddress.ip_network(f"100.{64 + i // 4}.{(i % 4) * 64}.0/26")  # shared address space (RFC 6598): never real
        v6 = ipaddress.ip_network(f"2001:db8:{i:x}::/64")  # documentation prefix (RFC 3849)
        lan = SourceLan(source_id=f"demo-{i}", name=f"Demo IX {city} peering LAN", rs_asn=64496 + i % 16,
                        prefixes=(v4, v6))
        out.append(SourceIxp(source="demo", source_id=str(i + 1), name=f"Demo IX {city}",
                             long_name=f"Demo Internet Exchange of {city}", country=cc, city=city, region="",
                             status=status, website="", established=date(2005 + rng.randrange(18), 1 + rng.randrange(12), 1),
                             lans=(lan,), raw={"generated": True}))
    return out


def _snapshots(today: date, seed: int) -> list[Snapshot]:
    rng = Random(seed)
    ixps = _ixps(rng)
    members: dict[str, set[int]] = {}
    says_rs = {x.source_id: rng.random() < 0.6 for x in ixps}  # the others' source "does not say"
    rs_peer: dict[tuple[str, int], bool] = {}
    snaps = []
    for q in range(QUARTERS + 1):
        on = today - timedelta(days=91 * (QUARTERS - q))
        ms = []
        for x in ixps:
            if x.status == PLANNED:
                continue
            if x.source_id not in members:
                members[x.source_id] = {DEMO_ASN_BASE + 1 + k for k in rng.sample(range(60), rng.randrange(3, 12))}
            current = members[x.source_id]
            if q and x.status == ACTIVE:
                current |= {DEMO_ASN_BASE + 1 + rng.randrange(60) for _ in range(rng.randrange(0, 4))}  # joiners
                for a in sorted(current):
                    if rng.random() < 0.05:
                        current.discard(a)  # leavers
            if x.status == DEFUNCT and q > QUARTERS // 2:
                current.clear()
            for a in sorted(current):
                rs = rs_peer.setdefault((x.source_id, a), rng.random() < 0.7) if says_rs[x.source_id] else None
                ms.append(SourceMember(ixp_source_id=x.source_id, asn=a, route_server_peer=rs,
                                       addresses=(str(x.lans[0].prefixes[0][a % 60 + 2]),)))
        snaps.append(Snapshot(source="demo", as_of=on, ixps=ixps, members=ms, files=[]))
    return snaps


def generate(*, reset: bool = False, seed: int = 2026) -> dict:
    """Create the demo IXPs (nothing when they exist, unless ``reset``)."""
    from isoc.infra.models.ixps import Ixp

    if reset:
        remove()
    elif Ixp.objects.filter(is_demo=True).exists():
        return {"demo IXPs": Ixp.objects.filter(is_demo=True).count()}
    from isoc.infra.services import ixps as services

    for snap in _snapshots(timezone.localdate(), seed):
        services.store_snapshot(snap, directory=Path("demo"))
    _link_manrs()
    return {"demo IXPs": Ixp.objects.filter(is_demo=True).count()}


def _link_manrs() -> None:
    """Link the first demo IXPs to the demo MANRS IXP-programme participants, where the
    routing demo made any."""
    from isoc.infra.models.ixps import Ixp
    from isoc.routing.models import ManrsParticipant

    participants = list(ManrsParticipant.objects.filter(is_demo=True, programme=ManrsParticipant.Programme.IXP).order_by("pk"))
    for ixp, p in zip(Ixp.objects.filter(is_demo=True, status=ACTIVE).order_by("pk"), participants, strict=False):
        ixp.manrs_participant, ixp.manrs_link = p, Ixp.ManrsLink.DEMO
        ixp.save(update_fields=["manrs_participant", "manrs_link"])


@transaction.atomic
def remove() -> None:
    from isoc.infra.models.ixps import Ixp
    from isoc.pulse.models import Dataset, ImportRun

    Ixp.objects.filter(is_demo=True).delete()
    ImportRun.objects.filter(importer="ixps-demo").delete()
    Dataset.objects.filter(is_demo=True, slug__startswith="demo-ixps-").delete()
