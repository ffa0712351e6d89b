from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

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
