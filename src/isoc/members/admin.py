"""The secretariat's admin: search, filters, actions that call services, CSV export.
Ledger entries are read-only here: corrections go through services (credit notes)."""

from __future__ import annotations

import csv
from datetime import datetime

from django import forms as djforms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils import timezone

from isoc.members import forms, services
from isoc.members import models as m
from isoc.site.translatable import translation_fieldsets, translations_admin_form


@admin.action(description="Export selected as CSV")
def export_csv(modeladmin, request, queryset):
    fields = getattr(modeladmin, "csv_fields", None) or [f.name for f in queryset.model._meta.concrete_fields]
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{queryset.model._meta.model_name}.csv"'
    writer = csv.writer(response)
    writer.writerow(fields)
    for obj in queryset.iterator(chunk_size=2000):
        row = []
        for name in fields:
            value = getattr(obj, name)
            if callable(value):
                value = value()
            if isinstance(value, datetime):
                value = value.isoformat()
            # Cells starting with = + - @ are formulas to a spreadsheet: neutralise them.
            text = "" if value is None else str(value)
            if text[:1] in ("=", "+", "-", "@", "\t", "\r"):
                text = "'" + text
            row.append(text)
        writer.writerow(row)
    return response


class ReadOnlyLedgerAdmin(admin.ModelAdmin):
    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False


