"""Regional bureaus, chapters and standing groups (special interest groups), their
members and officers, life-cycle history, annual reports and the minimum standards.

A standing group is a ``Chapter`` of kind ``standing-group``: the same membership,
officer, report and life-cycle machinery, without a country.
"""

from __future__ import annotations

from datetime import date, datetime

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from isoc.chapters import rules
from isoc.members.countries import COUNTRY_CHOICES, CURRENCY_CHOICES
from isoc.site.translatable import Translatable


class RegionalBureau(Translatable):
    """One of the Internet Society's regional bureaus. Staff rename them; the slug
    matches the Pulse region ``isoc-<slug>`` that places countries in it."""

    translatable = ("name",)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    name = models.CharField(_("name"), max_length=120)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order", "name"]
        verbose_name = _("regional bureau")
        verbose_name_plural = _("regional bureaus")

    def __str__(self) -> str:
        return self.name


class ChapterStandards(models.Model):
    """The minimum standards and periods in force from ``effective_from``; staff add a
    new row to change them, so the standards of any past day are known."""

    effective_from = models.DateTimeField(_("effective from"), default=timezone.now)
    charter_min_members = models.PositiveIntegerField(
        _("members needed to charter"), default=25,
        help_text=_("Internet Society members among the chapter's members needed to be chartered."))
    min_members = models.PositiveIntegerField(
        _("members needed for good standing"), default=25,
        help_text=_("Internet Society members among the chapter's members needed to stay in good standing."))
    required_roles = models.JSONField(
        _("required officer roles"), default=list,
        help_text=_("Officer roles that must be filled for good standing, e.g. [\"chair\", \"secretary\", \"treasurer\"]."))
    cure_months = models.PositiveSmallIntegerField(
        _("cure period (months)"), default=3,
        help_text=_("How long a chapter not in good standing has to meet the standards again."))
    rejuvenation_months = models.PositiveSmallIntegerField(
        _("rejuvenation period (months)"), default=12,
        help_text=_("The longest a chapter stays in rejuvenation before it is de-chartered."))
    report_due_month = models.PositiveSmallIntegerField(
        _("annual report due (month)"), default=3, validators=[MinValueValidator(1)],
        help_text=_("Month of the following year by which the annual report must be filed."))
    report_due_day = models.PositiveSmallIntegerField(
        _("annual report due (day)"), default=31, validators=[MinValueValidator(1)],
        help_text=_("Day of that month (the month's last day when it is shorter)."))

    class Meta:
        ordering = ["-effective_from"]
        get_latest_by = "effective_from"
        verbose_name = _("chapter standards")
        verbose_name_plural = _("chapter standards")

    def __str__(self) -> str:
        return f"standards from {self.effective_from:%Y-%m-%d}"

    def rules(self) -> rules.Standards:
        roles = tuple(self.required_roles) if self.required_roles is not None else ()
        return rules.Standards(
            charter_min_members=self.charter_min_members, min_members=self.min_members,
            required_roles=roles, cure_months=self.cure_months, rejuvenation_months=self.rejuvenation_months,
            report_due_month=min(max(self.report_due_month, 1), 12), report_due_day=max(self.report_due_day, 1),
        )

    @classmethod
    def at(cls, at: datetime | None = None) -> rules.Standards:
        """The standards in force at ``at`` (the defaults when staff never set any)."""
        row = cls.objects.filter(effective_from__lte=at or timezone.now()).first()
        return row.rules() if row else rules.Standards()


