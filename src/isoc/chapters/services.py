"""Operations on chapters and standing groups, and the questions other apps ask of them.

Each state-changing function is one transaction, locks the chapter row, checks its own
rules and raises ``RuleViolation`` (from ``isoc.members.services``) with a message for
people; every life-cycle change leaves a ``ChapterTransition``. Good standing is never
stored: ``standing`` computes it from the standards (``rules.standing``) for any instant.

Questions for other apps (events, elections, fellowships):
``in_good_standing``, ``standing``, ``chapters_in_good_standing``, ``voting_delegate``,
``may_receive_event_funding``, ``may_receive_fellowship_nomination``, ``is_officer``,
``can_manage``, ``may_manage_officers``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import slugify
from django.utils.translation import gettext as _

from isoc.chapters import models as cm
from isoc.chapters import rules
from isoc.chapters.rules import Failure, Role, State
from isoc.members.models import Person
from isoc.members.queries import active_members
from isoc.members.services import RuleViolation

Kind = cm.ChapterTransition.Kind


# --- reading: standing and roles -------------------------------------------------------


def _instant(at: datetime | date | None) -> datetime:
    if at is None:
        return timezone.now()
    if isinstance(at, datetime):
        return at
    # A day means the end of that day (UTC): what was true on it.
    return datetime.combine(at, time.max, tzinfo=UTC)


def _open_at(prefix: str, at: datetime) -> Q:
    return Q(**{f"{prefix}joined_at__lte": at}) & (Q(**{f"{prefix}left_at__isnull": True}) | Q(**{f"{prefix}left_at__gt": at}))


def _term_on(on: date, prefix: str = "") -> Q:
    return Q(**{f"{prefix}starts_on__lte": on}) & (Q(**{f"{prefix}ends_on__isnull": True}) | Q(**{f"{prefix}ends_on__gte": on}))


def members(chapter: cm.Chapter, at: datetime | date | None = None) -> QuerySet[Person]:
    """People who are members of the chapter at ``at``."""
    at = _instant(at)
    return Person.objects.filter(
        pk__in=cm.ChapterMembership.objects.filter(_open_at("", at), chapter=chapter).values("person_id"))


def member_count(chapter: cm.Chapter, at: datetime | date | None = None) -> int:
    return cm.ChapterMembership.objects.filter(_open_at("", _instant(at)), chapter=chapter).count()


def isoc_member_count(chapter: cm.Chapter, at: datetime | date | None = None) -> int:
    """Members of the chapter who are Internet Society members at ``at``."""
    at = _instant(at)
    return members(chapter, at).filter(pk__in=active_members(at).values("pk")).count()


def _facts(chapters: list[cm.Chapter], at: datetime) -> dict[int, rules.Facts]:
    """The facts the standards look at, for many chapters in a few queries."""
    ids = [c.pk for c in chapters]
    isoc = dict(
        cm.ChapterMembership.objects.filter(_open_at("", at), chapter_id__in=ids,
                                            person__in=active_members(at).values("pk"))
        .values("chapter_id").annotate(n=Count("person_id", distinct=True)).values_list("chapter_id", "n"))
    roles_held: dict[int, set[str]] = defaultdict(set)
    for cid, role in cm.OfficerTerm.objects.filter(_term_on(at.date()), chapter_id__in=ids).values_list("chapter_id", "role"):
        roles_held[cid].add(role)
    reports: dict[int, set[int]] = defaultdict(set)
    for cid, year in cm.AnnualReport.objects.filter(chapter_id__in=ids, filed_at__lte=at).values_list("chapter_id", "year"):
        reports[cid].add(year)
    now = timezone.now()
    out = {}
    for c in chapters:
        if at >= now:
            state, chartered = State(c.state), c.chartered_at
        else:
            state, chartered = _state_and_charter_at(c, at)
        out[c.pk] = rules.Facts(state=state, isoc_members=isoc.get(c.pk, 0), roles_held=frozenset(roles_held[c.pk]),
                                chartered_on=chartered.date() if chartered else None,
                                report_years=frozenset(reports[c.pk]))
    return out


def _state_and_charter_at(chapter: cm.Chapter, at: datetime) -> tuple[State, datetime | None]:
    """The state at ``at`` and the start of the charter then in force, from the history."""
    state, chartered = State.IN_FORMATION, None
    for t in chapter.transitions.filter(at__lte=at).order_by("at", "id"):
        to = State(t.to_state)
        if to == State.CHARTERED and state in (State.IN_FORMATION, State.DECHARTERED):
            chartered = t.at
        if to in (State.IN_FORMATION, State.DECHARTERED):
            chartered = None
        state = to
    return state, chartered


def standings(chapters: Iterable[cm.Chapter], at: datetime | date | None = None) -> dict[int, rules.Standing]:
    """Each chapter's standing at ``at`` (id → Standing), in a few queries."""
    at = _instant(at)
    chapters = list(chapters)
    standards = cm.ChapterStandards.at(at)
    return {cid: rules.standing(f, at.date(), standards) for cid, f in _facts(chapters, at).items()}


