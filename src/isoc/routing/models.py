"""Routing security: networks (ASes), the route and VRP snapshots imported from MRT and RPKI
files, detected incidents, monthly MANRS-style scores, and MANRS participants.

Bulk rows (every route of a RIB, every VRP) live in Parquet files beside the database
(``Dataset.parquet_path``); the database keeps what pages list and filter: networks,
incidents, scores and the per-snapshot summaries.
"""

from __future__ import annotations

from datetime import timedelta

from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from isoc.pulse.models import Country, Dataset


class AutonomousSystem(models.Model):
    """A network, by its AS number, with the names and registry facts we know of it."""

    asn = models.BigIntegerField(primary_key=True, help_text=_("Autonomous System Number (0–4294967295)."))
    name = models.CharField(max_length=200, blank=True)
    description = models.CharField(max_length=300, blank=True)
    country = models.ForeignKey(Country, null=True, blank=True, on_delete=models.SET_NULL, related_name="networks")
    rir = models.CharField(_("regional Internet registry"), max_length=20, blank=True)
    registered_on = models.DateField(null=True, blank=True)
    registry_status = models.CharField(max_length=20, blank=True)
    contact_email = models.EmailField(blank=True, help_text=_("Routing security contact (coordination)."))
    contact_url = models.URLField(blank=True, help_text=_("e.g. the network's PeeringDB or abuse contact page."))
    names_source = models.ForeignKey(Dataset, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    registry_source = models.ForeignKey(Dataset, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    is_demo = models.BooleanField(default=False)

    class Meta:
        ordering = ["asn"]
        verbose_name = _("autonomous system")
        indexes = [models.Index(fields=["country", "asn"])]

    def __str__(self) -> str:
        return f"AS{self.asn}" + (f" {self.name}" if self.name else "")

    def get_absolute_url(self) -> str:
        return reverse("routing:network", args=[self.asn])

    @property
    def has_contact(self) -> bool:
        return bool(self.contact_email or self.contact_url)


class Snapshot(models.Model):
    """One imported routing view: a RIB dump or a series of updates (routes), or a VRP set.

    The rows are in the dataset's Parquet file; the counts here are what pages show
    without opening it."""

    class Kind(models.TextChoices):
        ROUTES = "routes", _("Routes (MRT)")
        VRPS = "vrps", _("Validated ROA payloads (RPKI)")

    dataset = models.OneToOneField(Dataset, on_delete=models.CASCADE, related_name="routing_snapshot")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    taken_at = models.DateTimeField(db_index=True, help_text=_("Time of the dump or of the VRP build."))
    ends_at = models.DateTimeField(null=True, blank=True, help_text=_("For update files: the last update's time."))
    is_rib = models.BooleanField(default=False, help_text=_("A full table dump (RIB), not a file of updates."))
    rows = models.PositiveIntegerField(default=0, help_text=_("Routes (prefix, origin) or VRPs."))
    elements = models.PositiveBigIntegerField(default=0, help_text=_("MRT elements decoded."))
    peers = models.PositiveIntegerField(default=0)
    full_feed_peers = models.PositiveIntegerField(default=0)
    valid = models.PositiveIntegerField(default=0)
    invalid_as = models.PositiveIntegerField(default=0)
    invalid_length = models.PositiveIntegerField(default=0)
    not_found = models.PositiveIntegerField(default=0)
    vrps = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                             help_text=_("The VRP set the routes were validated against."))
    warnings = models.JSONField(default=list, blank=True, help_text=_("Decoder warnings (byte offset, message)."))

    class Meta:
        ordering = ["-taken_at"]
        get_latest_by = "taken_at"

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.taken_at:%Y-%m-%d %H:%M}"

    @property
    def invalid(self) -> int:
        return self.invalid_as + self.invalid_length


class IncidentKind(models.TextChoices):
    BOGON_PREFIX = "bogon-prefix", _("Bogon prefix")
    BOGON_ASN = "bogon-asn", _("Bogon AS in path")
    RPKI_INVALID = "rpki-invalid", _("RPKI invalid")
    MOAS = "moas", _("Possible hijack: multiple origins")
    MORE_SPECIFIC = "more-specific", _("Possible hijack: more-specific")
    ROUTE_LEAK = "route-leak", _("Route leak")


