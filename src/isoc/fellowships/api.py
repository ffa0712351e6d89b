"""Fellowships API: the programmes with their tracks, the public calls, and the alumni
who chose to be listed. Read-only and public; applying and reviewing happen on the site."""

from datetime import datetime

from django.shortcuts import get_object_or_404
from ninja import Field, Path, Query, Router, Schema
from ninja.pagination import paginate

from isoc.fellowships import services
from isoc.fellowships.models import AlumniProfile, Call, Programme, Track
from isoc.site.apiparams import COUNTRY_CODE, SLUG
from isoc.site.pagination import LazyRows, Page

router = Router(tags=["fellowships"])


class TrackOut(Schema):
    slug: str
    name: str
    description: str
    min_age: int | None
    max_age: int | None
    countries: list[str]
    prerequisite_course: str | None
    endorsement_required: bool


class ProgrammeOut(Schema):
    slug: str
    name: str
    summary: str
    asks_travel: bool
    tracks: list[TrackOut]
    url: str


class CallOut(Schema):
    slug: str
    programme: str
    year: int
    title: str
    status: str
    phase: str
    opens_at: datetime
    closes_at: datetime
    time_zone: str
    blind_review: bool
    places: int
    is_demo: bool
    url: str


class CallDetailOut(CallOut):
    description: str
    form: list[dict]
    rubric: list[dict]
    tracks: list[TrackOut]


class AlumnusOut(Schema):
    name: str
    programme: str
    year: int
    country: str
    track: str
    is_demo: bool


class AlumniFilters(Schema):
    programme: str = Field("", max_length=80, pattern=SLUG)
    year: int | None = Field(None, ge=1900, le=2200)
    country: str = Field("", pattern=COUNTRY_CODE)


class CallFilters(Schema):
    programme: str = Field("", max_length=80, pattern=SLUG)
    status: str = Field("", pattern=r"^(published|decided)?$")


def _track(t: Track) -> dict:
    return {"slug": t.slug, "name": t.name, "description": t.description, "min_age": t.min_age, "max_age": t.max_age,
            "countries": list(t.countries or []), "prerequisite_course": t.prerequisite_course.slug if t.prerequisite_course_id else None,
            "endorsement_required": t.endorsement_required}


def _programme(p: Programme) -> dict:
    return {"slug": p.slug, "name": p.name, "summary": p.summary, "asks_travel": p.asks_travel,
            "tracks": [_track(t) for t in p.tracks.all()], "url": p.get_absolute_url()}


def _call(c: Call) -> dict:
    return {"slug": c.slug, "programme": c.programme.slug, "year": c.year, "title": c.title, "status": c.status,
            "phase": c.phase(), "opens_at": c.opens_at, "closes_at": c.closes_at, "time_zone": c.time_zone,
            "blind_review": c.blind_review, "places": c.places, "is_demo": c.is_demo, "url": c.get_absolute_url()}


@router.get("programmes", response=list[ProgrammeOut], summary="Fellowship programmes with their tracks")
@paginate(Page)
def programmes(request):
    return LazyRows(Programme.objects.prefetch_related("tracks__prerequisite_course"), lambda page: [_programme(p) for p in page])


@router.get("programmes/{slug}", response=ProgrammeOut, summary="One programme with its tracks")
def programme(request, slug: str = Path(..., max_length=80, pattern=SLUG)):
    return _programme(get_object_or_404(Programme, slug=slug))


@router.get("calls", response=list[CallOut], summary="Public calls (published or decided), newest first")
@paginate(Page)
def calls(request, filters: Query[CallFilters]):
    qs = services.public_calls()
    if filters.programme:
        qs = qs.filter(programme__slug=filters.programme)
    if filters.status:
        qs = qs.filter(status=filters.status)
    return LazyRows(qs, lambda page: [_call(c) for c in page])


@router.get("calls/{slug}", response=CallDetailOut, url_name="fellowship_call", summary="One public call with its tracks, form and rubric")
def call(request, slug: str = Path(..., max_length=120, pattern=SLUG)):
    c = get_object_or_404(services.public_calls(), slug=slug)
    return {**_call(c), "description": c.description, "form": c.form, "rubric": c.rubric,
            "tracks": [_track(t) for t in c.programme.tracks.all()]}


@router.get("alumni", response=list[AlumnusOut], url_name="fellowship_alumni", summary="Alumni who chose to be listed")
@paginate(Page)
def alumni(request, filters: Query[AlumniFilters]):
    def rows(page: list[AlumniProfile]) -> list[dict]:
        return [{"name": p.application.applicant.display_name, "programme": p.application.call.programme.slug,
                 "year": p.application.call.year, "country": p.application.country,
                 "track": p.application.track.slug, "is_demo": p.application.is_demo} for p in page]

    return LazyRows(services.alumni(programme=filters.programme, year=filters.year, country=filters.country), rows)