def standing(chapter: cm.Chapter, at: datetime | date | None = None) -> rules.Standing:
    """The chapter's standing at ``at`` (default now): ``.good``, and ``.failures``, the
    rules that fail as ``(Failure, detail)`` in a fixed order (``reasons`` words them)."""
    return standings([chapter], at)[chapter.pk]


def in_good_standing(chapter: cm.Chapter, at: datetime | date | None = None) -> bool:
    """Chartered and meeting every minimum standard at ``at``; computed, never stored."""
    return standing(chapter, at).good


def chapters_in_good_standing(at: datetime | date | None = None, kind: str | None = None) -> QuerySet[cm.Chapter]:
    """Chapters (and standing groups, unless ``kind`` narrows) in good standing at ``at``."""
    at = _instant(at)
    candidates = cm.Chapter.objects.all()
    if kind:
        candidates = candidates.filter(kind=kind)
    if at >= timezone.now():
        candidates = candidates.filter(state=State.CHARTERED)
    good = [cid for cid, s in standings(candidates, at).items() if s.good]
    return cm.Chapter.objects.filter(pk__in=good)


def reasons(result: rules.Standing) -> list[str]:
    """The failing rules in words, for pages and errors."""
    words = []
    for failure, detail in result.failures:
        if failure == Failure.NOT_CHARTERED:
            words.append(_("The chapter is not chartered (it is %(state)s).")
                         % {"state": cm.Chapter.State(detail).label})
        elif failure == Failure.TOO_FEW_MEMBERS:
            have, need = detail.split("/")
            words.append(_("It has %(have)s Internet Society members; the standards ask for %(need)s.")
                         % {"have": have, "need": need})
        elif failure == Failure.MISSING_OFFICER:
            roles = ", ".join(str(cm.OfficerTerm.RoleChoice(r).label) for r in detail.split(","))
            words.append(_("No officer holds these roles: %(roles)s.") % {"roles": roles})
        elif failure == Failure.MISSING_ANNUAL_REPORT:
            words.append(_("The annual report for %(year)s was not filed by its deadline.") % {"year": detail})
    return words


def officer_terms(chapter: cm.Chapter, at: datetime | date | None = None) -> QuerySet[cm.OfficerTerm]:
    return chapter.officer_terms.filter(_term_on(_instant(at).date())).select_related("person")


def is_officer(person: Person | None, chapter: cm.Chapter, role: str | None = None,
               at: datetime | date | None = None) -> bool:
    """Whether ``person`` holds office (``role``, or any) in ``chapter`` at ``at``."""
    if person is None or not getattr(person, "is_authenticated", True) or person.pk is None:
        return False
    terms = officer_terms(chapter, at).filter(person=person)
    if role:
        terms = terms.filter(role=role)
    return terms.exists()


def can_manage(person: Person | None, chapter: cm.Chapter, at: datetime | date | None = None) -> bool:
    """Staff manage every chapter; officers only their own, while in office."""
    if person is None or not getattr(person, "is_authenticated", False):
        return False
    return bool(person.is_staff) or is_officer(person, chapter, at=at)


def may_manage_officers(person: Person | None, chapter: cm.Chapter, at: datetime | date | None = None) -> bool:
    """Staff, or the chapter's chair in office, appoint its officers and end their terms.
    The other officers see the terms but do not change them: the terms decide who casts
    the chapter's vote in Board elections (the voting delegate) and whether it keeps its
    good standing, so a treasurer or secretary must not be able to make themselves the
    delegate or end the chair's term. "Officers manage their own chapter" holds for the
    rest of the dashboard (members, reports), which ``can_manage`` opens to every officer."""
    if person is None or not getattr(person, "is_authenticated", False):
        return False
    return bool(person.is_staff) or is_officer(person, chapter, Role.CHAIR, at=at)