class Chapter(Translatable):
    """A chapter serving a country or a community, or a global standing group."""

    class Kind(models.TextChoices):
        CHAPTER = "chapter", _("Chapter")
        STANDING_GROUP = "standing-group", _("Standing group")

    class State(models.TextChoices):
        IN_FORMATION = rules.State.IN_FORMATION.value, _("In formation")
        CHARTERED = rules.State.CHARTERED.value, _("Chartered")
        NOT_IN_GOOD_STANDING = rules.State.NOT_IN_GOOD_STANDING.value, _("Not in good standing")
        REJUVENATION = rules.State.REJUVENATION.value, _("Rejuvenation")
        DECHARTERED = rules.State.DECHARTERED.value, _("De-chartered")

    translatable = ("description",)
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=120, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.CHAPTER)
    bureau = models.ForeignKey(RegionalBureau, null=True, blank=True, on_delete=models.PROTECT,
                               related_name="chapters", verbose_name=_("regional bureau"),
                               help_text=_("Empty for a global standing group."))
    # Null (not "") for "no single country", so other apps can ask country__isnull.
    country = models.CharField(_("country"), max_length=2, choices=COUNTRY_CHOICES, blank=True, null=True,  # noqa: DJ001
                               help_text=_("ISO 3166-1 country served; empty for a cross-border or global group."))
    subdivision = models.CharField(_("subdivision"), max_length=6, blank=True,
                                   help_text=_("ISO 3166-2 code when the chapter serves part of the country, e.g. ES-CT."))
    extra_countries = models.JSONField(_("other countries served"), default=list, blank=True,
                                       help_text=_("ISO 3166-1 codes of the other countries a cross-border chapter serves."))
    community = models.CharField(_("community served"), max_length=200, blank=True,
                                 help_text=_("The community in words, e.g. \"Catalonia\" or \"the Pacific Islands\"."))
    description = models.TextField(_("about"), blank=True, max_length=4000)
    website = models.URLField(_("website"), blank=True)
    state = models.CharField(_("state"), max_length=24, choices=State.choices, default=State.IN_FORMATION,
                             editable=False, help_text=_("Changed only by the life-cycle services, with history."))
    state_since = models.DateTimeField(_("in this state since"), default=timezone.now, editable=False)
    formed_at = models.DateTimeField(_("formed"), default=timezone.now, editable=False)
    chartered_at = models.DateTimeField(_("chartered"), null=True, blank=True, editable=False,
                                        help_text=_("Start of the current charter."))
    cure_until = models.DateTimeField(_("cure period ends"), null=True, blank=True, editable=False)
    rejuvenation_until = models.DateTimeField(_("rejuvenation ends"), null=True, blank=True, editable=False)
    dechartered_at = models.DateTimeField(_("de-chartered"), null=True, blank=True, editable=False)
    overlap_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        editable=False, verbose_name=_("overlap approved by"))
    overlap_approved_at = models.DateTimeField(_("overlap approved"), null=True, blank=True, editable=False)
    is_demo = models.BooleanField(default=False, editable=False, help_text=_("Generated demo data."))

    class Meta:
        ordering = ["name"]
        verbose_name = _("chapter")
        verbose_name_plural = _("chapters")
        indexes = [models.Index(fields=["kind", "state"]), models.Index(fields=["country"])]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("chapters:chapter", args=[self.slug])

    @property
    def is_standing_group(self) -> bool:
        return self.kind == self.Kind.STANDING_GROUP

    def areas(self) -> frozenset[tuple[str, str]]:
        return rules.areas(self.country, self.subdivision, self.extra_countries or [])

    def state_at(self, at: datetime | None = None) -> rules.State:
        """The life-cycle state at ``at``, from the history (now: the stored state)."""
        if at is None:
            return rules.State(self.state)
        last = self.transitions.filter(at__lte=at).order_by("-at", "-id").first()
        return rules.State(last.to_state) if last else rules.State.IN_FORMATION


