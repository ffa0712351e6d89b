"""Staff configure electorates, seats and appointed terms; elections are read here and
moved by the services (ballots and participation are never shown or edited here)."""

from django.contrib import admin

from isoc.elections import models as em


class SeatInline(admin.StackedInline):  # a tabular inline has no labels (axe)
    model = em.Seat
    extra = 0


@admin.register(em.Electorate)
class ElectorateAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "petition_threshold", "order")
    inlines = [SeatInline]


@admin.register(em.Term)
class TermAdmin(admin.ModelAdmin):
    list_display = ("holder", "seat", "starts_at", "ends_at", "appointed_by")
    list_filter = ("seat__electorate",)
    readonly_fields = ("election",)


@admin.register(em.Election)
class ElectionAdmin(admin.ModelAdmin):
    list_display = ("title", "state", "method", "voting_opens", "voting_closes")
    readonly_fields = ("state",)


@admin.register(em.Nomination)
class NominationAdmin(admin.ModelAdmin):
    list_display = ("name", "contest", "status")
    list_filter = ("status",)
    readonly_fields = ("status", "contest")
