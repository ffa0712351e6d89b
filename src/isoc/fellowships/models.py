"""Fellowship programmes, their tracks and yearly calls, applications with their
documents, endorsements and history, reviews, decisions, onboarding and alumni."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from isoc.fellowships import forms_schema, scoring
from isoc.members.countries import COUNTRY_CHOICES
from isoc.site import l10n

# The Internet Society's regions (isoc.pulse.regions), as the selection page names them.
REGION_LABELS = {
    "africa": _("Africa"), "asia-pacific": _("Asia-Pacific"), "europe": _("Europe"),
    "latin-america-caribbean": _("Latin America & Caribbean"), "middle-east": _("Middle East"),
    "north-america": _("North America"), "unknown": pgettext_lazy("region", "Unknown"),
}


class Programme(models.Model):
    """A fellowship programme (Next Generation Leaders, IGF Ambassadors…)."""

    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    name = models.CharField(_("name"), max_length=200)
    summary = models.TextField(_("summary"), blank=True)
    # Fellows are enrolled in this course (in their language's version when there is one).
    onboarding_course = models.ForeignKey("learning.Course", null=True, blank=True, on_delete=models.PROTECT,
                                          related_name="+", verbose_name=_("onboarding course"),
                                          help_text=_("The learning course accepted fellows are enrolled in."))
    asks_travel = models.BooleanField(_("fellows travel"), default=False,
                                      help_text=_("Accepted fellows confirm travel details (e.g. to attend the IGF)."))
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "name"]
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("fellowships:programme", args=[self.slug])


class Track(models.Model):
    """A track of a programme with its own eligibility rules."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="tracks",
                                  verbose_name=_("programme"))
    slug = models.SlugField(_("slug"), max_length=80)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    min_age = models.PositiveSmallIntegerField(_("minimum age"), null=True, blank=True)
    max_age = models.PositiveSmallIntegerField(_("maximum age"), null=True, blank=True)
    countries = models.JSONField(_("eligible countries"), default=list, blank=True,
                                 help_text=_("ISO alpha-2 codes; empty: every country."))
    # Completing any language version of it counts (isoc.learning.services.has_completed).
    prerequisite_course = models.ForeignKey("learning.Course", null=True, blank=True, on_delete=models.PROTECT,
                                            related_name="+", verbose_name=_("prerequisite course"),
                                            help_text=_("A learning course applicants must have completed."))
    endorsement_required = models.BooleanField(_("chapter endorsement required"), default=False)

    class Meta:
        ordering = ["programme", "slug"]
        unique_together = [("programme", "slug")]
        verbose_name = _("track")
        verbose_name_plural = _("tracks")
        constraints = [models.CheckConstraint(
            condition=Q(min_age__isnull=True) | Q(max_age__isnull=True) | Q(min_age__lte=models.F("max_age")),
            name="track_age_range_in_order")]

    def __str__(self) -> str:
        return f"{self.programme.name}: {self.name}"

    def clean(self) -> None:
        codes = dict(COUNTRY_CHOICES)
        if not isinstance(self.countries, list) or not all(isinstance(c, str) and c in codes for c in self.countries):
            raise ValidationError({"countries": _("List ISO alpha-2 country codes, e.g. [\"KE\", \"NG\"].")})


