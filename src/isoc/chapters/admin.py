"""The secretariat's admin for chapters. Life-cycle changes go through the services
(actions here; de-chartering and appeals also with ``isoc chapters``): the state and
its dates are read-only, and every change leaves a ChapterTransition."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages

from isoc.chapters import models as cm
from isoc.chapters import rules, services
from isoc.members.services import RuleViolation
from isoc.site.translatable import translation_fieldsets, translations_admin_form


@admin.register(cm.RegionalBureau)
class RegionalBureauAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "order"]
    form = translations_admin_form(cm.RegionalBureau)
    fieldsets = [(None, {"fields": ["slug", "name", "order"]}), *translation_fieldsets(cm.RegionalBureau)]


@admin.register(cm.ChapterStandards)
class ChapterStandardsAdmin(admin.ModelAdmin):
    list_display = ["effective_from", "charter_min_members", "min_members", "cure_months", "rejuvenation_months"]

    def has_change_permission(self, request, obj=None):
        return False  # standards are dated: add a new row from a later date instead

    def has_delete_permission(self, request, obj=None):
        return False


class OfficerInline(admin.TabularInline):
    model = cm.OfficerTerm
    fields = ["role", "person", "starts_on", "ends_on"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class TransitionInline(admin.TabularInline):
    model = cm.ChapterTransition
    fk_name = "chapter"
    fields = ["at", "kind", "from_state", "to_state", "actor", "reason", "decision", "appeal_of"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class ChapterForm(translations_admin_form(cm.Chapter)):  # type: ignore[misc]
    approve_overlap = forms.BooleanField(
        required=False, label="Approve an overlapping community",
        help_text="Needed when another chapter (not de-chartered) serves the same country or subdivision.")

    def clean(self):
        data = super().clean()
        if self.instance.pk is None:
            areas = rules.areas(data.get("country"), data.get("subdivision") or "", data.get("extra_countries") or [])
            clash = services.overlapping(areas)
            if clash and not data.get("approve_overlap"):
                raise forms.ValidationError(
                    "Its community overlaps that of %(names)s; tick the approval to form it anyway.",
                    params={"names": ", ".join(c.name for c in clash)})
        return data


@admin.action(description="Charter the selected chapters (in formation, with enough members)")
def charter(modeladmin, request, queryset):
    for chapter in queryset:
        try:
            services.charter(chapter, actor=request.user, reason=f"Chartered by {request.user} in the admin.")
        except RuleViolation as exc:
            messages.error(request, f"{chapter}: {exc.message}")
        else:
            messages.success(request, f"{chapter}: chartered.")


@admin.action(description="Review the standing of the selected chapters now")
def review(modeladmin, request, queryset):
    for chapter in queryset:
        t = services.review_standing(chapter)
        messages.info(request, f"{chapter}: {t.from_state} → {t.to_state}" if t else f"{chapter}: no change")


@admin.register(cm.Chapter)
class ChapterAdmin(admin.ModelAdmin):
    form = ChapterForm
    list_display = ["name", "kind", "bureau", "country", "state", "state_since", "is_demo"]
    list_filter = ["kind", "state", "bureau", "is_demo"]
    search_fields = ["name", "slug", "community", "country"]
    readonly_fields = ["state", "state_since", "formed_at", "chartered_at", "cure_until", "rejuvenation_until",
                       "dechartered_at", "overlap_approved_by", "overlap_approved_at"]
    fieldsets = [
        (None, {"fields": ["name", "slug", "kind", "bureau", "country", "subdivision", "extra_countries",
                           "community", "description", "website", "approve_overlap"]}),
        ("Life cycle", {"fields": readonly_fields}),
        *translation_fieldsets(cm.Chapter),
    ]
    inlines = [OfficerInline, TransitionInline]
    actions = [charter, review]

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        data = form.cleaned_data
        created = services.form_chapter(
            name=obj.name, actor=request.user, kind=obj.kind, bureau=obj.bureau, slug=obj.slug,
            about=obj.description, approve_overlap=bool(data.get("approve_overlap")),
            community=services.Community(country=obj.country, subdivision=obj.subdivision,
                                         extra_countries=tuple(obj.extra_countries or ()), description=obj.community))
        created.website, created.translations = obj.website, obj.translations
        created.save(update_fields=["website", "translations"])
        obj.pk = obj.id = created.pk
        obj._state.adding = False


@admin.register(cm.ChapterMembership)
class ChapterMembershipAdmin(admin.ModelAdmin):
    list_display = ["person", "chapter", "joined_at", "left_at", "is_demo"]
    list_filter = ["is_demo"]
    search_fields = ["person__email", "person__last_name", "chapter__name"]
    raw_id_fields = ["person", "chapter"]

    def has_add_permission(self, request):
        return False  # members join through the chapter page or the services

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(cm.OfficerTerm)
class OfficerTermAdmin(admin.ModelAdmin):
    list_display = ["chapter", "role", "person", "starts_on", "ends_on"]
    list_filter = ["role"]
    search_fields = ["person__email", "person__last_name", "chapter__name"]

    def has_add_permission(self, request):
        return False  # appointments go through services.appoint_officer (its overlap rules)

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(cm.AnnualReport)
class AnnualReportAdmin(admin.ModelAdmin):
    list_display = ["chapter", "year", "membership_count", "income", "expenses", "currency", "filed_at", "filed_by"]
    list_filter = ["year", "is_demo"]
    search_fields = ["chapter__name"]

    def has_add_permission(self, request):
        return False  # filed through the officer dashboard's form

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(cm.ChapterTransition)
class ChapterTransitionAdmin(admin.ModelAdmin):
    list_display = ["chapter", "kind", "from_state", "to_state", "at", "actor", "decision"]
    list_filter = ["kind", "to_state"]
    search_fields = ["chapter__name", "reason"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(cm.OfficerChange)
class OfficerChangeAdmin(admin.ModelAdmin):
    """The officer history: written only by the services (appoint, end, de-charter)."""

    list_display = ["chapter", "kind", "role", "person", "starts_on", "ends_on", "at", "actor"]
    list_filter = ["kind", "role"]
    search_fields = ["chapter__name", "person__email", "person__last_name"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
