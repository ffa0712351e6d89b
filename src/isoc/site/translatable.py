"""Staff-written content in several languages, with a visible fallback to English.

A translatable model keeps its English text in its ordinary fields and the other
languages in one JSON column: ``{"fr": {"description": "…"}, "et": {...}}``. Reading
a field for a language returns the translation, or the English text marked as a
fallback so the page can say so (and mark it ``lang="en"`` for screen readers).
"""

from __future__ import annotations

from dataclasses import dataclass

from django import forms
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

SOURCE_LANGUAGE = "en"


@dataclass(frozen=True)
class Localized:
    text: str
    lang: str
    fallback: bool  # True when the reader's language was wanted but English is shown

    def __str__(self) -> str:
        return self.text


class Translatable(models.Model):
    """Mixin for models with staff-written text; list the fields in ``translatable``."""

    translatable: tuple[str, ...] = ()
    translations = models.JSONField(_("translations"), default=dict, blank=True)

    class Meta:
        abstract = True

    def localized(self, field: str, lang: str | None) -> Localized:
        if field not in self.translatable:
            raise ValueError(f"{type(self).__name__}.{field} is not translatable")
        source = getattr(self, field) or ""
        lang = (lang or SOURCE_LANGUAGE).split("-")[0]
        if lang == SOURCE_LANGUAGE or not source:
            return Localized(source, SOURCE_LANGUAGE, False)
        text = ((self.translations or {}).get(lang) or {}).get(field, "").strip()
        if text:
            return Localized(text, lang, False)
        return Localized(source, SOURCE_LANGUAGE, True)

    def missing_translations(self) -> list[tuple[str, str]]:
        """(language, field) pairs that have English text but no translation."""
        return [
            (code, f)
            for code, _name in settings.LANGUAGES
            if code != SOURCE_LANGUAGE
            for f in self.translatable
            if getattr(self, f) and not (((self.translations or {}).get(code) or {}).get(f) or "").strip()
        ]


def translation_field_name(field: str, lang: str) -> str:
    return f"{field}__{lang}"


class TranslationsAdminForm(forms.ModelForm):
    """Base of the admin forms made by ``translations_admin_form``: one box per
    (translatable field, language), saved into ``translations``."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        current = self.instance.translations or {}
        for field in self._meta.model.translatable:
            for code in other_languages():
                name = translation_field_name(field, code)
                if name in self.fields:
                    self.fields[name].initial = (current.get(code) or {}).get(field, "")

    def save(self, commit=True):
        translations = dict(self.instance.translations or {})
        for code in other_languages():
            values = {
                f: (self.cleaned_data.get(translation_field_name(f, code)) or "").strip()
                for f in self._meta.model.translatable
            }
            values = {f: v for f, v in values.items() if v}
            if values:
                translations[code] = values
            else:
                translations.pop(code, None)
        self.instance.translations = translations
        return super().save(commit)


def other_languages() -> list[str]:
    return [code for code, _name in settings.LANGUAGES if code != SOURCE_LANGUAGE]


def translations_admin_form(model) -> type[TranslationsAdminForm]:
    """A ModelForm for ``model`` with a box for each translatable field in each language."""
    names = dict(settings.LANGUAGES)
    attrs: dict = {"Meta": type("Meta", (), {"model": model, "exclude": ["translations"]})}
    for field in model.translatable:
        source = model._meta.get_field(field)
        for code in other_languages():
            widget = forms.Textarea(attrs={"rows": 3}) if isinstance(source, models.TextField) else forms.TextInput
            attrs[translation_field_name(field, code)] = forms.CharField(
                label=f"{source.verbose_name} ({names[code]})", required=False,
                max_length=source.max_length, widget=widget,
            )
    return type(f"{model.__name__}TranslationsForm", (TranslationsAdminForm,), attrs)


def translation_fieldsets(model) -> list:
    """Admin fieldsets listing the per-language boxes of ``model``."""
    names = dict(settings.LANGUAGES)
    return [
        (names[code], {"fields": [translation_field_name(f, code) for f in model.translatable], "classes": ["collapse"]})
        for code in other_languages()
    ]