class Call(models.Model):
    """A yearly call for applications to a programme."""

    class Status(models.TextChoices):
        DRAFT = "draft", pgettext_lazy("a call not yet published", "Draft")
        PUBLISHED = "published", pgettext_lazy("a call shown to the public", "Published")
        DECIDED = "decided", pgettext_lazy("a call whose selection is made", "Decided")

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="calls", verbose_name=_("programme"))
    slug = models.SlugField(_("slug"), max_length=120, unique=True)
    year = models.PositiveSmallIntegerField(_("year"))
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    opens_at = models.DateTimeField(_("opens at"))
    closes_at = models.DateTimeField(_("closes at"), help_text=_("The deadline: later submissions are refused."))
    time_zone = models.CharField(_("time zone"), max_length=64, default="UTC",
                                 help_text=_("The zone the deadline is announced in, e.g. Europe/Zurich."))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    form = models.JSONField(_("application form"), default=list, blank=True,
                            help_text=_("The fields applicants fill in (see the README)."))
    rubric = models.JSONField(_("rubric"), default=list, blank=True,
                              help_text=_("Criteria: [{\"key\", \"label\", \"weight\", \"max\"}]."))
    blind_review = models.BooleanField(_("blind review"), default=True,
                                       help_text=_("Reviewers see neither names, emails, chapters nor file names."))
    disagreement_threshold = models.FloatField(_("disagreement threshold"), default=1.5,
                                               help_text=_("Flag an application when its reviewers' raw scores "
                                                           "differ by more than this."))
    targets = models.JSONField(_("quotas and targets"), default=dict, blank=True,
                               help_text=_("{\"region\": {\"africa\": 5, …}, \"gender\": {\"woman\": 10, …}}"))
    places = models.PositiveIntegerField(_("places"), default=0, help_text=_("How many fellows are selected."))
    is_demo = models.BooleanField(default=False, editable=False, help_text=_("Generated demo data."))

    class Meta:
        ordering = ["-year", "programme__order", "slug"]
        verbose_name = _("call")
        verbose_name_plural = _("calls")
        constraints = [models.CheckConstraint(condition=Q(closes_at__gt=models.F("opens_at")), name="call_closes_after_open")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("fellowships:call", args=[self.slug])

    def clean(self) -> None:
        if self.time_zone and not l10n.valid_time_zone(self.time_zone):
            raise ValidationError({"time_zone": _("Not a known time zone; use an IANA name such as Europe/Paris.")})
        if self.opens_at and self.closes_at and self.closes_at <= self.opens_at:
            raise ValidationError({"closes_at": _("A call must close after it opens.")})
        try:
            forms_schema.parse_form(self.form)
        except forms_schema.FormDefinitionError as exc:
            raise ValidationError({"form": exc.problems}) from None
        try:
            self.criteria()
        except (ValueError, TypeError, KeyError) as exc:
            raise ValidationError({"rubric": str(exc)}) from None

    def is_open(self, at=None) -> bool:
        at = at or timezone.now()
        return self.status == self.Status.PUBLISHED and self.opens_at <= at < self.closes_at

    def phase(self, at=None) -> str:
        at = at or timezone.now()
        if at < self.opens_at:
            return "not_yet_open"
        return "open" if at < self.closes_at else "closed"

    def application_form(self) -> forms_schema.Form:
        return forms_schema.parse_form(self.form)

    def criteria(self) -> list[scoring.Criterion]:
        if not isinstance(self.rubric, list) or not self.rubric:
            raise ValueError("the rubric needs at least one criterion")
        out = [scoring.Criterion(str(c["key"]), float(c["weight"]), int(c.get("max", 5))) for c in self.rubric]
        if any(c.weight <= 0 or c.maximum < 1 for c in out) or len({c.key for c in out}) != len(out):
            raise ValueError("each criterion needs a unique key, a positive weight and a maximum of at least 1")
        return out


class Application(models.Model):
    class State(models.TextChoices):
        DRAFT = "draft", pgettext_lazy("an application", "Draft")
        SUBMITTED = "submitted", pgettext_lazy("an application", "Submitted")
        UNDER_REVIEW = "under_review", pgettext_lazy("an application", "Under review")
        ACCEPTED = "accepted", pgettext_lazy("an application", "Accepted")
        WAITLISTED = "waitlisted", pgettext_lazy("an application", "Waitlisted")
        DECLINED = "declined", pgettext_lazy("an application", "Declined")
        ONBOARDED = "onboarded", pgettext_lazy("an application", "Onboarded")
        WITHDRAWN = "withdrawn", pgettext_lazy("an application", "Withdrawn")

    class Gender(models.TextChoices):
        WOMAN = "woman", _("Woman")
        MAN = "man", _("Man")
        NON_BINARY = "non_binary", _("Non-binary")
        SELF_DESCRIBED = "self_described", _("Self-described")
        UNDISCLOSED = "undisclosed", _("Prefer not to say")

    call = models.ForeignKey(Call, on_delete=models.PROTECT, related_name="applications", verbose_name=_("call"))
    track = models.ForeignKey(Track, on_delete=models.PROTECT, related_name="applications", verbose_name=_("track"))
    applicant = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                  related_name="fellowship_applications", verbose_name=_("applicant"))
    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.DRAFT)
    birth_date = models.DateField(_("date of birth"), null=True, blank=True)
    country = models.CharField(_("country of residence"), max_length=2, choices=COUNTRY_CHOICES, blank=True)
    gender = models.CharField(_("gender"), max_length=20, choices=Gender.choices, blank=True)
    answers = models.JSONField(_("answers"), default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now, editable=False)
    submitted_at = models.DateTimeField(null=True, blank=True, editable=False)
    is_demo = models.BooleanField(default=False, editable=False)

    SUBMITTED_STATES = (State.SUBMITTED, State.UNDER_REVIEW, State.ACCEPTED, State.WAITLISTED, State.DECLINED,
                        State.ONBOARDED)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        constraints = [models.UniqueConstraint(fields=["call", "applicant"], name="one_application_per_call")]

    def __str__(self) -> str:
        return f"{self.call.slug} #{self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("fellowships:application", args=[self.pk])

    @property
    def region(self) -> str:
        from isoc.pulse.regions import isoc_region

        return (isoc_region(self.country) or "") if self.country else ""

    @property
    def region_label(self) -> str:
        return str(REGION_LABELS.get(self.region, self.region))

    def current_decision(self) -> Decision | None:
        return self.decisions.order_by("-decided_at", "-id").first()