def voting_delegate(chapter: cm.Chapter, at: datetime | date | None = None) -> Person | None:
    """The person holding the chapter's voting-delegate role at ``at`` (or None). Whether
    the chapter may vote is a separate question: ``in_good_standing``."""
    term = officer_terms(chapter, at).filter(role=Role.VOTING_DELEGATE).order_by("-starts_on").first()
    return term.person if term else None


def may_receive_event_funding(chapter: cm.Chapter, at: datetime | date | None = None) -> bool:
    """Only a chapter in good standing; never one in formation, not in good standing, in
    rejuvenation or de-chartered."""
    return in_good_standing(chapter, at)


def may_receive_fellowship_nomination(chapter: cm.Chapter, at: datetime | date | None = None) -> bool:
    """As for event funding: only a chapter in good standing (never in rejuvenation)."""
    return in_good_standing(chapter, at)


def officer_chapters(person: Person | None, at: datetime | date | None = None) -> QuerySet[cm.Chapter]:
    """Chapters where ``person`` holds an office at ``at``."""
    if person is None or not getattr(person, "is_authenticated", False):
        return cm.Chapter.objects.none()
    ids = cm.OfficerTerm.objects.filter(_term_on(_instant(at).date()), person=person).values("chapter_id")
    return cm.Chapter.objects.filter(pk__in=ids)


def is_member(person: Person | None, chapter: cm.Chapter, at: datetime | date | None = None) -> bool:
    if person is None or not getattr(person, "is_authenticated", False):
        return False
    return cm.ChapterMembership.objects.filter(_open_at("", _instant(at)), chapter=chapter, person=person).exists()


# --- life cycle ------------------------------------------------------------------------


def _require_staff(actor: Person | None) -> None:
    if actor is None or not actor.is_staff:
        raise RuleViolation(_("Only the secretariat can do this."), code="forbidden")


def _lock(chapter: cm.Chapter) -> cm.Chapter:
    return cm.Chapter.objects.select_for_update().get(pk=chapter.pk)


def _move(chapter: cm.Chapter, to: State, kind: str, *, at: datetime, actor: Person | None, reason: str,
          appeal_of: cm.ChapterTransition | None = None, decision: str = "") -> cm.ChapterTransition:
    """Record a transition and apply it to the (locked) chapter, with its dates."""
    frm = State(chapter.state)
    if appeal_of is None and to not in rules.TRANSITIONS[frm]:
        raise RuleViolation(
            _("A chapter that is %(from)s cannot become %(to)s.")
            % {"from": cm.Chapter.State(frm).label, "to": cm.Chapter.State(to).label}, "state", code="state")
    if chapter.transitions.filter(at__gt=at).exists():
        raise RuleViolation(_("The chapter's history already has a later change; a change cannot be back-dated before it."),
                            "at")
    standards = cm.ChapterStandards.at(at)
    if to != frm:
        chapter.state, chapter.state_since = to.value, at
    if to == State.CHARTERED and frm in (State.IN_FORMATION, State.DECHARTERED):
        chapter.chartered_at, chapter.dechartered_at = at, None
    if to == State.CHARTERED:
        chapter.cure_until = chapter.rejuvenation_until = None
    elif to == State.NOT_IN_GOOD_STANDING:
        chapter.cure_until = rules.add_months(at, standards.cure_months)
        chapter.rejuvenation_until = None
    elif to == State.REJUVENATION:
        chapter.rejuvenation_until = rules.add_months(at, standards.rejuvenation_months)
        chapter.cure_until = None
    elif to == State.DECHARTERED:
        chapter.dechartered_at, chapter.cure_until, chapter.rejuvenation_until = at, None, None
    chapter.save()
    return cm.ChapterTransition.objects.create(
        chapter=chapter, kind=kind, from_state=frm.value, to_state=to.value, at=at, actor=actor,
        reason=reason[:2000], appeal_of=appeal_of, decision=decision)


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise RuleViolation(_("Give the reason for this change; it is kept in the chapter's history."), "reason")
    return reason


@dataclass(frozen=True)
class Community:
    """Whom a chapter serves."""

    country: str | None = None
    subdivision: str = ""
    extra_countries: tuple[str, ...] = ()
    description: str = ""


def overlapping(chapter_areas: frozenset, exclude_pk: int | None = None) -> list[cm.Chapter]:
    """Chapters (not de-chartered) whose community overlaps these areas."""
    if not chapter_areas:
        return []
    countries = {c for c, _s in chapter_areas}
    candidates = cm.Chapter.objects.exclude(state=State.DECHARTERED).filter(kind=cm.Chapter.Kind.CHAPTER)
    if exclude_pk:
        candidates = candidates.exclude(pk=exclude_pk)
    found = []
    for other in candidates.filter(Q(country__in=countries) | ~Q(extra_countries=[])):
        if rules.overlaps(chapter_areas, other.areas()):
            found.append(other)
    return found


