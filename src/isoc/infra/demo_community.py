"""Demo community networks (labelled demo): 30 networks across the six regions, with
support received and trainings held, some run with a demo chapter of their country.
Invented names and figures in real places; written through the services (history rows
included) as the system, with no person."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from random import Random

from django.db import transaction

from isoc.infra.models.community import CommunityNetwork

# (country, place, latitude, longitude, technologies)
PLACES: list[tuple[str, str, str, str, tuple[str, ...]]] = [
    ("KE", "Kibera, Nairobi", "-1.3133", "36.7892", ("wifi-mesh",)),
    ("ZA", "Mankosi, Eastern Cape", "-31.8960", "29.1650", ("fixed-wireless", "wifi-mesh")),
    ("NG", "Ikorodu, Lagos", "6.6194", "3.5105", ("wifi-mesh",)),
    ("GH", "Tamale", "9.4008", "-0.8393", ("fixed-wireless",)),
    ("TZ", "Bunda, Mara", "-2.0500", "33.8667", ("mobile",)),
    ("UG", "Gulu", "2.7724", "32.2881", ("wifi-mesh", "fibre")),
    ("SN", "Ndem, Diourbel", "14.8100", "-16.2000", ("fixed-wireless",)),
    ("CD", "Bukavu, South Kivu", "-2.5083", "28.8608", ("wifi-mesh",)),
    ("IN", "Gram Marg, Telangana", "17.3850", "78.4867", ("wifi-mesh", "fixed-wireless")),
    ("NP", "Nangi, Myagdi", "28.4500", "83.5833", ("fixed-wireless",)),
    ("ID", "Ciptagelar, West Java", "-6.7833", "106.5000", ("mobile", "wifi-mesh")),
    ("PH", "Aurora Province", "15.7500", "121.5000", ("mobile",)),
    ("PK", "Hunza Valley", "36.3167", "74.6500", ("fixed-wireless",)),
    ("BD", "Sylhet tea estates", "24.8949", "91.8687", ("wifi-mesh",)),
    ("FJ", "Vanua Levu villages", "-16.5833", "179.4167", ("fixed-wireless",)),
    ("ES", "Osona, Catalonia", "41.9300", "2.2550", ("fibre", "wifi-mesh")),
    ("DE", "Berlin-Kreuzberg", "52.4990", "13.4030", ("wifi-mesh",)),
    ("GB", "Broadband for the Rural North, Lancashire", "54.0500", "-2.6000", ("fibre",)),
    ("GR", "Sarantaporo, Thessaly", "39.9500", "22.0500", ("wifi-mesh",)),
    ("IT", "Ninux, Rome", "41.9028", "12.4964", ("wifi-mesh",)),
    ("AT", "Funkfeuer, Vienna", "48.2082", "16.3738", ("wifi-mesh", "fixed-wireless")),
    ("MX", "Talea de Castro, Oaxaca", "17.3667", "-96.2500", ("mobile",)),
    ("BR", "Fonte Nova, Bahia", "-12.9714", "-38.5014", ("wifi-mesh",)),
    ("AR", "Atalaya Sur, Buenos Aires", "-34.6667", "-58.5333", ("wifi-mesh", "fibre")),
    ("CO", "Sierra Nevada de Santa Marta", "10.8333", "-73.6667", ("fixed-wireless",)),
    ("PE", "Andean highlands, Cusco", "-13.5319", "-71.9675", ("mobile", "fixed-wireless")),
    ("LB", "Beirut neighbourhoods", "33.8938", "35.5018", ("wifi-mesh",)),
    ("JO", "Zaatari", "32.2936", "36.3264", ("wifi-mesh",)),
    ("US", "Red Hook, Brooklyn", "40.6755", "-74.0090", ("wifi-mesh",)),
    ("CA", "Nunavik communities", "58.4000", "-72.0000", ("fixed-wireless", "fibre")),
]
KINDS = ("Community Network", "Mesh", "Net", "Wireless Cooperative", "Community Internet")
FUNDERS = ("Internet Society Foundation", "Beyond the Net", "A national universal service fund",
           "APC community networks programme", "A local municipality")
TOPICS = ("Installing and aiming radios", "Solar power upkeep", "Running the network as a cooperative",
          "Network monitoring", "Digital literacy for new users", "Routing and addressing basics")
STATUSES = ["active"] * 7 + ["planned", "inactive"]
AT = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)  # recorded as of this day, so reruns agree


def _chapter_for(country: str):
    from isoc.chapters.models import Chapter

    return (Chapter.objects.filter(is_demo=True, country=country, kind=Chapter.Kind.CHAPTER)
            .exclude(state=Chapter.State.DECHARTERED).order_by("pk").first())


def generate(*, reset: bool = False, seed: int = 2026) -> dict:
    """Create the demo networks (nothing when they exist, unless ``reset``)."""
    from isoc.infra.services import community as svc

    if reset:
        remove()
    elif CommunityNetwork.objects.filter(is_demo=True).exists():
        return {}
    rng = Random(seed)
    support = trainings = linked = 0
    with transaction.atomic():
        for i, (country, place, lat, lon, techs) in enumerate(PLACES):
            name = f"{place.split(',')[0]} {KINDS[i % len(KINDS)]}"
            chapter = _chapter_for(country) if i % 3 != 2 else None
            linked += chapter is not None
            status = STATUSES[i % len(STATUSES)]
            started = date(2012 + i % 12, 1 + i % 12, 1)
            n = svc.add_demo_network(
                at=AT, name=name, country=country, place=place, latitude=lat, longitude=lon,
                technologies=list(techs), people_served=rng.randrange(150, 12000, 50),
                operator=chapter.name if chapter and i % 2 else f"{place.split(',')[0]} residents' association",
                chapter=chapter, status=status, started_on=started if status != "planned" else None,
                website="", description="A demo community network: invented figures in a real place.")
            for k in range(rng.randint(1, 3)):
                money = k == 0
                svc.record_support(n, None, kind="grant" if money else rng.choice(["equipment", "training", "spectrum"]),
                                   provider=rng.choice(FUNDERS), received_on=started + timedelta(days=90 + 200 * k),
                                   amount=rng.randrange(2000, 60000, 500) if money else None,
                                   currency="USD" if money else "", at=AT, is_demo=True)
                support += 1
            for k in range(rng.randint(0, 3)):
                svc.record_training(n, None, held_on=started + timedelta(days=120 + 150 * k), topic=rng.choice(TOPICS),
                                    participants=rng.randint(6, 40), at=AT, is_demo=True)
                trainings += 1
    return {"community networks": len(PLACES), "network supports": support, "network trainings": trainings,
            "networks run with chapters": linked}


def remove() -> None:
    """Delete the demo networks with their support, trainings and history."""
    CommunityNetwork.objects.filter(is_demo=True).delete()
