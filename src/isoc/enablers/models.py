"""Enabling technologies: the scans we ran (their Parquet files are the full record), one
summary per domain per scan for the pages, the adoption figures computed from them per
technology and country, and third-party adoption series (APNIC, Google) beside ours."""

from __future__ import annotations

from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from isoc.pulse.models import Dataset


class Scan(models.Model):
    """One run of the scanner (``isoc enablers scan``): its identifier, resolver and time.

    Its provenance is a pulse Dataset ("isoc measurement, scan X"), whose download is the
    per-domain summaries; the Parquet files it was recorded from are its ``files``."""

    identifier = models.CharField(max_length=100, unique=True, help_text=_("As the scanner named it, e.g. scan-20260103T120000."))
    resolver = models.CharField(max_length=300, help_text=_("The resolver every DNS answer came from."))
    started_at = models.DateTimeField(help_text=_("When the first domain was measured."))
    finished_at = models.DateTimeField(help_text=_("When the last domain was measured."))
    domains = models.PositiveIntegerField(default=0)
    dataset = models.OneToOneField(Dataset, on_delete=models.PROTECT, related_name="enablers_scan")
    recorded_at = models.DateTimeField(default=timezone.now)
    is_demo = models.BooleanField(default=False)

    class Meta:
        ordering = ["-started_at", "-pk"]
        get_latest_by = "started_at"

    def __str__(self) -> str:
        return self.identifier


class ScanFile(models.Model):
    """A Parquet file of a scan, as recorded: recording it again changes nothing."""

    scan = models.ForeignKey(Scan, on_delete=models.CASCADE, related_name="files")
    path = models.CharField(max_length=500, unique=True, help_text=_("Absolute, or relative to the data folder."))
    sha256 = models.CharField(max_length=64)
    rows = models.PositiveIntegerField(default=0)
    schema_version = models.PositiveSmallIntegerField(default=0)
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["scan", "path"]

    def __str__(self) -> str:
        return self.path


class DomainSummary(models.Model):
    """What one scan found for one domain: each check passed, failed or not measured
    (``checks``: name → true/false/null, names from ``results.CHECKS``), why, the probe
    errors, its addresses and where it counts (ccTLD country, hosting AS and country)."""

    scan = models.ForeignKey(Scan, on_delete=models.CASCADE, related_name="summaries")
    file = models.ForeignKey(ScanFile, on_delete=models.CASCADE, related_name="summaries")
    domain = models.CharField(max_length=255, db_index=True)
    scanned_at = models.DateTimeField()
    checks = models.JSONField(default=dict)
    why = models.JSONField(default=dict, blank=True)
    errors = models.JSONField(default=dict, blank=True)
    details = models.JSONField(default=dict, blank=True, help_text=_("Facts the lookup page shows beside the checks."))
    addresses_v4 = models.JSONField(default=list, blank=True)
    addresses_v6 = models.JSONField(default=list, blank=True)
    cctld_country = models.CharField(max_length=2, blank=True, db_index=True)
    hosting_address = models.CharField(max_length=45, blank=True)
    hosting_asn = models.BigIntegerField(null=True, blank=True)
    hosting_prefix = models.CharField(max_length=50, blank=True)
    hosting_country = models.CharField(max_length=2, blank=True, db_index=True)
    hosting_method = models.CharField(max_length=20, blank=True, help_text=_("route, delegation, or empty when unknown."))

    class Meta:
        ordering = ["scan", "domain"]
        verbose_name_plural = "domain summaries"
        constraints = [models.UniqueConstraint(fields=["scan", "domain"], name="one_summary_per_scan_domain")]

    def __str__(self) -> str:
        return f"{self.domain} ({self.scan})"

    def get_absolute_url(self) -> str:
        return reverse("enablers:domain") + f"?domain={self.domain}"


class AdoptionFigure(models.Model):
    """The share of measured domains that pass one check in one scan: globally, or for one
    country by one method (ccTLD or hosting). Computed from the scan's summaries."""

    class Method(models.TextChoices):
        GLOBAL = "global", _("All measured domains")
        CCTLD = "cctld", _("By country-code top-level domain")
        HOSTING = "hosting", _("By hosting country")

    scan = models.ForeignKey(Scan, on_delete=models.CASCADE, related_name="figures")
    technology = models.CharField(max_length=30, help_text=_("A check name from results.CHECKS."))
    method = models.CharField(max_length=10, choices=Method.choices)
    country = models.CharField(max_length=2, blank=True, help_text=_("Empty for the global figure."))
    measured = models.PositiveIntegerField(help_text=_("Domains the check was measured on (passed or failed)."))
    adopted = models.PositiveIntegerField(help_text=_("Domains that passed it."))
    not_measured = models.PositiveIntegerField(default=0)
    computed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["technology", "method", "country", "scan"]
        constraints = [models.UniqueConstraint(fields=["scan", "technology", "method", "country"], name="one_figure_per_scan_technology_country")]
        indexes = [models.Index(fields=["technology", "method", "country"])]

    def __str__(self) -> str:
        return f"{self.technology} {self.method} {self.country or 'world'} {self.scan}: {self.adopted}/{self.measured}"

    @property
    def percent(self) -> float | None:
        return round(100.0 * self.adopted / self.measured, 1) if self.measured else None

    @property
    def provenance(self) -> str:
        return f"isoc measurement, scan {self.scan.identifier}, {self.measured} domains"


class ThirdPartyAdoption(models.Model):
    """A third party's adoption figure (APNIC's or Google's IPv6 capability) for a country
    (or the world: empty country) on a date, from an imported dataset."""

    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="enablers_adoption")
    technology = models.CharField(max_length=30, default="ipv6")
    country = models.CharField(max_length=2, blank=True, help_text=_("Empty: the whole world."))
    date = models.DateField()
    percent = models.FloatField(help_text=_("Share of users (APNIC: capable; Google: adoption), 0–100."))
    preferred = models.FloatField(null=True, blank=True, help_text=_("APNIC: share of users preferring IPv6."))
    samples = models.BigIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["technology", "country", "date"]
        constraints = [models.UniqueConstraint(fields=["dataset", "technology", "country", "date"], name="one_thirdparty_value_per_day")]
        indexes = [models.Index(fields=["technology", "country", "date"])]

    def __str__(self) -> str:
        return f"{self.technology} {self.country or 'world'} {self.date}: {self.percent}"
