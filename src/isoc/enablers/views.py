"""Enabling technologies pages: the overview (global trend per technology, our measurement
beside APNIC's and Google's), the domain lookup, the methodology. The country section is
in ``panels``. Each page's data comes from ``queries``, which the JSON API shares."""

from __future__ import annotations

from django import forms
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from isoc.enablers import adoption, queries
from isoc.enablers.labels import CHECK_LABELS, CHECK_MEANINGS
from isoc.enablers.results import CHECKS


def overview(request):
    return render(request, "enablers/overview.html", {
        "trends": queries.overview(),
        "scan": queries.latest_scan(),
        "scans": queries.scans()[:12],
        "form": DomainForm(),
    })


class DomainForm(forms.Form):
    domain = forms.CharField(label=_("Domain"), max_length=300, help_text=_("A domain of our measured set, such as example.org."))

    def clean_domain(self):
        try:
            return queries.normalize_domain(self.cleaned_data["domain"])
        except queries.LookupError_ as exc:
            raise forms.ValidationError(str(exc)) from None


def domain(request):
    form = DomainForm(request.GET or None)
    context = {"form": form, "asked": bool(request.GET)}
    if form.is_valid():
        name = form.cleaned_data["domain"]
        summary, earlier = queries.lookup(name)
        context.update({"name": name, "summary": summary, "earlier": earlier})
        if summary is not None:
            context["checks"] = queries.domain_checks(summary)
    status = 404 if context.get("name") and context.get("summary") is None else 200
    return render(request, "enablers/domain.html", context, status=status)


def methodology(request):
    checks = [{"name": name, "column": column, "label": CHECK_LABELS[name], "meaning": CHECK_MEANINGS[name],
               "headline": name in adoption.HEADLINE} for name, column in CHECKS]
    return render(request, "enablers/methodology.html", {"checks": checks})
