"""Members API: ``me``, ``members`` (staff only) and ``organizations`` (public)."""


import re
from datetime import datetime
from decimal import Decimal
from typing import Literal

from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import get_language, gettext
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError
from ninja.pagination import paginate
from ninja.security import HttpBearer, django_auth

from isoc.members import models as m
from isoc.members import queries, services
from isoc.members.countries import COUNTRY_NAMES
from isoc.members.tokens import person_for_key
from isoc.site.apiparams import COUNTRY_CODE, SLUG
from isoc.site.l10n import country_name
from isoc.site.pagination import LazyRows, Page
from isoc.site.security import ratelimit

router = Router(tags=["members"])

# Shapes of query and path values. Besides telling the caller what is wrong (422), they keep
# NUL bytes away from the database: PostgreSQL refuses them in text with an error (a 500).
NO_NUL = r"^[^\x00]*$"


class TokenAuth(HttpBearer):
    """``Authorization: Bearer isoc_…``: a token made on the profile page or with
    ``isoc token``."""

    def authenticate(self, request: HttpRequest, token: str):
        # security: guessing tokens from one address is cut off with a 429 after a few
        # bad ones (isoc.site.security.ratelimit, limit "api_bad_token").
        address = ratelimit.client_address(request)
        try:
            ratelimit.check("api_bad_token", address)
        except ratelimit.RateLimited as exc:
            raise HttpError(429, f"Too many requests with a bad API token from this address; "
                                 f"try again in {exc.retry_after} seconds.") from exc
        person = person_for_key(token)
        if person is not None:
            request.user = person
        else:
            ratelimit.count("api_bad_token", address)
        return person


# Scripts use a token; a signed-in browser uses its session (with CSRF on writes).
AUTH = [TokenAuth(), django_auth]


# --- schemas ---------------------------------------------------------------------------


class TermOut(Schema):
    category: str
    starts_at: datetime | None
    ends_at: datetime | None
    invoice: str | None = None


class MembershipOut(Schema):
    id: int
    status: str | None
    category: str | None
    created_at: datetime
    cancelled_at: datetime | None
    paid_through: datetime | None
    terms: list[TermOut]


class InvoiceOut(Schema):
    number: str
    issued_at: datetime
    due_on: str
    description: str
    amount: Decimal
    currency: str
    state: str
    balance: Decimal


class MeOut(Schema):
    id: int
    email: str
    first_name: str
    last_name: str
    country: str
    city: str
    organization: str
    website: str
    bio: str
    directory_listed: bool
    directory_fields: list[str]
    membership: MembershipOut | None
    invoices: list[InvoiceOut]


class MePatch(Schema):
    first_name: str | None = Field(None, max_length=150)
    last_name: str | None = Field(None, max_length=150)
    country: str | None = Field(None, max_length=2)
    city: str | None = Field(None, max_length=100)
    organization: str | None = Field(None, max_length=200)
    website: str | None = Field(None, max_length=200)
    bio: str | None = Field(None, max_length=2000)
    directory_listed: bool | None = None
    directory_fields: list[Literal["country", "city", "organization", "bio", "website"]] | None = None


class JoinIn(Schema):
    category: Literal["global", "sustaining"]


class MemberOut(Schema):
    id: int
    email: str
    first_name: str
    last_name: str
    country: str
    status: str | None
    category: str | None
    is_demo: bool


class OrganizationOut(Schema):
    slug: str
    legal_name: str
    country: str
    country_name: str
    website: str
    tier: str
    tier_name: str
    tier_rank: int
    url: str


# --- helpers ---------------------------------------------------------------------------


def _membership_out(ms: m.IndividualMembership | None) -> dict | None:
    if ms is None:
        return None
    standing = ms.standing()
    terms = list(ms.terms.select_related("invoice"))
    from isoc.members.status import paid_through

    return {
        "id": ms.pk,
        "status": standing.status if standing else None,
        "category": standing.category if standing else None,
        "created_at": ms.created_at,
        "cancelled_at": ms.cancelled_at,
        "paid_through": paid_through([t.facts() for t in terms if t.category == "sustaining"]),
        "terms": [
            {"category": t.category, "starts_at": t.starts_at, "ends_at": t.ends_at,
             "invoice": t.invoice.number if t.invoice else None}
            for t in terms
        ],
    }


def _me(person: m.Person) -> dict:
    current = person.current_membership() or person.memberships.first()
    return {
        **{f: getattr(person, f) for f in ("id", "email", "first_name", "last_name", "country", "city",
                                           "organization", "website", "bio", "directory_listed")},
        "directory_fields": person.visible_directory_fields(),
        "membership": _membership_out(current),
        "invoices": [
            {"number": i.number, "issued_at": i.issued_at, "due_on": i.due_on.isoformat(), "description": i.description,
             "amount": i.amount, "currency": i.currency, "state": i.state, "balance": i.balance()}
            for i in person.invoices.all()[:50]
        ],
    }


