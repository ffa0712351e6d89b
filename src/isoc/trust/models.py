"""The Online Trust Audit: audited organizations (by sector), yearly audits scored from
stored scan files, one scorecard per organization per audit, and the penalty and bonus
events (breaches, settlements, awards) that adjust a year's score. Scoring itself is in
``scoring.py``; every change goes through ``services.py``."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Sector(models.Model):
    """A sector the honor roll is grouped by (banking, retail, government…); data, so staff may rename them."""

    slug = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=100)
    order = models.PositiveSmallIntegerField(default=100)

    class Meta:
        ordering = ["order", "name"]

    def __str__(self) -> str:
        return self.name


class AuditedOrganization(models.Model):
    """An organization whose primary domain the audit scores."""

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=220, unique=True)
    sector = models.ForeignKey(Sector, on_delete=models.PROTECT, related_name="organizations")
    country = models.CharField(max_length=2, blank=True, help_text=_("ISO 3166-1 alpha-2, when known."))
    primary_domain = models.CharField(max_length=253, unique=True,
                                      help_text=_("The domain scored: its website and its mail."))
    organization = models.ForeignKey("members.Organization", null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="trust_audited",
                                     help_text=_("The organization member it is, matched by its website's domain."))
    created_at = models.DateTimeField(default=timezone.now)
    is_demo = models.BooleanField(default=False)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("trust:organization", args=[self.slug])


class Audit(models.Model):
    """One year's audit: which scan files it read and under which weights it scored."""

    year = models.PositiveSmallIntegerField(unique=True)
    weights = models.JSONField(help_text=_("Points per criterion in force for this audit."))
    weights_source = models.CharField(max_length=500, default="default")
    results_dir = models.CharField(max_length=1000, help_text=_("The folder of scan files it scored from."))
    files = models.JSONField(default=list, help_text=_("Each file read: path, SHA-256, rows."))
    scored_at = models.DateTimeField(default=timezone.now)
    organizations = models.PositiveIntegerField(default=0)
    honor_roll = models.PositiveIntegerField(default=0)
    missing = models.JSONField(default=list, blank=True, help_text=_("Organizations whose domain was not in the scan."))
    is_demo = models.BooleanField(default=False)

    class Meta:
        ordering = ["-year"]
        get_latest_by = "year"

    def __str__(self) -> str:
        return str(self.year)

    def get_absolute_url(self) -> str:
        return reverse("trust:year", args=[self.year])


class AuditEvent(models.Model):
    """History of an audit: run, re-scored, a scorecard adjusted — who, when, under which weights."""

    class Action(models.TextChoices):
        RUN = "run", _("Audit run")
        RESCORE = "rescore", _("Re-scored")
        ADJUST = "adjust", _("Adjustment applied")

    audit = models.ForeignKey(Audit, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=10, choices=Action.choices)
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    weights_source = models.CharField(max_length=500, blank=True)
    weights = models.JSONField(default=dict, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.audit.year} {self.get_action_display()} {self.at:%Y-%m-%d %H:%M}"


class Scorecard(models.Model):
    """An organization's scores in one audit, with every criterion's outcome."""

    audit = models.ForeignKey(Audit, on_delete=models.CASCADE, related_name="scorecards")
    organization = models.ForeignKey(AuditedOrganization, on_delete=models.CASCADE, related_name="scorecards")
    domain = models.CharField(max_length=253)
    scanned_at = models.DateTimeField(help_text=_("When the scan row scored was measured."))
    consumer = models.IntegerField(help_text=_("Consumer protection, with its bonus points and adjustments."))
    site = models.IntegerField(help_text=_("Site security, with its bonus points and adjustments."))
    privacy = models.IntegerField(help_text=_("Privacy, with its bonus points and adjustments."))
    bonus = models.IntegerField(default=0)
    adjustments = models.IntegerField(default=0, help_text=_("Penalties and bonuses, all categories."))
    total = models.IntegerField()
    percent = models.FloatField()
    honor_roll = models.BooleanField(default=False)
    categories = models.JSONField(default=dict, help_text=_("Per category: base, bonus, adjustments, score."))
    criteria = models.JSONField(default=list, help_text=_("Per criterion: outcome, weight, points, why."))
    computed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-total", "organization__name"]
        constraints = [models.UniqueConstraint(fields=["audit", "organization"], name="one_scorecard_per_audit")]

    def __str__(self) -> str:
        return f"{self.organization} {self.audit.year}"

    def get_absolute_url(self) -> str:
        return reverse("trust:scorecard", args=[self.organization.slug, self.audit.year])


class Adjustment(models.Model):
    """A penalty (a breach, a regulator's settlement) or a bonus, for one organization and year."""

    class Kind(models.TextChoices):
        PENALTY = "penalty", _("Penalty")
        BONUS = "bonus", _("Bonus")

    organization = models.ForeignKey(AuditedOrganization, on_delete=models.CASCADE, related_name="adjustments")
    year = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=10, choices=Kind.choices)
    points = models.PositiveSmallIntegerField(help_text=_("Points taken away (penalty) or added (bonus)."))
    category = models.CharField(max_length=10, blank=True,
                                help_text=_("consumer, site or privacy; empty: counts in the total only."))
    reason = models.CharField(max_length=300)
    source = models.CharField(max_length=200, help_text=_("Who reported it (a regulator, a news outlet, a filing)."))
    source_url = models.URLField(blank=True)
    recorded_at = models.DateTimeField(default=timezone.now)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    is_demo = models.BooleanField(default=False)

    class Meta:
        ordering = ["year", "organization__name", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.organization} {self.year}"

    @property
    def signed_points(self) -> int:
        return -self.points if self.kind == self.Kind.PENALTY else self.points
