"""Operations on fellowship applications, reviews and decisions.

Each public function that changes something is one transaction, checks its own rules
(``RuleViolation`` otherwise, with ``field`` naming the input) and leaves history: an
``ApplicationChange`` row for every change of state, dated rows for the rest
(endorsements, conflicts, assignments, reviews, decisions). The rules themselves are in
the Django-free modules ``eligibility``, ``scoring`` and ``forms_schema``.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from isoc.chapters import models as cm
from isoc.chapters import services as chapters
from isoc.fellowships import eligibility, forms_schema, learning_link, scoring
from isoc.fellowships._text import Message
from isoc.fellowships.models import (
    AlumniProfile,
    Application,
    ApplicationChange,
    Call,
    ConflictDeclaration,
    Decision,
    Document,
    Endorsement,
    Onboarding,
    Review,
    ReviewAssignment,
    Track,
)
from isoc.members.countries import COUNTRY_CHOICES
from isoc.members.models import Person
from isoc.members.services import RuleViolation

State = Application.State
EDITABLE = (State.DRAFT,)
DECIDABLE = (State.SUBMITTED, State.UNDER_REVIEW, State.WAITLISTED, State.ACCEPTED, State.DECLINED)
WITHDRAWABLE = (State.DRAFT, State.SUBMITTED, State.UNDER_REVIEW, State.WAITLISTED)
SNIFF_BYTES = 2048

__all__ = ["RuleViolation", "FormRefused", "Ineligible"]


def say(message: Message) -> str:
    """A core message in the reader's language."""
    return message.text(translation.gettext)


class FormRefused(RuleViolation):
    """The application form was answered with errors; ``errors`` maps field → message."""

    def __init__(self, errors: list[tuple[str, str]]):
        super().__init__(_("Some answers need correcting."), errors[0][0] if errors else None, code="form")
        self.errors = errors


class Ineligible(RuleViolation):
    """The applicant does not meet the track's rules; ``reasons`` says each one."""

    def __init__(self, reasons: list[str]):
        super().__init__(_("You are not eligible for this track: %(reasons)s") % {"reasons": " ".join(reasons)},
                         code="ineligible")
        self.reasons = reasons


def _log(application: Application, before: str, after: str, actor, note: str = "", at: datetime | None = None) -> None:
    ApplicationChange.objects.create(application=application, from_state=before, to_state=after, actor=actor,
                                     note=note[:300], at=at or timezone.now())


def _move(application: Application, to: str, actor, note: str = "", at: datetime | None = None) -> None:
    before = application.state
    application.state = to
    application.updated_at = at or timezone.now()
    application.save(update_fields=["state", "updated_at"])
    _log(application, before, to, actor, note, at)


def _locked(application: Application) -> Application:
    return Application.objects.select_for_update(of=("self",)).select_related("call", "track", "applicant").get(pk=application.pk)


def _require_staff(actor) -> None:
    if actor is None or not getattr(actor, "is_staff", False):
        raise RuleViolation(_("Only the secretariat can do this."), code="forbidden")


def _require_applicant(application: Application, actor) -> None:
    if actor is None or actor.pk != application.applicant_id:
        raise RuleViolation(_("Only the applicant can do this."), code="forbidden")


def deadline_text(call: Call) -> str:
    from isoc.site import l10n

    return l10n.instant(call.closes_at, call.time_zone, translation.get_language())


def _require_open(call: Call, at: datetime) -> None:
    if call.status != Call.Status.PUBLISHED:
        raise RuleViolation(_("This call is not taking applications."), code="not_open")
    if at < call.opens_at:
        raise RuleViolation(_("This call opens on %(date)s.") % {"date": l10n_instant(call.opens_at, call)},
                            code="not_open")
    if at >= call.closes_at:
        raise RuleViolation(_("The deadline for this call passed on %(date)s; applications can no longer be changed "
                              "or submitted.") % {"date": deadline_text(call)}, code="deadline")


def l10n_instant(value: datetime, call: Call) -> str:
    from isoc.site import l10n

    return l10n.instant(value, call.time_zone, translation.get_language())


# --- the applicant: draft, documents, submit, withdraw ----------------------------------


