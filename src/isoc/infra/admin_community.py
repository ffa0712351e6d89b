"""Admin for community networks: the registry for staff to look through and to delete a
bogus entry (spam). Changes go through the site's forms (``views_community``), which check
the rules and keep history, so the admin does not edit."""

from django.contrib import admin
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from isoc.infra.models.community import CommunityNetwork


@admin.register(CommunityNetwork)
class CommunityNetworkAdmin(admin.ModelAdmin):
    list_display = ("name", "country", "place", "status", "people_served", "chapter", "is_demo")
    list_filter = ("status", "is_demo")
    search_fields = ("name", "place", "operator")
    readonly_fields = ("site_page",)
    fields = ("site_page", "name", "slug", "country", "place", "latitude", "longitude", "people_served", "operator",
              "chapter", "status", "started_on", "website", "description")

    @admin.display(description=_("page"))
    def site_page(self, obj):
        return format_html('<a href="{}">{}</a>', obj.get_absolute_url(), _("Edit on the site (with history)"))

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
