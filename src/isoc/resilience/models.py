"""Internet Resilience Index models: the input values per country and quarter (each with
its pulse Dataset: source, file, retrieval time, licence), the computed scores per
country, quarter and tree version (so that pages read, not compute), and the history of
computations."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from isoc.pulse.models import Country, Dataset

QUARTER_PATTERN = r"^\d{4}-Q[1-4]$"


class InputValue(models.Model):
    """One indicator's raw value for a country in a quarter (before per-capita division),
    from one dataset."""

    quarter = models.CharField(max_length=7, help_text=_("e.g. 2026-Q3"))
    country = models.ForeignKey(Country, on_delete=models.CASCADE, related_name="resilience_inputs")
    indicator = models.CharField(max_length=40, help_text=_("An indicator code of the IRI tree."))
    value = models.FloatField()
    dataset = models.ForeignKey(Dataset, on_delete=models.PROTECT, related_name="resilience_inputs")
    observed = models.CharField(max_length=40, blank=True, help_text=_("The period the value describes, when not the quarter (e.g. 2025)."))
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["quarter", "country", "indicator"]
        constraints = [models.UniqueConstraint(fields=["quarter", "country", "indicator"], name="one_resilience_input_per_quarter")]
        indexes = [models.Index(fields=["quarter", "indicator"])]

    def __str__(self) -> str:
        return f"{self.quarter} {self.country_id} {self.indicator}: {self.value}"


class CountryScore(models.Model):
    """A country's computed index for one quarter under one tree version."""

    quarter = models.CharField(max_length=7)
    version = models.CharField(max_length=40, help_text=_("The tree (configuration) version the score was computed with."))
    country = models.ForeignKey(Country, on_delete=models.CASCADE, related_name="resilience_scores")
    overall = models.FloatField(null=True, blank=True, help_text=_("Empty when too few pillars have data."))
    coverage = models.FloatField(help_text=_("0–1: the share of the index's weight with data."))
    partial = models.BooleanField(default=False, help_text=_("A pillar has no data."))
    rank = models.PositiveSmallIntegerField(null=True, blank=True)
    pillars = models.JSONField(default=dict, help_text=_("code → {score, coverage}"))
    dimensions = models.JSONField(default=dict, help_text=_("code → {score, coverage}"))
    indicators = models.JSONField(default=dict, help_text=_("code → {raw, adjusted, normalised}"))
    computation = models.ForeignKey("Computation", on_delete=models.CASCADE, related_name="scores")

    class Meta:
        ordering = ["quarter", "rank", "country"]
        constraints = [models.UniqueConstraint(fields=["quarter", "version", "country"], name="one_resilience_score_per_quarter")]

    def __str__(self) -> str:
        return f"{self.quarter} {self.country_id}: {self.overall}"

    def get_absolute_url(self) -> str:
        return reverse("resilience:country", args=[self.country_id.lower()])


class Computation(models.Model):
    """The history: each time a quarter was computed, by whom, with which tree, from how
    many inputs. Recomputing replaces the quarter's scores and adds a row here."""

    quarter = models.CharField(max_length=7)
    version = models.CharField(max_length=40)
    computed_at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    countries = models.PositiveIntegerField(default=0)
    inputs = models.PositiveIntegerField(default=0)
    is_current = models.BooleanField(default=True, help_text=_("The latest computation of its quarter and version."))
    is_demo = models.BooleanField(default=False)

    class Meta:
        ordering = ["-computed_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.quarter} {self.version} ({self.computed_at:%Y-%m-%d %H:%M})"