@dataclass
class Profile:
    """The facts every form asks, beside the call's own questions."""

    birth_date: date | None = None
    country: str = ""
    gender: str = ""


def _clean_profile(profile: Profile, errors: list[tuple[str, str]]) -> Profile:
    if profile.country and profile.country not in dict(COUNTRY_CHOICES):
        errors.append(("country", _("Choose a country from the list.")))
    if profile.gender and profile.gender not in Application.Gender.values:
        errors.append(("gender", _("Choose one of the options offered.")))
    if profile.birth_date and not (date(1900, 1, 1) <= profile.birth_date <= timezone.now().date()):
        errors.append(("birth_date", _("Enter your real date of birth.")))
    return profile


@transaction.atomic
def save_draft(call: Call, person: Person, *, track: Track, profile: Profile, answers: Mapping[str, object],
               at: datetime | None = None) -> Application:
    """Create or update ``person``'s draft for ``call``. Saved as often as they like
    before the deadline; nothing is required yet, but what is given must be valid (or
    nothing is saved, and every error is named)."""
    now = at or timezone.now()
    call = Call.objects.select_for_update().get(pk=call.pk)
    _require_open(call, now)
    if track.programme_id != call.programme_id:
        raise RuleViolation(_("Choose one of this programme's tracks."), "track")
    application = Application.objects.select_for_update().filter(call=call, applicant=person).first()
    if application is not None and application.state not in EDITABLE:
        raise RuleViolation(_("This application is %(state)s; it can no longer be changed.")
                            % {"state": application.get_state_display()}, code="not_draft")
    errors: list[tuple[str, str]] = []
    profile = _clean_profile(profile, errors)
    result = forms_schema.validate(call.application_form(), answers, partial=True)
    errors += [(e.field, say(e.message)) for e in result.errors]
    if errors:
        raise FormRefused(errors)
    if application is None:
        application = Application.objects.create(call=call, applicant=person, track=track, created_at=now,
                                                 updated_at=now, is_demo=call.is_demo)
        _log(application, "", State.DRAFT, person, "draft started", now)
    application.track = track
    application.birth_date, application.country, application.gender = profile.birth_date, profile.country, profile.gender
    application.answers = result.clean
    application.updated_at = now
    application.save()
    return application


@transaction.atomic
def upload_document(application: Application, field_name: str, upload, *, actor: Person,
                    at: datetime | None = None) -> Document:
    """Store a file for a file field of the form, replacing an earlier one. Its size and
    type are checked, the type by its content (a renamed executable is refused)."""
    now = at or timezone.now()
    application = _locked(application)
    _require_applicant(application, actor)
    _require_open(application.call, now)
    if application.state not in EDITABLE:
        raise RuleViolation(_("Documents can be changed only while the application is a draft."), code="not_draft")
    f = application.call.application_form().field(field_name)
    if f is None or f.kind != "file":
        raise RuleViolation(_("This form has no such document."), "file")
    upload.seek(0)
    head = upload.read(SNIFF_BYTES)
    problem = forms_schema.check_upload(f, head, upload.size or 0)
    if problem is not None:
        raise RuleViolation(say(problem), field_name)
    upload.seek(0)
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    kind = forms_schema.sniff(head)
    old = application.documents.filter(field=field_name).first()
    if old is not None:
        old.delete()
    upload.seek(0)
    document = Document(application=application, field=field_name, original_name=(upload.name or "")[-200:],
                        kind=kind, size=upload.size, sha256=digest.hexdigest(), uploaded_at=now)
    document.file.save("upload", upload, save=False)  # streamed in chunks, not read into memory
    document.save()
    if old is not None:
        # The old file goes last: should storing the new one fail, the rolled-back row
        # still points at a file that exists.
        old.file.delete(save=False)
    return document


@transaction.atomic
def remove_document(document: Document, *, actor: Person, at: datetime | None = None) -> None:
    application = _locked(document.application)
    _require_applicant(application, actor)
    _require_open(application.call, at or timezone.now())
    if application.state not in EDITABLE:
        raise RuleViolation(_("Documents can be changed only while the application is a draft."), code="not_draft")
    name = document.file.name
    storage = document.file.storage
    document.delete()
    transaction.on_commit(lambda: storage.delete(name))


