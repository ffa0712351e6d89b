"""Django's admin, mended where it falls short of WCAG 2.2 AA or of the page-weight
budget (both checked on every admin page by tests/e2e/test_a11y.py and test_weight.py).

``mend_admins`` runs once every admin is registered and re-registers each model admin
with ``Mended`` mixed in, so admins added later (ours or another app's) are covered too:

- date-time fields get a <label> on each of their two inputs: Django's split widget
  prints "Date:" and "Time:" as bare text, leaving both inputs unlabelled;
- the scripts that make slugs as one types (XRegExp alone is 47 KB gzipped), which
  Django adds to every page of every model admin, are left out where no field is
  prepopulated.
"""

from __future__ import annotations

from django import forms
from django.contrib.admin.widgets import AdminSplitDateTime
from django.db import models

SLUG_SCRIPTS = frozenset({
    "admin/js/urlify.js", "admin/js/prepopulate.js",
    "admin/js/vendor/xregexp/xregexp.js", "admin/js/vendor/xregexp/xregexp.min.js",
})


class LabelledSplitDateTime(AdminSplitDateTime):
    """Django's date and time inputs, each with its own label."""

    template_name = "isoc/widgets/split_datetime.html"


class Mended:
    """A ModelAdmin mixin: labelled date-time inputs; no slug scripts unless needed."""

    @property
    def media(self):
        media = super().media
        if self.prepopulated_fields:
            return media
        return forms.Media(css=media._css, js=[js for js in media._js if js not in SLUG_SCRIPTS])


def mend_admins(site) -> None:
    """Mix ``Mended`` into every model admin registered on ``site``."""
    for model, model_admin in list(site._registry.items()):
        cls = type(model_admin)
        if issubclass(cls, Mended):
            continue
        overrides = {models.DateTimeField: {"widget": LabelledSplitDateTime}, **cls.formfield_overrides}
        site.unregister(model)
        site.register(model, type(cls.__name__, (Mended, cls), {
            "__module__": cls.__module__, "__doc__": cls.__doc__, "formfield_overrides": overrides}))
