"""Staff screens for enabling technologies: read-only views of scans, their files, the
per-domain summaries, adoption figures and third-party series (all come from the
scanner's files and importers, not from typing)."""

from django.contrib import admin

from isoc.enablers.models import AdoptionFigure, DomainSummary, Scan, ScanFile, ThirdPartyAdoption


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class ScanFileInline(admin.TabularInline):
    model = ScanFile
    extra = 0
    can_delete = False
    readonly_fields = ("path", "sha256", "rows", "schema_version", "recorded_at")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Scan)
class ScanAdmin(ReadOnly):
    list_display = ("identifier", "started_at", "domains", "resolver", "is_demo")
    list_filter = ("is_demo",)
    search_fields = ("identifier",)
    inlines = [ScanFileInline]


@admin.register(DomainSummary)
class DomainSummaryAdmin(ReadOnly):
    list_display = ("domain", "scan", "cctld_country", "hosting_asn", "hosting_country")
    list_filter = ("scan__is_demo",)
    search_fields = ("=domain",)
    list_select_related = ("scan",)
    list_per_page = 100


@admin.register(AdoptionFigure)
class AdoptionFigureAdmin(ReadOnly):
    list_display = ("technology", "method", "country", "scan", "adopted", "measured", "not_measured")
    list_filter = ("technology", "method")
    search_fields = ("=country",)
    list_select_related = ("scan",)


@admin.register(ThirdPartyAdoption)
class ThirdPartyAdoptionAdmin(ReadOnly):
    list_display = ("technology", "country", "date", "percent", "preferred", "samples", "dataset")
    list_filter = ("technology",)
    search_fields = ("=country",)
    list_select_related = ("dataset",)
