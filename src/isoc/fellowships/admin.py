"""Staff screens for fellowships: programmes, tracks and calls are edited here;
applications, reviews and decisions are read-only (they change only through the
services, from the selection page /fellowships/calls/<slug>/manage/, so history stays
right)."""

from django.contrib import admin
from django.db import models

from isoc.fellowships.models import (
    Application,
    ApplicationChange,
    Call,
    ConflictDeclaration,
    Decision,
    Document,
    Endorsement,
    Programme,
    Track,
)
from isoc.site.admin_fixes import LabelledSplitDateTime


class TrackInline(admin.StackedInline):
    model = Track
    extra = 0
    raw_id_fields = ("prerequisite_course",)


@admin.register(Programme)
class ProgrammeAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "onboarding_course", "asks_travel")
    inlines = [TrackInline]
    raw_id_fields = ("onboarding_course",)


@admin.register(Call)
class CallAdmin(admin.ModelAdmin):
    list_display = ("title", "programme", "year", "status", "opens_at", "closes_at", "is_demo")
    list_filter = ("programme", "status", "year", "is_demo")
    search_fields = ("title", "slug")
    formfield_overrides = {models.DateTimeField: {"widget": LabelledSplitDateTime}}


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class ChangeInline(ReadOnlyInline):
    model = ApplicationChange
    fields = ("at", "actor", "from_state", "to_state", "note")
    readonly_fields = fields


class DocumentInline(ReadOnlyInline):
    model = Document
    fields = ("field", "original_name", "kind", "size", "uploaded_at")
    readonly_fields = fields


class EndorsementInline(ReadOnlyInline):
    model = Endorsement
    fields = ("chapter", "endorsed_by", "at", "statement")
    readonly_fields = fields


class DecisionInline(ReadOnlyInline):
    model = Decision
    fields = ("decided_at", "outcome", "reason", "decided_by", "notified_at")
    readonly_fields = fields


class ConflictInline(ReadOnlyInline):
    model = ConflictDeclaration
    fields = ("reviewer", "reason", "at")
    readonly_fields = fields


@admin.register(Application)
class ApplicationAdmin(admin.ModelAdmin):
    list_display = ("id", "call", "applicant", "track", "state", "country", "submitted_at", "is_demo")
    list_filter = ("call", "state", "is_demo")
    search_fields = ("applicant__email", "applicant__last_name", "call__slug")
    readonly_fields = ("call", "track", "applicant", "state", "birth_date", "country", "gender", "answers",
                       "created_at", "updated_at", "submitted_at", "is_demo")
    inlines = [DocumentInline, EndorsementInline, ConflictInline, DecisionInline, ChangeInline]

    def has_add_permission(self, request):
        return False
