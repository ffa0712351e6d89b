"""The shutdown tracker: events (with sources, evidence, review and history), signals
kept in Parquet, and outages detected in them awaiting staff review."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from isoc.pulse.models import Country, Dataset
from isoc.site.translatable import Translatable


class Scope(models.TextChoices):
    NATIONAL = "national", _("National")
    REGIONAL = "regional", _("Regional (subnational)")


class ShutdownType(models.TextChoices):
    FULL = "full", _("Full network")
    MOBILE = "mobile", _("Mobile only")
    SERVICE = "service", _("Service blocking")


class Reason(models.TextChoices):
    PROTESTS = "protests", _("Protests")
    EXAMS = "exams", _("Exams")
    ELECTIONS = "elections", _("Elections")
    CONFLICT = "conflict", _("Conflict")
    SECURITY = "security", _("Security operation")
    OTHER = "other", _("Other")
    UNKNOWN = "unknown", _("Unknown")


class ReviewState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    REVIEWED = "reviewed", _("Reviewed")
    PUBLISHED = "published", _("Published")
    REJECTED = "rejected", _("Rejected (not a shutdown under Pulse's rule)")


class ShutdownEvent(Translatable):
    """A shutdown as the Pulse tracker shows it.

    Pulse lists an event only if it is deliberately induced, removes access, and affects
    a group of people: the three ``meets_*`` flags record the editorial check, and only
    an event with all three can be published.
    """

    translatable = ("description",)
    country = models.ForeignKey(Country, on_delete=models.PROTECT, related_name="shutdowns")
    area = models.CharField(max_length=300, blank=True, help_text=_("Region or subnational area, when known."))
    scope = models.CharField(max_length=20, choices=Scope.choices, default=Scope.NATIONAL)
    shutdown_type = models.CharField(max_length=20, choices=ShutdownType.choices, default=ShutdownType.FULL)
    services = models.CharField(max_length=300, blank=True, help_text=_("Services blocked, comma-separated (for service blocking)."))
    starts_at = models.DateTimeField(db_index=True)
    ends_at = models.DateTimeField(null=True, blank=True, help_text=_("Empty while ongoing."))
    description = models.TextField(blank=True)
    reason = models.CharField(max_length=20, choices=Reason.choices, default=Reason.UNKNOWN)
    reason_detail = models.CharField(max_length=500, blank=True, help_text=_("The stated justification, in the source's words."))
    meets_deliberate = models.BooleanField(_("deliberately induced"), default=False)
    meets_removes_access = models.BooleanField(_("removes access"), default=False)
    meets_affects_group = models.BooleanField(_("affects a group of people"), default=False)
    review_state = models.CharField(max_length=20, choices=ReviewState.choices, default=ReviewState.DRAFT, db_index=True)
    is_demo = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-starts_at"]
        indexes = [models.Index(fields=["country", "starts_at"]), models.Index(fields=["review_state", "starts_at"])]

    def __str__(self) -> str:
        return f"{self.country_id} {self.starts_at:%Y-%m-%d} {self.get_shutdown_type_display()}"

    def get_absolute_url(self) -> str:
        return reverse("shutdowns:event", args=[self.pk])

    @property
    def is_ongoing(self) -> bool:
        return self.ends_at is None or self.ends_at > timezone.now()

    @property
    def duration(self):
        return (self.ends_at or timezone.now()) - self.starts_at

    @property
    def meets_pulse_rule(self) -> bool:
        return self.meets_deliberate and self.meets_removes_access and self.meets_affects_group


class EventSource(models.Model):
    """One source's record of an event. Two sources reporting the same event give one
    event with two of these (see ``shutdowns.matching``)."""

    event = models.ForeignKey(ShutdownEvent, on_delete=models.CASCADE, related_name="sources")
    dataset = models.ForeignKey(Dataset, on_delete=models.PROTECT, related_name="shutdown_records")
    external_id = models.CharField(max_length=200, help_text=_("The record's key in its source (row id, event id)."))
    url = models.URLField(blank=True, max_length=1000)
    record = models.JSONField(default=dict, help_text=_("The source's row as imported, for provenance."))
    imported_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["dataset", "external_id"], name="one_record_per_source_key")]

    def __str__(self) -> str:
        return f"{self.dataset_id}:{self.external_id}"


class Evidence(models.Model):
    class Kind(models.TextChoices):
        LINK = "link", _("Link")
        SIGNAL = "signal", _("Signal")

    event = models.ForeignKey(ShutdownEvent, on_delete=models.CASCADE, related_name="evidence")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    label = models.CharField(max_length=300)
    url = models.URLField(blank=True, max_length=1000)
    signal = models.ForeignKey("Signal", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    def __str__(self) -> str:
        return self.label


class EventRevision(models.Model):
    """Every change to an event: who, when, which fields from what to what, and why."""

    event = models.ForeignKey(ShutdownEvent, on_delete=models.CASCADE, related_name="revisions")
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    changes = models.JSONField(default=dict, help_text=_('{"field": [old, new], …}'))
    note = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"revision of event #{self.event_id} at {self.at:%Y-%m-%d %H:%M}"


class Signal(models.Model):
    """A measurement time series for a country (or one network in it). The points live
    in Parquet under the data folder; this row says what and where they are."""

    class Kind(models.TextChoices):
        BGP = "bgp", _("BGP visibility")
        ACTIVE_PROBING = "active-probing", _("Active probing")
        PROBE_CONNECTIVITY = "probe-connectivity", _("Connected probes")
        TRAFFIC = "traffic", _("Traffic")

    country = models.ForeignKey(Country, on_delete=models.PROTECT, related_name="signals")
    asn = models.PositiveBigIntegerField(null=True, blank=True)
    kind = models.CharField(max_length=30, choices=Kind.choices)
    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="signals")
    parquet_path = models.CharField(max_length=500, help_text=_("Relative to the data folder."))
    resolution_seconds = models.PositiveIntegerField(default=300)
    starts_at = models.DateTimeField(null=True, blank=True)
    ends_at = models.DateTimeField(null=True, blank=True)
    points = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["dataset", "country", "asn", "kind"], name="one_signal_per_dataset_country_asn_kind")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.country_id}{f' AS{self.asn}' if self.asn else ''}"


class DetectedOutage(models.Model):
    """An alert window the detector found; a candidate event for staff review."""

    class State(models.TextChoices):
        NEW = "new", _("New")
        ACCEPTED = "accepted", _("Accepted as an event")
        DISMISSED = "dismissed", _("Dismissed")

    country = models.ForeignKey(Country, on_delete=models.PROTECT, related_name="detected_outages")
    asn = models.PositiveBigIntegerField(null=True, blank=True)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    score = models.FloatField(help_text=_("Product over the alerting sources of (relative drop % × minutes)."))
    severity = models.JSONField(default=dict, help_text=_("Per signal kind: drop %, minutes, severity."))
    signals = models.ManyToManyField(Signal, related_name="detections")
    state = models.CharField(max_length=20, choices=State.choices, default=State.NEW)
    event = models.ForeignKey(ShutdownEvent, null=True, blank=True, on_delete=models.SET_NULL, related_name="detections")
    detector_version = models.CharField(max_length=20)
    detected_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-starts_at"]
        constraints = [models.UniqueConstraint(fields=["country", "asn", "starts_at", "detector_version"], name="one_detection_per_window")]

    def __str__(self) -> str:
        return f"{self.country_id} {self.starts_at:%Y-%m-%d %H:%M} score {self.score:.0f}"


