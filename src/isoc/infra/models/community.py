"""Community networks: the registry (where, which technologies, whom they serve, who runs
them), the support they received, the trainings held, and an event row for every change.

Rows change only through ``isoc.infra.services.community`` (permissions, checks, history)."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from isoc.members.countries import CURRENCY_CHOICES

__all__ = ["Technology", "NetworkStatus", "SupportKind", "CommunityNetwork", "NetworkTechnology",
           "SupportReceived", "Training", "NetworkEvent"]

# A community this large is a regional operator; larger figures are typing mistakes.
MAX_PEOPLE_SERVED = 10_000_000


class Technology(models.TextChoices):
    WIFI_MESH = "wifi-mesh", _("Wi-Fi mesh")
    FIXED_WIRELESS = "fixed-wireless", _("Fixed wireless")
    MOBILE = "mobile", pgettext_lazy("network technology", "Mobile (cellular)")
    FIBRE = "fibre", _("Fibre")


class NetworkStatus(models.TextChoices):
    PLANNED = "planned", pgettext_lazy("community network status", "Planned")
    ACTIVE = "active", pgettext_lazy("community network status", "Active")
    INACTIVE = "inactive", pgettext_lazy("community network status", "Inactive")
    CLOSED = "closed", pgettext_lazy("community network status", "Closed")


class SupportKind(models.TextChoices):
    GRANT = "grant", _("Grant")
    EQUIPMENT = "equipment", _("Equipment")
    TRAINING = "training", pgettext_lazy("kind of support", "Training")
    SPECTRUM = "spectrum", _("Spectrum")
    OTHER = "other", pgettext_lazy("kind of support", "Other")


class CommunityNetwork(models.Model):
    """A network built and run by a community to connect itself."""

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=120, unique=True)
    country = models.ForeignKey("pulse.Country", on_delete=models.PROTECT, related_name="community_networks",
                                verbose_name=_("country"))
    place = models.CharField(_("place"), max_length=200, help_text=_("Village, town or district served."))
    latitude = models.DecimalField(_("latitude"), max_digits=8, decimal_places=5, null=True, blank=True,
                                   validators=[MinValueValidator(-90), MaxValueValidator(90)])
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=5, null=True, blank=True,
                                    validators=[MinValueValidator(-180), MaxValueValidator(180)])
    people_served = models.PositiveIntegerField(_("people served"), default=0,
                                                validators=[MaxValueValidator(MAX_PEOPLE_SERVED)])
    operator = models.CharField(_("operator"), max_length=200, help_text=_("Who runs the network."))
    chapter = models.ForeignKey("chapters.Chapter", null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="community_networks", verbose_name=_("chapter"),
                                help_text=_("The Internet Society chapter that runs or supports it, if any."))
    status = models.CharField(_("status"), max_length=12, choices=NetworkStatus.choices, default=NetworkStatus.ACTIVE)
    started_on = models.DateField(_("started on"), null=True, blank=True)
    website = models.URLField(_("website"), blank=True)
    description = models.TextField(_("description"), max_length=4000, blank=True)
    created_at = models.DateTimeField(_("added"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now, editable=False)
    is_demo = models.BooleanField(default=False, editable=False, help_text=_("Generated demo data."))

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("community network")
        verbose_name_plural = _("community networks")
        indexes = [models.Index(fields=["country", "status"], name="cn_country_status_idx")]
        constraints = [
            # Both coordinates or neither: half a position cannot be drawn.
            models.CheckConstraint(condition=Q(latitude__isnull=True, longitude__isnull=True)
                                   | Q(latitude__isnull=False, longitude__isnull=False), name="cn_both_coordinates"),
            models.CheckConstraint(condition=Q(latitude__isnull=True) | Q(latitude__gte=-90, latitude__lte=90),
                                   name="cn_latitude_range"),
            models.CheckConstraint(condition=Q(longitude__isnull=True) | Q(longitude__gte=-180, longitude__lte=180),
                                   name="cn_longitude_range"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("infra:cn-network", args=[self.slug])

    def technology_values(self) -> list[str]:
        return sorted(t.technology for t in self.technologies.all())

    def technology_labels(self) -> list[str]:
        return [Technology(v).label for v in self.technology_values()]


class NetworkTechnology(models.Model):
    """One technology a network uses (a network may use several)."""

    network = models.ForeignKey(CommunityNetwork, on_delete=models.CASCADE, related_name="technologies")
    technology = models.CharField(_("technology"), max_length=20, choices=Technology.choices)

    class Meta:
        ordering = ["technology"]
        constraints = [models.UniqueConstraint(fields=["network", "technology"], name="cn_one_row_per_technology")]
        indexes = [models.Index(fields=["technology"], name="cn_technology_idx")]

    def __str__(self) -> str:
        return f"{self.network}: {self.technology}"


class SupportReceived(models.Model):
    """Support a network received: a grant (an amount of money), equipment, training, spectrum…"""

    network = models.ForeignKey(CommunityNetwork, on_delete=models.CASCADE, related_name="support",
                                verbose_name=_("community network"))
    kind = models.CharField(_("kind"), max_length=12, choices=SupportKind.choices)
    provider = models.CharField(_("from"), max_length=200, help_text=_("Who gave the support."))
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2, null=True, blank=True,
                                 validators=[MinValueValidator(0)])
    currency = models.CharField(_("currency"), max_length=3, choices=CURRENCY_CHOICES, blank=True)
    received_on = models.DateField(_("received on"))
    note = models.CharField(_("note"), max_length=500, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+", verbose_name=_("recorded by"))
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now)
    is_demo = models.BooleanField(default=False, editable=False)

    class Meta:
        ordering = ["-received_on", "-pk"]
        verbose_name = _("support received")
        verbose_name_plural = _("support received")
        constraints = [
            models.CheckConstraint(condition=Q(amount__isnull=True) | ~Q(currency=""), name="cn_support_amount_currency"),
        ]

    def __str__(self) -> str:
        return f"{self.network}: {self.kind} from {self.provider}"


class Training(models.Model):
    """A training held for (or by) a network's community."""

    network = models.ForeignKey(CommunityNetwork, on_delete=models.CASCADE, related_name="trainings",
                                verbose_name=_("community network"))
    held_on = models.DateField(_("held on"))
    topic = models.CharField(_("topic"), max_length=200)
    participants = models.PositiveIntegerField(_("participants"), validators=[MaxValueValidator(100_000)])
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+", verbose_name=_("recorded by"))
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now)
    is_demo = models.BooleanField(default=False, editable=False)

    class Meta:
        ordering = ["-held_on", "-pk"]
        verbose_name = _("training")
        verbose_name_plural = _("trainings")

    def __str__(self) -> str:
        return f"{self.network}: {self.topic} ({self.held_on})"


class NetworkEvent(models.Model):
    """Every change to a network: who, when, what (``changes``: field → [before, after])."""

    class Kind(models.TextChoices):
        ADDED = "added", _("Added")
        UPDATED = "updated", pgettext_lazy("history event", "Updated")
        SUPPORT = "support", _("Support recorded")
        TRAINING = "training", _("Training recorded")

    network = models.ForeignKey(CommunityNetwork, on_delete=models.CASCADE, related_name="events",
                                verbose_name=_("community network"))
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    at = models.DateTimeField(_("at"), default=timezone.now)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+", verbose_name=_("by"))
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    is_demo = models.BooleanField(default=False, editable=False)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("community network event")
        verbose_name_plural = _("community network events")
        indexes = [models.Index(fields=["network", "at"], name="cn_event_network_at_idx")]

    def __str__(self) -> str:
        return f"{self.network}: {self.kind} at {self.at:%Y-%m-%d}"