class ApplicationChange(models.Model):
    """Every change of an application's state: who, when, from, to, why."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="history")
    from_state = models.CharField(max_length=20, blank=True)
    to_state = models.CharField(max_length=20)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    note = models.CharField(max_length=300, blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.application_id}: {self.from_state or '-'} → {self.to_state}"

    @staticmethod
    def _label(state: str) -> str:
        return Application.State(state).label if state in Application.State.values else state

    @property
    def from_label(self) -> str:
        return self._label(self.from_state) if self.from_state else "—"

    @property
    def to_label(self) -> str:
        return self._label(self.to_state)


def _document_path(instance: Document, filename: str) -> str:
    # Never the applicant's own file name on disk: it may reveal who they are, or be hostile.
    return f"fellowships/{instance.application.call_id}/{instance.application_id}/{instance.sha256[:16]}.{instance.kind}"


class Document(models.Model):
    """An uploaded file answering a file field of the form, stored under the data folder."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="documents")
    field = models.CharField(_("field"), max_length=50)
    file = models.FileField(upload_to=_document_path, max_length=300)
    original_name = models.CharField(_("file name"), max_length=200)
    kind = models.CharField(_("type"), max_length=10)  # read from the content: pdf, png, jpeg, txt
    size = models.PositiveIntegerField(_("size"))
    sha256 = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["field", "uploaded_at", "id"]
        constraints = [models.UniqueConstraint(fields=["application", "field"], name="one_document_per_field")]

    def __str__(self) -> str:
        return self.original_name


class Endorsement(models.Model):
    """A chapter endorses an applicant, through one of its officers."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="endorsements")
    chapter = models.ForeignKey("chapters.Chapter", on_delete=models.PROTECT, related_name="fellowship_endorsements",
                                verbose_name=_("chapter"))
    endorsed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    statement = models.TextField(_("statement"), max_length=2000, blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "id"]
        constraints = [models.UniqueConstraint(fields=["application", "chapter"], name="one_endorsement_per_chapter")]

    def __str__(self) -> str:
        return f"{self.chapter} endorses #{self.application_id}"


class ConflictDeclaration(models.Model):
    """A reviewer declares a conflict of interest with an application."""

    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="conflicts")
    reason = models.CharField(_("reason"), max_length=300)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["reviewer", "application"], name="one_conflict_declaration")]

    def __str__(self) -> str:
        return f"conflict of {self.reviewer} on #{self.application_id}"


class ReviewAssignment(models.Model):
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="assignments")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                 related_name="fellowship_assignments")
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    assigned_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["assigned_at", "id"]
        constraints = [models.UniqueConstraint(fields=["application", "reviewer"], name="one_assignment_per_reviewer")]

    def __str__(self) -> str:
        return f"{self.reviewer} reviews #{self.application_id}"


class Review(models.Model):
    assignment = models.OneToOneField(ReviewAssignment, on_delete=models.CASCADE, related_name="review")
    scores = models.JSONField(default=dict)
    raw_score = models.FloatField()
    comment = models.TextField(_("comment"), max_length=5000, blank=True)
    submitted_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"review of #{self.assignment.application_id}: {self.raw_score:.2f}"


class Decision(models.Model):
    class Outcome(models.TextChoices):
        ACCEPTED = "accepted", pgettext_lazy("a decision", "Accepted")
        WAITLISTED = "waitlisted", pgettext_lazy("a decision", "Waitlisted")
        DECLINED = "declined", pgettext_lazy("a decision", "Declined")

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="decisions")
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices)
    reason = models.CharField(_("reason"), max_length=500)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(default=timezone.now)
    notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["decided_at", "id"]

    def __str__(self) -> str:
        return f"#{self.application_id}: {self.outcome}"


class Onboarding(models.Model):
    """An accepted fellow's onboarding: the course enrolment, and travel details to confirm."""

    application = models.OneToOneField(Application, on_delete=models.CASCADE, related_name="onboarding")
    started_at = models.DateTimeField(default=timezone.now)
    enrolled_course = models.ForeignKey("learning.Course", null=True, blank=True, on_delete=models.SET_NULL,
                                        related_name="+")
    enrolment_note = models.CharField(max_length=300, blank=True)  # why no enrolment was made, if none was
    arrival_date = models.DateField(_("arrival"), null=True, blank=True)
    departure_date = models.DateField(_("departure"), null=True, blank=True)
    passport_country = models.CharField(_("passport country"), max_length=2, choices=COUNTRY_CHOICES, blank=True)
    visa_needed = models.BooleanField(_("visa needed"), null=True, blank=True)
    travel_confirmed_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"onboarding of #{self.application_id}"


class AlumniProfile(models.Model):
    """A past fellow's entry in the alumni directory; listed only when they opt in."""

    application = models.OneToOneField(Application, on_delete=models.CASCADE, related_name="alumni")
    listed = models.BooleanField(_("listed in the alumni directory"), default=False)
    changed_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"alumni entry of #{self.application_id} ({'listed' if self.listed else 'not listed'})"