def eligibility_facts(application: Application, at: datetime | None = None) -> eligibility.Facts:
    at = at or timezone.now()
    endorsing = [eligibility.Endorsing(e.chapter.name, chapters.may_receive_fellowship_nomination(e.chapter, at))
                 for e in application.endorsements.select_related("chapter")]
    track = application.track
    return eligibility.Facts(
        on=application.call.closes_at.date(), birth_date=application.birth_date, country=application.country,
        completed_prerequisite=learning_link.has_completed(application.applicant, track.prerequisite_course),
        endorsements=tuple(endorsing))


def track_rules(track: Track) -> eligibility.TrackRules:
    return eligibility.TrackRules(
        min_age=track.min_age, max_age=track.max_age, countries=frozenset(c.upper() for c in track.countries or []),
        prerequisite=track.prerequisite_course.title if track.prerequisite_course_id else None,
        endorsement_required=track.endorsement_required)


def ineligibility(application: Application, at: datetime | None = None) -> list[str]:
    """Why the application's applicant may not apply to its track now (empty: eligible)."""
    return [say(m) for m in eligibility.reasons(track_rules(application.track), eligibility_facts(application, at))]


@transaction.atomic
def submit(application: Application, *, actor: Person, at: datetime | None = None) -> Application:
    """Submit a draft: refused after the deadline, with any answer missing or invalid
    (each named), or when the applicant is not eligible (each reason said)."""
    now = at or timezone.now()
    application = _locked(application)
    _require_applicant(application, actor)
    _require_open(application.call, now)
    if application.state != State.DRAFT:
        raise RuleViolation(_("This application was already submitted."), code="not_draft")
    form = application.call.application_form()
    result = forms_schema.validate(form, application.answers,
                                   files=list(application.documents.values_list("field", flat=True)))
    errors = [(e.field, say(e.message)) for e in result.errors]
    for name, label in (("birth_date", _("Date of birth")), ("country", _("Country of residence")),
                        ("gender", _("Gender"))):
        if not getattr(application, name):
            errors.append((name, _("%(field)s is required.") % {"field": label}))
    if errors:
        raise FormRefused(errors)
    reasons = ineligibility(application, now)
    if reasons:
        raise Ineligible(reasons)
    application.submitted_at = now
    application.save(update_fields=["submitted_at"])
    _move(application, State.SUBMITTED, actor, "submitted", now)
    return application


@transaction.atomic
def withdraw(application: Application, *, actor: Person, reason: str = "", at: datetime | None = None) -> Application:
    application = _locked(application)
    _require_applicant(application, actor)
    if application.state not in WITHDRAWABLE:
        raise RuleViolation(_("This application is %(state)s; it can no longer be withdrawn.")
                            % {"state": application.get_state_display()}, code="not_withdrawable")
    _move(application, State.WITHDRAWN, actor, reason or "withdrawn by the applicant", at)
    return application


# --- endorsement --------------------------------------------------------------------------


def endorsing_chapters(person: Person, at: datetime | None = None) -> QuerySet[cm.Chapter]:
    """Chapters ``person`` may endorse for: those where they hold office."""
    return chapters.officer_chapters(person, at)


@transaction.atomic
def endorse(application: Application, chapter: cm.Chapter, *, officer: Person, statement: str = "",
            at: datetime | None = None) -> Endorsement:
    """An officer of ``chapter`` endorses the applicant. A chapter not in good standing
    (or in rejuvenation) cannot endorse."""
    now = at or timezone.now()
    application = _locked(application)
    if officer.pk == application.applicant_id:
        raise RuleViolation(_("You cannot endorse your own application."), "chapter", code="own")
    if not chapters.is_officer(officer, chapter, at=now):
        raise RuleViolation(_("Only an officer of the chapter can endorse on its behalf."), "chapter", code="forbidden")
    if not chapters.may_receive_fellowship_nomination(chapter, now):
        raise RuleViolation(_("%(chapter)s cannot endorse applicants now: only a chapter in good standing can (not one "
                              "in rejuvenation).") % {"chapter": chapter.name}, "chapter", code="standing")
    if application.state not in (State.DRAFT, State.SUBMITTED, State.UNDER_REVIEW):
        raise RuleViolation(_("This application can no longer be endorsed."), code="decided")
    if application.endorsements.filter(chapter=chapter).exists():
        raise RuleViolation(_("%(chapter)s has already endorsed this application.") % {"chapter": chapter.name},
                            "chapter", code="twice")
    return Endorsement.objects.create(application=application, chapter=chapter, endorsed_by=officer,
                                      statement=statement.strip()[:2000], at=now)