@transaction.atomic
def form_chapter(*, name: str, actor: Person | None, community: Community = Community(),
                 kind: str = cm.Chapter.Kind.CHAPTER, bureau: cm.RegionalBureau | None = None,
                 slug: str | None = None, about: str = "", approve_overlap: bool = False,
                 at: datetime | None = None, is_demo: bool = False) -> cm.Chapter:
    """Start a chapter (or standing group) *in formation*. Staff only. A chapter serves a
    country (all of it, a subdivision, or several countries); a community overlapping a
    chapter's that is not de-chartered needs ``approve_overlap`` (recorded with the actor)."""
    _require_staff(actor)
    at = at or timezone.now()
    name = (name or "").strip()
    if not name:
        raise RuleViolation(_("A chapter needs a name."), "name")
    slug = slugify(slug or name)[:120]
    if not slug or cm.Chapter.objects.filter(slug=slug).exists():
        raise RuleViolation(_("The address name %(slug)s is taken or empty; choose another.") % {"slug": slug}, "slug")
    country = (community.country or "").upper() or None
    extra = tuple(sorted({c.upper() for c in community.extra_countries if c}))
    from isoc.members.countries import COUNTRY_NAMES

    for code in (country, *extra):
        if code is not None and code not in COUNTRY_NAMES:
            raise RuleViolation(_("%(code)s is not an ISO 3166-1 country code.") % {"code": code}, "country")
    subdivision = (community.subdivision or "").upper()
    if subdivision and (not country or not subdivision.startswith(country + "-")):
        raise RuleViolation(_("A subdivision must be an ISO 3166-2 code of the chapter's country, e.g. ES-CT."),
                            "subdivision")
    if kind == cm.Chapter.Kind.CHAPTER:
        if not country and not extra:
            raise RuleViolation(_("A chapter serves a country or a community in one or more countries."), "country")
        if bureau is None:
            from isoc.pulse.regions import isoc_region

            region = isoc_region(country or extra[0])
            bureau = cm.RegionalBureau.objects.filter(slug=region).first() if region else None
        if bureau is None:
            raise RuleViolation(_("Choose the regional bureau the chapter belongs to."), "bureau")
    areas = rules.areas(country, subdivision, extra)
    clash = overlapping(areas)
    if clash and not approve_overlap:
        raise RuleViolation(
            _("Its community overlaps that of %(names)s; the secretariat must approve the overlap.")
            % {"names": ", ".join(c.name for c in clash)}, "country", code="overlap")
    chapter = cm.Chapter.objects.create(
        name=name[:200], slug=slug, kind=kind, bureau=bureau, country=country, subdivision=subdivision,
        extra_countries=list(extra), community=community.description[:200], description=about,
        state=State.IN_FORMATION, state_since=at, formed_at=at, is_demo=is_demo,
        overlap_approved_by=actor if clash else None, overlap_approved_at=at if clash else None)
    note = _("Formed.")
    if clash:
        note += " " + _("Overlap with %(names)s approved.") % {"names": ", ".join(c.name for c in clash)}
    cm.ChapterTransition.objects.create(chapter=chapter, kind=Kind.FORMED, from_state="",
                                        to_state=State.IN_FORMATION, at=at, actor=actor, reason=note)
    return chapter


@transaction.atomic
def charter(chapter: cm.Chapter, *, actor: Person | None, reason: str, at: datetime | None = None) -> cm.ChapterTransition:
    """In formation → chartered. Staff only; needs the standards' number of Internet
    Society members among the chapter's members."""
    _require_staff(actor)
    at = at or timezone.now()
    chapter = _lock(chapter)
    if chapter.state != State.IN_FORMATION:
        raise RuleViolation(_("Only a chapter in formation can be chartered; this one is %(state)s.")
                            % {"state": chapter.get_state_display()}, "state", code="state")
    need = cm.ChapterStandards.at(at).charter_min_members
    have = isoc_member_count(chapter, at)
    if have < need:
        raise RuleViolation(
            _("A chapter needs %(need)s Internet Society members among its members to be chartered; it has %(have)s.")
            % {"need": need, "have": have}, "members", code="too_few_members")
    return _move(chapter, State.CHARTERED, Kind.CHARTERED, at=at, actor=actor, reason=_reason(reason))


