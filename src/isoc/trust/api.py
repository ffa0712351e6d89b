"""Online Trust Audit JSON: audits with their scorecards, organizations with their years,
one scorecard with every criterion, and the weights in force. The queries are the pages'
own (``trust/views.py``)."""

from datetime import datetime

from ninja import Path as PathParam
from ninja import Query, Router, Schema

from isoc.trust import views
from isoc.trust.models import Audit, AuditedOrganization

router = Router(tags=["trust"])
SLUG = r"^[-a-zA-Z0-9_]+$"


class CardSummaryOut(Schema):
    organization: str
    name: str
    sector: str
    domain: str
    year: int
    consumer: int
    site: int
    privacy: int
    bonus: int
    adjustments: int
    total: int
    percent: float
    honor_roll: bool
    url: str


class AuditOut(Schema):
    year: int
    scored_at: datetime
    weights_source: str
    organizations: int
    honor_roll: int
    files: list[dict]
    is_demo: bool
    url: str


class AuditDetailOut(AuditOut):
    weights: dict[str, int]
    missing: list[str]
    scorecards: list[CardSummaryOut]


class TrustOrganizationOut(Schema):
    slug: str
    name: str
    sector: str
    country: str
    domain: str
    member_organization: str | None
    is_demo: bool
    url: str


class OrganizationDetailOut(TrustOrganizationOut):
    scorecards: list[CardSummaryOut]


class CriterionOut(Schema):
    key: str
    category: str
    bonus: bool
    title: str
    outcome: str
    weight: int
    points: int
    why: str
    fix: str


class ScorecardOut(CardSummaryOut):
    scanned_at: datetime
    categories: dict
    criteria: list[CriterionOut]


class WeightOut(Schema):
    key: str
    category: str
    bonus: bool
    title: str
    weight: int
    fix: str


class MethodologyOut(Schema):
    source: str
    year: int | None
    total_base: int
    honor_roll_percent: int
    honor_roll_category_minimum: int
    criteria: list[WeightOut]


def _summary(card) -> dict:
    org = card.organization
    return {"organization": org.slug, "name": org.name, "sector": org.sector.slug, "domain": card.domain,
            "year": card.audit.year, **{f: getattr(card, f) for f in (
                "consumer", "site", "privacy", "bonus", "adjustments", "total", "percent", "honor_roll")},
            "url": card.get_absolute_url()}


def _audit(a: Audit) -> dict:
    return {"year": a.year, "scored_at": a.scored_at, "weights_source": a.weights_source,
            "organizations": a.organizations, "honor_roll": a.honor_roll, "files": a.files, "is_demo": a.is_demo,
            "url": a.get_absolute_url()}


def _organization(o: AuditedOrganization) -> dict:
    return {"slug": o.slug, "name": o.name, "sector": o.sector.slug, "country": o.country, "domain": o.primary_domain,
            "member_organization": o.organization.slug if o.organization_id else None, "is_demo": o.is_demo,
            "url": o.get_absolute_url()}


@router.get("audits", response=list[AuditOut], url_name="trust_audits", summary="Online Trust Audits, newest first")
def audits(request, since: int | None = Query(None, ge=2000, le=2100, description="Only audits of this year or later")):
    qs = Audit.objects.order_by("-year")
    if since is not None:
        qs = qs.filter(year__gte=since)
    return [_audit(a) for a in qs]


@router.get("audits/{year}", response=AuditDetailOut, url_name="trust_audit",
            summary="One year's audit: weights, files scored and every scorecard (Honor Roll flagged)")
def audit(request, year: int = PathParam(..., ge=2000, le=2100),
          sector: str = Query("", max_length=60, pattern=r"^[-a-z0-9_]*$", description="Only this sector (slug)")):
    ctx = views.honor_roll_context(year)
    cards = [c for c in ctx["cards"] if not sector or c.organization.sector.slug == sector]
    a = ctx["audit"]
    return {**_audit(a), "weights": a.weights, "missing": a.missing, "scorecards": [_summary(c) for c in cards]}


@router.get("organizations", response=list[TrustOrganizationOut], url_name="trust_organizations",
            summary="Audited organizations")
def organizations(request, sector: str = Query("", max_length=60, pattern=r"^[-a-z0-9_]*$",
                                               description="Only this sector (slug)")):
    qs = AuditedOrganization.objects.select_related("sector", "organization").order_by("name")
    if sector:
        qs = qs.filter(sector__slug=sector)
    return [_organization(o) for o in qs]


@router.get("organizations/{slug}", response=OrganizationDetailOut, url_name="trust_organization",
            summary="An audited organization and its scores in every audit")
def organization(request, slug: str = PathParam(..., max_length=220, pattern=SLUG)):
    ctx = views.organization_context(slug)
    return {**_organization(ctx["org"]), "scorecards": [_summary(c) for c in ctx["cards"]]}


@router.get("organizations/{slug}/scorecards/{year}", response=ScorecardOut, url_name="trust_scorecard",
            summary="One scorecard: every criterion's outcome, points and how to fix it")
def scorecard(request, slug: str = PathParam(..., max_length=220, pattern=SLUG),
              year: int = PathParam(..., ge=2000, le=2100)):
    ctx = views.organization_context(slug, year)
    card = ctx["card"]
    criteria = [{k: r[k] for k in ("key", "category", "bonus", "title", "outcome", "weight", "points", "why", "fix")}
                for g in ctx["groups"] for r in g["rows"]]
    return {**_summary(card), "scanned_at": card.scanned_at, "categories": card.categories, "criteria": criteria}


@router.get("methodology", response=MethodologyOut, url_name="trust_methodology",
            summary="The weights in force (or of one year's audit), criterion by criterion")
def methodology(request, year: int | None = Query(None, ge=2000, le=2100, description="The weights of this audit")):
    ctx = views.methodology_context(year)
    return {"source": ctx["weights"].source, "year": year, "total_base": ctx["total_base"],
            "honor_roll_percent": ctx["percent"], "honor_roll_category_minimum": ctx["minimum"],
            "criteria": [{"key": r["key"], "category": g["key"], "bonus": r["bonus"], "title": r["title"],
                          "weight": r["weight"], "fix": r["fix"]} for g in ctx["groups"] for r in g["rows"]]}
