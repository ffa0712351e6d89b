"""Community network API, under /api/v1/pulse/community-networks/: the registry (paginated,
filtered), the same as GeoJSON for maps, one network with its support, trainings and
history, and the cost planner. Queries are the pages' own (``views_community``)."""

from datetime import date, datetime
from decimal import Decimal

from django.shortcuts import get_object_or_404
from ninja import Field, Path, Query, Router, Schema
from ninja.errors import ValidationError
from ninja.pagination import paginate

from isoc.infra import planner
from isoc.infra.models.community import CommunityNetwork, NetworkStatus, Technology
from isoc.infra.views_community import registry
from isoc.site.apiparams import COUNTRY_CODE, SLUG
from isoc.site.pagination import LazyRows, Page

router = Router(tags=["community networks"])


class RegistryFilters(Schema):
    country: str = Field("", max_length=2, pattern=COUNTRY_CODE, description="ISO 3166-1 alpha-2, e.g. KE")
    technology: Technology | None = None
    status: NetworkStatus | None = None


class CommunityNetworkOut(Schema):
    slug: str
    name: str
    country: str
    place: str
    latitude: Decimal | None
    longitude: Decimal | None
    technologies: list[str]
    people_served: int
    operator: str
    chapter: str | None
    status: str
    started_on: date | None
    website: str
    is_demo: bool
    url: str


class SupportOut(Schema):
    kind: str
    provider: str
    amount: Decimal | None
    currency: str
    received_on: date
    note: str


class TrainingOut(Schema):
    held_on: date
    topic: str
    participants: int


class CommunityEventOut(Schema):
    kind: str
    at: datetime
    by: str | None
    changes: dict


class CommunityNetworkDetailOut(CommunityNetworkOut):
    description: str
    support: list[SupportOut]
    trainings: list[TrainingOut]
    history: list[CommunityEventOut]


def _out(n: CommunityNetwork) -> dict:
    return {"slug": n.slug, "name": n.name, "country": n.country_id, "place": n.place, "latitude": n.latitude,
            "longitude": n.longitude, "technologies": n.technology_values(), "people_served": n.people_served,
            "operator": n.operator, "chapter": n.chapter.slug if n.chapter_id else None, "status": n.status,
            "started_on": n.started_on, "website": n.website, "is_demo": n.is_demo, "url": n.get_absolute_url()}


def _filtered(f: RegistryFilters):
    return registry(f.country, f.technology.value if f.technology else "", f.status.value if f.status else "")


@router.get("", response=list[CommunityNetworkOut], url_name="cn_list", summary="Community networks")
@paginate(Page)
def network_list(request, filters: Query[RegistryFilters]):
    return LazyRows(_filtered(filters), lambda page: [_out(n) for n in page])


@router.get("geojson", url_name="cn_geojson", summary="Community networks with a position, as GeoJSON")
def network_geojson(request, filters: Query[RegistryFilters]):
    """A FeatureCollection of the networks that have coordinates (RFC 7946: longitude first)."""
    features = []
    for n in _filtered(filters).filter(latitude__isnull=False):
        properties = _out(n)
        del properties["latitude"], properties["longitude"]
        features.append({"type": "Feature", "id": n.slug, "properties": properties,
                         "geometry": {"type": "Point", "coordinates": [float(n.longitude), float(n.latitude)]}})
    return {"type": "FeatureCollection", "features": features}


class PlannerQuery(Schema):
    households: int = Field(..., description="Households in the community (1 to 100000)")
    area_km2: Decimal = Field(..., description="Area to cover in km² (0.01 to 5000)")
    terrain: str = Field(..., max_length=20, description="flat, hilly, mountainous or dense_forest")
    backhaul: str = Field(..., max_length=20, description="fibre, microwave, geo_satellite or leo_satellite")
    take_up: Decimal = Field(planner.DEFAULT_TAKE_UP, description="Share of households connecting (0.05 to 1)")


@router.get("planner", url_name="cn_planner", summary="Estimate a community network's cost")
def plan(request, q: Query[PlannerQuery]):
    """Capital and monthly cost broken down, the monthly cost per connected household and
    the assumptions used (Internet Society estimates, USD). Input the model cannot describe
    is a 422 naming the field."""
    try:
        c = planner.community(q.households, q.area_km2, q.terrain, q.backhaul, q.take_up)
    except planner.PlanError as exc:
        # The shared error shape, naming the field, as for any other invalid query.
        raise ValidationError([{"loc": ["query", exc.field], "msg": exc.message}]) from exc
    return planner.as_dict(planner.plan(c))


@router.get("{slug}", response=CommunityNetworkDetailOut, url_name="cn_network", summary="One community network")
def network_detail(request, slug: str = Path(..., max_length=120, pattern=SLUG)):
    n = get_object_or_404(CommunityNetwork.objects.select_related("country", "chapter"), slug=slug)
    return {
        **_out(n), "description": n.description,
        "support": [{"kind": s.kind, "provider": s.provider, "amount": s.amount, "currency": s.currency,
                     "received_on": s.received_on, "note": s.note} for s in n.support.all()],
        "trainings": [{"held_on": t.held_on, "topic": t.topic, "participants": t.participants}
                      for t in n.trainings.all()],
        "history": [{"kind": e.kind, "at": e.at, "by": e.actor.display_name if e.actor_id else None,
                     "changes": e.changes} for e in n.events.select_related("actor")],
    }
