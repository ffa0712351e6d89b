"""Forms for people, memberships and organizations. They validate shape only: the
rules live in ``services``."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from isoc.members import models as m
from isoc.members.countries import COUNTRY_CHOICES
from isoc.members.labels import DIRECTORY_FIELD
from isoc.members.status import Category
from isoc.site.widgets import CountrySelect

BLANK_COUNTRY = [("", _("Choose a country"))]


class SignupForm(forms.Form):
    """Extra fields on allauth's sign-up form."""

    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150)
    country = forms.ChoiceField(label=_("Country"), choices=BLANK_COUNTRY + COUNTRY_CHOICES, required=False,
                                widget=CountrySelect(blank_label=_("Choose a country")))

    def signup(self, request, user):  # called by allauth
        pass


class JoinForm(forms.Form):
    category = forms.ChoiceField(
        label=_("Membership"),
        choices=[
            (Category.GLOBAL.value, _("Global member (free)")),
            (Category.SUSTAINING.value, _("Sustaining member (annual dues; votes for a trustee seat)")),
        ],
        widget=forms.RadioSelect,
    )


class ProfileForm(forms.ModelForm):
    directory_fields = forms.MultipleChoiceField(
        label=_("Show these in the directory"),
        choices=[(f, DIRECTORY_FIELD[f]) for f in m.DIRECTORY_FIELDS],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    country = forms.ChoiceField(label=_("Country"), choices=BLANK_COUNTRY + COUNTRY_CHOICES, required=False,
                                widget=CountrySelect(blank_label=_("Choose a country")))

    class Meta:
        model = m.Person
        fields = ["first_name", "last_name", "country", "city", "organization", "website", "bio", "directory_listed"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["directory_fields"].initial = self.instance.visible_directory_fields()

    def save(self, commit: bool = True):
        self.instance.set_directory_fields(self.cleaned_data.get("directory_fields") or [])
        return super().save(commit)


class TierChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: m.OrganizationTier) -> str:
        from django.utils.translation import get_language

        from isoc.site.l10n import money

        return f"{obj.localized('name', get_language())} ({money(obj.annual_fee, obj.currency, get_language())})"


class OrganizationJoinForm(forms.Form):
    legal_name = forms.CharField(label=_("Legal name"), max_length=200)
    country = forms.ChoiceField(label=_("Country"), choices=BLANK_COUNTRY + COUNTRY_CHOICES,
                                widget=CountrySelect(blank_label=_("Choose a country")))
    website = forms.URLField(label=_("Website"), required=False, assume_scheme="https", max_length=200)
    tier = TierChoiceField(label=_("Tier"), queryset=m.OrganizationTier.objects.order_by("rank"), empty_label=None)
    description = forms.CharField(label=_("About the organization"), widget=forms.Textarea, required=False, max_length=2000)


class OrganizationEditForm(forms.ModelForm):
    class Meta:
        model = m.Organization
        fields = ["website", "description"]
        labels = {"website": _("Website"), "description": _("About the organization")}


class AddContactForm(forms.Form):
    email = forms.EmailField(label=_("Email address of the new contact"))


class EraseForm(forms.Form):
    password = forms.CharField(label=_("Your password"), widget=forms.PasswordInput)
    confirm = forms.BooleanField(label=_("I understand that erasure cannot be undone."))


class RecordPaymentForm(forms.Form):
    amount = forms.DecimalField(label=_("Amount received"), max_digits=12, decimal_places=2, min_value=0.01)
    reference = forms.CharField(label=_("Bank reference"), max_length=200)


class DirectorySearchForm(forms.Form):
    q = forms.CharField(label=_("Name"), required=False, max_length=100)
    country = forms.ChoiceField(label=_("Country"), choices=[("", _("Any country"))] + COUNTRY_CHOICES, required=False,
                                widget=CountrySelect(blank_label=_("Any country")))
    category = forms.ChoiceField(
        label=_("Category"),
        choices=[("", _("Any category")), ("global", _("Global")), ("sustaining", _("Sustaining"))],
        required=False,
    )