class PaymentInline(admin.TabularInline):
    model = m.Payment
    extra = 0
    fields = ["number", "amount", "currency", "received_at", "provider", "reference", "recorded_by"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class CreditNoteInline(PaymentInline):
    model = m.CreditNote
    fields = ["number", "amount", "currency", "issued_at", "reason", "issued_by"]
    readonly_fields = fields


@admin.register(m.Invoice)
class InvoiceAdmin(ReadOnlyLedgerAdmin):
    list_display = ["number", "payer", "description", "amount", "currency", "issued_at", "state_display", "is_demo"]
    list_filter = ["currency", "is_demo", ("issued_at", admin.DateFieldListFilter)]
    search_fields = ["number", "person__email", "person__last_name", "organization__legal_name", "payments__reference"]
    inlines = [PaymentInline, CreditNoteInline]
    actions = ["mark_paid", "void", export_csv]
    csv_fields = ["number", "payer_name", "description", "amount", "currency", "issued_at", "due_on", "state", "balance"]
    list_select_related = ["person", "organization"]
    change_form_template = "admin/members/invoice/change_form.html"

    @admin.display(description="payer")
    def payer(self, obj):
        return obj.payer_name

    @admin.display(description="state")
    def state_display(self, obj):
        return obj.state

    def has_change_permission(self, request, obj=None):
        # Viewing an invoice is allowed to staff with the view permission; nothing is editable.
        return False

    def get_urls(self):
        return [
            path("<path:object_id>/mark-paid/", self.admin_site.admin_view(self.mark_paid_view), name="members_invoice_mark_paid"),
        ] + super().get_urls()

    def mark_paid_view(self, request, object_id):
        """Record a bank transfer against one invoice, with the bank's reference."""
        if not request.user.has_perm("members.add_payment"):
            messages.error(request, "You may not record payments.")
            return HttpResponseRedirect(reverse("admin:members_invoice_changelist"))
        invoice = get_object_or_404(m.Invoice, pk=object_id)
        form = forms.RecordPaymentForm(request.POST or None, initial={"amount": invoice.balance()})
        if request.method == "POST" and form.is_valid():
            try:
                payment = services.record_payment(
                    invoice, amount=form.cleaned_data["amount"], reference=form.cleaned_data["reference"], actor=request.user
                )
            except services.RuleViolation as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                messages.success(request, f"Payment {payment.number} recorded; invoice {invoice.number} is {invoice.state}.")
                return HttpResponseRedirect(reverse("admin:members_invoice_change", args=[invoice.pk]))
        context = {**self.admin_site.each_context(request), "invoice": invoice, "form": form, "opts": self.model._meta,
                   "title": f"Record payment for {invoice.number}"}
        return render(request, "admin/members/invoice/mark_paid.html", context)

    @admin.action(description="Mark paid in full (bank transfer)", permissions=["add_payment"])
    def mark_paid(self, request, queryset):
        reference = request.POST.get("reference") or f"marked paid by {request.user.email} {timezone.now():%Y-%m-%d}"
        done = 0
        for invoice in queryset:
            try:
                services.record_payment(invoice, amount=invoice.balance(), reference=reference, actor=request.user)
                done += 1
            except services.RuleViolation as exc:
                self.message_user(request, f"{invoice.number}: {exc.message}", messages.WARNING)
        if done:
            self.message_user(request, f"{done} invoice(s) marked paid.", messages.SUCCESS)

    @admin.action(description="Void (credit what is still due)", permissions=["add_payment"])
    def void(self, request, queryset):
        for invoice in queryset:
            services.void_invoice(invoice, reason=f"voided by {request.user.email}", actor=request.user)
        self.message_user(request, "Voided.", messages.SUCCESS)

    def has_add_payment_permission(self, request):
        return request.user.has_perm("members.add_payment")


@admin.register(m.Payment)
class PaymentAdmin(ReadOnlyLedgerAdmin):
    list_display = ["number", "invoice", "amount", "currency", "received_at", "provider", "reference", "recorded_by"]
    list_filter = ["provider", "currency"]
    search_fields = ["number", "reference", "invoice__number"]
    actions = [export_csv]
    list_select_related = ["invoice", "recorded_by"]


@admin.register(m.CreditNote)
class CreditNoteAdmin(ReadOnlyLedgerAdmin):
    list_display = ["number", "invoice", "amount", "currency", "issued_at", "reason"]
    search_fields = ["number", "invoice__number", "reason"]
    actions = [export_csv]


class MembershipTermInline(admin.TabularInline):
    model = m.MembershipTerm
    extra = 0
    fields = ["category", "starts_at", "ends_at", "invoice", "voided_at"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class MembershipEventInline(MembershipTermInline):
    model = m.MembershipEvent
    fields = ["at", "kind", "from_status", "to_status", "actor", "note"]
    readonly_fields = fields


class CurrentStatusFilter(admin.SimpleListFilter):
    title = "status now"
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return [("current", "current (not closed)"), ("closed", "closed")]

    def queryset(self, request, queryset):
        if self.value() == "current":
            return queryset.filter(closed_at__isnull=True)
        if self.value() == "closed":
            return queryset.filter(closed_at__isnull=False)
        return queryset


@admin.register(m.IndividualMembership)
class IndividualMembershipAdmin(admin.ModelAdmin):
    list_display = ["pk", "person", "status_now", "category_now", "created_at", "closed_at", "is_demo"]
    list_filter = [CurrentStatusFilter, "terms__category", "is_demo"]
    search_fields = ["person__email", "person__first_name", "person__last_name"]
    readonly_fields = ["person", "created_at", "cancelled_at", "closed_at", "is_demo"]
    inlines = [MembershipTermInline, MembershipEventInline]
    actions = ["lapse_now", "cancel_memberships", export_csv]
    list_select_related = ["person"]
    csv_fields = ["pk", "person", "status_now", "category_now", "created_at", "cancelled_at", "closed_at"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("terms").distinct()

    @admin.display(description="status")
    def status_now(self, obj):
        return obj.status()

    @admin.display(description="category")
    def category_now(self, obj):
        standing = obj.standing()
        return standing.category if standing else None

    def has_add_permission(self, request):
        return False  # memberships begin through join (the member or staff on their behalf via the API)

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description="Lapse now, if their paid time has ended")
    def lapse_now(self, request, queryset):
        report = services.lapse_due()
        self.message_user(request, str(report), messages.SUCCESS)

    @admin.action(description="Cancel membership")
    def cancel_memberships(self, request, queryset):
        for membership in queryset.filter(closed_at__isnull=True):
            services.cancel(membership, actor=request.user, reason=f"cancelled by {request.user.email}")
        self.message_user(request, "Cancelled.", messages.SUCCESS)


class PersonCreationForm(djforms.ModelForm):
    class Meta:
        model = m.Person
        fields = ["email", "first_name", "last_name"]


@admin.register(m.Person)
class PersonAdmin(UserAdmin):
    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "country", "is_staff", "is_active", "erased_at", "is_demo"]
    list_filter = ["is_staff", "is_active", "groups", "directory_listed", "is_demo", "country"]
    search_fields = ["email", "first_name", "last_name", "organization"]
    readonly_fields = ["last_login", "date_joined", "erased_at", "is_demo"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        ("Profile", {"fields": ["first_name", "last_name", "country", "city", "organization", "website", "bio",
                                "preferred_language", "time_zone"]}),
        ("Directory", {"fields": ["directory_listed", "show_country", "show_city", "show_organization", "show_bio", "show_website"]}),
        ("Roles", {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]}),
        ("Dates", {"fields": ["last_login", "date_joined", "erased_at", "is_demo"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "first_name", "last_name", "password1", "password2"]})]
    actions = [export_csv]
    csv_fields = ["pk", "email", "first_name", "last_name", "country", "city", "organization", "date_joined", "is_demo"]


