"""IXP pages under ``/pulse/ixps/``: find an IXP (name, city, country, member ASN) with a
world map of IXPs per country, an IXP's page (LANs and prefixes, members joining and
leaving, its sources with provenance, MANRS, statistics), a country's page, and CSV of
each. The JSON API (``api_ixps``) shares ``queries_ixps``."""

from __future__ import annotations

import csv
from datetime import date

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse, HttpResponseForbidden
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from isoc.infra import queries_ixps as queries
from isoc.infra.ixps_records import ASN_MAX
from isoc.infra.models.ixps import Ixp
from isoc.infra.services import ixps as services
from isoc.members.services import RuleViolation
from isoc.pulse.models import Country
from isoc.shutdowns import worldmap_points
from isoc.shutdowns.views import MAP_HEIGHT, map_legend, world_map

PAGE_SIZE = 50


class SearchForm(forms.Form):
    q = forms.CharField(label=gettext_lazy("Name or city"), required=False, max_length=100)
    country = forms.CharField(label=gettext_lazy("Country code"), required=False, max_length=2,
                              help_text=gettext_lazy("Two letters, e.g. KE"))
    asn = forms.IntegerField(label=gettext_lazy("Member network (AS number)"), required=False, min_value=1,
                             max_value=ASN_MAX)
    status = forms.ChoiceField(label=gettext_lazy("Status"), required=False,
                               choices=[("", gettext_lazy("Any status")), *Ixp.Status.choices])

    def clean_q(self):
        return self.cleaned_data["q"].replace("\x00", "").strip()

    def clean_country(self):
        code = self.cleaned_data["country"].strip().upper()
        if code and not Country.objects.filter(code=code).exists():
            raise forms.ValidationError(_("Unknown country code."))
        return code


def _search(request) -> tuple[SearchForm, dict, int]:
    form = SearchForm(request.GET or None)
    if form.is_bound and form.is_valid():
        return form, form.cleaned_data, 200
    return form, {}, 400 if form.is_bound else 200


def _today() -> date:
    return timezone.localdate()


def index(request):
    form, values, status = _search(request)
    qs = queries.search(**{k: v for k, v in values.items() if v not in ("", None)})
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    per_country = sorted(queries.ixps_by_country(_today()).items())
    return render(request, "infra/ixps/index.html", {
        "form": form, "page": page, "ixps": page.object_list, "query": query.urlencode(),
        "searched": bool(values) and any(values.values()),
        "map": world_map(per_country, get_language(), lambda code: reverse("infra:ixp-country", args=[code.lower()])),
        "map_size": (worldmap_points.WIDTH, MAP_HEIGHT), "legend": map_legend(),
        "total": Ixp.objects.count(), "countries": len(per_country),
    }, status=status)


def _csv(filename: str) -> tuple[HttpResponse, csv.writer]:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response, csv.writer(response)


def _cell(text) -> str:
    """Formula-safe: a cell a spreadsheet would evaluate gets a leading apostrophe."""
    text = "" if text is None else str(text)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def index_csv(request):
    form, values, status = _search(request)
    if status != 200:
        return HttpResponse(_("Invalid search: %(errors)s") % {"errors": form.errors.as_text()}, status=400,
                            content_type="text/plain; charset=utf-8")
    qs = queries.search(**{k: v for k, v in values.items() if v not in ("", None)})
    response, w = _csv("ixps.csv")
    w.writerow(["slug", "name", "long_name", "country", "city", "status", "website", "established", "sources",
                "members_today", "is_demo", "url"])
    today = _today()
    for ixp in qs.prefetch_related("sources"):
        w.writerow([ixp.slug, _cell(ixp.name), _cell(ixp.long_name), ixp.country_id, _cell(ixp.city), ixp.status,
                    _cell(ixp.website), ixp.established.isoformat() if ixp.established else "",
                    " ".join(sorted(s.source for s in ixp.sources.all())),
                    len(queries.members_on([ixp.pk], today)), ixp.is_demo,
                    request.build_absolute_uri(ixp.get_absolute_url())])
    return response


class ManrsForm(forms.Form):
    participant = forms.ModelChoiceField(label=gettext_lazy("MANRS participant (IXP programme)"), required=False,
                                         queryset=None, empty_label=gettext_lazy("None"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from isoc.routing.models import ManrsParticipant

        self.fields["participant"].queryset = ManrsParticipant.objects.filter(programme=ManrsParticipant.Programme.IXP)


def may_link_manrs(user) -> bool:
    """The secretariat (staff) may correct the MANRS link of an IXP."""
    return bool(user.is_authenticated and user.is_staff)


def ixp_context(request, ixp: Ixp) -> dict:
    today = _today()
    sources = list(ixp.sources.select_related("dataset__source", "import_run").prefetch_related("lans__prefixes"))
    return {
        "ixp": ixp, "stats": queries.ixp_stats(ixp, today), "sources": sources,
        "members": queries.members_table(ixp), "today": today,
        "manrs_form": ManrsForm(initial={"participant": ixp.manrs_participant_id}) if may_link_manrs(request.user) else None,
        "events": ixp.events.select_related("actor")[:50] if request.user.is_staff else [],
    }


def ixp_page(request, slug: str):
    ixp = get_object_or_404(Ixp.objects.select_related("country", "manrs_participant"), slug=slug)
    return render(request, "infra/ixps/ixp.html", ixp_context(request, ixp))


def ixp_members_csv(request, slug: str):
    ixp = get_object_or_404(Ixp, slug=slug)
    response, w = _csv(f"{ixp.slug}-members.csv")
    w.writerow(["asn", "name", "addresses", "route_server_peer", "first_seen", "last_seen", "left_on", "source"])
    for m in queries.members_table(ixp):
        rs = "" if m["route_server_peer"] is None else ("yes" if m["route_server_peer"] else "no")
        w.writerow([m["asn"], _cell(m["name"]), " ".join(m["addresses"]), rs, m["first_seen"].isoformat(),
                    m["last_seen"].isoformat(), m["left_on"].isoformat() if m["left_on"] else "", m["source"]])
    return response


@login_required
@require_POST
def ixp_manrs(request, slug: str):
    ixp = get_object_or_404(Ixp.objects.select_related("country", "manrs_participant"), slug=slug)
    if not may_link_manrs(request.user):
        return HttpResponseForbidden(_("Only staff can link an IXP to MANRS."))
    form = ManrsForm(request.POST)
    if form.is_valid():
        try:
            services.set_manrs_participant(ixp, form.cleaned_data["participant"], actor=request.user)
        except RuleViolation as exc:
            form.add_error("participant", exc.message)
        else:
            messages.success(request, _("The MANRS participation of this IXP was saved."))
            return redirect(ixp.get_absolute_url())
    context = ixp_context(request, ixp)
    context["manrs_form"] = form
    return render(request, "infra/ixps/ixp.html", context, status=400)


def country_context(code: str) -> dict:
    country = get_object_or_404(Country, code=code.upper())
    today = _today()
    ixps = list(queries.search(country=country.code))
    for ixp in ixps:
        ixp.members_today = len(queries.members_on([ixp.pk], today))
    return {"country": country, "stats": queries.country_stats(country.code, today), "ixps": ixps, "today": today}


def country_page(request, code: str):
    return render(request, "infra/ixps/country.html", country_context(code))