def _require_staff(request: HttpRequest) -> None:
    if not (request.user.is_authenticated and request.user.is_staff):
        raise HttpError(403, "Staff only.")


# --- endpoints -------------------------------------------------------------------------


@router.get("me", response=MeOut, auth=AUTH, summary="The signed-in person, their membership and invoices")
def me(request):
    return _me(request.user)


@router.patch("me", response=MeOut, auth=AUTH, summary="Edit your profile and directory settings")
def edit_me(request, payload: MePatch):
    from isoc.members.forms import ProfileForm

    person = request.user
    data = payload.dict(exclude_unset=True)
    current = {f: getattr(person, f) for f in ProfileForm.Meta.fields}
    current["directory_fields"] = person.visible_directory_fields()
    current.update({k: v for k, v in data.items() if v is not None})
    form = ProfileForm(current, instance=person)
    if not form.is_valid():
        raise services_validation(form)
    form.save()
    return _me(person)


def services_validation(form) -> Exception:
    """Form errors as the API's one error shape (422)."""
    from ninja.errors import ValidationError

    return ValidationError(
        [{"loc": ["body", field], "msg": str(msg)} for field, msgs in form.errors.items() for msg in msgs]
    )


@router.post("me/membership", response={201: MeOut}, auth=AUTH, summary="Join as a global or sustaining member")
def join(request, payload: JoinIn):
    services.join(request.user, payload.category, actor=request.user)
    return 201, _me(request.user)


@router.post("me/membership/{action}", response=MeOut, auth=AUTH, summary="Renew, upgrade, downgrade or cancel")
def change_membership(request, action: Literal["renew", "upgrade", "downgrade", "cancel"]):
    membership = request.user.current_membership()
    if membership is None:
        raise services.RuleViolation(gettext("You have no current membership."), code="no_membership")
    getattr(services, action)(membership, actor=request.user)
    return _me(request.user)


@router.get("members", response=list[MemberOut], auth=AUTH, summary="All people (staff only)")
@paginate(Page)
def members(
    request,
    q: str = Query("", max_length=100, pattern=NO_NUL),
    country: str = Query("", max_length=2, pattern=COUNTRY_CODE),
    category: Literal["", "global", "sustaining"] = "",
):
    _require_staff(request)
    people = m.Person.objects.all().order_by("pk")
    if category:
        people = queries.active_members(category=category).order_by("pk")
    if country:
        people = people.filter(country=country.upper())
    if q:
        people = people.filter(email__icontains=q) | people.filter(last_name__icontains=q)
    return LazyRows(people, _member_rows)


def _member_rows(page) -> list[dict]:
    """People with their status now (computed for the page returned, not for all)."""
    people = list(page.prefetch_related("memberships__terms"))
    rows = []
    for p in people:
        current = next((ms for ms in p.memberships.all() if ms.closed_at is None), None)
        standing = current.standing() if current else None
        rows.append({
            "id": p.pk, "email": p.email, "first_name": p.first_name, "last_name": p.last_name,
            "country": p.country, "status": standing.status if standing else None,
            "category": standing.category if standing else None, "is_demo": p.is_demo,
        })
    return rows


# A plain path parameter (not Django's int converter), so that a malformed id is a 422
# in the API's error shape rather than the site's HTML 404.
@router.get("members/{person_id}", response=MeOut, auth=AUTH, summary="One person (staff only)")
def member(request, person_id: int):
    _require_staff(request)
    return _me(get_object_or_404(m.Person, pk=person_id))


def _org_out(org: m.Organization) -> dict:
    return {
        "slug": org.slug, "legal_name": org.legal_name, "country": org.country,
        "country_name": country_name(org.country, get_language()), "website": org.website, "tier": org.tier.slug,
        "tier_name": org.tier.name, "tier_rank": org.tier.rank, "url": org.get_absolute_url(),
    }


@router.get("organizations", response=list[OrganizationOut], summary="Organization members in good standing")
@paginate(Page)
def organizations(
    request,
    tier: str = Query("", max_length=50, pattern=SLUG),
    country: str = Query("", max_length=2, pattern=COUNTRY_CODE),
):
    orgs = queries.active_organizations().order_by("-tier__rank", "legal_name")
    if tier:
        orgs = orgs.filter(tier__slug=tier)
    if country:
        if country.upper() not in COUNTRY_NAMES:
            raise HttpError(422, f"Unknown country code: {country!r}")
        orgs = orgs.filter(country=country.upper())
    return LazyRows(orgs, lambda page: [_org_out(o) for o in page])


@router.get("organizations/{slug}", response=OrganizationOut, summary="One organization member")
def organization(request, slug: str):
    if not re.fullmatch(SLUG, slug):
        raise Http404
    return _org_out(get_object_or_404(queries.active_organizations(), slug=slug))
