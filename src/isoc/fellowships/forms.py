"""Forms of the fellowship pages. They only carry the input: every field is lax (no
rule of its own), and the services' checks (``forms_schema``, the rubric, the travel
rules) come back as errors on the fields they name."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from isoc.fellowships import forms_schema
from isoc.fellowships.models import Application, Call, Decision
from isoc.members.countries import COUNTRY_CHOICES
from isoc.site.widgets import CountrySelect

ACCEPT = {"pdf": ".pdf,application/pdf", "png": ".png,image/png", "jpeg": ".jpg,.jpeg,image/jpeg",
          "txt": ".txt,text/plain"}


class LaxMultiple(forms.Field):
    """Several values (checkboxes) passed on as they came: the schema checks them."""

    widget = forms.CheckboxSelectMultiple

    def to_python(self, value):
        if value in (None, ""):
            return []
        return [str(v) for v in value] if isinstance(value, list | tuple) else [str(value)]


def _field_for(f: forms_schema.Field, document=None) -> forms.Field:
    common = {"label": f.label, "required": False, "help_text": f.help}
    if f.kind == "text":
        return forms.CharField(max_length=None, strip=False, **common,
                               widget=forms.TextInput(attrs={"maxlength": f.max_length or forms_schema.TEXT_LIMIT}))
    if f.kind == "long_text":
        return forms.CharField(strip=False, **common, widget=forms.Textarea(
            attrs={"rows": 6, "maxlength": f.max_length or forms_schema.LONG_TEXT_LIMIT}))
    if f.kind == "choice":
        return forms.CharField(**common, widget=forms.Select(choices=[("", "—")] + [(c, c) for c in f.choices]))
    if f.kind == "multiple_choice":
        field = LaxMultiple(**common)
        field.widget.choices = [(c, c) for c in f.choices]
        return field
    if f.kind == "date":
        return forms.CharField(**common, widget=forms.DateInput(attrs={"type": "date"}))
    if f.kind == "number":
        return forms.CharField(**common, widget=forms.NumberInput(attrs={"step": 1 if f.integer else "any"}))
    accept = ",".join(ACCEPT[t] for t in f.allowed_types)
    return forms.FileField(**common, widget=forms.ClearableFileInput(attrs={"accept": accept}))


class ApplicationForm(forms.Form):
    """The profile questions every call asks, then the call's own form."""

    track = forms.CharField(label=_("Track"), required=False)
    birth_date = forms.CharField(label=_("Date of birth"), required=False,
                                 widget=forms.DateInput(attrs={"type": "date"}))
    country = forms.CharField(label=_("Country of residence"), required=False,
                              widget=CountrySelect(blank_label="—"))
    gender = forms.CharField(label=_("Gender"), required=False, help_text=_(
        "Asked to measure the selection against the programme's gender targets; never shown to reviewers."))

    def __init__(self, call: Call, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.call = call
        self.schema = call.application_form()
        tracks = list(call.programme.tracks.all())
        self.fields["track"].widget = forms.Select(choices=[(t.slug, t.name) for t in tracks])
        self.fields["gender"].widget = forms.Select(choices=[("", "—"), *Application.Gender.choices])
        for f in self.schema.fields:
            self.fields[f"q_{f.name}"] = _field_for(f)

    def answers(self) -> dict:
        return {f.name: self.cleaned_data.get(f"q_{f.name}", "") for f in self.schema.fields if f.kind != "file"}

    def uploads(self) -> list[tuple[str, object]]:
        return [(f.name, self.cleaned_data.get(f"q_{f.name}")) for f in self.schema.file_fields
                if self.cleaned_data.get(f"q_{f.name}")]

    def add_service_error(self, field: str | None, message: str) -> None:
        name = field if field in self.fields else f"q_{field}" if field and f"q_{field}" in self.fields else None
        self.add_error(name, message)

    @staticmethod
    def initial_for(application: Application) -> dict:
        initial = {"track": application.track.slug, "birth_date": application.birth_date.isoformat()
                   if application.birth_date else "", "country": application.country, "gender": application.gender}
        initial.update({f"q_{k}": v for k, v in application.answers.items()})
        return initial


class EndorseForm(forms.Form):
    chapter = forms.ChoiceField(label=_("On behalf of"))
    statement = forms.CharField(label=_("Statement"), required=False, max_length=2000,
                                widget=forms.Textarea(attrs={"rows": 4}),
                                help_text=_("Why your chapter supports this applicant (optional)."))

    def __init__(self, chapters, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["chapter"].choices = [(c.pk, c.name) for c in chapters]


class ReviewForm(forms.Form):
    comment = forms.CharField(label=_("Comment"), required=False, max_length=5000,
                              widget=forms.Textarea(attrs={"rows": 5}),
                              help_text=_("For the secretariat and the other reviewers; never sent to the applicant."))

    def __init__(self, call: Call, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for c in call.rubric:
            self.fields[f"score_{c['key']}"] = forms.CharField(
                label=c.get("label") or c["key"], required=False,
                help_text=_("0 to %(max)s; weight %(weight)s") % {"max": c.get("max", 5), "weight": c["weight"]},
                widget=forms.NumberInput(attrs={"min": 0, "max": c.get("max", 5), "step": 1}))
        self.order_fields([k for k in self.fields if k.startswith("score_")] + ["comment"])

    def scores(self) -> dict:
        return {k.removeprefix("score_"): v for k, v in self.cleaned_data.items() if k.startswith("score_")}


class ConflictForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=300,
                             help_text=_("E.g. a relative, a colleague, someone from your own chapter."))


class AssignForm(forms.Form):
    reviewer = forms.EmailField(label=_("Reviewer's email"))


class DecisionForm(forms.Form):
    outcome = forms.ChoiceField(label=pgettext_lazy("of a decision", "Outcome"), choices=Decision.Outcome.choices)
    reason = forms.CharField(label=_("Reason"), max_length=500, required=False)


class TravelForm(forms.Form):
    arrival_date = forms.DateField(label=_("Arrival"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    departure_date = forms.DateField(label=_("Departure"), required=False,
                                     widget=forms.DateInput(attrs={"type": "date"}))
    passport_country = forms.ChoiceField(label=_("Passport issued by"), required=False,
                                         choices=[("", "—"), *COUNTRY_CHOICES], widget=CountrySelect(blank_label="—"))
    visa_needed = forms.NullBooleanField(label=_("Do you need a visa?"), required=False,
                                         widget=forms.RadioSelect(choices=[("true", _("Yes")), ("false", _("No"))]))
