"""Staff screens for the Online Trust Audit: sectors, audited organizations, penalties and
bonuses (recorded through ``services.record_adjustment`` so the year's scorecard follows),
and read-only audits and scorecards (those come from ``isoc trust audit``)."""

from django.contrib import admin, messages

from isoc.trust import services
from isoc.trust.models import Adjustment, Audit, AuditedOrganization, AuditEvent, Scorecard, Sector


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Sector)
class SectorAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "order")
    prepopulated_fields = {"slug": ("name",)}


@admin.register(AuditedOrganization)
class AuditedOrganizationAdmin(admin.ModelAdmin):
    list_display = ("name", "primary_domain", "sector", "country", "organization", "is_demo")
    list_filter = ("sector", "is_demo")
    search_fields = ("name", "primary_domain")
    prepopulated_fields = {"slug": ("name",)}
    raw_id_fields = ("organization",)


@admin.register(Adjustment)
class AdjustmentAdmin(admin.ModelAdmin):
    list_display = ("organization", "year", "kind", "points", "category", "reason", "source")
    list_filter = ("kind", "year")
    fields = ("organization", "year", "kind", "points", "category", "reason", "source", "source_url")

    def has_change_permission(self, request, obj=None):
        return obj is None  # recorded once; a correction is a new event

    def save_model(self, request, obj, form, change):
        try:
            saved = services.record_adjustment(obj.organization, obj.year, obj.kind, obj.points, reason=obj.reason,
                                               source=obj.source, source_url=obj.source_url, category=obj.category,
                                               actor=request.user)
        except services.TrustError as exc:
            messages.error(request, exc.message)
            return
        obj.pk = saved.pk


class EventInline(admin.TabularInline):
    model = AuditEvent
    extra = 0
    can_delete = False
    fields = ("at", "action", "actor", "weights_source", "note")
    readonly_fields = fields


@admin.register(Audit)
class AuditAdmin(ReadOnly):
    list_display = ("year", "scored_at", "weights_source", "organizations", "honor_roll", "is_demo")
    inlines = [EventInline]


@admin.register(Scorecard)
class ScorecardAdmin(ReadOnly):
    list_display = ("organization", "audit", "consumer", "site", "privacy", "total", "honor_roll")
    list_filter = ("audit", "honor_roll")
    search_fields = ("organization__name", "domain")
