"""Forms of the community network pages. They shape what was typed; the rules (who may,
coordinates, sizes, currencies) are the services' and the planner's, whose refusals the
views put back on these forms."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from isoc.chapters.models import Chapter
from isoc.infra import planner
from isoc.infra.models.community import MAX_PEOPLE_SERVED, NetworkStatus, SupportKind, Technology
from isoc.infra.services import community as svc
from isoc.members.countries import CURRENCY_CHOICES
from isoc.site.l10n import country_name

# Days typed as YYYY-MM-DD in a text field, as the shutdown filters do (a native date
# picker's calendar button takes focus without showing it in Chromium).
DAY_ATTRS = {"inputmode": "numeric", "pattern": r"\d{4}-\d{2}-\d{2}", "placeholder": "YYYY-MM-DD",
             "autocomplete": "off", "size": "10"}


def _country_choices(codes, lang: str | None) -> list[tuple[str, str]]:
    return sorted(((c, country_name(c, lang)) for c in codes), key=lambda pair: pair[1])


class NetworkForm(forms.Form):
    """A network's facts (adding and editing)."""

    name = forms.CharField(label=_("Name"), max_length=200)
    country = forms.ChoiceField(label=_("Country"))
    place = forms.CharField(label=_("Place"), max_length=200, help_text=_("Village, town or district served."))
    latitude = forms.DecimalField(label=_("Latitude"), required=False, min_value=-90, max_value=90,
                                  max_digits=8, decimal_places=5,
                                  help_text=_("Optional, in decimal degrees (south is negative), e.g. -1.31."))
    longitude = forms.DecimalField(label=_("Longitude"), required=False, min_value=-180, max_value=180,
                                   max_digits=9, decimal_places=5,
                                   help_text=_("Optional, in decimal degrees (west is negative), e.g. 36.79."))
    technologies = forms.MultipleChoiceField(label=_("Technologies"), choices=Technology.choices,
                                             widget=forms.CheckboxSelectMultiple)
    people_served = forms.IntegerField(label=_("People served"), min_value=0, max_value=MAX_PEOPLE_SERVED, initial=0)
    operator = forms.CharField(label=_("Operator"), max_length=200, help_text=_("Who runs the network."))
    chapter = forms.ModelChoiceField(label=_("Chapter"), required=False, queryset=svc.linkable_chapters(None),
                                     help_text=_("The Internet Society chapter that runs or supports it, if any."))
    status = forms.ChoiceField(label=_("Status"), choices=NetworkStatus.choices, initial=NetworkStatus.ACTIVE)
    started_on = forms.DateField(label=_("Started on"), required=False, widget=forms.DateInput(attrs=DAY_ATTRS),
                                 help_text=_("Optional, as YYYY-MM-DD."))
    website = forms.URLField(label=_("Website"), required=False, max_length=200, assume_scheme="https")
    description = forms.CharField(label=_("Description"), required=False, max_length=4000,
                                  widget=forms.Textarea(attrs={"rows": 5}))

    def __init__(self, *args, person, lang: str | None, extra_country: str | None = None,
                 extra_chapter=None, **kwargs):
        super().__init__(*args, **kwargs)
        codes = set(svc.addable_countries(person).values_list("code", flat=True))
        if extra_country:  # a network being edited keeps its country on offer
            codes.add(extra_country)
        self.fields["country"].choices = [("", "---------")] + _country_choices(codes, lang)
        chapters = Q(pk__in=svc.linkable_chapters(person).values("pk"))
        if extra_chapter is not None:  # and its chapter, which an officer elsewhere may keep
            chapters |= Q(pk=extra_chapter.pk)
        self.fields["chapter"].queryset = Chapter.objects.filter(chapters).order_by("name")


class SupportForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind of support"), choices=SupportKind.choices)
    provider = forms.CharField(label=pgettext_lazy("support received from", "From"), max_length=200,
                               help_text=_("Who gave the support."))
    received_on = forms.DateField(label=_("Received on"), widget=forms.DateInput(attrs=DAY_ATTRS),
                                  help_text=_("As YYYY-MM-DD."))
    amount = forms.DecimalField(label=_("Amount"), required=False, min_value=0, max_digits=12, decimal_places=2,
                                help_text=_("For money (a grant must have one)."))
    currency = forms.ChoiceField(label=_("Currency"), required=False,
                                 choices=[("", "---------")] + list(CURRENCY_CHOICES))
    note = forms.CharField(label=_("Note"), required=False, max_length=500)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "support")
        super().__init__(*args, **kwargs)


class TrainingForm(forms.Form):
    held_on = forms.DateField(label=_("Held on"), widget=forms.DateInput(attrs=DAY_ATTRS),
                              help_text=_("As YYYY-MM-DD."))
    topic = forms.CharField(label=_("Topic"), max_length=200)
    participants = forms.IntegerField(label=_("Participants"), min_value=1, max_value=100_000)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "training")
        super().__init__(*args, **kwargs)


class RegistryFilterForm(forms.Form):
    """The registry's filters, as a GET form."""

    country = forms.ChoiceField(label=_("Country"), required=False)
    technology = forms.ChoiceField(label=_("Technology"), required=False)
    status = forms.ChoiceField(label=_("Status"), required=False)

    def __init__(self, data, *, countries, lang: str | None):
        super().__init__(data)
        self.fields["country"].choices = [("", _("All countries"))] + _country_choices(countries, lang)
        self.fields["technology"].choices = [("", _("All technologies"))] + list(Technology.choices)
        self.fields["status"].choices = [("", _("Any status"))] + list(NetworkStatus.choices)


TERRAIN_CHOICES = [("flat", _("Flat")), ("hilly", _("Hilly")), ("mountainous", _("Mountainous")),
                   ("dense_forest", _("Dense forest"))]
BACKHAUL_CHOICES = [("fibre", _("Fibre")), ("microwave", _("Fixed wireless (microwave link)")),
                    ("geo_satellite", _("Geostationary satellite")), ("leo_satellite", _("Low-earth-orbit satellite"))]


class PlannerForm(forms.Form):
    """The planner's questions, as a GET form; the planner checks the limits of its model."""

    households = forms.IntegerField(label=_("Households"), min_value=1, max_value=planner.MAX_HOUSEHOLDS,
                                    help_text=_("Households in the community."))
    area_km2 = forms.DecimalField(label=_("Area (km²)"), min_value=planner.MIN_AREA_KM2,
                                  max_value=planner.MAX_AREA_KM2, max_digits=9, decimal_places=2,
                                  help_text=_("The area to cover, in square kilometres."))
    terrain = forms.ChoiceField(label=_("Terrain"), choices=TERRAIN_CHOICES)
    backhaul = forms.ChoiceField(label=_("Backhaul"), choices=BACKHAUL_CHOICES,
                                 help_text=_("How the community's network reaches the Internet."))
    take_up = forms.IntegerField(label=_("Take-up (%)"), min_value=5, max_value=100, required=False,
                                 help_text=_("Share of households expected to connect (60 when empty)."))

    def take_up_share(self) -> Decimal:
        value = self.cleaned_data.get("take_up")
        return planner.DEFAULT_TAKE_UP if value is None else Decimal(value) / 100
