"""Staff forms of the events pages. They only check the shape of the input; the rules
(who may, the chapter's standing, cancelling twice…) are the services'."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from isoc.members.countries import CURRENCY_CHOICES


class FundingForm(forms.Form):
    amount = forms.DecimalField(label=_("Amount"), min_value=0, max_digits=12, decimal_places=2)
    currency = forms.ChoiceField(label=_("Currency"), choices=CURRENCY_CHOICES, initial="USD")
    purpose = forms.CharField(label=_("Purpose"), max_length=300, required=False,
                              help_text=_("What the money is for, e.g. venue hire or travel support."))


class CancelEventForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=300, widget=forms.Textarea(attrs={"rows": 3}),
                             help_text=_("Every attendee is told this by email."))
    confirm = forms.BooleanField(label=_("I understand that every registration is cancelled and cannot be restored."))


class RefundForm(forms.Form):
    reference = forms.CharField(label=_("Transfer reference"), max_length=200,
                                help_text=_("The bank or provider reference of the refund you sent."))
