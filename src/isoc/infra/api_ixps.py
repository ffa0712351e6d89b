"""IXP API, under /api/v1/pulse/ixps/: find IXPs (filters, paginated), one IXP with its
LANs, prefixes, members over time, sources with provenance and statistics, and a
country's statistics. The queries are the pages' own (``queries_ixps``)."""

from datetime import date

from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Field, Query, Router, Schema
from ninja import Path as PathParam
from ninja.pagination import paginate

from isoc.infra import queries_ixps as queries
from isoc.infra.ixps_records import ASN_MAX
from isoc.infra.models.ixps import Ixp
from isoc.pulse.models import Country
from isoc.site.apiparams import COUNTRY_CODE
from isoc.site.pagination import LazyRows, Page

router = Router(tags=["ixps"])


class IxpOut(Schema):
    slug: str
    name: str
    long_name: str
    country: str
    city: str
    region: str
    status: str
    website: str
    established: date | None
    sources: list[str]
    manrs_participant: str | None
    is_demo: bool
    url: str


class IxpPrefixOut(Schema):
    prefix: str
    version: int


class LanOut(Schema):
    source: str
    source_lan_id: str
    name: str
    route_server_asn: int | None
    prefixes: list[IxpPrefixOut]


class IxpSourceOut(Schema):
    source: str
    source_id: str
    first_seen: date
    last_seen: date
    match_reason: str
    dataset: str
    publisher: str
    licence: str
    origin: str
    retrieved_at: str
    import_run: int | None


class IxpMemberOut(Schema):
    asn: int
    name: str
    addresses: list[str]
    route_server_peer: bool | None = Field(description="null: the source does not say")
    first_seen: date
    last_seen: date
    left_on: date | None
    source: str


class GrowthOut(Schema):
    members_now: int
    members_year_before: int | None = Field(description="null: the history does not reach back 12 months")
    added: int | None
    percent: float | None


class IxpStatsOut(Schema):
    on: date
    members: int
    growth: GrowthOut
    route_server_rate: float | None = Field(description="percent; null when no source says")
    manrs: bool


class IxpDetailOut(IxpOut):
    manrs_link: str = Field(description="why the MANRS participant is linked: staff, name, website or demo; empty when none")
    stats: IxpStatsOut
    lans: list[LanOut]
    source_records: list[IxpSourceOut]
    members: list[IxpMemberOut]


class CountryStatsOut(Schema):
    code: str
    name: str
    on: date
    ixps: int
    members: int
    growth: GrowthOut
    route_server_rate: float | None
    manrs_ixps: int
    routed_networks: int | None = Field(description="null: routing has no scored month")
    routed_at_local_ixp: int | None
    local_share: float | None = Field(description="percent of routed networks that are members of a local IXP")
    ixp_list: list[IxpOut]


class IxpFilters(Schema):
    q: str = Field("", max_length=100, pattern=r"^[^\x00]*$", description="part of the name, long name or city")
    country: str = Field("", max_length=2, pattern=COUNTRY_CODE, description="ISO 3166-1 alpha-2")
    city: str = Field("", max_length=100, pattern=r"^[^\x00]*$")
    asn: int | None = Field(None, ge=1, le=ASN_MAX, description="IXPs this network is or was a member of")
    status: Ixp.Status | None = None


def _ixp(ixp: Ixp) -> dict:
    return {"slug": ixp.slug, "name": ixp.name, "long_name": ixp.long_name, "country": ixp.country_id,
            "city": ixp.city, "region": ixp.region, "status": ixp.status, "website": ixp.website,
            "established": ixp.established, "sources": sorted({s.source for s in ixp.sources.all()}),
            "manrs_participant": ixp.manrs_participant.slug if ixp.manrs_participant_id else None,
            "is_demo": ixp.is_demo, "url": ixp.get_absolute_url()}


def _growth(g: queries.Growth) -> dict:
    return {"members_now": g.now, "members_year_before": g.before, "added": g.added, "percent": g.percent}


def _day(on: date | None) -> date:
    return on or timezone.localdate()


@router.get("/", response=list[IxpOut], url_name="ixps_list")
@paginate(Page)
def ixps_list(request, filters: Query[IxpFilters]):
    """IXPs matching the filters, by country and name."""
    values = {k: v for k, v in filters.dict().items() if v not in ("", None)}
    qs = queries.search(**values).select_related("manrs_participant").prefetch_related("sources")
    return LazyRows(qs, lambda rows: [_ixp(i) for i in rows])


@router.get("/countries/{code}", response=CountryStatsOut, url_name="ixp_country")
def ixp_country(request, code: str = PathParam(..., pattern=r"^[A-Za-z]{2}$"),
                on: date | None = None):
    """A country's "keep local traffic local" statistics (on a day, today by default) and its IXPs."""
    country = get_object_or_404(Country, code=code.upper())
    s = queries.country_stats(country.code, _day(on))
    ixps = queries.search(country=country.code).select_related("manrs_participant").prefetch_related("sources")
    return {"code": s.code, "name": country.name, "on": s.on, "ixps": s.ixps, "members": s.members,
            "growth": _growth(s.growth), "route_server_rate": s.route_server_rate, "manrs_ixps": s.manrs_ixps,
            "routed_networks": s.routed, "routed_at_local_ixp": s.routed_at_local_ixp, "local_share": s.local_share,
            "ixp_list": [_ixp(i) for i in ixps]}


@router.get("/{slug}", response=IxpDetailOut, url_name="ixp_detail")
def ixp_detail(request, slug: str = PathParam(..., max_length=120, pattern=r"^[-a-zA-Z0-9_]+$"), on: date | None = None):
    """One IXP: its LANs and prefixes, members with when they joined and left, its sources
    with provenance, MANRS, and statistics on a day (today by default)."""
    ixp = get_object_or_404(Ixp.objects.select_related("manrs_participant").prefetch_related(
        "sources__lans__prefixes", "sources__dataset__source"), slug=slug)
    stats = queries.ixp_stats(ixp, _day(on))
    records = list(ixp.sources.all())
    return {
        **_ixp(ixp), "manrs_link": ixp.manrs_link,
        "stats": {"on": stats.on, "members": stats.members, "growth": _growth(stats.growth),
                  "route_server_rate": stats.route_server_rate, "manrs": stats.manrs},
        "lans": [{"source": r.source, "source_lan_id": lan.source_lan_id, "name": lan.name, "route_server_asn": lan.rs_asn,
                  "prefixes": [{"prefix": p.prefix, "version": p.version} for p in lan.prefixes.all()]}
                 for r in records for lan in r.lans.all()],
        "source_records": [{"source": r.source, "source_id": r.source_id, "first_seen": r.first_seen,
                            "last_seen": r.last_seen, "match_reason": r.match_reason, "dataset": r.dataset.slug,
                            "publisher": r.dataset.source.publisher, "licence": r.dataset.source.licence,
                            "origin": r.dataset.origin, "retrieved_at": r.dataset.retrieved_at.isoformat(),
                            "import_run": r.import_run_id} for r in records],
        "members": queries.members_table(ixp),
    }
