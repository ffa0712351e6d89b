"""Operations on Board of Trustees elections, each one transaction checking its own rules
and leaving an ``ElectionEvent`` for every state change.

The process: ``create_election`` → ``open_nominations`` (the call) → ``nominate`` (anyone
may stand) → ``close_nominations`` (the electorate is frozen at the cut-off) →
``publish_slate`` (the nominations committee) → ``sign_petition`` → ``close_petitions``
(the candidate forum begins: ``ask_question``/``answer_question``) → ``open_voting`` →
``cast_ballot`` (as often as the voter likes until the close) → ``close_voting`` (the
count) → ``approve_certification`` by two different staff → challenge period →
``seat_trustees`` (refused while a ``file_challenge`` awaits
``decide_challenge``). Appointed seats: ``appoint``.

Ballot secrecy: the threat model
--------------------------------
What must hold: nobody — another voter, the public, a staff member with the admin, or
someone who copies the database — can tell what a given unit voted; and each unit has at
most one ballot counted, which it may replace until the close.

* **Who voted and what was voted live in separate tables with no link.** A
  ``Participation`` row (one per roll entry, unique constraint) says that a unit voted.
  A ``Ballot`` row has a random UUID key, no timestamp, no foreign key to a person, unit,
  roll entry or participation, and is listed in receipt order; both rows are written in
  the same transaction, after the roll entry is locked, so two simultaneous submissions
  of one unit serialize and the unique constraints (participation per roll entry,
  replacement tag per ballot) stop any second ballot even if the lock were missing.
* **Replacing a ballot without storing its owner.** The unit's ballot carries
  ``replace_tag = HMAC(SECRET_KEY-derived key, election id : roll entry id)``. A new
  submission recomputes the tag, deletes the ballot carrying it and stores the new one.
  The key is not in the database, so a database copy alone does not link ballots to
  units. Someone holding **both the database and the secret key while voting is open**
  (the site's operators) can recompute the tags and link them: that is the price of
  letting voters change their ballot without a secret they must keep, and it is stated
  here rather than hidden. **At the close every tag is erased** (set to null), so after
  the close not even the key links a ballot to anyone — only copies of the database
  taken during voting (backups, WAL) could; keep those short-lived.
* **Receipts**: a random code made for each submission, shown only to the voter on the
  page that confirms the vote (never emailed, never stored with the voter). After the
  close all ballots are published with their receipts; a voter finds theirs to check it
  was counted as cast. A receipt proves nothing about *who* cast it, so it cannot be
  sold as proof. A replaced ballot's receipt disappears with it.
* **Residual risks**, accepted and documented: weights are published with each ballot
  (the count needs them), so the only organization of a tier with a unique weight is
  identifiable from its ballot's weight; on PostgreSQL the physical order of rows may
  reveal insertion order to someone with page-level access to the database during
  voting; a unit with the only ballot in a contest is trivially known.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from isoc.elections import calendar
from isoc.elections import models as em
from isoc.elections import tally as core
from isoc.members import models as mm
from isoc.members.queries import active_members, active_organizations, active_term_q
from isoc.members.services import RuleViolation

State = em.State
Kind = em.ElectorateKind
RECEIPT_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I


def _require_staff(actor, what: str) -> None:
    if actor is not None and not getattr(actor, "is_staff", False):
        raise RuleViolation(_("Only staff may %(what)s.") % {"what": what}, code="staff_only")


def _locked(election: em.Election) -> em.Election:
    return em.Election.objects.select_for_update().get(pk=election.pk)


def _move(election: em.Election, to: str, actor, kind: str, note: str = "") -> em.Election:
    event = em.ElectionEvent.objects.create(election=election, actor=actor, kind=kind, from_state=election.state,
                                            to_state=to, note=note[:300], at=timezone.now())
    election.state = to
    election.save(update_fields=["state"])
    return event.election


def _expect(election: em.Election, state: str, action: str) -> None:
    if election.state != state:
        raise RuleViolation(
            _("Cannot %(action)s: the election is at the stage “%(now)s”, not “%(needed)s”.")
            % {"action": action, "now": State(election.state).label, "needed": State(state).label},
            code="wrong_state",
        )


def _not_before(when: datetime, action: str) -> None:
    if timezone.now() < when:
        raise RuleViolation(_("Cannot %(action)s before %(when)s (UTC).")
                            % {"action": action, "when": when.strftime("%Y-%m-%d %H:%M")}, code="too_early")


# --- configuration ---------------------------------------------------------------------


def open_seats(electorate: em.Electorate, seating: datetime) -> list[em.Seat]:
    """Seats of ``electorate`` free at ``seating``: no term, or the latest term ends by then."""
    free = []
    for seat in electorate.seats.all():
        if not seat.terms.filter(ends_at__gt=seating + timedelta(days=1), starts_at__lte=seating).exists():
            free.append(seat)
    return free


@transaction.atomic
def create_election(*, slug: str, title: str, nominations_open: datetime, method: str = em.Method.PLURALITY,
                    actor=None, is_demo: bool = False, **dates) -> em.Election:
    """A new election (draft) with the default calendar (any date may be given), and one
    contest per voting electorate that has seats whose terms end by the seating date."""
    _require_staff(actor, _("create elections"))
    if method not in em.Method.values:
        raise RuleViolation(_("Unknown voting method: %(m)s") % {"m": method}, "method")
    if em.Election.objects.filter(slug=slug).exists():
        raise RuleViolation(_("An election with this address already exists."), "slug", code="duplicate")
    when = calendar.default_calendar(nominations_open) | dates
    wrong = calendar.out_of_order(when)
    if wrong:
        raise RuleViolation(_("The dates are out of order at “%(field)s”.") % {"field": wrong}, wrong)
    election = em.Election.objects.create(slug=slug, title=title, method=method, is_demo=is_demo, **when)
    for electorate in em.Electorate.objects.exclude(kind=Kind.APPOINTED):
        seats = len(open_seats(electorate, when["seating"]))
        if not seats:
            continue
        if method == em.Method.IRV and seats > 1:
            raise RuleViolation(_("Instant-runoff fills one seat; %(electorate)s has %(n)s open. Use STV.")
                                % {"electorate": electorate.name, "n": seats}, "method")
        em.Contest.objects.create(election=election, electorate=electorate, seats=seats)
    em.ElectionEvent.objects.create(election=election, actor=actor, kind="created", to_state=State.DRAFT,
                                    at=timezone.now())
    return election


@transaction.atomic
def appoint(seat: em.Seat, *, holder: str, starts_at: datetime, person=None, actor=None,
            is_demo: bool = False) -> em.Term:
    """Record an appointed trustee (no vote) for a three-year term."""
    _require_staff(actor, _("record appointments"))
    if seat.electorate.kind != Kind.APPOINTED:
        raise RuleViolation(_("%(seat)s is elected, not appointed.") % {"seat": seat}, "seat")
    ends_at = calendar.term_end(starts_at)
    if seat.terms.filter(starts_at__lt=ends_at, ends_at__gt=starts_at).exists():
        raise RuleViolation(_("%(seat)s is already held during that time.") % {"seat": seat}, "seat")
    return em.Term.objects.create(seat=seat, holder=holder, person=person, starts_at=starts_at, ends_at=ends_at,
                                  appointed_by=seat.electorate.appointed_by, is_demo=is_demo)


# --- nominations -----------------------------------------------------------------------


@transaction.atomic
def open_nominations(election: em.Election, actor=None) -> em.Election:
    _require_staff(actor, _("open nominations"))
    election = _locked(election)
    _expect(election, State.DRAFT, _("open nominations"))
    _not_before(election.nominations_open, _("open nominations"))
    if not election.contests.exists():
        raise RuleViolation(_("No seats are open in this election."), code="no_contests")
    return _move(election, State.NOMINATIONS, actor, "call_for_nominations")


# What the public pages offer at each stage; the operations below check the same.


def nominations_open(election: em.Election) -> bool:
    return election.state == State.NOMINATIONS and timezone.now() < election.nominations_close


def petitions_open(election: em.Election) -> bool:
    return election.state == State.PETITIONS and timezone.now() < election.petitions_close


def forum_open(election: em.Election) -> bool:
    """The forum runs from the petitions' close until voting closes."""
    return election.state in (State.FORUM, State.VOTING)


