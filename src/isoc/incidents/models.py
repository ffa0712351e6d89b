"""The incident database: one row per VERIS incident, in the VERIS schema's own terms.

The nested VERIS lists (action varieties and vectors, actor varieties and motives, asset
and data varieties, discovery methods) are kept as JSON in the shape ``veris.to_record``
gives them, so ``trends`` reads a model instance exactly as it reads a parsed record.
The record as imported is kept too (``raw``), so a later version of the importer can
re-read what it did not store."""

from __future__ import annotations

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from isoc.incidents import trends
from isoc.pulse.models import Dataset


class Incident(models.Model):
    incident_id = models.CharField(max_length=100, unique=True, help_text=_("VERIS incident_id: the key imports update by."))
    master_id = models.CharField(max_length=100, blank=True, help_text=_("VCDB plus.master_id (its file name)."))
    source_id = models.CharField(max_length=100, blank=True)
    reference = models.TextField(blank=True, help_text=_("Where the incident was reported (URLs, as VERIS gives them)."))
    summary = models.TextField(blank=True)
    schema_version = models.CharField(max_length=20)
    security_incident = models.CharField(max_length=20)
    confidence = models.CharField(max_length=10, blank=True)
    # timeline.incident
    year = models.PositiveSmallIntegerField(db_index=True)
    month = models.PositiveSmallIntegerField(null=True, blank=True)
    day = models.PositiveSmallIntegerField(null=True, blank=True)
    # action, actor, asset, attribute
    actions = models.JSONField(default=dict, help_text=_("Action category → varieties and vectors."))
    actors = models.JSONField(default=dict, help_text=_("Actor category → varieties and motives."))
    assets = models.JSONField(default=list)
    data_disclosure = models.CharField(max_length=12, blank=True)
    data_varieties = models.JSONField(default=list)
    records_affected = models.BigIntegerField(null=True, blank=True)
    integrity = models.JSONField(default=list)
    availability = models.JSONField(default=list)
    # victim
    victim_name = models.CharField(max_length=300, blank=True)
    industry = models.CharField(max_length=6, blank=True, help_text=_("NAICS code."))
    sector = models.CharField(max_length=60, db_index=True)
    countries = models.JSONField(default=list)
    employee_count = models.CharField(max_length=20, blank=True)
    # timeline.discovery and disclosure
    discovery_unit = models.CharField(max_length=10, blank=True)
    discovery_value = models.FloatField(null=True, blank=True)
    discovery_days = models.FloatField(null=True, blank=True, help_text=_("Computed: see the methodology."))
    discovery_methods = models.JSONField(default=dict)
    notified_year = models.PositiveSmallIntegerField(null=True, blank=True)
    notified_month = models.PositiveSmallIntegerField(null=True, blank=True)
    notified_day = models.PositiveSmallIntegerField(null=True, blank=True)
    preventable = models.BooleanField(default=False, help_text=_("Computed: our definition, see the methodology."))
    # provenance
    dataset = models.ForeignKey(Dataset, on_delete=models.PROTECT, related_name="incidents")
    origin = models.CharField(max_length=500, help_text=_("The file the incident was last imported from."))
    sha256 = models.CharField(max_length=64, blank=True)
    first_imported_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    is_demo = models.BooleanField(default=False)
    raw = models.JSONField(default=dict)

    class Meta:
        ordering = ["-year", "-month", "-day", "incident_id"]
        indexes = [models.Index(fields=["year", "sector"])]

    def __str__(self) -> str:
        return f"{self.victim_name or self.incident_id} ({self.year})"

    def get_absolute_url(self) -> str:
        return reverse("incidents:incident", args=[self.pk])

    @property
    def action_types(self) -> list[str]:
        return trends.action_types(self)

    @property
    def preventable_reasons(self) -> list[str]:
        return trends.preventable_reasons(self)


class IncidentChange(models.Model):
    """A re-import that changed an incident: when, from which file (its name and sha256,
    as the ImportRun of that file records them), which fields. Nothing is overwritten
    silently."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="changes")
    at = models.DateTimeField(auto_now_add=True)
    origin = models.CharField(max_length=500)
    sha256 = models.CharField(max_length=64, blank=True)
    fields = models.JSONField(default=list)
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.incident.incident_id}: {', '.join(self.fields)}"
