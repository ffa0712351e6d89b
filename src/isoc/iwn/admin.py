"""The secretariat sees saved assessments and may delete abusive ones; answers are the
author's and are not edited here."""

from django.contrib import admin

from isoc.iwn.models import Assessment, AssessmentEvent


class EventInline(admin.TabularInline):
    """The assessment's history, read-only."""

    model = AssessmentEvent
    fields = readonly_fields = ("at", "kind", "actor", "changed")
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Assessment)
class AssessmentAdmin(admin.ModelAdmin):
    inlines = [EventInline]
    list_display = ("title", "country", "owner", "questionnaire_version", "language", "updated_at", "is_demo")
    list_filter = ("is_demo", "questionnaire_version", "language")
    search_fields = ("title", "proposal")
    readonly_fields = ("title", "proposal", "country", "answers", "questionnaire_version", "language", "owner",
                       "created_at", "updated_at", "is_demo")
    fields = readonly_fields

    def has_add_permission(self, request) -> bool:
        return False