def challenges_open(election: em.Election) -> bool:
    return election.state == State.CERTIFIED and timezone.now() < election.challenge_ends


def _within(text: str, limit: int, field: str) -> str:
    # The database does not enforce a TextField's max_length: the service does.
    text = text.strip()
    if len(text) > limit:
        raise RuleViolation(_("At most %(n)s characters, please.") % {"n": limit}, field, code="too_long")
    return text


@transaction.atomic
def nominate(contest: em.Contest, *, name: str, email: str, statement: str = "", person=None) -> em.Nomination:
    """Anyone may stand (membership is not required), once per contest and address."""
    election = _locked(contest.election)
    _expect(election, State.NOMINATIONS, _("stand"))
    if timezone.now() >= election.nominations_close:
        raise RuleViolation(_("Nominations have closed."), code="too_late")
    name, email = name.strip(), email.strip().lower()
    if not name:
        raise RuleViolation(_("A nomination needs the nominee's name."), "name")
    if not email or "@" not in email:
        raise RuleViolation(_("A nomination needs the nominee's email address."), "email")
    statement = _within(statement, 5000, "statement")
    if person is not None and contest.nominations.filter(person=person).exists():
        raise RuleViolation(_("You already stand in this contest."), "contest", code="duplicate")
    try:
        with transaction.atomic():
            return em.Nomination.objects.create(contest=contest, name=name, email=email, statement=statement,
                                                person=person, submitted_at=timezone.now())
    except IntegrityError:
        raise RuleViolation(_("This address already stands in this contest."), "email", code="duplicate") from None