# --- conflicts and review -------------------------------------------------------------------


def _chapters_of(person: Person, at: datetime) -> set[int]:
    """The chapters ``person`` belongs to or serves at ``at``. Global standing groups
    (Youth, Accessibility) are left out: sharing one of thousands of members is no tie."""
    members = cm.ChapterMembership.objects.filter(Q(left_at__isnull=True) | Q(left_at__gt=at), person=person,
                                                  joined_at__lte=at, chapter__kind=cm.Chapter.Kind.CHAPTER)
    officers = chapters.officer_chapters(person, at).filter(kind=cm.Chapter.Kind.CHAPTER)
    return set(members.values_list("chapter_id", flat=True)) | set(officers.values_list("pk", flat=True))


def conflicts(reviewer: Person, application: Application, at: datetime | None = None) -> list[str]:
    """Why ``reviewer`` is conflicted on ``application`` (empty: not conflicted): their own
    application, a chapter they share with the applicant or that endorsed them, or a
    conflict they declared."""
    at = at or timezone.now()
    found = []
    if reviewer.pk == application.applicant_id:
        found.append(_("It is your own application."))
    own = _chapters_of(reviewer, at)
    if own:
        theirs = _chapters_of(application.applicant, at)
        theirs |= set(application.endorsements.values_list("chapter_id", flat=True))
        if own & theirs:
            found.append(_("The applicant belongs to, or is endorsed by, a chapter of yours."))
    declared = ConflictDeclaration.objects.filter(reviewer=reviewer, application=application).first()
    if declared is not None:
        found.append(_("You declared a conflict: %(reason)s") % {"reason": declared.reason})
    return found


def conflicted_ids(reviewer: Person, applications: Iterable[Application], at: datetime | None = None) -> set[int]:
    return {a.pk for a in applications if conflicts(reviewer, a, at)}


def review_queue(reviewer: Person) -> list[ReviewAssignment]:
    """The reviewer's assignments, conflicted ones never included."""
    assignments = (ReviewAssignment.objects.filter(reviewer=reviewer,
                                                   application__state__in=(State.UNDER_REVIEW, State.SUBMITTED))
                   .select_related("application__call", "application__track__programme", "application__applicant")
                   .order_by("application__call__closes_at", "application_id"))
    return [a for a in assignments if not conflicts(reviewer, a.application)]


def assignment_for(reviewer: Person, application_id: int) -> ReviewAssignment | None:
    """The reviewer's assignment to an application, or None when there is none or they
    are conflicted (the page then answers 404: it does not even confirm it exists)."""
    assignment = (ReviewAssignment.objects.filter(reviewer=reviewer, application_id=application_id)
                  .select_related("application__call", "application__track__programme", "application__applicant")
                  .first())
    if assignment is None or conflicts(reviewer, assignment.application):
        return None
    return assignment


@transaction.atomic
def declare_conflict(application: Application, *, reviewer: Person, reason: str,
                     at: datetime | None = None) -> ConflictDeclaration:
    """A reviewer declares a conflict: their assignment (and any review they wrote) is
    removed, and they never see the application again."""
    reason = (reason or "").strip()
    if not reason:
        raise RuleViolation(_("Say briefly why (it stays with the secretariat)."), "reason")
    application = _locked(application)
    declaration, _created = ConflictDeclaration.objects.get_or_create(
        reviewer=reviewer, application=application, defaults={"reason": reason[:300], "at": at or timezone.now()})
    removed = ReviewAssignment.objects.filter(reviewer=reviewer, application=application).delete()[0]
    if removed:
        _log(application, application.state, application.state, reviewer, "a reviewer declared a conflict and was "
             "unassigned", at)
    return declaration


