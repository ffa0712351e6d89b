"""Admin for Pulse: stories (written here, moved through review by actions that call the
services), and read-only views of sources, datasets and import runs (imports change data,
never the admin)."""

from __future__ import annotations

from django.contrib import admin, messages

from isoc.pulse import services
from isoc.pulse.models import Dataset, DataSource, ImportRun, Story, StoryEvent


class StoryEventInline(admin.TabularInline):
    model = StoryEvent
    extra = 0
    can_delete = False
    fields = ("at", "actor", "from_state", "to_state", "note")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


def _action(service, done: str):
    def run(modeladmin, request, queryset):
        ok = 0
        for story in queryset:
            try:
                service(story, request.user)
                ok += 1
            except services.RuleViolation as exc:
                modeladmin.message_user(request, f"{story.title}: {exc.message}", messages.WARNING)
        if ok:
            modeladmin.message_user(request, f"{ok} stor{'y' if ok == 1 else 'ies'} {done}.", messages.SUCCESS)

    run.__name__ = service.__name__
    return run


@admin.register(Story)
class StoryAdmin(admin.ModelAdmin):
    list_display = ("title", "state", "topic", "author", "reviewer", "published_at")
    list_filter = ("state", "topic")
    search_fields = ("title", "summary", "body")
    filter_horizontal = ("countries",)
    fields = ("title", "slug", "summary", "topic", "countries", "body", "state", "author", "reviewer", "published_at")
    readonly_fields = ("state", "author", "reviewer", "published_at")
    prepopulated_fields = {"slug": ("title",)}
    inlines = [StoryEventInline]
    actions = [
        admin.action(description="Submit for review")(_action(services.submit_story, "submitted for review")),
        admin.action(description="Approve (not your own)")(_action(services.approve_story, "approved")),
        admin.action(description="Publish (approved stories)")(_action(services.publish_story, "published")),
        admin.action(description="Withdraw")(_action(services.withdraw_story, "withdrawn")),
    ]

    def get_readonly_fields(self, request, obj=None):
        # Reviewed text stays as reviewed: withdraw a story to edit it, then submit it again.
        if obj is not None and obj.state not in (Story.State.DRAFT, Story.State.WITHDRAWN):
            return ("title", "slug", "summary", "topic", "countries", "body", *self.readonly_fields)
        return self.readonly_fields

    def get_prepopulated_fields(self, request, obj=None):
        return {} if obj is not None and obj.state not in (Story.State.DRAFT, Story.State.WITHDRAWN) else \
            self.prepopulated_fields

    def save_model(self, request, obj, form, change):
        if not change:
            obj.author = request.user
            super().save_model(request, obj, form, change)
            StoryEvent.objects.create(story=obj, actor=request.user, from_state="", to_state=obj.state, note="created")
        else:
            super().save_model(request, obj, form, change)


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(DataSource)
class DataSourceAdmin(ReadOnly):
    list_display = ("name", "publisher", "licence")
    search_fields = ("name", "publisher")


@admin.register(Dataset)
class DatasetAdmin(ReadOnly):
    list_display = ("title", "source", "kind", "importer", "importer_version", "retrieved_at", "is_demo")
    list_filter = ("kind", "source", "is_demo")
    search_fields = ("title", "slug", "origin")


@admin.register(ImportRun)
class ImportRunAdmin(ReadOnly):
    list_display = ("importer", "origin", "outcome", "rows_read", "rows_stored", "rows_skipped", "started_at")
    list_filter = ("outcome", "importer")
    search_fields = ("origin", "sha256")