def _chapter_roll(cutoff: datetime) -> list[tuple[str, str, int, object]]:
    from isoc.chapters import services as chapters

    rows = []
    for chapter in chapters.chapters_in_good_standing(cutoff, kind="chapter").order_by("pk"):
        rows.append((f"chapter:{chapter.pk}", str(chapter), 1, chapters.voting_delegate(chapter, cutoff)))
    return rows


def representative(organization: mm.Organization):
    """Who votes for an organization member: its primary contact (else its first)."""
    contacts = mm.OrganizationContact.objects.filter(organization=organization).select_related("person")
    first = contacts.filter(role="Primary contact").order_by("pk").first() or contacts.order_by("pk").first()
    return first.person if first else None


def _organization_roll(electorate: em.Electorate, cutoff: datetime) -> list[tuple[str, str, int, object]]:
    rows = []
    for org in active_organizations(cutoff):
        term = mm.OrganizationTerm.objects.filter(active_term_q("", cutoff), organization=org).select_related(
            "tier").order_by("-starts_at").first()
        rank = term.tier.rank if term else org.tier.rank
        rows.append((f"organization:{org.pk}", org.legal_name, electorate.weight_for_rank(rank), representative(org)))
    return rows


def _sustaining_roll(cutoff: datetime) -> list[tuple[str, str, int, object]]:
    return [(f"person:{p.pk}", p.display_name, 1, p) for p in active_members(cutoff, "sustaining").order_by("pk")]


def roll_for(electorate: em.Electorate, cutoff: datetime) -> list[tuple[str, str, int, object]]:
    """(unit, label, weight, voter) for every voting unit of ``electorate`` at ``cutoff``."""
    if electorate.kind == Kind.CHAPTERS:
        return _chapter_roll(cutoff)
    if electorate.kind == Kind.ORGANIZATIONS:
        return _organization_roll(electorate, cutoff)
    if electorate.kind == Kind.SUSTAINING:
        return _sustaining_roll(cutoff)
    return []


