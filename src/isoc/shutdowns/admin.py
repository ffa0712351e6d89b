"""Staff screens for the shutdown tracker: events with filters, search, the review
actions (which call ``services``, so the rules are the same everywhere) and each event's
sources and revision history inline."""

from django.contrib import admin, messages
from django.db.models.functions import ExtractYear
from django.utils.translation import gettext_lazy as _

from isoc.members.services import RuleViolation
from isoc.shutdowns import services
from isoc.shutdowns.models import (
    DetectedOutage,
    EventRevision,
    EventSource,
    Evidence,
    ShutdownEvent,
)


class YearFilter(admin.SimpleListFilter):
    title = _("year")
    parameter_name = "year"

    def lookups(self, request, model_admin):
        years = (ShutdownEvent.objects.order_by().annotate(y=ExtractYear("starts_at"))
                 .values_list("y", flat=True).distinct())
        return [(str(y), str(y)) for y in sorted(years, reverse=True)]

    def queryset(self, request, queryset):
        return queryset.filter(starts_at__year=int(self.value())) if self.value() and self.value().isdigit() else queryset


class SourceInline(admin.TabularInline):
    model = EventSource
    extra = 0
    can_delete = False
    fields = ("dataset", "external_id", "url", "imported_at")
    readonly_fields = fields


class EvidenceInline(admin.TabularInline):
    model = Evidence
    extra = 0
    fields = ("kind", "label", "url")


class RevisionInline(admin.TabularInline):
    model = EventRevision
    extra = 0
    can_delete = False
    fields = ("at", "actor", "changes", "note")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


def _action(fn, label):
    def run(modeladmin, request, queryset):
        done = 0
        for event in queryset:
            try:
                fn(event, request.user, "admin action")
                done += 1
            except RuleViolation as exc:
                modeladmin.message_user(request, f"{event}: {exc.message}", messages.ERROR)
        if done:
            modeladmin.message_user(request, _("%(n)d event(s) changed.") % {"n": done}, messages.SUCCESS)

    run.short_description = label
    run.__name__ = f"action_{fn.__name__}"
    return run


@admin.register(ShutdownEvent)
class ShutdownEventAdmin(admin.ModelAdmin):
    list_display = ("country", "starts_at", "ends_at", "shutdown_type", "scope", "area", "reason", "review_state",
                    "meets_deliberate", "meets_removes_access", "meets_affects_group")
    list_filter = ("review_state", "shutdown_type", YearFilter, "scope", "reason", "country")
    search_fields = ("country__name", "country__code", "area", "description", "reason_detail", "sources__external_id")
    date_hierarchy = "starts_at"
    inlines = [SourceInline, EvidenceInline, RevisionInline]
    readonly_fields = ("review_state", "created_at", "updated_at")
    actions = [_action(services.review, _("Mark reviewed")), _action(services.publish, _("Publish")),
               _action(services.reject, _("Reject (not a shutdown under Pulse's rule)")),
               _action(services.back_to_draft, _("Back to draft"))]

    def save_model(self, request, obj, form, change):
        # Edits go through services.update_event so that every change leaves a revision.
        if not change:
            super().save_model(request, obj, form, change)
            EventRevision.objects.create(event=obj, actor=request.user, changes={"created": [None, "admin"]})
            return
        fresh = ShutdownEvent.objects.get(pk=obj.pk)
        changes = {f: getattr(obj, f) for f in form.changed_data if f in services.EDITABLE or f == "country"}
        if "country" in changes:
            changes["country"] = obj.country_id
        services.update_event(fresh, changes, request.user, "edited in the admin")
        obj.refresh_from_db()


@admin.register(DetectedOutage)
class DetectedOutageAdmin(admin.ModelAdmin):
    """Outages the detector found in the signals: staff accept one as a draft event (the
    signals become its evidence) or dismiss it."""

    list_display = ("country", "asn", "starts_at", "ends_at", "score", "state", "event", "detector_version")
    list_filter = ("state", "country", "detector_version")
    date_hierarchy = "starts_at"
    readonly_fields = ("country", "asn", "starts_at", "ends_at", "score", "severity", "signals", "state", "event",
                       "detector_version", "detected_at")
    actions = ["accept", "dismiss"]

    def has_add_permission(self, request):
        return False

    @admin.action(description=_("Accept as draft events"))
    def accept(self, request, queryset):
        for detection in queryset:
            try:
                services.accept_detection(detection, request.user)
            except RuleViolation as exc:
                self.message_user(request, f"{detection}: {exc.message}", messages.WARNING)

    @admin.action(description=_("Dismiss"))
    def dismiss(self, request, queryset):
        for detection in queryset:
            try:
                services.dismiss_detection(detection, request.user)
            except RuleViolation as exc:
                self.message_user(request, f"{detection}: {exc.message}", messages.WARNING)