class ChapterMembership(models.Model):
    """A person's membership of one chapter or standing group, from joining to leaving.
    A person may belong to several; at most one open membership per chapter."""

    person = models.ForeignKey("members.Person", on_delete=models.CASCADE, related_name="chapter_memberships",
                               verbose_name=_("person"))
    chapter = models.ForeignKey(Chapter, on_delete=models.CASCADE, related_name="memberships",
                                verbose_name=_("chapter"))
    joined_at = models.DateTimeField(_("joined"), default=timezone.now)
    left_at = models.DateTimeField(_("left"), null=True, blank=True)
    is_demo = models.BooleanField(default=False, editable=False)

    class Meta:
        ordering = ["-joined_at"]
        verbose_name = _("chapter membership")
        verbose_name_plural = _("chapter memberships")
        constraints = [
            models.UniqueConstraint(fields=["person", "chapter"], condition=Q(left_at__isnull=True),
                                    name="one_open_chapter_membership"),
        ]
        indexes = [models.Index(fields=["chapter", "joined_at", "left_at"], name="chapter_member_dates_idx")]

    def __str__(self) -> str:
        return f"{self.person} in {self.chapter}"


class OfficerTerm(models.Model):
    """An officer's term in one role of one chapter, ``starts_on`` to ``ends_on``
    inclusive (open-ended when empty). One holder per role at a time."""

    class RoleChoice(models.TextChoices):
        CHAIR = rules.Role.CHAIR.value, _("Chair")
        SECRETARY = rules.Role.SECRETARY.value, _("Secretary")
        TREASURER = rules.Role.TREASURER.value, _("Treasurer")
        VOTING_DELEGATE = rules.Role.VOTING_DELEGATE.value, _("Voting delegate")
        CAC_DELEGATE = rules.Role.CAC_DELEGATE.value, _("Chapters Advisory Council delegate")

    person = models.ForeignKey("members.Person", on_delete=models.CASCADE, related_name="officer_terms",
                               verbose_name=_("person"))
    chapter = models.ForeignKey(Chapter, on_delete=models.CASCADE, related_name="officer_terms",
                                verbose_name=_("chapter"))
    role = models.CharField(_("role"), max_length=20, choices=RoleChoice.choices)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"), null=True, blank=True, help_text=_("Last day in office; empty: open."))
    appointed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+", verbose_name=_("appointed by"))
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    is_demo = models.BooleanField(default=False, editable=False)

    class Meta:
        ordering = ["chapter", "role", "-starts_on"]
        verbose_name = _("officer term")
        verbose_name_plural = _("officer terms")
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                                   name="officer_term_ends_after_start"),
        ]
        indexes = [models.Index(fields=["chapter", "role", "starts_on", "ends_on"], name="officer_role_dates_idx")]

    def __str__(self) -> str:
        return f"{self.get_role_display()} of {self.chapter}: {self.person}"

    def covers(self, on: date) -> bool:
        return self.starts_on <= on and (self.ends_on is None or on <= self.ends_on)


class OfficerChange(models.Model):
    """Every change to a chapter's officers, beside the terms: an appointment, a term
    ended, a predecessor's term ended by a successor's appointment (handover), terms
    closed or withdrawn by de-chartering; with who, when and the term's dates after the
    change, so a term's end is never overwritten silently."""

    class Kind(models.TextChoices):
        APPOINTED = "appointed", _("Appointed")
        HANDED_OVER = "handed-over", _("Handed over to a successor")
        ENDED = "ended", _("Term ended")
        DECHARTERED = "dechartered", _("Ended by de-chartering")
        WITHDRAWN = "withdrawn", _("Appointment withdrawn by de-chartering")

    chapter = models.ForeignKey(Chapter, on_delete=models.CASCADE, related_name="officer_changes",
                                verbose_name=_("chapter"))
    # Kept when a term that had not started is withdrawn (the term row is deleted).
    term = models.ForeignKey(OfficerTerm, null=True, blank=True, on_delete=models.SET_NULL, related_name="changes",
                             verbose_name=_("officer term"))
    person = models.ForeignKey("members.Person", on_delete=models.CASCADE, related_name="+", verbose_name=_("person"))
    role = models.CharField(_("role"), max_length=20, choices=OfficerTerm.RoleChoice.choices)
    kind = models.CharField(_("change"), max_length=20, choices=Kind.choices)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"), null=True, blank=True, help_text=_("The term's last day after the change."))
    previous_ends_on = models.DateField(_("ended on before"), null=True, blank=True)
    at = models.DateTimeField(_("at"), default=timezone.now)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+", verbose_name=_("by"),
                              help_text=_("Empty when the standards review made the change."))
    is_demo = models.BooleanField(default=False, editable=False)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("officer change")
        verbose_name_plural = _("officer changes")
        indexes = [models.Index(fields=["chapter", "at"], name="officer_change_chapter_at_idx")]

    def __str__(self) -> str:
        return f"{self.chapter}: {self.kind} {self.role} {self.person} at {self.at:%Y-%m-%d}"