@transaction.atomic
def close_nominations(election: em.Election, actor=None) -> em.Election:
    """Nominations close; every contest's roll is frozen as it stood at the cut-off."""
    _require_staff(actor, _("close nominations"))
    election = _locked(election)
    _expect(election, State.NOMINATIONS, _("close nominations"))
    _not_before(max(election.nominations_close, election.cutoff), _("close nominations"))
    for contest in election.contests.select_related("electorate"):
        em.RollEntry.objects.bulk_create(
            em.RollEntry(contest=contest, unit=unit, label=label[:200], weight=weight, voter=voter)
            for unit, label, weight, voter in roll_for(contest.electorate, election.cutoff)
        )
        contest.roll_frozen_at = timezone.now()
        contest.save(update_fields=["roll_frozen_at"])
    return _move(election, State.SLATE, actor, "nominations_closed",
                 note=f"roll frozen at {election.cutoff:%Y-%m-%d %H:%M} UTC")


@transaction.atomic
def publish_slate(election: em.Election, slate: Sequence[em.Nomination], actor=None) -> em.Election:
    """The nominations committee's slate; everyone else nominated may petition."""
    _require_staff(actor, _("publish the slate"))
    election = _locked(election)
    _expect(election, State.SLATE, _("publish the slate"))
    chosen = {n.pk for n in slate}
    nominations = em.Nomination.objects.filter(contest__election=election, status=em.Nomination.Status.NOMINATED)
    if chosen - set(nominations.values_list("pk", flat=True)):
        raise RuleViolation(_("The slate may only hold this election's nominees."), "slate")
    nominations.filter(pk__in=chosen).update(status=em.Nomination.Status.SLATE)
    nominations.exclude(pk__in=chosen).update(status=em.Nomination.Status.PETITION)
    return _move(election, State.PETITIONS, actor, "slate_published", note=f"{len(chosen)} on the slate")


@transaction.atomic
def sign_petition(nomination: em.Nomination, person) -> em.PetitionSignature:
    """A voter of the contest supports a nominee's petition to join the slate. Each
    voting unit counts once; the petitioner's own support does not count."""
    if person is None or not getattr(person, "is_authenticated", False):
        raise RuleViolation(_("Sign in to support a petition."), code="sign_in")
    election = _locked(nomination.contest.election)
    _expect(election, State.PETITIONS, _("sign a petition"))
    if timezone.now() >= election.petitions_close:
        raise RuleViolation(_("Petitions have closed."), code="too_late")
    nomination = em.Nomination.objects.get(pk=nomination.pk)
    if nomination.status != em.Nomination.Status.PETITION:
        raise RuleViolation(_("%(name)s is not petitioning to join the slate.") % {"name": nomination.name},
                            code="not_petitioning")
    if nomination.person_id is not None and nomination.person_id == getattr(person, "pk", None):
        raise RuleViolation(_("Your own support for your petition does not count."), code="own_petition")
    entries = list(em.RollEntry.objects.filter(contest=nomination.contest, voter=person).order_by("pk"))
    if not entries:
        raise RuleViolation(_("Only voters of the %(electorate)s electorate may support this petition.")
                            % {"electorate": nomination.contest.electorate.name}, code="not_on_roll")
    signed = set(nomination.signatures.values_list("roll_id", flat=True))
    free = [e for e in entries if e.pk not in signed]
    if not free:
        raise RuleViolation(_("You already support this petition."), code="already_signed")
    try:
        with transaction.atomic():
            return em.PetitionSignature.objects.create(nomination=nomination, roll=free[0], signed_at=timezone.now())
    except IntegrityError:
        raise RuleViolation(_("You already support this petition."), code="already_signed") from None


