"""Demo fellowships (calls and applications marked ``is_demo``): a Next Generation
Leaders call open now with drafts, submitted applications and reviews under way, and an
IGF Ambassadors call decided last year with reviews, decisions, onboarded fellows and
listed alumni. Everything goes through the services, so history, conflicts and scores
are real; no mail is sent."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from isoc.fellowships import services
from isoc.fellowships.models import Application, Call, Document, Programme, Track
from isoc.fellowships.seed import seed as seed_programmes

FORM = [
    {"name": "motivation", "label": "Why do you want to join this programme?", "kind": "long_text", "required": True,
     "max_length": 3000},
    {"name": "experience", "label": "Your work on Internet issues so far", "kind": "long_text", "required": True,
     "max_length": 3000},
    {"name": "sector", "label": "Sector", "kind": "choice", "required": True,
     "choices": ["Civil society", "Technical community", "Government", "Private sector", "Academia"]},
    {"name": "languages", "label": "Languages you work in", "kind": "multiple_choice",
     "choices": ["English", "French", "Spanish", "Arabic", "Portuguese"]},
    {"name": "hours", "label": "Hours a week you can give", "kind": "number", "min": 1, "max": 40, "integer": True},
    {"name": "cv", "label": "CV (PDF or text, up to 2 MB)", "kind": "file", "required": True,
     "allowed_types": ["pdf", "txt"], "max_size": 2 * 1024 * 1024},
]
RUBRIC = [
    {"key": "motivation", "label": "Motivation and fit", "weight": 2, "max": 5},
    {"key": "experience", "label": "Experience and impact", "weight": 2, "max": 5},
    {"key": "potential", "label": "Leadership potential", "weight": 1, "max": 5},
]
TARGETS = {"region": {"africa": 2, "asia-pacific": 2, "latin-america-caribbean": 2, "middle-east": 1},
           "gender": {"woman": 4}}
MOTIVATIONS = [
    "I coordinate a community network that connects four villages; I want to bring their experience to policy debates.",
    "I teach network operations at a university and want to help students take part in Internet governance.",
    "As a journalist covering Internet shutdowns, I want to understand how measurement informs policy.",
    "I maintain DNS and routing for a small ISP and want to promote MANRS among its peers.",
    "I lead a youth group on online safety and want to learn how policy is made at the IGF.",
]
EXPERIENCE = [
    "Five years of volunteering with my chapter, including two Internet Society training courses.",
    "I deployed IPv6 on a national research network and wrote its operations guide.",
    "I organised a national Internet governance forum with 300 participants.",
    "I ran digital skills workshops for 400 women entrepreneurs.",
    "I contributed to an IETF draft on measurement and to RIPE Atlas campaigns.",
]


def remove() -> None:
    """Delete the demo calls and everything that hangs on them (uploaded files too)."""
    for document in Document.objects.filter(application__is_demo=True):
        document.file.delete(save=False)
    Application.objects.filter(is_demo=True).delete()  # cascades to reviews, decisions, onboarding, alumni
    Call.objects.filter(is_demo=True).delete()
    # The learning demo's courses go with its own reset: let go of those set as onboarding courses.
    Programme.objects.filter(onboarding_course__is_demo=True).update(onboarding_course=None)
    Track.objects.filter(prerequisite_course__is_demo=True).update(prerequisite_course=None)


def _cv(name: str) -> SimpleUploadedFile:
    text = f"Curriculum vitae: {name} (demo)\nGenerated demo data.\n"
    return SimpleUploadedFile(f"{name.lower().replace(' ', '-')}-cv.txt", text.encode("utf-8"))


def _answers(rng: random.Random) -> dict:
    return {"motivation": rng.choice(MOTIVATIONS), "experience": rng.choice(EXPERIENCE),
            "sector": rng.choice(FORM[2]["choices"]), "languages": rng.sample(FORM[3]["choices"], rng.randint(1, 3)),
            "hours": str(rng.randint(2, 12))}


def _profile(rng: random.Random, person, track: Track, on: date) -> services.Profile:
    low, high = track.min_age or 22, track.max_age or 45
    age = rng.randint(low, high)
    # Born within the year that makes them exactly ``age`` on the day the call closes.
    born = date(on.year - age - 1, on.month, min(on.day, 28)) + timedelta(days=rng.randint(1, 360))
    return services.Profile(birth_date=born, country=person.country or "KE",
                            gender=rng.choice(["woman", "woman", "man", "man", "non_binary", "undisclosed"]))


def _draft(rng, call: Call, track: Track, person, at: datetime, *, upload: bool = True) -> Application:
    app = services.save_draft(call, person, track=track, profile=_profile(rng, person, track, call.closes_at.date()),
                              answers=_answers(rng), at=at)
    if upload:
        services.upload_document(app, "cv", _cv(person.display_name), actor=person, at=at)
    return app


def _review(rng, reviewers, application: Application, harshness: dict, staff, at: datetime, count: int = 2) -> int:
    """Assign ``count`` reviewers who are not conflicted and have them score it."""
    done = 0
    for reviewer in rng.sample(reviewers, len(reviewers)):
        if done == count:
            break
        try:
            assignment = services.assign_reviewer(application, reviewer, actor=staff, at=at)
        except services.RuleViolation:
            continue  # conflicted: the next reviewer
        base = rng.randint(2, 5)
        scores = {c["key"]: max(0, min(5, base + harshness[reviewer.pk] + rng.randint(-1, 1))) for c in RUBRIC}
        services.submit_review(assignment, reviewer=reviewer, scores=scores, comment="Demo review.", at=at)
        done += 1
    return done


def _staff():
    from isoc.members.models import Person

    staff = Person.objects.filter(is_staff=True, is_active=True).order_by("pk").first()
    if staff is None:
        staff = Person.objects.create_user(email="fellowships-demo-staff@demo.isoc.example", is_staff=True,
                                           first_name="Demo", last_name="Secretariat", is_demo=True)
    return staff


REVIEWERS = [("Amina", "Diallo", "SN"), ("Kenji", "Watanabe", "JP"), ("Lucía", "Fernández", "AR"),
             ("Omar", "Haddad", "JO"), ("Ingrid", "Larsen", "NO"), ("Priya", "Nair", "IN"),
             ("Tomás", "Silva", "BR"), ("Grace", "Mensah", "GH")]


def _reviewers() -> list:
    """Eight demo reviewers outside every chapter (demo chapters take in most demo people,
    who would then be conflicted on their fellow members), as a secretariat picks them."""
    from isoc.members.models import Person

    out = []
    for i, (first, last, country) in enumerate(REVIEWERS, 1):
        person, _ = Person.objects.get_or_create(
            email=f"fellowship-reviewer-{i}@demo.isoc.example",
            defaults={"first_name": first, "last_name": last, "country": country, "is_demo": True})
        out.append(person)
    return out


def _course():
    """A published learning course fellows are enrolled in at onboarding, when there is one."""
    from isoc.learning.models import Course

    return (Course.objects.filter(status=Course.Status.PUBLISHED, enrolment=Course.Enrolment.OPEN)
            .order_by("-is_demo", "pk").first())


@transaction.atomic
def generate(*, seed: int = 2026, reset: bool = False, now: datetime | None = None) -> dict:
    """Create the demo calls (does nothing when they exist, unless ``reset``)."""
    from isoc.members.models import Person

    if reset:
        remove()
    empty = {"calls": 0, "applications": 0, "reviews": 0, "alumni": 0}
    if Call.objects.filter(is_demo=True).exists():
        return empty
    seed_programmes()
    people = list(Person.objects.filter(is_demo=True, is_active=True, erased_at__isnull=True).exclude(country="")
                  .order_by("pk")[:200])
    if len(people) < 60:
        return empty
    rng = random.Random(seed)
    now = (now or timezone.now()).replace(second=0, microsecond=0)
    staff = _staff()
    course = _course()
    ngl = Programme.objects.get(slug="next-generation-leaders")
    igf = Programme.objects.get(slug="igf-ambassadors")
    for programme in (ngl, igf):
        if course is not None and programme.onboarding_course_id is None:
            programme.onboarding_course = course
            programme.save(update_fields=["onboarding_course"])
    reviewers = _reviewers()
    applicants = [p for p in people if p not in reviewers]
    # Some reviewers are harsh, some generous: what the normalisation is for.
    harshness = {r.pk: h for r, h in zip(reviewers, [-2, -1, -1, 0, 0, 1, 1, 2], strict=True)}
    counts = {"calls": 2, "applications": 0, "reviews": 0, "alumni": 0}

    # Last year's IGF Ambassadors call, decided.
    year = now.year - 1
    opens = datetime(year, 2, 1, 9, tzinfo=UTC)
    past = Call.objects.create(
        programme=igf, slug=f"demo-igf-ambassadors-{year}", year=year, title=f"IGF Ambassadors {year} (demo)",
        description="Generated demo data: a call decided last year.", opens_at=opens,
        closes_at=datetime(year, 4, 1, 21, 59, tzinfo=UTC), time_zone="Europe/Zurich",
        status=Call.Status.PUBLISHED, form=FORM, rubric=RUBRIC, blind_review=True, disagreement_threshold=1.5,
        places=8, targets=TARGETS, is_demo=True)
    youth = igf.tracks.get(slug="youth")
    for i, person in enumerate(applicants[:24]):
        at = opens + timedelta(days=2 + i)
        app = _draft(rng, past, youth, person, at)
        services.submit(app, actor=person, at=at + timedelta(hours=2))
        counts["applications"] += 1
        counts["reviews"] += _review(rng, reviewers, app, harshness, staff, datetime(year, 4, 10, tzinfo=UTC))
    decided_at = datetime(year, 5, 2, 10, tzinfo=UTC)
    ranked = services.ranking(past)
    for position, row in enumerate(ranked):
        outcome, reason = (("accepted", f"Ranked {position + 1} of {len(ranked)} by normalised score.")
                           if position < past.places else
                           ("waitlisted", "Next in rank after the places were filled.") if position < past.places + 4
                           else ("declined", "Other applications ranked higher this year."))
        services.record_decision(row.application, outcome=outcome, reason=reason, actor=staff, at=decided_at)
    services.notify(past, actor=staff, at=decided_at + timedelta(days=1), send_mail=False)
    for row in ranked[: past.places]:
        app = row.application
        services.onboard(app, actor=app.applicant, at=decided_at + timedelta(days=3))
        services.confirm_travel(app, person=app.applicant, arrival=date(year, 6, 22), departure=date(year, 6, 28),
                                passport_country=app.country, visa_needed=rng.random() < 0.4,
                                at=decided_at + timedelta(days=10))
        if rng.random() < 0.8:
            services.set_alumni_listing(app, person=app.applicant, listed=True, at=decided_at + timedelta(days=30))
            counts["alumni"] += 1
    Call.objects.filter(pk=past.pk).update(status=Call.Status.DECIDED)

    # This year's Next Generation Leaders call, open now.
    current = Call.objects.create(
        programme=ngl, slug=f"demo-next-generation-leaders-{now.year}", year=now.year,
        title=f"Next Generation Leaders {now.year} (demo)", description="Generated demo data: a call open now.",
        opens_at=now - timedelta(days=20), closes_at=now + timedelta(days=25), time_zone="America/New_York",
        status=Call.Status.PUBLISHED, form=FORM, rubric=RUBRIC, blind_review=True, disagreement_threshold=1.5,
        places=10, targets=TARGETS, is_demo=True)
    young = ngl.tracks.get(slug="youth")
    for i, person in enumerate(applicants[24:46]):
        at = now - timedelta(days=15 - i % 10, hours=i)
        app = _draft(rng, current, young, person, at, upload=i % 3 != 0)
        counts["applications"] += 1
        if i < 10:  # the others stay drafts
            continue
        if i % 3 == 0:
            services.upload_document(app, "cv", _cv(person.display_name), actor=person, at=at)
        services.submit(app, actor=person, at=at + timedelta(hours=1))
        if i < 18:
            counts["reviews"] += _review(rng, reviewers, app, harshness, staff, at + timedelta(days=1),
                                         count=1 + i % 2)
    return counts

