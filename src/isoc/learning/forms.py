"""Forms of the learning pages. Rules are the services'; these only shape input."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from isoc.learning import labels
from isoc.learning.models import Course


class CourseForm(forms.Form):
    slug = forms.SlugField(label=_("Slug"), max_length=120, help_text=_("Shared by the translations of a course."))
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)
    title = forms.CharField(label=_("Title"), max_length=200)
    summary = forms.CharField(label=_("Summary"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    topic = forms.ChoiceField(label=_("Topic"), choices=list(labels.TOPICS.items()))
    level = forms.ChoiceField(label=_("Level"), choices=list(labels.LEVELS.items()))
    enrolment = forms.ChoiceField(label=_("Enrolment"), choices=Course.Enrolment.choices)
    estimated_hours = forms.IntegerField(label=_("Estimated hours"), min_value=0, max_value=1000, initial=1)
    pass_mark = forms.IntegerField(label=_("Pass mark (percent)"), min_value=0, max_value=100, initial=70)


class ModuleForm(forms.Form):
    title = forms.CharField(label=_("Module title"), max_length=200)


class LessonForm(forms.Form):
    title = forms.CharField(label=_("Lesson title"), max_length=200)
    body = forms.CharField(label=_("Text (Markdown)"), widget=forms.Textarea(attrs={"rows": 16}), required=False)
    video = forms.URLField(label=_("Video link"), required=False, assume_scheme="https")


class PublishForm(forms.Form):
    note = forms.CharField(label=_("What changed"), max_length=300, required=False)


class RevokeForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=300)