@transaction.atomic
def assign_reviewer(application: Application, reviewer: Person, *, actor: Person,
                    at: datetime | None = None) -> ReviewAssignment:
    """Staff assign a reviewer; never one who is conflicted on the application."""
    _require_staff(actor)
    now = at or timezone.now()
    application = _locked(application)
    if application.state not in (State.SUBMITTED, State.UNDER_REVIEW):
        raise RuleViolation(_("Only submitted applications are reviewed."), code="not_submitted")
    if not reviewer.is_active or reviewer.erased_at:
        raise RuleViolation(_("This account is closed."), "reviewer", code="account_closed")
    reasons = conflicts(reviewer, application, now)
    if reasons:
        raise RuleViolation(_("%(reviewer)s is conflicted on this application: %(reasons)s")
                            % {"reviewer": reviewer.email, "reasons": " ".join(reasons)}, "reviewer", code="conflict")
    assignment, created = ReviewAssignment.objects.get_or_create(
        application=application, reviewer=reviewer, defaults={"assigned_by": actor, "assigned_at": now})
    if not created:
        raise RuleViolation(_("%(reviewer)s is already assigned.") % {"reviewer": reviewer.email}, "reviewer",
                            code="twice")
    if application.state == State.SUBMITTED:
        _move(application, State.UNDER_REVIEW, actor, "first reviewer assigned", now)
    return assignment


def _scores(call: Call, scores: Mapping[str, object]) -> tuple[dict[str, int], float]:
    criteria = call.criteria()
    clean: dict[str, int] = {}
    for c in criteria:
        value = scores.get(c.key)
        if isinstance(value, list | tuple):
            value = value[-1] if value else None
        try:
            number = int(str(value).strip())
        except (TypeError, ValueError):
            raise RuleViolation(_("Give a whole number from 0 to %(max)s.") % {"max": c.maximum}, f"score_{c.key}") from None
        if not 0 <= number <= c.maximum:
            raise RuleViolation(_("Give a whole number from 0 to %(max)s.") % {"max": c.maximum}, f"score_{c.key}")
        clean[c.key] = number
    return clean, scoring.weighted_score(clean, criteria)


@transaction.atomic
def submit_review(assignment: ReviewAssignment, *, reviewer: Person, scores: Mapping[str, object], comment: str = "",
                  at: datetime | None = None) -> Review:
    """Score an application on the call's rubric (again, to change it, until decided)."""
    if assignment.reviewer_id != reviewer.pk:
        raise RuleViolation(_("This review is assigned to someone else."), code="forbidden")
    application = _locked(assignment.application)
    if conflicts(reviewer, application, at):
        raise RuleViolation(_("You are conflicted on this application."), code="conflict")
    if application.state not in (State.UNDER_REVIEW, State.SUBMITTED):
        raise RuleViolation(_("This application is no longer under review."), code="not_under_review")
    clean, raw = _scores(application.call, scores)
    review, _created = Review.objects.update_or_create(
        assignment=assignment, defaults={"scores": clean, "raw_score": raw, "comment": (comment or "").strip()[:5000],
                                         "submitted_at": at or timezone.now()})
    return review


# --- ranking and selection ------------------------------------------------------------------


@dataclass
class RankedApplication:
    application: Application
    rank: int | None
    normalised: float | None
    raw_mean: float | None
    spread: float | None
    reviews: int
    assigned: int
    disagreement: bool
    decision: Decision | None


def ranking(call: Call) -> list[RankedApplication]:
    """Every submitted application of ``call``, ranked by normalised score (see
    ``scoring``); those without a review yet come last, unranked."""
    applications = {a.pk: a for a in call.applications.filter(state__in=Application.SUBMITTED_STATES)
                    .select_related("applicant", "track").prefetch_related("decisions", "assignments")}
    reviews = [scoring.Review(r.assignment.reviewer_id, r.assignment.application_id, r.raw_score)
               for r in Review.objects.filter(assignment__application_id__in=applications).select_related("assignment")]
    rows = []
    seen = set()
    for ranked in scoring.rank(reviews, call.disagreement_threshold):
        app = applications[ranked.application]
        seen.add(app.pk)
        rows.append(RankedApplication(app, ranked.rank, ranked.normalised, ranked.raw_mean, ranked.spread,
                                      ranked.reviews, len(app.assignments.all()), ranked.disagreement,
                                      _latest(app)))
    for pk, app in sorted(applications.items()):
        if pk not in seen:
            rows.append(RankedApplication(app, None, None, None, None, 0, len(app.assignments.all()), False,
                                          _latest(app)))
    return rows


