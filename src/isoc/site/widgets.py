"""Form widgets that matter for speed or locale."""

from __future__ import annotations

from functools import lru_cache

from django import forms
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from isoc.site.l10n import country_name, locale


@lru_cache(maxsize=16)
def _country_options(lang: str) -> tuple[tuple[str, str], ...]:
    """(code, name) of every ISO 3166-1 country, named and sorted for ``lang``."""
    from isoc.members.countries import COUNTRY_NAMES

    names = [(code, country_name(code, lang)) for code in COUNTRY_NAMES]
    return tuple(sorted(names, key=lambda pair: pair[1].casefold()))


@lru_cache(maxsize=16)
def _options_html(lang: str) -> str:
    return "".join(f'<option value="{code}">{escape(name)}</option>' for code, name in _country_options(lang))


class CountrySelect(forms.Select):
    """A country drop-down in the reader's language. Its 250 options are rendered once
    per language and reused: Django's widget rendering of them cost ~10 ms a page."""

    def __init__(self, attrs=None, blank_label: str = ""):
        super().__init__(attrs)
        self.blank_label = blank_label

    def render(self, name, value, attrs=None, renderer=None):
        lang = (get_language() or "en").split("-")[0]
        locale(lang)  # validates, falls back to English inside l10n
        final = self.build_attrs(self.attrs, attrs)
        attributes = "".join(f' {k}="{escape(v)}"' for k, v in final.items() if v not in (None, False))
        options = _options_html(lang)
        if value:
            options = options.replace(f'value="{escape(value)}">', f'value="{escape(value)}" selected>', 1)
        blank = f'<option value="">{escape(self.blank_label)}</option>'
        # Every part was escaped above.
        return mark_safe(f'<select name="{escape(name)}"{attributes}>{blank}{options}</select>')  # noqa: S308
