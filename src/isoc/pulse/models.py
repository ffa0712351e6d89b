"""Pulse core: countries and regions, data sources and datasets with provenance, import
runs, yearly indicator values (population, GDP…), and data-driven stories."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from isoc.site.translatable import Translatable


class Region(Translatable):
    """A grouping of countries: the Internet Society's regions (its regional bureaus),
    and UN M49 regions/sub-regions for comparison."""

    class Kind(models.TextChoices):
        ISOC = "isoc", _("Internet Society region")
        M49_REGION = "m49-region", _("UN M49 region")
        M49_SUBREGION = "m49-subregion", _("UN M49 sub-region")

    translatable = ("name",)
    slug = models.SlugField(max_length=80, unique=True)
    name = models.CharField(max_length=120)
    kind = models.CharField(max_length=20, choices=Kind.choices)

    class Meta:
        ordering = ["kind", "name"]

    def __str__(self) -> str:
        return self.name


class Country(models.Model):
    """An ISO 3166-1 country or territory; the key everywhere in Pulse."""

    code = models.CharField(max_length=2, primary_key=True, help_text=_("ISO 3166-1 alpha-2"))
    alpha3 = models.CharField(max_length=3, unique=True)
    numeric = models.CharField(max_length=3, blank=True)
    name = models.CharField(max_length=120)
    isoc_region = models.ForeignKey(Region, null=True, blank=True, on_delete=models.SET_NULL, related_name="countries")
    m49_region = models.ForeignKey(Region, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    m49_subregion = models.ForeignKey(Region, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "countries"

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("pulse:country", args=[self.code.lower()])


class DataSource(models.Model):
    """Who publishes data Pulse uses: Access Now, IODA, RIPE NCC, the World Bank…"""

    slug = models.SlugField(max_length=80, unique=True)
    name = models.CharField(max_length=200)
    publisher = models.CharField(max_length=200)
    url = models.URLField(blank=True)
    licence = models.CharField(max_length=200, help_text=_("As the publisher states it."))
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Dataset(models.Model):
    """One body of data from a source (a file or a feed), with how it was obtained.
    Every figure on the site points back to one of these."""

    class Kind(models.TextChoices):
        INDICATOR = "indicator", _("Indicator by country and year")
        EVENTS = "events", _("Events")
        SIGNAL = "signal", _("Time series signal")
        ROUTING = "routing", _("Routing data (BGP routes, RPKI)")
        REFERENCE = "reference", _("Reference data (registries, bogons, relationships)")
        DEMO = "demo", _("Generated demo data")

    source = models.ForeignKey(DataSource, on_delete=models.PROTECT, related_name="datasets")
    slug = models.SlugField(max_length=120, unique=True)
    title = models.CharField(max_length=300)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    description = models.TextField(blank=True)
    origin = models.CharField(max_length=500, help_text=_("The file name or URL the data came from."))
    retrieved_at = models.DateTimeField(default=timezone.now)
    sha256 = models.CharField(max_length=64, blank=True, help_text=_("Of the file last imported."))
    importer = models.CharField(max_length=100)
    importer_version = models.CharField(max_length=20)
    is_demo = models.BooleanField(default=False)
    parquet_path = models.CharField(max_length=500, blank=True, help_text=_("Bulk rows, relative to the data folder."))

    class Meta:
        ordering = ["source__name", "title"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("pulse:dataset", args=[self.slug])


class ImportRun(models.Model):
    """One run of an importer on one file: what it read, stored and skipped, and why."""

    class Outcome(models.TextChoices):
        APPLIED = "applied", _("Applied")
        UNCHANGED = "unchanged", _("Unchanged (same file as before)")
        REJECTED = "rejected", _("Rejected (nothing stored)")
        DRY_RUN = "dry-run", _("Dry run")

    dataset = models.ForeignKey(Dataset, null=True, blank=True, on_delete=models.SET_NULL, related_name="runs")
    importer = models.CharField(max_length=100)
    importer_version = models.CharField(max_length=20)
    origin = models.CharField(max_length=500)
    sha256 = models.CharField(max_length=64)
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=20, choices=Outcome.choices)
    rows_read = models.PositiveIntegerField(default=0)
    rows_stored = models.PositiveIntegerField(default=0)
    rows_skipped = models.PositiveIntegerField(default=0)
    report = models.JSONField(default=dict, blank=True, help_text=_("Skipped rows and why; errors."))
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.importer} {self.origin} ({self.outcome})"


class IndicatorValue(models.Model):
    """One yearly value of an indicator for a country (population, GDP, Internet users…)."""

    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="values")
    indicator = models.CharField(max_length=40, help_text=_("e.g. the World Bank code SP.POP.TOTL"))
    country = models.ForeignKey(Country, on_delete=models.CASCADE, related_name="indicator_values")
    year = models.PositiveSmallIntegerField()
    value = models.FloatField()

    class Meta:
        ordering = ["indicator", "country", "year"]
        constraints = [
            models.UniqueConstraint(fields=["dataset", "indicator", "country", "year"], name="one_value_per_dataset_indicator_country_year")
        ]
        indexes = [models.Index(fields=["indicator", "country", "year"])]

    def __str__(self) -> str:
        return f"{self.indicator} {self.country_id} {self.year}: {self.value}"


class Story(Translatable):
    """A data-driven story written by staff, reviewed by another before it is published.
    Its body is Markdown and embeds live figures by reference: ``{{ dataset:slug }}``."""

    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        IN_REVIEW = "in-review", _("In review")
        APPROVED = "approved", _("Approved, not yet published")
        PUBLISHED = "published", _("Published")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    translatable = ("title", "summary", "body")
    slug = models.SlugField(max_length=200, unique=True)
    title = models.CharField(max_length=300)
    summary = models.CharField(max_length=500, blank=True)
    body = models.TextField(help_text=_("Markdown. Embed a live figure with {{ dataset:SLUG }} or {{ indicator:CODE?country=XX }}."))
    topic = models.CharField(max_length=40, default="shutdowns")
    countries = models.ManyToManyField(Country, blank=True, related_name="stories")
    state = models.CharField(max_length=20, choices=State.choices, default=State.DRAFT)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="stories")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    published_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-published_at", "-updated_at"]
        verbose_name_plural = "stories"

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("pulse:story", args=[self.slug])


class StoryEvent(models.Model):
    story = models.ForeignKey(Story, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    from_state = models.CharField(max_length=20, blank=True)
    to_state = models.CharField(max_length=20)
    note = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.story_id}: {self.from_state or '-'} → {self.to_state}"