def petition_support(nomination: em.Nomination) -> int:
    """Distinct supporting units, the petitioner's own excluded."""
    signatures = nomination.signatures.all()
    if nomination.person_id:
        signatures = signatures.exclude(roll__voter_id=nomination.person_id)
    return signatures.values("roll").distinct().count()


@transaction.atomic
def close_petitions(election: em.Election, actor=None) -> em.Election:
    """The ballot is settled: the slate plus petitions that reached the threshold. The
    candidate forum begins."""
    _require_staff(actor, _("close petitions"))
    election = _locked(election)
    _expect(election, State.PETITIONS, _("close petitions"))
    _not_before(election.petitions_close, _("close petitions"))
    S = em.Nomination.Status
    for contest in election.contests.select_related("electorate"):
        contest.nominations.filter(status=S.SLATE).update(status=S.CANDIDATE)
        for nomination in contest.nominations.filter(status=S.PETITION):
            ok = petition_support(nomination) >= contest.electorate.petition_threshold
            nomination.status = S.CANDIDATE if ok else S.NOT_SELECTED
            nomination.save(update_fields=["status"])
        contest.nominations.filter(status=S.NOMINATED).update(status=S.NOT_SELECTED)
    return _move(election, State.FORUM, actor, "petitions_closed")


@transaction.atomic
def ask_question(nomination: em.Nomination, person, question: str) -> em.ForumPost:
    """Anyone signed in asks a candidate a question while the forum is open."""
    if person is None or not getattr(person, "is_authenticated", False):
        raise RuleViolation(_("Sign in to ask a question."), code="sign_in")
    nomination = em.Nomination.objects.select_related("contest__election").get(pk=nomination.pk)
    election = nomination.contest.election
    if not forum_open(election):
        raise RuleViolation(_("The candidate forum is not open."), code="wrong_state")
    if nomination.status != em.Nomination.Status.CANDIDATE:
        raise RuleViolation(_("Questions go to candidates."), code="not_candidate")
    question = _within(question, 2000, "question")
    if not question:
        raise RuleViolation(_("Write a question."), "question")
    return em.ForumPost.objects.create(nomination=nomination, asked_by=person, question=question,
                                      asked_at=timezone.now())


@transaction.atomic
def answer_question(post: em.ForumPost, person, answer: str) -> em.ForumPost:
    """The candidate answers a question once, while the forum is open: an answer others
    have read is not rewritten silently."""
    post = em.ForumPost.objects.select_for_update().select_related("nomination__contest__election").get(pk=post.pk)
    if person is None or person.pk != post.nomination.person_id:
        raise RuleViolation(_("Only the candidate answers their questions."), code="not_candidate")
    if not forum_open(post.nomination.contest.election):
        raise RuleViolation(_("The candidate forum is not open."), code="wrong_state")
    if post.answer:
        raise RuleViolation(_("You have already answered this question."), code="answered")
    answer = _within(answer, 5000, "answer")
    if not answer:
        raise RuleViolation(_("Write an answer."), "answer")
    post.answer, post.answered_at = answer, timezone.now()
    post.save(update_fields=["answer", "answered_at"])
    return post


# --- voting ----------------------------------------------------------------------------


@transaction.atomic
def open_voting(election: em.Election, actor=None) -> em.Election:
    _require_staff(actor, _("open voting"))
    election = _locked(election)
    _expect(election, State.FORUM, _("open voting"))
    _not_before(election.voting_opens, _("open voting"))
    return _move(election, State.VOTING, actor, "voting_opened")


def candidates(contest: em.Contest):
    return contest.nominations.filter(status=em.Nomination.Status.CANDIDATE).order_by("name", "pk")


def replace_tag(election: em.Election, roll: em.RollEntry) -> str:
    """The keyed hash that links a unit's current ballot to the unit while voting is open."""
    return salted_hmac("isoc.elections.ballot", f"{election.pk}:{roll.pk}", algorithm="sha256").hexdigest()