@transaction.atomic
def decharter(chapter: cm.Chapter, *, actor: Person | None, reason: str, at: datetime | None = None) -> cm.ChapterTransition:
    """Any state → de-chartered, by staff with a reason. Open officer terms end that day."""
    _require_staff(actor)
    at = at or timezone.now()
    chapter = _lock(chapter)
    reason = _reason(reason)
    if chapter.state == State.DECHARTERED:
        raise RuleViolation(_("The chapter is already de-chartered."), "state", code="state")
    t = _move(chapter, State.DECHARTERED, Kind.DECHARTERED, at=at, actor=actor, reason=reason)
    _end_open_terms(chapter, at.date(), at=at, actor=actor)
    return t


def _record(term: cm.OfficerTerm, kind: str, *, at: datetime, actor: Person | None,
            previous_ends_on: date | None = None) -> cm.OfficerChange:
    """The officer-history row of a change to ``term`` (its dates as they are now)."""
    return cm.OfficerChange.objects.create(
        chapter_id=term.chapter_id, term=term, person_id=term.person_id, role=term.role,
        kind=kind, starts_on=term.starts_on, ends_on=term.ends_on, previous_ends_on=previous_ends_on, at=at,
        actor=actor, is_demo=term.is_demo)


def _end_open_terms(chapter: cm.Chapter, on: date, *, at: datetime, actor: Person | None) -> None:
    """De-chartering ends every term running on ``on`` that day and withdraws those that
    had not started (a term cannot end before it starts); each leaves its history row."""
    for term in chapter.officer_terms.filter(Q(ends_on__isnull=True) | Q(ends_on__gt=on), starts_on__lte=on):
        previous, term.ends_on = term.ends_on, on
        term.save(update_fields=["ends_on"])
        _record(term, cm.OfficerChange.Kind.DECHARTERED, at=at, actor=actor, previous_ends_on=previous)
    for term in chapter.officer_terms.filter(starts_on__gt=on):
        _record(term, cm.OfficerChange.Kind.WITHDRAWN, at=at, actor=actor, previous_ends_on=term.ends_on)
        term.delete()


@transaction.atomic
def review_standing(chapter: cm.Chapter, at: datetime | None = None) -> cm.ChapterTransition | None:
    """Apply the standards at ``at`` (the daily review; no actor):

    - chartered and failing a standard → *not in good standing*, with a cure period;
    - not in good standing and meeting them again → chartered (cured); the cure period
      over and still failing → *rejuvenation* (up to the rejuvenation period);
    - in rejuvenation and meeting them → chartered; the period over and still failing →
      *de-chartered*.

    Returns the transition made, or None. Running it again changes nothing."""
    at = at or timezone.now()
    chapter = _lock(chapter)
    state = State(chapter.state)
    if state in (State.IN_FORMATION, State.DECHARTERED) or chapter.state_since > at:
        return None  # nothing to review, or a review of a past instant its history has overtaken
    result = standing(chapter, at)
    failing = [(f, d) for f, d in result.failures if f != Failure.NOT_CHARTERED]
    words = "; ".join(reasons(rules.Standing(False, tuple(failing))))
    if state == State.CHARTERED:
        # A successful appeal gives a grace period (cure_until on a chartered chapter).
        if failing and not (chapter.cure_until and at < chapter.cure_until):
            return _move(chapter, State.NOT_IN_GOOD_STANDING, Kind.STANDING_LOST, at=at, actor=None, reason=words)
        if not failing and chapter.cure_until:
            chapter.cure_until = None
            chapter.save(update_fields=["cure_until"])
        return None
    if state == State.NOT_IN_GOOD_STANDING:
        if not failing:
            return _move(chapter, State.CHARTERED, Kind.CURED, at=at, actor=None,
                         reason=_("The chapter meets the minimum standards again."))
        if chapter.cure_until and at >= chapter.cure_until:
            return _move(chapter, State.REJUVENATION, Kind.REJUVENATION, at=at, actor=None,
                         reason=_("The cure period ended: %(why)s") % {"why": words})
        return None
    if not failing:
        return _move(chapter, State.CHARTERED, Kind.REJUVENATED, at=at, actor=None,
                     reason=_("The chapter meets the minimum standards again."))
    if chapter.rejuvenation_until and at >= chapter.rejuvenation_until:
        t = _move(chapter, State.DECHARTERED, Kind.DECHARTERED, at=at, actor=None,
                  reason=_("The rejuvenation period ended: %(why)s") % {"why": words})
        _end_open_terms(chapter, at.date(), at=at, actor=None)
        return t
    return None