class RoutingIncident(models.Model):
    """One incident as the detector found it, with its evidence."""

    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="routing_incidents")
    kind = models.CharField(max_length=20, choices=IncidentKind.choices, db_index=True)
    culprit_asn = models.BigIntegerField(db_index=True, help_text=_("The network the incident counts against."))
    origin_asn = models.BigIntegerField(null=True, blank=True)
    prefix = models.CharField(max_length=50, db_index=True)
    prefixes = models.JSONField(default=list, blank=True)
    as_path = models.CharField(max_length=2000, blank=True)
    starts_at = models.DateTimeField(db_index=True)
    ends_at = models.DateTimeField(null=True, blank=True, help_text=_("Empty while still seen at the end of the data."))
    duration_seconds = models.PositiveBigIntegerField(default=0)
    peers = models.PositiveIntegerField(default=0, help_text=_("Peers that saw it."))
    weight = models.FloatField(default=0, help_text=_("By duration; see the methodology."))
    country = models.ForeignKey(Country, null=True, blank=True, on_delete=models.SET_NULL, related_name="routing_incidents")
    evidence = models.JSONField(default=dict, blank=True)
    is_demo = models.BooleanField(default=False)

    class Meta:
        ordering = ["-starts_at", "kind", "prefix"]
        indexes = [
            models.Index(fields=["culprit_asn", "starts_at"]),
            models.Index(fields=["country", "starts_at"]),
            models.Index(fields=["kind", "starts_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.prefix} AS{self.culprit_asn} {self.starts_at:%Y-%m-%d %H:%M}"

    def get_absolute_url(self) -> str:
        return reverse("routing:incident", args=[self.pk])

    @property
    def duration(self) -> timedelta:
        return timedelta(seconds=self.duration_seconds)


class MonthlyScore(models.Model):
    """What a month's score holds, for a network or a country (computed; see scores.py)."""

    month = models.DateField(help_text=_("First day of the month."))
    routes = models.PositiveIntegerField(default=0)
    valid = models.PositiveIntegerField(default=0)
    invalid = models.PositiveIntegerField(default=0)
    not_found = models.PositiveIntegerField(default=0)
    rpki_score = models.FloatField(null=True, blank=True)
    roa_coverage = models.FloatField(null=True, blank=True)
    incidents = models.PositiveIntegerField(default=0)
    incident_weight = models.FloatField(default=0)
    filtering = models.FloatField(null=True, blank=True, help_text=_("0–100"))
    global_validation = models.FloatField(null=True, blank=True, help_text=_("0–100"))
    coordination = models.FloatField(null=True, blank=True, help_text=_("0–100"))
    computed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        abstract = True


class NetworkScore(MonthlyScore):
    """A network's MANRS-style readiness for one calendar month."""

    asn = models.BigIntegerField()

    class Meta:
        ordering = ["asn", "month"]
        constraints = [models.UniqueConstraint(fields=["asn", "month"], name="one_score_per_network_month")]
        indexes = [models.Index(fields=["month", "asn"])]

    def __str__(self) -> str:
        return f"AS{self.asn} {self.month:%Y-%m}"


class CountryScore(MonthlyScore):
    """A country's networks taken together for one month."""

    country = models.ForeignKey(Country, on_delete=models.CASCADE, related_name="routing_scores")
    networks = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["country", "month"]
        constraints = [models.UniqueConstraint(fields=["country", "month"], name="one_score_per_country_month")]

    def __str__(self) -> str:
        return f"{self.country_id} {self.month:%Y-%m}"


class ManrsAction(models.TextChoices):
    FILTERING = "filtering", _("Filtering")
    ANTI_SPOOFING = "anti-spoofing", _("Anti-spoofing")
    COORDINATION = "coordination", _("Coordination")
    GLOBAL_VALIDATION = "global-validation", _("Global validation")


class ManrsParticipant(models.Model):
    """An organization that joined MANRS, with the actions it committed to."""

    class Programme(models.TextChoices):
        NETWORK_OPERATOR = "network-operator", _("Network operators")
        IXP = "ixp", _("Internet exchange points")
        CDN_CLOUD = "cdn-cloud", _("CDN and cloud providers")
        VENDOR = "vendor", _("Equipment vendors")

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=220, unique=True)
    organization = models.ForeignKey("members.Organization", null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="manrs_participations",
                                     help_text=_("The organization member, when the participant is one."))
    programme = models.CharField(max_length=20, choices=Programme.choices, default=Programme.NETWORK_OPERATOR)
    country = models.ForeignKey(Country, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    joined_on = models.DateField(default=timezone.now)
    website = models.URLField(blank=True)
    actions = models.JSONField(default=list, help_text=_("The MANRS actions committed to."))
    is_demo = models.BooleanField(default=False)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("routing:participant", args=[self.slug])


class ParticipantNetwork(models.Model):
    participant = models.ForeignKey(ManrsParticipant, on_delete=models.CASCADE, related_name="networks")
    asn = models.BigIntegerField()

    class Meta:
        ordering = ["asn"]
        constraints = [models.UniqueConstraint(fields=["participant", "asn"], name="one_row_per_participant_asn")]

    def __str__(self) -> str:
        return f"{self.participant} AS{self.asn}"
