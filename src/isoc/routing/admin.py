"""Staff screens for routing security: networks (names, registry facts and the contact data
coordination is scored on), MANRS participants with their networks, and read-only views of
snapshots, incidents and scores (those come from imports, not from typing)."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from isoc.routing.models import (
    AutonomousSystem,
    CountryScore,
    ManrsAction,
    ManrsParticipant,
    NetworkScore,
    ParticipantNetwork,
    RoutingIncident,
    Snapshot,
)


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(AutonomousSystem)
class AutonomousSystemAdmin(admin.ModelAdmin):
    list_display = ("asn", "name", "country", "rir", "registry_status", "contact_email", "is_demo")
    list_filter = ("is_demo", ("country", admin.RelatedOnlyFieldListFilter))
    search_fields = ("=asn", "name", "description")
    readonly_fields = ("names_source", "registry_source", "is_demo")
    list_per_page = 100


class ParticipantNetworkInline(admin.StackedInline):
    model = ParticipantNetwork
    extra = 1


@admin.register(ManrsParticipant)
class ManrsParticipantAdmin(admin.ModelAdmin):
    list_display = ("name", "programme", "organization", "country", "joined_on", "is_demo")
    list_filter = ("programme", "is_demo")
    search_fields = ("name", "slug", "organization__legal_name")
    # No prepopulated slug and no autocomplete: their scripts (XRegExp, Select2) would
    # put the page over the weight budget, and Select2's box has no accessible name.
    inlines = [ParticipantNetworkInline]
    readonly_fields = ("is_demo",)

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        field = form.base_fields.get("actions")
        if field is not None:
            field.help_text = _("A JSON list of: %(actions)s") % {"actions": ", ".join(ManrsAction.values)}
        return form


@admin.register(Snapshot)
class SnapshotAdmin(ReadOnly):
    list_display = ("dataset", "kind", "taken_at", "is_rib", "rows", "peers", "valid", "invalid_as", "invalid_length", "not_found")
    list_filter = ("kind", "is_rib")


@admin.register(RoutingIncident)
class RoutingIncidentAdmin(ReadOnly):
    list_display = ("kind", "prefix", "culprit_asn", "starts_at", "ends_at", "duration_seconds", "peers", "country", "is_demo")
    list_filter = ("kind", "is_demo", ("country", admin.RelatedOnlyFieldListFilter))
    search_fields = ("prefix", "=culprit_asn", "=origin_asn")
    list_select_related = ("country",)


@admin.register(NetworkScore)
class NetworkScoreAdmin(ReadOnly):
    list_display = ("asn", "month", "routes", "rpki_score", "roa_coverage", "incidents", "filtering", "global_validation", "coordination")
    search_fields = ("=asn",)


@admin.register(CountryScore)
class CountryScoreAdmin(ReadOnly):
    list_display = ("country", "month", "networks", "routes", "rpki_score", "roa_coverage", "incidents", "filtering")
    list_filter = (("country", admin.RelatedOnlyFieldListFilter),)