def review_all(at: datetime | None = None, dry_run: bool = False) -> list[tuple[cm.Chapter, str, str]]:
    """Review every chapter's standing (each its own transaction); returns (chapter,
    from, to) of the changes made (or that would be made with ``dry_run``)."""
    at = at or timezone.now()
    changes = []
    for chapter in cm.Chapter.objects.exclude(state__in=[State.IN_FORMATION, State.DECHARTERED]).order_by("pk"):
        if dry_run:
            with transaction.atomic():
                t = review_standing(chapter, at)
                if t:
                    changes.append((chapter, t.from_state, t.to_state))
                transaction.set_rollback(True)
            continue
        t = review_standing(chapter, at)
        if t:
            changes.append((chapter, t.from_state, t.to_state))
    return changes


@transaction.atomic
def decide_appeal(transition: cm.ChapterTransition, *, decision: str, actor: Person | None, reason: str,
                  at: datetime | None = None) -> cm.ChapterTransition:
    """Record the decision on a chapter's appeal against a change (losing good standing,
    entering rejuvenation, de-chartering). Staff only. ``upheld`` undoes the change
    (the chapter goes back to the state before it; back in *chartered* it gets a cure
    period's grace before the standards are reviewed again); ``dismissed`` keeps it.
    Either way the decision, who took it and why are recorded."""
    _require_staff(actor)
    at = at or timezone.now()
    reason = _reason(reason)
    chapter = _lock(transition.chapter)
    transition = cm.ChapterTransition.objects.get(pk=transition.pk)
    if decision not in cm.ChapterTransition.Decision.values:
        raise RuleViolation(_("The decision is either upheld or dismissed."), "decision")
    if transition.kind not in (Kind.STANDING_LOST, Kind.REJUVENATION, Kind.DECHARTERED):
        raise RuleViolation(_("Only losing good standing, rejuvenation or de-chartering can be appealed."),
                            "transition", code="not_appealable")
    if transition.appeals.exists():
        raise RuleViolation(_("This change's appeal was already decided."), "transition", code="decided")
    latest = chapter.transitions.exclude(kind=Kind.APPEAL).order_by("-at", "-id").first()
    if decision == cm.ChapterTransition.Decision.UPHELD and latest != transition:
        raise RuleViolation(_("The chapter has changed state since; only its latest change can be undone."),
                            "transition", code="stale")
    if decision == cm.ChapterTransition.Decision.DISMISSED:
        return cm.ChapterTransition.objects.create(
            chapter=chapter, kind=Kind.APPEAL, from_state=chapter.state, to_state=chapter.state, at=at, actor=actor,
            reason=reason, appeal_of=transition, decision=decision)
    back = State(transition.from_state)
    t = _move(chapter, back, Kind.APPEAL, at=at, actor=actor, reason=reason, appeal_of=transition, decision=decision)
    if back == State.CHARTERED:
        chapter.cure_until = rules.add_months(at, cm.ChapterStandards.at(at).cure_months)
        chapter.save(update_fields=["cure_until"])
    return t


# --- members and officers --------------------------------------------------------------


@transaction.atomic
def join(person: Person, chapter: cm.Chapter, at: datetime | None = None, is_demo: bool = False) -> cm.ChapterMembership:
    """A person joins a chapter (anyone with an account) or a standing group (Internet
    Society members). A person may belong to several chapters."""
    at = at or timezone.now()
    chapter = _lock(chapter)
    if not person.is_active or person.erased_at:
        raise RuleViolation(_("This account cannot join chapters."), code="forbidden")
    if chapter.state == State.DECHARTERED:
        raise RuleViolation(_("%(name)s is de-chartered and takes no members.") % {"name": chapter.name}, "chapter",
                            code="state")
    if chapter.is_standing_group and not active_members(at).filter(pk=person.pk).exists():
        raise RuleViolation(_("Standing groups are open to Internet Society members; join the Internet Society first."),
                            "chapter", code="not_a_member")
    if cm.ChapterMembership.objects.filter(person=person, chapter=chapter, left_at__isnull=True).exists():
        raise RuleViolation(_("You are already a member of %(name)s.") % {"name": chapter.name}, "chapter",
                            code="already_member")
    try:
        with transaction.atomic():
            return cm.ChapterMembership.objects.create(person=person, chapter=chapter, joined_at=at, is_demo=is_demo)
    except IntegrityError as exc:  # a concurrent join of the same person
        raise RuleViolation(_("You are already a member of %(name)s.") % {"name": chapter.name}, "chapter",
                            code="already_member") from exc


