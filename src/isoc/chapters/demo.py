"""Demo chapters: about 120 across the six regional bureaus in every life-cycle state,
with members drawn from the demo people, officers, annual reports and a history that
agrees with the state; demo members and officers for the two standing groups. Everything
is marked ``is_demo``. Reproducible from a seed; written in bulk (the history is made to
agree with what the services would have written)."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from random import Random

from django.db import transaction
from django.utils import timezone

from isoc.chapters import models as cm
from isoc.chapters import rules
from isoc.pulse.regions import countries

# Chapters per bureau (≈ 120 in all).
PER_BUREAU = {"africa": 30, "asia-pacific": 25, "europe": 30, "latin-america-caribbean": 18,
              "middle-east": 8, "north-america": 9}
# The state of the i-th chapter of a bureau, by i mod 20: mostly chartered, each other state present.
STATES = (["chartered"] * 13 + ["in-formation"] * 2 + ["not-in-good-standing"] * 2 + ["rejuvenation"] * 2
          + ["de-chartered"])
MEMBER_ROLES = ["chair", "secretary", "treasurer", "voting-delegate", "cac-delegate"]
DEMO_REASON = "Demo history."


def delete_demo() -> int:
    with transaction.atomic():
        n, _ = cm.Chapter.objects.filter(is_demo=True).delete()
        cm.ChapterMembership.objects.filter(is_demo=True).delete()
        cm.OfficerChange.objects.filter(is_demo=True).delete()
        cm.OfficerTerm.objects.filter(is_demo=True).delete()
        cm.AnnualReport.objects.filter(is_demo=True).delete()
    return n


def generate(seed: int = 2026, reset: bool = False, at: datetime | None = None) -> dict[str, int]:
    """Create the demo chapters (nothing when they exist, unless ``reset``)."""
    from isoc.members.models import Person
    from isoc.members.queries import active_members

    if reset:
        delete_demo()
    elif cm.Chapter.objects.filter(is_demo=True).exists():
        return {"chapters": 0, "memberships": 0, "officers": 0, "reports": 0}
    rng = Random(seed)
    now = (at or timezone.now()).astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    isoc = list(active_members(now).filter(is_demo=True).order_by("pk").values_list("pk", flat=True))
    others = list(Person.objects.filter(is_demo=True).exclude(pk__in=isoc).order_by("pk").values_list("pk", flat=True))
    if len(isoc) < 30:
        return {"chapters": 0, "memberships": 0, "officers": 0, "reports": 0}
    standards = cm.ChapterStandards.at(now)
    bureaus = {b.slug: b for b in cm.RegionalBureau.objects.all()}
    by_bureau: dict[str, list[str]] = {}
    for info in countries():
        if info.isoc_region:
            by_bureau.setdefault(info.isoc_region, []).append(info.code)
    taken = set(cm.Chapter.objects.exclude(state="de-chartered").exclude(country=None).values_list("country", flat=True))
    chapters, plans = [], []
    with transaction.atomic():
        for slug, n in PER_BUREAU.items():
            pool = sorted(set(by_bureau.get(slug, [])) - taken)
            rng.shuffle(pool)
            for i, code in enumerate(pool[:n]):
                state = STATES[i % len(STATES)]
                formed = now - timedelta(days=rng.randint(400, 3600))
                chartered = formed + timedelta(days=rng.randint(90, 300)) if state != "in-formation" else None
                if state == "in-formation":
                    formed = now - timedelta(days=rng.randint(20, 300))
                c = cm.Chapter(
                    name=f"Demo {_name(code)} Chapter", slug=f"demo-{code.lower()}", kind="chapter",
                    bureau=bureaus.get(slug), country=code, community="",
                    description=f"A generated demo chapter serving {_name(code)}.", state=state,
                    formed_at=formed, state_since=formed, chartered_at=chartered, is_demo=True)
                chapters.append(c)
                plans.append(state)
        cm.Chapter.objects.bulk_create(chapters)
        memberships, terms, transitions, reports = [], [], [], []
        for c, state in zip(chapters, plans, strict=True):
            _story(c, state, now, rng, standards, isoc, others, memberships, terms, transitions, reports)
        for group in cm.Chapter.objects.filter(kind="standing-group", is_demo=False):
            people = rng.sample(isoc, min(len(isoc), rng.randint(30, 45)))
            start = group.chartered_at or now
            for pk in people:
                memberships.append(cm.ChapterMembership(person_id=pk, chapter=group, joined_at=start, is_demo=True))
            for role, pk in zip(MEMBER_ROLES, people, strict=False):
                terms.append(cm.OfficerTerm(person_id=pk, chapter=group, role=role, starts_on=start.date(), is_demo=True))
        cm.ChapterMembership.objects.bulk_create(memberships, batch_size=1000)
        cm.OfficerTerm.objects.bulk_create(terms, batch_size=1000)
        cm.OfficerChange.objects.bulk_create(_officer_history(terms), batch_size=1000)
        cm.ChapterTransition.objects.bulk_create(transitions, batch_size=1000)
        cm.AnnualReport.objects.bulk_create(reports, batch_size=1000)
        for c in chapters:
            c.save()
    return {"chapters": len(chapters), "memberships": len(memberships), "officers": len(terms), "reports": len(reports)}


def _officer_history(terms) -> list[cm.OfficerChange]:
    """The officer-history rows the services would have left: each appointment (by the
    secretariat, unnamed) and the end of each ended term."""
    rows = []
    for t in terms:
        fields = {"chapter_id": t.chapter_id, "term": t, "person_id": t.person_id, "role": t.role,
                  "starts_on": t.starts_on, "is_demo": True}
        rows.append(cm.OfficerChange(kind="appointed", at=datetime.combine(t.starts_on, time(9), tzinfo=UTC), **fields))
        if t.ends_on:
            kind = "dechartered" if t.chapter.state == "de-chartered" else "ended"
            rows.append(cm.OfficerChange(kind=kind, ends_on=t.ends_on,
                                         at=datetime.combine(t.ends_on, time(12), tzinfo=UTC), **fields))
    return rows


def _name(code: str) -> str:
    from isoc.members.countries import COUNTRY_NAMES

    return COUNTRY_NAMES.get(code, code)


def _story(c, state, now, rng, standards, isoc, others, memberships, terms, transitions, reports) -> None:
    """Members, officers, reports and transitions that make ``c`` be in ``state`` now."""
    def move(kind, frm, to, at, reason=DEMO_REASON):
        transitions.append(cm.ChapterTransition(chapter=c, kind=kind, from_state=frm, to_state=to, at=at,
                                                reason=reason))

    move("formed", "", "in-formation", c.formed_at, "Formed (demo).")
    size = rng.randint(8, 20) if state == "in-formation" else rng.randint(standards.charter_min_members, 45)
    people = rng.sample(isoc, min(size, len(isoc)))
    people += rng.sample(others, min(len(others), rng.randint(0, 6)))
    for pk in people:
        memberships.append(cm.ChapterMembership(person_id=pk, chapter=c, joined_at=c.formed_at, is_demo=True))
    if state == "in-formation":
        return
    chartered = c.chartered_at
    move("chartered", "in-formation", "chartered", chartered, "Charter approved (demo).")
    start = chartered.date()
    for role, pk in zip(MEMBER_ROLES, people, strict=False):
        terms.append(cm.OfficerTerm(person_id=pk, chapter=c, role=role, starts_on=start, is_demo=True))
    # A report for every year owed, filed in February of the next year.
    last_owed = rules.report_owed(now.date(), start, standards)
    years = list(range(chartered.year, (last_owed or chartered.year - 1) + 1))
    if state == "rejuvenation" and years:
        years = years[:-1]  # the missing report that cost it its standing
    for y in years:
        reports.append(cm.AnnualReport(
            chapter=c, year=y, activities=f"Demo activities of {y}: meetups and a local IGF.",
            events="Demo events.", membership_count=len(people), income=rng.randint(0, 5000),
            expenses=rng.randint(0, 4000), filed_at=datetime(y + 1, 2, 15, tzinfo=UTC), is_demo=True))
    c.state_since = chartered
    if state == "chartered":
        return
    if state == "not-in-good-standing":
        lost = now - timedelta(days=rng.randint(5, 60))
        terms[-3].ends_on = (lost - timedelta(days=2)).date()  # the treasurer stepped down
        move("standing-lost", "chartered", state, lost, "No officer holds these roles: Treasurer. (demo)")
        c.state_since, c.cure_until = lost, rules.add_months(lost, standards.cure_months)
        return
    if state == "rejuvenation":
        lost = now - timedelta(days=rng.randint(100, 200))
        move("standing-lost", "chartered", "not-in-good-standing", lost, "The annual report was not filed. (demo)")
        rejuvenating = rules.add_months(lost, standards.cure_months)
        move("rejuvenation", "not-in-good-standing", state, rejuvenating, "The cure period ended. (demo)")
        c.state_since, c.rejuvenation_until = rejuvenating, rules.add_months(rejuvenating, standards.rejuvenation_months)
        return
    ended = now - timedelta(days=rng.randint(30, 300))
    t = cm.ChapterTransition(chapter=c, kind="dechartered", from_state="chartered", to_state=state, at=ended,
                             reason="No activity for two years (demo).")
    transitions.append(t)
    for term in terms[-len(MEMBER_ROLES):]:
        if term.chapter is c:
            term.ends_on = ended.date()
    c.state_since, c.dechartered_at = ended, ended

