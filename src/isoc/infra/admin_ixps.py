"""Admin for IXPs: staff correct an IXP's MANRS link (through the service, which keeps its
history); everything else comes from the sources and is shown read-only."""

from django.contrib import admin, messages

from isoc.infra.models.ixps import Ixp
from isoc.infra.services import ixps as services
from isoc.members.services import RuleViolation


@admin.register(Ixp)
class IxpAdmin(admin.ModelAdmin):
    list_display = ("name", "country", "city", "status", "manrs_participant", "is_demo")
    list_filter = ("status", "is_demo")
    search_fields = ("name", "long_name", "city", "slug")
    fields = ("name", "long_name", "slug", "country", "city", "region", "status", "website", "established",
              "manrs_participant", "manrs_link", "is_demo")
    readonly_fields = ("name", "long_name", "slug", "country", "city", "region", "status", "website", "established",
                       "manrs_link", "is_demo")

    def has_add_permission(self, request):
        return False  # IXPs come from imports

    def save_model(self, request, obj, form, change):
        if "manrs_participant" in form.changed_data:
            try:
                services.set_manrs_participant(obj, form.cleaned_data["manrs_participant"], actor=request.user)
            except RuleViolation as exc:
                messages.error(request, exc.message)