@transaction.atomic
def leave(person: Person, chapter: cm.Chapter, at: datetime | None = None) -> cm.ChapterMembership:
    """A member leaves a chapter. An officer hands over their office first."""
    at = at or timezone.now()
    chapter = _lock(chapter)
    membership = cm.ChapterMembership.objects.filter(person=person, chapter=chapter, left_at__isnull=True).first()
    if membership is None:
        raise RuleViolation(_("You are not a member of %(name)s.") % {"name": chapter.name}, "chapter",
                            code="not_member")
    if at < membership.joined_at:
        raise RuleViolation(_("One cannot leave before joining."), "at")
    held = chapter.officer_terms.filter(Q(ends_on__isnull=True) | Q(ends_on__gte=at.date()), person=person)
    if held.exists():
        raise RuleViolation(_("You hold office in %(name)s; hand it over before leaving.") % {"name": chapter.name},
                            "chapter", code="officer")
    membership.left_at = at
    membership.save(update_fields=["left_at"])
    return membership


@transaction.atomic
def appoint_officer(chapter: cm.Chapter, person: Person, role: str, *, starts_on: date, actor: Person | None,
                    ends_on: date | None = None, is_demo: bool = False,
                    at: datetime | None = None) -> cm.OfficerTerm:
    """Give ``person`` the office ``role`` from ``starts_on``. Staff, or the chapter's
    chair (``may_manage_officers``). The person must be a member of the chapter (the
    voting delegate also an Internet Society member). One holder per role: an open term
    of the current holder that began earlier ends the day before (a handover); any other
    overlap is refused. The appointment and any handover leave ``OfficerChange`` rows."""
    at = at or timezone.now()
    chapter = _lock(chapter)
    if not may_manage_officers(actor, chapter):
        raise RuleViolation(_("Only the secretariat or this chapter's chair can appoint its officers."),
                            code="forbidden")
    if role not in cm.OfficerTerm.RoleChoice.values:
        raise RuleViolation(_("Unknown officer role: %(role)s") % {"role": role}, "role")
    if ends_on is not None and ends_on < starts_on:
        raise RuleViolation(_("A term cannot end before it starts."), "ends_on")
    if chapter.state == State.DECHARTERED:
        raise RuleViolation(_("A de-chartered chapter has no officers."), "chapter", code="state")
    start_instant = _instant(starts_on)
    if not cm.ChapterMembership.objects.filter(chapter=chapter, person=person, left_at__isnull=True).exists():
        raise RuleViolation(_("%(name)s is not a member of the chapter.") % {"name": person.display_name}, "person",
                            code="not_member")
    if role == Role.VOTING_DELEGATE and not active_members(start_instant).filter(pk=person.pk).exists():
        raise RuleViolation(_("The voting delegate must be an Internet Society member."), "person",
                            code="not_isoc_member")
    same_role = chapter.officer_terms.filter(role=role).select_for_update()
    window = Q(ends_on__isnull=True) | Q(ends_on__gte=starts_on)
    if ends_on is not None:
        window &= Q(starts_on__lte=ends_on)
    handovers = []
    for term in same_role.filter(window):
        if term.starts_on < starts_on and (term.ends_on is None or (ends_on is None or term.ends_on <= ends_on)):
            handovers.append((term, term.ends_on))
            term.ends_on = starts_on - timedelta(days=1)  # handover
            term.save(update_fields=["ends_on"])
        else:
            raise RuleViolation(
                _("%(person)s is %(role)s from %(start)s; terms of one role cannot overlap.")
                % {"person": term.person.display_name, "role": term.get_role_display(), "start": date_format(term.starts_on)},
                "starts_on", code="overlap")
    for term, previous in handovers:
        _record(term, cm.OfficerChange.Kind.HANDED_OVER, at=at, actor=actor, previous_ends_on=previous)
    term = cm.OfficerTerm.objects.create(chapter=chapter, person=person, role=role, starts_on=starts_on,
                                         ends_on=ends_on, appointed_by=actor, is_demo=is_demo)
    _record(term, cm.OfficerChange.Kind.APPOINTED, at=at, actor=actor)
    return term