class ChapterTransition(models.Model):
    """Every life-cycle change (and every appeal decision), with when, who and why."""

    class Kind(models.TextChoices):
        FORMED = "formed", _("Formed")
        CHARTERED = "chartered", _("Chartered")
        STANDING_LOST = "standing-lost", _("Missed the minimum standards")
        CURED = "cured", _("Met the standards again")
        REJUVENATION = "rejuvenation", _("Entered rejuvenation")
        REJUVENATED = "rejuvenated", _("Rejuvenated")
        DECHARTERED = "dechartered", _("De-chartered")
        APPEAL = "appeal", _("Appeal decided")

    class Decision(models.TextChoices):
        UPHELD = "upheld", _("Upheld (the appeal succeeds; the change is undone)")
        DISMISSED = "dismissed", _("Dismissed (the change stands)")

    chapter = models.ForeignKey(Chapter, on_delete=models.CASCADE, related_name="transitions",
                                verbose_name=_("chapter"))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    from_state = models.CharField(_("from"), max_length=24, choices=Chapter.State.choices, blank=True)
    to_state = models.CharField(_("to"), max_length=24, choices=Chapter.State.choices)
    at = models.DateTimeField(_("at"), default=timezone.now)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+", verbose_name=_("by"),
                              help_text=_("Empty when the standards review made the change."))
    reason = models.TextField(_("reason"), max_length=2000)
    appeal_of = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="appeals",
                                  verbose_name=_("appeal of"))
    decision = models.CharField(_("decision"), max_length=12, choices=Decision.choices, blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("chapter transition")
        verbose_name_plural = _("chapter transitions")

    def __str__(self) -> str:
        return f"{self.chapter}: {self.from_state or '-'} → {self.to_state} at {self.at:%Y-%m-%d}"


class AnnualReport(models.Model):
    """A chapter's report on one calendar year, filed by an officer (or staff)."""

    chapter = models.ForeignKey(Chapter, on_delete=models.CASCADE, related_name="annual_reports",
                                verbose_name=_("chapter"))
    year = models.PositiveSmallIntegerField(_("year"))
    activities = models.TextField(_("activities"), max_length=8000)
    events = models.TextField(_("events"), max_length=8000, blank=True)
    membership_count = models.PositiveIntegerField(_("membership count"))
    income = models.DecimalField(_("income"), max_digits=12, decimal_places=2, default=0,
                                 validators=[MinValueValidator(0)])
    expenses = models.DecimalField(_("expenses"), max_digits=12, decimal_places=2, default=0,
                                   validators=[MinValueValidator(0)])
    currency = models.CharField(_("currency"), max_length=3, choices=CURRENCY_CHOICES, default="USD")
    finances = models.TextField(_("finances"), max_length=4000, blank=True,
                                help_text=_("Where the money came from and went."))
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                 related_name="+", verbose_name=_("filed by"))
    filed_at = models.DateTimeField(_("filed"), default=timezone.now)
    is_demo = models.BooleanField(default=False, editable=False)

    class Meta:
        ordering = ["-year"]
        verbose_name = _("annual report")
        verbose_name_plural = _("annual reports")
        constraints = [models.UniqueConstraint(fields=["chapter", "year"], name="one_report_per_chapter_year")]

    def __str__(self) -> str:
        return f"{self.chapter} report {self.year}"
