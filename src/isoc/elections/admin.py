"""Staff configure electorates, seats and appointed terms; elections are read here and
moved by the services (ballots and participation are never shown or edited here)."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from isoc.elections import models as em
from isoc.elections import services as es
from isoc.members.services import RuleViolation

State = em.State


def _advance_action(to: str, description: str):
    """An admin action moving each selected election to ``to`` by ``services.advance``."""

    def run(modeladmin, request, queryset):
        for election in queryset:
            try:
                after = es.advance(election, to, request.user)
            except RuleViolation as exc:
                modeladmin.message_user(request, f"{election}: {exc.message}", messages.ERROR)
            else:
                modeladmin.message_user(request, f"{election}: {after.get_state_display()}", messages.SUCCESS)

    run.__name__ = f"advance_to_{to}"
    return admin.action(description=description)(run)


class SlateForm(forms.Form):
    slate = forms.ModelMultipleChoiceField(
        queryset=em.Nomination.objects.none(), required=False, widget=forms.CheckboxSelectMultiple,
        label=gettext_lazy("On the slate"),
        help_text=gettext_lazy("The nominations committee's choice; the other nominees may petition."))


@admin.action(description=gettext_lazy("Publish the slate (petitions open)…"))
def publish_slate(modeladmin, request, queryset):
    """Asks for the slate first (one election at a time), then calls the service."""
    if queryset.count() != 1:
        modeladmin.message_user(request, _("Publish one election's slate at a time."), messages.ERROR)
        return None
    election = queryset.get()
    form = SlateForm(request.POST if "apply" in request.POST else None)
    form.fields["slate"].queryset = em.Nomination.objects.filter(
        contest__election=election, status=em.Nomination.Status.NOMINATED).select_related("contest__electorate")
    if form.is_bound and form.is_valid():
        try:
            es.advance(election, State.PETITIONS, request.user, slate=form.cleaned_data["slate"])
        except RuleViolation as exc:
            modeladmin.message_user(request, f"{election}: {exc.message}", messages.ERROR)
        else:
            modeladmin.message_user(request, f"{election}: {len(form.cleaned_data['slate'])} on the slate",
                                    messages.SUCCESS)
        return None
    return TemplateResponse(request, "admin/elections/election/publish_slate.html", {
        **modeladmin.admin_site.each_context(request), "title": _("Publish the slate"), "election": election,
        "form": form, "opts": modeladmin.model._meta, "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
    })


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[(em.Challenge.Decision.UPHELD, em.Challenge.Decision.UPHELD.label),
                                          (em.Challenge.Decision.DISMISSED, em.Challenge.Decision.DISMISSED.label)],
                                 widget=forms.RadioSelect, label=gettext_lazy("Decision"))
    reasons = forms.CharField(widget=forms.Textarea, label=gettext_lazy("Reasons"))


@admin.action(description=gettext_lazy("Decide the selected challenges…"))
def decide_challenges(modeladmin, request, queryset):
    form = DecisionForm(request.POST if "apply" in request.POST else None)
    if form.is_bound and form.is_valid():
        for challenge in queryset:
            try:
                es.decide_challenge(challenge, request.user, form.cleaned_data["decision"],
                                    form.cleaned_data["reasons"])
            except RuleViolation as exc:
                modeladmin.message_user(request, f"{challenge}: {exc.message}", messages.ERROR)
            else:
                modeladmin.message_user(request, f"{challenge}: {form.cleaned_data['decision']}", messages.SUCCESS)
        return None
    return TemplateResponse(request, "admin/elections/challenge/decide.html", {
        **modeladmin.admin_site.each_context(request), "title": _("Decide challenges"), "challenges": queryset,
        "form": form, "opts": modeladmin.model._meta, "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
    })


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
    actions = [
        _advance_action(State.NOMINATIONS, gettext_lazy("Open nominations")),
        _advance_action(State.SLATE, gettext_lazy("Close nominations (freeze the electorate)")),
        publish_slate,
        _advance_action(State.FORUM, gettext_lazy("Close petitions (open the candidate forum)")),
        _advance_action(State.VOTING, gettext_lazy("Open voting")),
        _advance_action(State.TALLIED, gettext_lazy("Close voting and count")),
        _advance_action(State.CERTIFIED, gettext_lazy("Approve the count (a second staff member certifies)")),
        _advance_action(State.SEATED, gettext_lazy("Seat the trustees")),
    ]


@admin.register(em.Nomination)
class NominationAdmin(admin.ModelAdmin):
    list_display = ("name", "contest", "status")
    list_filter = ("status",)
    readonly_fields = ("status", "contest")


@admin.register(em.Challenge)
class ChallengeAdmin(admin.ModelAdmin):
    list_display = ("__str__", "filed_by", "filed_at", "decision", "decided_by", "decided_at")
    list_filter = ("decision",)
    readonly_fields = ("election", "filed_by", "filed_at", "grounds", "decision", "reasons", "decided_by",
                       "decided_at")
    actions = [decide_challenges]

    def has_add_permission(self, request):
        return False  # filed by people on the election's page, decided by the action
