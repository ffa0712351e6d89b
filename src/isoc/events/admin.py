"""Staff screens for events: the event with its agenda, and registrations (read-only:
their state changes only through services, so history and the waitlist stay right)."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.db import models
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

from isoc.events import services
from isoc.events.models import (
    Event,
    EventChange,
    EventFunding,
    EventRefund,
    Registration,
    RegistrationChange,
    Session,
)
from isoc.site.admin_fixes import LabelledSplitDateTime


class SessionInline(admin.StackedInline):
    model = Session
    extra = 0
    # The site's admin mending labels the model admin's own date-time inputs, not an
    # inline's: give these the same labelled widget.
    formfield_overrides = {models.DateTimeField: {"widget": LabelledSplitDateTime}}


class FundingInline(admin.TabularInline):
    """Read-only: a grant is made through ``services.grant_funding`` (the event's funding
    page, /events/<slug>/funding/, or the API), which checks the chapter's standing."""

    model = EventFunding
    extra = 0
    can_delete = False
    readonly_fields = ("amount", "currency", "granted_at", "granted_by", "purpose")

    def has_add_permission(self, request, obj=None):
        return False


class EventChangeInline(admin.TabularInline):
    model = EventChange
    extra = 0
    can_delete = False
    readonly_fields = ("at", "actor", "from_status", "to_status", "note")

    def has_add_permission(self, request, obj=None):
        return False


class CancelEventForm(forms.Form):
    reason = forms.CharField(label=_("Reason (attendees are told)"), max_length=300, widget=forms.Textarea)


@admin.action(description=_("Cancel the selected events (every attendee is told)…"))
def cancel_events(modeladmin, request, queryset):
    """Asks for the reason first, then cancels each event through ``services.cancel_event``."""
    form = CancelEventForm(request.POST if "apply" in request.POST else None)
    if form.is_bound and form.is_valid():
        for event in queryset:
            try:
                done = services.cancel_event(event, actor=request.user, reason=form.cleaned_data["reason"])
            except services.RuleViolation as exc:
                modeladmin.message_user(request, f"{event}: {exc.message}", messages.ERROR)
            else:
                modeladmin.message_user(
                    request, _("%(event)s: cancelled; %(n)s attendees told, %(v)s invoices voided, %(r)s refunds owed.")
                    % {"event": event, "n": done.notified, "v": len(done.voided), "r": len(done.refunds)},
                    messages.SUCCESS)
        return None
    return TemplateResponse(request, "admin/events/event/cancel_events.html", {
        **modeladmin.admin_site.each_context(request), "title": _("Cancel events"),
        "events": [(e, services.cancellation_preview(e)) for e in queryset],
        "form": form, "opts": modeladmin.model._meta, "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
    })


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ("title", "starts_at", "scope", "mode", "capacity", "fee", "currency", "published", "cancelled_at",
                    "is_demo")
    list_filter = ("scope", "mode", "published", ("cancelled_at", admin.EmptyFieldListFilter), "is_demo")
    search_fields = ("title", "slug", "city")
    raw_id_fields = ("organizers", "chapter")
    inlines = [SessionInline, FundingInline, EventChangeInline]
    # Cancelling goes through ``services.cancel_event`` (the action, the event's
    # cancellation page or ``isoc events cancel``): attendees are told, invoices voided.
    readonly_fields = ("cancelled_at", "cancelled_by", "cancellation_reason", "is_demo")
    actions = [cancel_events]

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


class RefundDue(admin.SimpleListFilter):
    title = _("refund")
    parameter_name = "due"

    def lookups(self, request, model_admin):
        return [("yes", _("owed")), ("no", _("paid back"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(refunded_at__isnull=True)
        if self.value() == "no":
            return queryset.filter(refunded_at__isnull=False)
        return queryset


@admin.register(EventRefund)
class EventRefundAdmin(admin.ModelAdmin):
    """The refunds owed for cancelled events, for the secretariat to pay back. Recorded as
    paid on the event's cancellation page (``services.record_refund``), not here."""

    list_display = ("registration", "invoice", "amount", "currency", "due_since", "refunded_at", "reference")
    list_filter = (RefundDue,)
    search_fields = ("registration__person__email", "registration__event__title", "invoice__number")
    list_select_related = ("registration__person", "registration__event", "invoice")
    readonly_fields = ("registration", "invoice", "amount", "currency", "due_since", "refunded_at", "refunded_by",
                       "reference")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
