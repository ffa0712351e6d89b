"""Read queries shared by the chapter pages and the API."""

from __future__ import annotations

from collections import Counter

from django.db.models import Count, Q, QuerySet

from isoc.chapters import models as cm


def public_chapters() -> QuerySet[cm.Chapter]:
    """Chapters and standing groups anyone may see (de-chartered ones included, labelled)."""
    return cm.Chapter.objects.select_related("bureau").order_by("name")


def member_counts(chapters) -> dict[int, int]:
    ids = [c.pk for c in chapters]
    rows = (cm.ChapterMembership.objects.filter(chapter_id__in=ids, left_at__isnull=True)
            .values("chapter_id").annotate(n=Count("id")).values_list("chapter_id", "n"))
    return dict(rows)


def chapters_per_country(chapters) -> list[tuple[str, int]]:
    """(country, chapters serving it) for the map; de-chartered chapters do not count."""
    counts: Counter[str] = Counter()
    for c in chapters:
        if c.state == cm.Chapter.State.DECHARTERED:
            continue
        for country in {a for a, _s in c.areas()}:
            counts[country] += 1
    return sorted(counts.items())


def filtered(qs: QuerySet[cm.Chapter], *, bureau: str = "", state: str = "", kind: str = "",
             country: str = "") -> QuerySet[cm.Chapter]:
    if bureau:
        qs = qs.filter(bureau__slug=bureau)
    if state:
        qs = qs.filter(state=state)
    if kind:
        qs = qs.filter(kind=kind)
    if country:
        qs = qs.filter(Q(country=country.upper()) | Q(extra_countries__icontains=f'"{country.upper()}"'))
    return qs