def _latest(application: Application) -> Decision | None:
    decisions = sorted(application.decisions.all(), key=lambda d: (d.decided_at, d.pk))
    return decisions[-1] if decisions else None


@dataclass
class TargetLine:
    dimension: str  # "region" or "gender"
    key: str
    target: int
    selected: int

    @property
    def met(self) -> bool:
        return self.selected >= self.target

    @property
    def label(self) -> str:
        from isoc.fellowships.models import REGION_LABELS

        labels = REGION_LABELS if self.dimension == "region" else dict(Application.Gender.choices)
        return str(labels.get(self.key, self.key))


@dataclass
class Selection:
    accepted: int
    places: int
    lines: list[TargetLine] = field(default_factory=list)
    by_region: Counter = field(default_factory=Counter)
    by_gender: Counter = field(default_factory=Counter)


def selection(call: Call) -> Selection:
    """The current selection (accepted and onboarded) against the call's targets per
    region and gender."""
    chosen = list(call.applications.filter(state__in=(State.ACCEPTED, State.ONBOARDED)))
    by_region = Counter(a.region or "unknown" for a in chosen)
    by_gender = Counter(a.gender or "undisclosed" for a in chosen)
    lines = []
    targets = call.targets if isinstance(call.targets, dict) else {}
    for dimension, counts in (("region", by_region), ("gender", by_gender)):
        wanted = targets.get(dimension) or {}
        for key, target in sorted(wanted.items()):
            lines.append(TargetLine(dimension, key, int(target), counts.get(key, 0)))
    return Selection(len(chosen), call.places, lines, by_region, by_gender)


@transaction.atomic
def record_decision(application: Application, *, outcome: str, reason: str, actor: Person,
                    at: datetime | None = None) -> Decision:
    """Staff decide: accepted, waitlisted or declined, always with a reason. A decision
    may be revised until the fellow is onboarded; the applicant is told by ``notify``."""
    _require_staff(actor)
    now = at or timezone.now()
    reason = (reason or "").strip()
    if outcome not in Decision.Outcome.values:
        raise RuleViolation(_("Choose accepted, waitlisted or declined."), "outcome")
    if not reason:
        raise RuleViolation(_("Give the reason for the decision."), "reason")
    application = _locked(application)
    if application.state not in DECIDABLE:
        raise RuleViolation(_("This application is %(state)s; it cannot be decided.")
                            % {"state": application.get_state_display()}, code="not_decidable")
    decision = Decision.objects.create(application=application, outcome=outcome, reason=reason[:500], decided_by=actor,
                                       decided_at=now)
    if application.state != outcome:
        _move(application, outcome, actor, reason, now)
    return decision


def _send_decision_mail(decision_id: int) -> None:
    from isoc.fellowships.tasks import send_decision_mail

    send_decision_mail.delay(decision_id)


@transaction.atomic
def notify(call: Call, *, actor: Person | None, at: datetime | None = None, send_mail: bool = True) -> list[Decision]:
    """Email every applicant whose latest decision they have not been told yet (accepted,
    waitlisted or declined). Idempotent: nobody is told the same decision twice.
    ``send_mail=False`` records the notice without mail (demo data)."""
    if actor is not None:
        _require_staff(actor)
    now = at or timezone.now()
    told = []
    for application in call.applications.filter(state__in=(State.ACCEPTED, State.WAITLISTED, State.DECLINED)):
        decision = _latest(application)
        if decision is None or decision.notified_at is not None:
            continue
        decision.notified_at = now
        decision.save(update_fields=["notified_at"])
        _log(application, application.state, application.state, actor, f"applicant told: {decision.outcome}", now)
        if send_mail:
            transaction.on_commit(lambda pk=decision.pk: _send_decision_mail(pk))
        told.append(decision)
    return told


def told_decision(application: Application) -> Decision | None:
    """The decision the applicant has been told (the latest notified one)."""
    return application.decisions.filter(notified_at__isnull=False).order_by("-decided_at", "-id").first()


# --- onboarding and alumni --------------------------------------------------------------------


