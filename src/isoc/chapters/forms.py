from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from isoc.chapters import models as cm
from isoc.chapters import services
from isoc.members.countries import CURRENCY_CHOICES


class AnnualReportForm(forms.Form):
    """What officers report on a finished year; ``services.file_annual_report`` checks the rules."""

    year = forms.TypedChoiceField(label=_("Year"), coerce=int)
    activities = forms.CharField(label=_("Activities"), max_length=8000, widget=forms.Textarea(attrs={"rows": 6}),
                                 help_text=_("What the chapter did during the year."))
    events = forms.CharField(label=_("Events"), max_length=8000, required=False,
                             widget=forms.Textarea(attrs={"rows": 4}),
                             help_text=_("Events the chapter held or took part in."))
    membership_count = forms.IntegerField(label=_("Membership count"), min_value=0,
                                          help_text=_("Members at the end of the year."))
    income = forms.DecimalField(label=_("Income"), min_value=0, max_digits=12, decimal_places=2, initial=0)
    expenses = forms.DecimalField(label=_("Expenses"), min_value=0, max_digits=12, decimal_places=2, initial=0)
    currency = forms.ChoiceField(label=_("Currency"), choices=CURRENCY_CHOICES, initial="USD")
    finances = forms.CharField(label=_("Finances"), max_length=4000, required=False,
                               widget=forms.Textarea(attrs={"rows": 3}),
                               help_text=_("Where the money came from and went."))

    def __init__(self, *args, years: list[int] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        now = timezone.now().year
        self.fields["year"].choices = [(y, str(y)) for y in (years or [now - 1])]


# A chapter with more members than this is asked for the new officer's email instead of
# offering a list of every member (the dashboard must stay light).
MEMBER_SELECT_LIMIT = 300
DAY = {"type": "date"}


class MemberChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.display_name} <{obj.email}>"


class AppointOfficerForm(forms.Form):
    """Appoint a member of the chapter to an office; ``services.appoint_officer`` checks
    the rules (who may appoint, membership, the voting delegate's membership, overlaps)."""

    role = forms.ChoiceField(label=_("Role"), choices=[("", "---------")] + list(cm.OfficerTerm.RoleChoice.choices))
    starts_on = forms.DateField(label=_("First day in office"), widget=forms.DateInput(attrs=DAY))
    ends_on = forms.DateField(label=_("Last day in office"), required=False, widget=forms.DateInput(attrs=DAY),
                              help_text=_("Optional: leave empty for a term without a set end."))

    def __init__(self, *args, chapter: cm.Chapter, **kwargs):
        kwargs.setdefault("prefix", "appoint")
        super().__init__(*args, **kwargs)
        self.chapter = chapter
        members = services.members(chapter).order_by("last_name", "first_name", "pk")
        if members.count() <= MEMBER_SELECT_LIMIT:
            person = MemberChoiceField(label=_("Member"), queryset=members,
                                       help_text=_("Officers are chosen among the chapter's members."))
        else:
            person = forms.EmailField(label=_("Member's email address"),
                                      help_text=_("The address of a member of the chapter."))
        # The person first: the order people fill the form in.
        self.fields = {"person": person, **self.fields}

    def clean_person(self):
        person = self.cleaned_data["person"]
        if isinstance(person, str):  # the email field of a large chapter: members only, so no address is revealed
            person = services.members(self.chapter).filter(email__iexact=person).first()
            if person is None:
                raise forms.ValidationError(_("No member of this chapter has this email address."))
        return person


class EndTermForm(forms.Form):
    """End an officer's term (or bring its planned end earlier); ``services.end_officer_term`` checks the rules."""

    ends_on = forms.DateField(label=_("Last day in office"), widget=forms.DateInput(attrs=DAY), initial=timezone.localdate)

    def __init__(self, *args, term: cm.OfficerTerm, **kwargs):
        kwargs.setdefault("prefix", f"end-{term.pk}")
        super().__init__(*args, **kwargs)
        self.term = term
