"""JSON API of chapters and standing groups, mounted under /api/v1/chapters/: the list
(filtered, paginated), one chapter with its computed standing, officers and history, and
the regional bureaus. Queries are the pages' own (``queries``, ``services``)."""


from datetime import date, datetime

from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from isoc.chapters import models as cm
from isoc.chapters import queries, services
from isoc.site.pagination import LazyRows, Page

router = Router(tags=["chapters"])


class ChapterFilters(Schema):
    bureau: str = Field("", max_length=80, description="A bureau slug, e.g. europe")
    state: cm.Chapter.State | None = None
    kind: cm.Chapter.Kind | None = None
    country: str = Field("", max_length=2, pattern=r"^[A-Za-z]{0,2}$", description="ISO 3166-1 alpha-2 served")


class BureauOut(Schema):
    slug: str
    name: str
    chapters: int


class ChapterOut(Schema):
    slug: str
    name: str
    kind: str
    bureau: str | None
    country: str | None
    subdivision: str
    extra_countries: list[str]
    community: str
    state: str
    state_since: datetime
    chartered_at: datetime | None
    member_count: int
    is_demo: bool
    url: str


class FailureOut(Schema):
    rule: str
    detail: str
    message: str


class OfficerOut(Schema):
    role: str
    name: str
    starts_on: date
    ends_on: date | None


class TransitionOut(Schema):
    id: int
    kind: str
    from_state: str
    to_state: str
    at: datetime
    reason: str
    decision: str
    appeal_of: int | None


class ChapterDetailOut(ChapterOut):
    description: str
    in_good_standing: bool
    failures: list[FailureOut]
    may_receive_event_funding: bool
    cure_until: datetime | None
    rejuvenation_until: datetime | None
    officers: list[OfficerOut]
    history: list[TransitionOut]


def _out(c: cm.Chapter, count: int) -> dict:
    return {
        "slug": c.slug, "name": c.name, "kind": c.kind, "bureau": c.bureau.slug if c.bureau_id else None,
        "country": c.country, "subdivision": c.subdivision, "extra_countries": list(c.extra_countries or []),
        "community": c.community, "state": c.state, "state_since": c.state_since, "chartered_at": c.chartered_at,
        "member_count": count, "is_demo": c.is_demo, "url": c.get_absolute_url(),
    }


def _rows(page) -> list[dict]:
    page = list(page)
    counts = queries.member_counts(page)
    return [_out(c, counts.get(c.pk, 0)) for c in page]


@router.get("", response=list[ChapterOut], url_name="chapters", summary="Chapters and standing groups")
@paginate(Page)
def chapter_list(request, filters: Query[ChapterFilters]):
    qs = queries.filtered(queries.public_chapters(), bureau=filters.bureau,
                          state=filters.state.value if filters.state else "",
                          kind=filters.kind.value if filters.kind else "", country=filters.country)
    return LazyRows(qs, _rows)


@router.get("bureaus", response=list[BureauOut], url_name="chapter_bureaus", summary="The regional bureaus")
@paginate(Page)
def bureaus(request):
    from django.db.models import Count

    qs = cm.RegionalBureau.objects.annotate(n=Count("chapters")).order_by("order", "name")
    return LazyRows(qs, lambda page: [{"slug": b.slug, "name": b.name, "chapters": b.n} for b in page])


@router.get("{slug}", response=ChapterDetailOut, url_name="chapter", summary="One chapter with its standing")
def chapter_detail(request, slug: str):
    c = get_object_or_404(queries.public_chapters(), slug=slug)
    result = services.standing(c)
    words = services.reasons(result)
    return {
        **_out(c, services.member_count(c)), "description": c.description, "in_good_standing": result.good,
        "failures": [{"rule": f.value, "detail": d, "message": w} for (f, d), w in zip(result.failures, words, strict=True)],
        "may_receive_event_funding": result.good, "cure_until": c.cure_until,
        "rejuvenation_until": c.rejuvenation_until,
        "officers": [{"role": t.role, "name": t.person.display_name, "starts_on": t.starts_on, "ends_on": t.ends_on}
                     for t in services.officer_terms(c).order_by("role")],
        "history": [{"id": t.pk, "kind": t.kind, "from_state": t.from_state, "to_state": t.to_state, "at": t.at,
                     "reason": t.reason, "decision": t.decision, "appeal_of": t.appeal_of_id}
                    for t in c.transitions.all()],
    }