def new_receipt() -> str:
    code = "".join(secrets.choice(RECEIPT_ALPHABET) for _ in range(16))
    return "-".join(code[i:i + 4] for i in range(0, 16, 4))


def roll_entries_of(person, election: em.Election):
    return em.RollEntry.objects.filter(contest__election=election, voter=person).select_related(
        "contest__electorate").order_by("contest__electorate__order", "label")


@transaction.atomic
def cast_ballot(contest: em.Contest, person, choices: Sequence[int | str], *, unit: str | None = None) -> str:
    """Store ``person``'s ballot for their unit in ``contest`` (replacing the unit's previous
    one) and return the receipt code, to be shown to the voter only."""
    election = em.Election.objects.get(pk=contest.election_id)
    _expect(election, State.VOTING, _("vote"))
    now = timezone.now()
    if not election.voting_opens <= now < election.voting_closes:
        raise RuleViolation(_("Voting is closed."), code="closed")
    entries = em.RollEntry.objects.filter(contest=contest, voter=person)
    if unit:
        entries = entries.filter(unit=unit)
    entries = list(entries.order_by("pk")[:2])
    if not entries:
        raise RuleViolation(
            _("You are not on the roll of the %(electorate)s electorate. The roll was frozen at the cut-off "
              "(%(cutoff)s UTC): only those eligible then may vote.")
            % {"electorate": contest.electorate.name, "cutoff": election.cutoff.strftime("%Y-%m-%d %H:%M")},
            code="not_on_roll")
    if len(entries) > 1 and not unit:
        raise RuleViolation(_("You vote for more than one unit here: say which."), "unit")
    # Lock the unit's roll row: two submissions of one unit serialize here.
    roll = em.RollEntry.objects.select_for_update().get(pk=entries[0].pk)
    allowed = {str(pk): pk for pk in candidates(contest).values_list("pk", flat=True)}
    picked = [str(c) for c in choices]
    if not picked:
        raise RuleViolation(_("Choose at least one candidate."), "choices", code="empty")
    if len(set(picked)) != len(picked):
        raise RuleViolation(_("A candidate can get at most one vote from you."), "choices", code="duplicate")
    unknown = [c for c in picked if c not in allowed]
    if unknown:
        raise RuleViolation(_("Not a candidate in this contest: %(ids)s") % {"ids": ", ".join(unknown)}, "choices")
    if election.method == em.Method.PLURALITY and len(picked) > contest.seats:
        raise RuleViolation(_("You have %(n)s votes (one per open seat); you chose %(k)s.")
                            % {"n": contest.seats, "k": len(picked)}, "choices", code="too_many")
    tag = replace_tag(election, roll)
    em.Ballot.objects.filter(replace_tag=tag).delete()
    receipt = new_receipt()
    em.Ballot.objects.create(contest=contest, weight=roll.weight, choices=[allowed[c] for c in picked],
                             receipt=receipt, replace_tag=tag)
    participation = em.Participation.objects.filter(roll=roll).first()
    if participation is None:
        em.Participation.objects.create(roll=roll, voted_at=now)
    else:
        participation.submissions += 1
        participation.voted_at = now
        participation.save(update_fields=["submissions", "voted_at"])
    return receipt


@transaction.atomic
def close_voting(election: em.Election, actor=None) -> em.Election:
    """Voting ends: the links that let ballots be replaced are erased, and the published
    ballots are counted by the same pure function anyone can re-run."""
    _require_staff(actor, _("close voting"))
    election = _locked(election)
    _expect(election, State.VOTING, _("close voting"))
    _not_before(election.voting_closes, _("close voting"))
    em.Ballot.objects.filter(contest__election=election).update(replace_tag=None)
    election.results = core.tally(_ballots_data(election))
    election.save(update_fields=["results"])
    return _move(election, State.TALLIED, actor, "voting_closed")


