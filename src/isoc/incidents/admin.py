from django.contrib import admin

from isoc.incidents.models import Incident, IncidentChange


class IncidentChangeInline(admin.TabularInline):
    model = IncidentChange
    extra = 0
    can_delete = False
    readonly_fields = ("at", "origin", "sha256", "fields", "note")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Incident)
class IncidentAdmin(admin.ModelAdmin):
    """Incidents come from imports: the secretariat looks them up, and changes them by
    importing a corrected file (so every change has its file and history)."""

    list_display = ("incident_id", "victim_name", "year", "sector", "data_disclosure", "preventable", "is_demo")
    list_filter = ("year", "sector", "preventable", "is_demo", "security_incident")
    search_fields = ("incident_id", "victim_name", "summary", "reference")
    inlines = [IncidentChangeInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