@transaction.atomic
def onboard(application: Application, *, actor: Person, at: datetime | None = None) -> Onboarding:
    """Start an accepted fellow's onboarding: they are enrolled in the programme's course
    and, for a programme that travels (IGF Ambassadors), asked to confirm travel details."""
    now = at or timezone.now()
    application = _locked(application)
    if actor.pk != application.applicant_id:
        _require_staff(actor)
    if application.state != State.ACCEPTED or told_decision(application) is None:
        raise RuleViolation(_("Only an accepted fellow who has been told the decision is onboarded."),
                            code="not_accepted")
    programme = application.call.programme
    course, note = None, ""
    if programme.onboarding_course_id:
        course, note = learning_link.enrol(application.applicant, programme.onboarding_course,
                                           application.applicant.preferred_language or "en",
                                           is_demo=application.is_demo)
    onboarding = Onboarding.objects.create(application=application, started_at=now, enrolled_course=course,
                                           enrolment_note=note[:300])
    AlumniProfile.objects.get_or_create(application=application, defaults={"listed": False, "changed_at": now})
    _move(application, State.ONBOARDED, actor, "onboarding started", now)
    return onboarding


@transaction.atomic
def confirm_travel(application: Application, *, person: Person, arrival: date | None, departure: date | None,
                   passport_country: str, visa_needed: bool | None, at: datetime | None = None) -> Onboarding:
    application = _locked(application)
    _require_applicant(application, person)
    onboarding = Onboarding.objects.select_for_update().filter(application=application).first()
    if onboarding is None or not application.call.programme.asks_travel:
        raise RuleViolation(_("There are no travel details to confirm for this application."), code="no_travel")
    if arrival is None:
        raise RuleViolation(_("Give your arrival date."), "arrival_date")
    if departure is None:
        raise RuleViolation(_("Give your departure date."), "departure_date")
    if departure < arrival:
        raise RuleViolation(_("Departure must be on or after arrival."), "departure_date")
    if passport_country not in dict(COUNTRY_CHOICES):
        raise RuleViolation(_("Choose the country that issued your passport."), "passport_country")
    if visa_needed is None:
        raise RuleViolation(_("Say whether you need a visa."), "visa_needed")
    onboarding.arrival_date, onboarding.departure_date = arrival, departure
    onboarding.passport_country, onboarding.visa_needed = passport_country, visa_needed
    onboarding.travel_confirmed_at = at or timezone.now()
    onboarding.save()
    _log(application, application.state, application.state, person, "travel details confirmed", at)
    return onboarding


@transaction.atomic
def set_alumni_listing(application: Application, *, person: Person, listed: bool,
                       at: datetime | None = None) -> AlumniProfile:
    """A fellow opts in to (or out of) the alumni directory."""
    application = _locked(application)
    _require_applicant(application, person)
    if application.state not in (State.ACCEPTED, State.ONBOARDED):
        raise RuleViolation(_("Only fellows are listed in the alumni directory."), code="not_fellow")
    profile, _created = AlumniProfile.objects.get_or_create(application=application)
    profile.listed = listed
    profile.changed_at = at or timezone.now()
    profile.save()
    _log(application, application.state, application.state, person,
         "listed in the alumni directory" if listed else "removed from the alumni directory", at)
    return profile


def alumni(programme: str = "", year: int | None = None, country: str = "") -> QuerySet[AlumniProfile]:
    """Listed alumni (opt-in only), filtered by programme slug, year and country."""
    qs = (AlumniProfile.objects.filter(listed=True, application__state__in=(State.ACCEPTED, State.ONBOARDED),
                                       application__applicant__is_active=True,
                                       application__applicant__erased_at__isnull=True)
          .select_related("application__applicant", "application__call__programme", "application__track")
          .order_by("-application__call__year", "application__applicant__last_name", "pk"))
    if programme:
        qs = qs.filter(application__call__programme__slug=programme)
    if year:
        qs = qs.filter(application__call__year=year)
    if country:
        qs = qs.filter(application__country=country.upper())
    return qs


def public_calls() -> QuerySet[Call]:
    return Call.objects.filter(status__in=(Call.Status.PUBLISHED, Call.Status.DECIDED)).select_related("programme")