def published_ballots(election: em.Election) -> dict:
    """The anonymised ballots of a closed election, in the format ``tally.tally`` reads."""
    if not election.closed:
        raise RuleViolation(_("Ballots are published when voting has closed."), code="not_closed")
    return _ballots_data(election)


def _ballots_data(election: em.Election) -> dict:
    contests = []
    for contest in election.contests.select_related("electorate"):
        ids = [str(pk) for pk in candidates(contest).values_list("pk", flat=True)]
        contests.append({
            "electorate": contest.electorate.slug,
            "seats": contest.seats,
            "candidates": ids,
            "tiebreak": core.default_tiebreak(election.slug, contest.electorate.slug, ids),
            "ballots": [{"receipt": b.receipt, "weight": b.weight, "choices": [str(c) for c in b.choices]}
                        for b in contest.ballots.order_by("receipt")],
        })
    return {"format": core.FORMAT, "election": election.slug, "method": election.method, "contests": contests}


@transaction.atomic
def approve_certification(election: em.Election, person) -> em.Election:
    """One staff member approves the count; the second different one certifies it."""
    if person is None or not person.is_staff:
        raise RuleViolation(_("Only staff may certify an election."), code="staff_only")
    election = _locked(election)
    _expect(election, State.TALLIED, _("certify"))
    if election.approvals.filter(person=person).exists():
        raise RuleViolation(_("You have already approved this count: a second, different staff member must "
                              "certify it."), code="same_person")
    em.CertificationApproval.objects.create(election=election, person=person, at=timezone.now())
    em.ElectionEvent.objects.create(election=election, actor=person, kind="certification_approved",
                                    from_state=election.state, to_state=election.state, at=timezone.now())
    if election.approvals.values("person").distinct().count() >= 2:
        election.certified_at = timezone.now()
        election.save(update_fields=["certified_at"])
        return _move(election, State.CERTIFIED, person, "certified",
                     note=f"challenge period of {election.challenge_days} days")
    return election


@transaction.atomic
def seat_trustees(election: em.Election, actor=None) -> list[em.Term]:
    """After the challenge period, the elected take the open seats for three years."""
    _require_staff(actor, _("seat trustees"))
    election = _locked(election)
    _expect(election, State.CERTIFIED, _("seat trustees"))
    _not_before(election.challenge_ends, _("seat trustees"))
    if election.challenges.filter(decision=em.Challenge.Decision.PENDING).exists():
        raise RuleViolation(_("Cannot seat trustees while a challenge to the result is undecided."),
                            code="challenge_pending")
    if election.challenges.filter(decision=em.Challenge.Decision.UPHELD).exists():
        raise RuleViolation(_("Cannot seat trustees: a challenge to the result was upheld."), code="challenge_upheld")
    results = {c["electorate"]: c for c in election.results["contests"]}
    terms = []
    start = max(election.seating, timezone.now()) if timezone.now() > election.seating else election.seating
    for contest in election.contests.select_related("electorate"):
        seats = open_seats(contest.electorate, start)
        for seat, nomination_id in zip(seats, results[contest.electorate.slug]["elected"], strict=False):
            nomination = em.Nomination.objects.get(pk=int(nomination_id))
            terms.append(em.Term.objects.create(seat=seat, holder=nomination.name, person=nomination.person,
                                                starts_at=start, ends_at=calendar.term_end(start),
                                                election=election, is_demo=election.is_demo))
    _move(election, State.SEATED, actor, "trustees_seated", note=f"{len(terms)} trustees")
    return terms


# --- challenges ------------------------------------------------------------------------


