"""Board of Trustees elections: electorates and seats (configuration rows), elections with
their calendar, nominations and petitions, the frozen roll of voters, participation
apart from ballots, certification and the terms of the trustees seated.

Ballot secrecy is explained in ``isoc.elections.services`` (the threat model)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ElectorateKind(models.TextChoices):
    """The code branches on these (how the roll is drawn); everything else is data."""

    CHAPTERS = "chapters", _("Chapters (one vote per chapter in good standing, cast by its delegate)")
    ORGANIZATIONS = "organizations", _("Organization members (the representative votes with the tier's weight)")
    SUSTAINING = "sustaining", _("Sustaining members (one vote each)")
    APPOINTED = "appointed", _("Appointed (no vote)")


class Method(models.TextChoices):
    PLURALITY = "plurality", _("Plurality")
    IRV = "irv", _("Instant-runoff (one seat)")
    STV = "stv", _("Single transferable vote (Scottish STV)")


class Electorate(models.Model):
    """Who elects (or appoints) a group of seats. Staff configure these rows: kind and
    parameters (weights per tier rank, petition threshold), not code."""

    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=120)
    kind = models.CharField(max_length=20, choices=ElectorateKind.choices)
    appointed_by = models.CharField(max_length=120, blank=True,
                                    help_text=_("For appointed seats: who appoints (e.g. the IETF, the Board)."))
    weights = models.JSONField(default=dict, blank=True,
                               help_text=_('Organization members: votes per tier rank, e.g. {"1": 1, "6": 6}.'))
    petition_threshold = models.PositiveSmallIntegerField(
        default=8, help_text=_("Distinct supporting voters a petition to join the slate needs."))
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "slug"]

    def __str__(self) -> str:
        return self.name

    @property
    def votes(self) -> bool:
        return self.kind != ElectorateKind.APPOINTED

    def weight_for_rank(self, rank: int) -> int:
        """The weight of an organization member of tier ``rank``; the rank itself when unset."""
        value = (self.weights or {}).get(str(rank), rank)
        return max(int(value), 1)


class Seat(models.Model):
    electorate = models.ForeignKey(Electorate, on_delete=models.PROTECT, related_name="seats")
    number = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["electorate__order", "number"]
        constraints = [models.UniqueConstraint(fields=["electorate", "number"], name="one_seat_number")]

    def __str__(self) -> str:
        return f"{self.electorate} seat {self.number}"


class State(models.TextChoices):
    """An election's stage; the services move it forward, each move an ElectionEvent."""

    DRAFT = "draft", _("Draft")
    NOMINATIONS = "nominations", _("Call for nominations")
    SLATE = "slate", _("Nominations committee preparing the slate")
    PETITIONS = "petitions", _("Petitions to join the slate")
    FORUM = "forum", _("Candidate forum")
    VOTING = "voting", _("Voting")
    TALLIED = "tallied", _("Counted, awaiting certification")
    CERTIFIED = "certified", _("Certified, challenge period")
    SEATED = "seated", _("Trustees seated")


class Election(models.Model):
    slug = models.SlugField(unique=True)
    title = models.CharField(max_length=200)
    method = models.CharField(max_length=20, choices=Method.choices, default=Method.PLURALITY)
    state = models.CharField(max_length=20, choices=State.choices, default=State.DRAFT)
    # The calendar (UTC). The services refuse a move before its date.
    nominations_open = models.DateTimeField(help_text=_("The call for nominations opens."))
    nominations_close = models.DateTimeField()
    cutoff = models.DateTimeField(help_text=_("The electorate and its weights are frozen as they stood at this instant."))
    slate_published = models.DateTimeField(help_text=_("The nominations committee publishes the slate."))
    petitions_close = models.DateTimeField()
    voting_opens = models.DateTimeField(help_text=_("The candidate forum runs from the petitions' close until voting opens."))
    voting_closes = models.DateTimeField()
    challenge_days = models.PositiveSmallIntegerField(default=14)
    seating = models.DateTimeField(help_text=_("New trustees take their seats; their three-year terms start."))
    results = models.JSONField(null=True, blank=True, editable=False)
    certified_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    is_demo = models.BooleanField(default=False, editable=False)

    class Meta:
        ordering = ["-voting_opens"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("elections:election", args=[self.slug])

    @property
    def closed(self) -> bool:
        return self.state in (State.TALLIED, State.CERTIFIED, State.SEATED)

    @property
    def challenge_ends(self):
        from datetime import timedelta

        return self.certified_at + timedelta(days=self.challenge_days) if self.certified_at else None


class ElectionEvent(models.Model):
    """Every state change of an election: who, when, from, to, why."""

    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    kind = models.CharField(max_length=40)
    from_state = models.CharField(max_length=20, blank=True)
    to_state = models.CharField(max_length=20, blank=True)
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.kind} of {self.election} at {self.at:%Y-%m-%d %H:%M}"


class Contest(models.Model):
    """One electorate's open seats in one election (frozen when the election is made)."""

    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="contests")
    electorate = models.ForeignKey(Electorate, on_delete=models.PROTECT, related_name="contests")
    seats = models.PositiveSmallIntegerField()
    roll_frozen_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["electorate__order"]
        constraints = [models.UniqueConstraint(fields=["election", "electorate"], name="one_contest_per_electorate")]

    def __str__(self) -> str:
        return f"{self.electorate} in {self.election}"


