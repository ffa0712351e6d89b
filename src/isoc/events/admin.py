"""Staff screens for events: the event with its agenda, and registrations (read-only:
their state changes only through services, so history and the waitlist stay right)."""

from django.contrib import admin, messages
from django.db import models
from django.utils.translation import gettext_lazy as _

from isoc.events import services
from isoc.events.models import Event, EventFunding, Registration, RegistrationChange, Session
from isoc.site.admin_fixes import LabelledSplitDateTime


class SessionInline(admin.StackedInline):
    model = Session
    extra = 0
    # The site's admin mending labels the model admin's own date-time inputs, not an
    # inline's: give these the same labelled widget.
    formfield_overrides = {models.DateTimeField: {"widget": LabelledSplitDateTime}}


class FundingInline(admin.TabularInline):
    """Read-only: a grant is made through ``services.grant_funding`` (API), which checks
    the chapter's standing."""

    model = EventFunding
    extra = 0
    can_delete = False
    readonly_fields = ("amount", "currency", "granted_at", "granted_by", "purpose")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ("title", "starts_at", "scope", "mode", "capacity", "fee", "currency", "published", "is_demo")
    list_filter = ("scope", "mode", "published", "is_demo")
    search_fields = ("title", "slug", "city")
    raw_id_fields = ("organizers", "chapter")
    inlines = [SessionInline, FundingInline]
    readonly_fields = ("is_demo",)

    def save_model(self, request, obj, form, change):
        """A new capacity goes through ``services.set_capacity``, which seats people from
        the waitlist and refuses to go below the seats already taken."""
        wanted = obj.capacity
        if change and "capacity" in form.changed_data:
            obj.capacity = Event.objects.get(pk=obj.pk).capacity
        super().save_model(request, obj, form, change)
        if change and wanted != obj.capacity:
            try:
                promoted = services.set_capacity(obj, wanted, actor=request.user)
            except services.RuleViolation as exc:
                messages.error(request, exc.message)
            else:
                obj.capacity = wanted
                if promoted:
                    messages.info(request, _("%(n)s people were seated from the waitlist.") % {"n": len(promoted)})


class RegistrationChangeInline(admin.TabularInline):
    model = RegistrationChange
    extra = 0
    can_delete = False
    readonly_fields = ("at", "actor", "from_state", "to_state", "note")

    def has_add_permission(self, request, obj=None):
        return False


@admin.action(description=_("Cancel the selected registrations (seats go to the waitlist)"))
def cancel_registrations(modeladmin, request, queryset):
    done = 0
    for registration in queryset:
        try:
            services.cancel(registration, actor=request.user, reason="cancelled by staff")
            done += 1
        except services.RuleViolation as exc:
            messages.error(request, f"{registration}: {exc.message}")
    if done:
        messages.success(request, _("%(n)s registrations cancelled.") % {"n": done})


@admin.register(Registration)
class RegistrationAdmin(admin.ModelAdmin):
    list_display = ("event", "person", "state", "created_at", "waitlisted_at", "invoice", "is_demo")
    list_filter = ("state", "is_demo")
    search_fields = ("person__email", "person__last_name", "event__title")
    list_select_related = ("event", "person", "invoice")
    inlines = [RegistrationChangeInline]
    actions = [cancel_registrations]
    readonly_fields = ("event", "person", "state", "created_at", "waitlisted_at", "invoice", "cancelled_at", "is_demo")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