@transaction.atomic
def file_challenge(election: em.Election, person, grounds: str) -> em.Challenge:
    """Anyone signed in may challenge a certified result until the challenge period ends."""
    if person is None or not getattr(person, "is_authenticated", False):
        raise RuleViolation(_("Sign in to challenge a result."), code="sign_in")
    election = _locked(election)
    _expect(election, State.CERTIFIED, _("challenge the result"))
    if timezone.now() >= election.challenge_ends:
        raise RuleViolation(_("The challenge period has ended."), code="too_late")
    grounds = _within(grounds, 5000, "grounds")
    if not grounds:
        raise RuleViolation(_("State the grounds of the challenge."), "grounds")
    challenge = em.Challenge.objects.create(election=election, filed_by=person, grounds=grounds,
                                            filed_at=timezone.now())
    em.ElectionEvent.objects.create(election=election, actor=person, kind="challenge_filed",
                                    from_state=election.state, to_state=election.state,
                                    note=f"challenge #{challenge.pk}", at=timezone.now())
    return challenge


@transaction.atomic
def decide_challenge(challenge: em.Challenge, actor, decision: str, reasons: str = "") -> em.Challenge:
    """Staff uphold or dismiss a challenge, once, giving reasons."""
    if actor is None or not getattr(actor, "is_staff", False):
        raise RuleViolation(_("Only staff may decide a challenge."), code="staff_only")
    challenge = em.Challenge.objects.select_for_update().get(pk=challenge.pk)
    if challenge.decided:
        raise RuleViolation(_("This challenge has already been decided."), code="decided")
    if decision not in (em.Challenge.Decision.UPHELD, em.Challenge.Decision.DISMISSED):
        raise RuleViolation(_("A decision upholds or dismisses the challenge."), "decision")
    if not reasons.strip():
        raise RuleViolation(_("Give the reasons for the decision."), "reasons")
    challenge.decision, challenge.reasons = decision, reasons.strip()
    challenge.decided_by, challenge.decided_at = actor, timezone.now()
    challenge.save(update_fields=["decision", "reasons", "decided_by", "decided_at"])
    election = challenge.election
    em.ElectionEvent.objects.create(election=election, actor=actor, kind=f"challenge_{decision}",
                                    from_state=election.state, to_state=election.state,
                                    note=f"challenge #{challenge.pk}", at=timezone.now())
    return challenge


# --- moving an election to its next stage (admin actions and the CLI) -------------------

#: stage reached -> (the service that reaches it, what staff call the step)
NEXT_STAGE = {
    State.NOMINATIONS: "open_nominations",
    State.SLATE: "close_nominations",
    State.PETITIONS: "publish_slate",
    State.FORUM: "close_petitions",
    State.VOTING: "open_voting",
    State.TALLIED: "close_voting",
    State.CERTIFIED: "approve_certification",
    State.SEATED: "seat_trustees",
}
ORDER = [State.DRAFT, *NEXT_STAGE]


def next_stage(election: em.Election) -> str | None:
    i = ORDER.index(State(election.state))
    return ORDER[i + 1] if i + 1 < len(ORDER) else None


def advance(election: em.Election, to: str, actor, *, slate: Sequence[em.Nomination] = ()) -> em.Election:
    """Move ``election`` to the stage ``to``, which must be the next one, by its service.
    ``slate`` is the nominations committee's slate (publishing it opens petitions). For
    certification, each call records one approval: the second distinct staff member's
    certifies."""
    election = em.Election.objects.get(pk=election.pk)  # its stage now, not as the caller last read it
    if to not in NEXT_STAGE:
        raise RuleViolation(_("Unknown stage: %(to)s") % {"to": to}, "to")
    if next_stage(election) != to:
        raise RuleViolation(
            _("The election is at the stage “%(now)s”: the next stage is “%(next)s”, not “%(to)s”.")
            % {"now": State(election.state).label, "to": State(to).label,
               "next": State(next_stage(election)).label if next_stage(election) else "—"},
            "to", code="wrong_state")
    operation = globals()[NEXT_STAGE[State(to)]]
    if to == State.PETITIONS:
        operation(election, list(slate), actor)
    else:
        operation(election, actor)
    return em.Election.objects.get(pk=election.pk)