@admin.register(m.DuesRate)
class DuesRateAdmin(admin.ModelAdmin):
    list_display = ["category", "amount", "currency", "effective_from"]

    def has_change_permission(self, request, obj=None):
        # A new rate is added, so invoices already issued keep the rate they were issued at.
        return False


@admin.register(m.OrganizationTier)
class OrganizationTierAdmin(admin.ModelAdmin):
    list_display = ["name", "rank", "annual_fee", "currency", "slug", "missing_languages"]
    ordering = ["rank"]
    form = translations_admin_form(m.OrganizationTier)
    fieldsets = [(None, {"fields": ["slug", "name", "rank", "annual_fee", "currency", "description"]}),
                 *translation_fieldsets(m.OrganizationTier)]

    @admin.display(description="translations missing")
    def missing_languages(self, obj):
        return ", ".join(sorted({code for code, _field in obj.missing_translations()})) or "none"


class ContactInline(admin.StackedInline):
    # Stacked, not tabular: a tabular inline's inputs have only a column heading, no label.
    model = m.OrganizationContact
    extra = 0
    # A plain id box with a lookup window, not the autocomplete widget: Select2 is 26 KB
    # more on this page, over its page-weight budget.
    raw_id_fields = ["person"]


class OrganizationTermInline(MembershipTermInline):
    model = m.OrganizationTerm
    fields = ["tier", "starts_at", "ends_at", "invoice", "voided_at"]
    readonly_fields = fields


@admin.register(m.Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["legal_name", "tier", "country", "status_now", "created_at", "is_demo"]
    list_filter = ["tier", "is_demo", "country"]
    search_fields = ["legal_name", "website", "contacts__email"]
    # No prepopulated_fields: they bring 50 KB of slug scripts into every page of this
    # model (see isoc.site.admin_fixes); a blank slug is made from the legal name on save.
    inlines = [ContactInline, OrganizationTermInline]
    actions = [export_csv]
    csv_fields = ["legal_name", "slug", "country", "website", "tier", "status_now", "created_at", "is_demo"]
    form = translations_admin_form(m.Organization)
    fieldsets = [(None, {"fields": ["legal_name", "slug", "country", "website", "tier", "description", "cancelled_at"]}),
                 *translation_fieldsets(m.Organization)]

    @admin.display(description="status")
    def status_now(self, obj):
        standing = obj.standing()
        return standing.status if standing else None

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        if "slug" in form.base_fields:
            form.base_fields["slug"].required = False
            form.base_fields["slug"].help_text = "Leave blank to make it from the legal name."
        return form

    def save_model(self, request, obj, form, change):
        if not obj.slug:
            obj.slug = services._unique_slug(obj.legal_name)
        super().save_model(request, obj, form, change)


@admin.register(m.ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "person", "prefix", "created_at", "last_used_at", "revoked_at"]
    search_fields = ["person__email", "name", "prefix"]
    readonly_fields = ["person", "prefix", "created_at", "last_used_at"]

    def has_add_permission(self, request):
        return False