@transaction.atomic
def end_officer_term(term: cm.OfficerTerm, *, ends_on: date, actor: Person | None,
                     at: datetime | None = None) -> cm.OfficerTerm:
    """End a term on ``ends_on`` (its last day), or bring its planned end earlier. Staff,
    or the chapter's chair (``may_manage_officers``); recorded as an ``OfficerChange``."""
    at = at or timezone.now()
    chapter = _lock(term.chapter)
    term = cm.OfficerTerm.objects.select_for_update().get(pk=term.pk)
    if not may_manage_officers(actor, chapter):
        raise RuleViolation(_("Only the secretariat or this chapter's chair can end its officers' terms."),
                            code="forbidden")
    if ends_on < term.starts_on:
        raise RuleViolation(_("A term cannot end before it starts."), "ends_on")
    if term.ends_on is not None and term.ends_on <= ends_on:
        raise RuleViolation(_("The term already ends on %(day)s; it can end earlier, not later.")
                            % {"day": date_format(term.ends_on)}, "ends_on", code="already_ended")
    previous, term.ends_on = term.ends_on, ends_on
    term.save(update_fields=["ends_on"])
    _record(term, cm.OfficerChange.Kind.ENDED, at=at, actor=actor, previous_ends_on=previous)
    return term


# --- annual reports --------------------------------------------------------------------


def _amount(value, what: str) -> Decimal:
    try:
        amount = Decimal(str(value if value not in (None, "") else "0")).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError) as exc:
        raise RuleViolation(_("Not an amount of money: %(v)s") % {"v": value}, what) from exc
    if not amount.is_finite() or amount < 0 or amount >= Decimal("1e10"):
        raise RuleViolation(_("An amount is zero or more, and less than ten billion."), what)
    return amount


@transaction.atomic
def file_annual_report(chapter: cm.Chapter, *, year: int, activities: str, membership_count: int, actor: Person | None,
                       events: str = "", income=0, expenses=0, currency: str = "USD", finances: str = "",
                       at: datetime | None = None, is_demo: bool = False) -> cm.AnnualReport:
    """An officer of the chapter (or staff) files its report on a finished year. One per
    year; filing a missing report after its deadline restores that standard."""
    at = at or timezone.now()
    chapter = _lock(chapter)
    if not (actor is not None and (actor.is_staff or is_officer(actor, chapter, at=at))):
        raise RuleViolation(_("Only the chapter's officers or the secretariat can file its annual report."),
                            code="forbidden")
    if chapter.state in (State.IN_FORMATION, State.DECHARTERED):
        raise RuleViolation(_("Only a chartered chapter files annual reports; this one is %(state)s.")
                            % {"state": chapter.get_state_display()}, "chapter", code="state")
    if not isinstance(year, int) or year >= at.year:
        raise RuleViolation(_("A report covers a finished calendar year (before %(year)s).") % {"year": at.year}, "year")
    if chapter.chartered_at and year < chapter.chartered_at.year:
        raise RuleViolation(_("The chapter was not chartered in %(year)s.") % {"year": year}, "year")
    activities = (activities or "").strip()
    if not activities:
        raise RuleViolation(_("Describe the year's activities."), "activities")
    if membership_count is None or int(membership_count) < 0:
        raise RuleViolation(_("The membership count is zero or more."), "membership_count")
    existing = chapter.annual_reports.filter(year=year).first()
    if existing:
        raise RuleViolation(_("The report for %(year)s was already filed.") % {"year": year}, "year",
                            code="already_filed")
    from isoc.members.countries import CURRENCY_CHOICES

    if currency not in dict(CURRENCY_CHOICES):
        raise RuleViolation(_("Unknown currency: %(c)s") % {"c": currency}, "currency")
    return cm.AnnualReport.objects.create(
        chapter=chapter, year=year, activities=activities, events=(events or "").strip(),
        membership_count=int(membership_count), income=_amount(income, "income"),
        expenses=_amount(expenses, "expenses"), currency=currency, finances=(finances or "").strip(),
        filed_by=actor, filed_at=at, is_demo=is_demo)


def report_due(chapter: cm.Chapter, at: datetime | date | None = None) -> tuple[int, date] | None:
    """The next report the chapter must file after ``at``: (year, deadline), or None when
    it is not chartered. The year just finished, unless its report is already filed."""
    at = _instant(at)
    if chapter.state in (State.IN_FORMATION, State.DECHARTERED) or chapter.chartered_at is None:
        return None
    standards = cm.ChapterStandards.at(at)
    filed = set(chapter.annual_reports.values_list("year", flat=True))
    for year in range(max(chapter.chartered_at.year, at.year - 2), at.year):
        if year not in filed:
            return year, rules.report_deadline(year, standards)
    return None