class Nomination(models.Model):
    """Someone standing in a contest. Anyone may stand: membership is not required, so
    the nominee is a name and an address, and a person only if they have an account."""

    class Status(models.TextChoices):
        NOMINATED = "nominated", _("Nominated")
        SLATE = "slate", _("On the slate")
        PETITION = "petition", _("Petitioning")
        CANDIDATE = "candidate", _("Candidate")  # on the ballot (slate, or a successful petition)
        NOT_SELECTED = "not_selected", _("Not on the ballot")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    contest = models.ForeignKey(Contest, on_delete=models.CASCADE, related_name="nominations")
    name = models.CharField(max_length=200)
    email = models.EmailField()
    person = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="nominations")
    statement = models.TextField(max_length=5000, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.NOMINATED)
    submitted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name", "id"]
        constraints = [models.UniqueConstraint(fields=["contest", "email"], name="one_nomination_per_address")]

    def __str__(self) -> str:
        return f"{self.name} ({self.contest})"


class RollEntry(models.Model):
    """One voting unit of a contest as it stood at the cut-off: a chapter (its delegate
    votes), an organization member (its representative, with the tier's weight), or a
    sustaining member. Published: chapters and organizations by name, sustaining members
    as a count only."""

    contest = models.ForeignKey(Contest, on_delete=models.CASCADE, related_name="roll")
    unit = models.CharField(max_length=40, help_text=_('The voting unit, e.g. "chapter:12", "organization:7", "person:31".'))
    label = models.CharField(max_length=200)
    weight = models.PositiveSmallIntegerField(default=1)
    voter = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="roll_entries")

    class Meta:
        ordering = ["label", "id"]
        constraints = [models.UniqueConstraint(fields=["contest", "unit"], name="one_roll_entry_per_unit")]

    def __str__(self) -> str:
        return f"{self.label} ({self.contest})"


class PetitionSignature(models.Model):
    """A voter of the contest supporting a nomination's petition to join the slate."""

    nomination = models.ForeignKey(Nomination, on_delete=models.CASCADE, related_name="signatures")
    roll = models.ForeignKey(RollEntry, on_delete=models.CASCADE, related_name="petition_signatures")
    signed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["nomination", "roll"], name="one_signature_per_unit")]

    def __str__(self) -> str:
        return f"{self.roll.label} for {self.nomination.name}"


class ForumPost(models.Model):
    """A question to a candidate in the forum, and the candidate's answer."""

    nomination = models.ForeignKey(Nomination, on_delete=models.CASCADE, related_name="questions")
    asked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    question = models.TextField(max_length=2000)
    answer = models.TextField(max_length=5000, blank=True)
    asked_at = models.DateTimeField(default=timezone.now)
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["asked_at", "id"]

    def __str__(self) -> str:
        return f"question to {self.nomination.name}"


class Participation(models.Model):
    """That a unit voted — never what. Unique per roll entry, written in the ballot's
    transaction. The unit's ballot carries ``HMAC(key, election, roll entry)`` with a key
    outside the database, so a new submission finds and replaces it; erased at the close."""

    roll = models.OneToOneField(RollEntry, on_delete=models.CASCADE, related_name="participation")
    voted_at = models.DateTimeField(default=timezone.now)
    submissions = models.PositiveSmallIntegerField(default=1)

    def __str__(self) -> str:
        return f"{self.roll.label} voted"


class Ballot(models.Model):
    """What was voted, with no link to the voter: a random id, no timestamp, no foreign
    key to a person, unit or participation. ``replace_tag`` lets the same unit replace it
    until the close, when it is erased."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    contest = models.ForeignKey(Contest, on_delete=models.CASCADE, related_name="ballots")
    weight = models.PositiveSmallIntegerField(default=1)
    choices = models.JSONField(help_text=_("Candidate (nomination) ids, in order of preference for ranked methods."))
    receipt = models.CharField(max_length=32, unique=True)
    replace_tag = models.CharField(max_length=64, null=True, blank=True, unique=True, editable=False)

    class Meta:
        ordering = ["receipt"]

    def __str__(self) -> str:
        return f"ballot {self.receipt}"


class CertificationApproval(models.Model):
    """One staff member's approval of the count; two different people certify."""

    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="approvals")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["election", "person"], name="one_approval_per_person")]

    def __str__(self) -> str:
        return f"{self.person} approved {self.election}"


class Term(models.Model):
    """A trustee's three-year term in a seat: from an election, or appointed."""

    seat = models.ForeignKey(Seat, on_delete=models.PROTECT, related_name="terms")
    holder = models.CharField(max_length=200)
    person = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    election = models.ForeignKey(Election, null=True, blank=True, on_delete=models.PROTECT, related_name="terms")
    appointed_by = models.CharField(max_length=120, blank=True)
    is_demo = models.BooleanField(default=False, editable=False)

    class Meta:
        ordering = ["-starts_at"]
        constraints = [models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="term_ends_after_start")]

    def __str__(self) -> str:
        return f"{self.holder}, {self.seat} ({self.starts_at:%Y}–{self.ends_at:%Y})"


class Challenge(models.Model):
    """A challenge to a certified result, filed during the challenge period. Trustees are
    not seated while one is undecided (nor when one is upheld)."""

    class Decision(models.TextChoices):
        PENDING = "", _("Undecided")
        UPHELD = "upheld", _("Upheld")
        DISMISSED = "dismissed", _("Dismissed")

    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="challenges")
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    filed_at = models.DateTimeField(default=timezone.now)
    grounds = models.TextField(max_length=5000)
    decision = models.CharField(max_length=20, choices=Decision.choices, default=Decision.PENDING, blank=True)
    reasons = models.TextField(max_length=5000, blank=True, help_text=_("Why the challenge was upheld or dismissed."))
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["filed_at", "id"]

    def __str__(self) -> str:
        return f"challenge #{self.pk} to {self.election}"

    @property
    def decided(self) -> bool:
        return bool(self.decision)
