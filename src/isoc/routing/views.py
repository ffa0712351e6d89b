"""Routing security pages: overview, a network (AS), a country, prefix search, incidents,
MANRS participants and the methodology. Each page's data comes from ``queries`` or the
model queries below, which the JSON API (``routing/api.py``) shares."""

from __future__ import annotations

import json
from datetime import date

from django import forms
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext_lazy as _

from isoc.pulse.models import Country
from isoc.routing import queries, scores
from isoc.routing.models import (
    AutonomousSystem,
    CountryScore,
    IncidentKind,
    ManrsAction,
    ManrsParticipant,
    NetworkScore,
    RoutingIncident,
)
from isoc.shutdowns import timechart

PAGE_SIZE = 50
#: A committed action counts as conformant when its measured readiness (0–100) is at least
#: this much in the latest month (our threshold; the MANRS Observatory's is not published).
CONFORMANT_AT = 90.0
ASN_MAX = 2**32 - 1


def _percent(part: int, whole: int) -> float | None:
    return round(100.0 * part / whole, 1) if whole else None


def state_summary(counts: dict[str, int]) -> dict:
    """Route counts by RFC 6811 state and their shares (percent), for the pages."""
    total = sum(counts.values())
    invalid = counts.get("invalid-as", 0) + counts.get("invalid-length", 0)
    return {
        "total": total,
        "valid": counts.get("valid", 0),
        "invalid": invalid,
        "invalid_as": counts.get("invalid-as", 0),
        "invalid_length": counts.get("invalid-length", 0),
        "not_found": counts.get("not-found", 0),
        "unknown": counts.get("unknown", 0),
        "valid_pct": _percent(counts.get("valid", 0), total),
        "invalid_pct": _percent(invalid, total),
        "not_found_pct": _percent(counts.get("not-found", 0), total),
    }


def score_chart(rows, field: str = "rpki_score"):
    """Monthly bars of a score (0–100 scales and the RPKI score × 100, floored at 0 for the bar)."""
    items = []
    for row in rows:
        value = getattr(row, field)
        if value is None:
            continue
        shown = value * 100 if field in ("rpki_score", "roa_coverage") else value
        items.append((f"{row.month:%Y-%m}", int(round(max(shown, 0)))))
    return timechart.bar_chart(items[-24:], width=640, height=200) if items else None


def overview(request):
    snapshot, vrp_snapshot = queries.latest_routes(), queries.latest_vrps()
    month = CountryScore.objects.order_by("-month").values_list("month", flat=True).first()
    countries = (list(CountryScore.objects.filter(month=month, routes__gt=0).select_related("country")
                      .order_by("-invalid", "country__name")[:20]) if month else [])
    counts = {}
    if snapshot is not None:
        counts = {"valid": snapshot.valid, "invalid-as": snapshot.invalid_as,
                  "invalid-length": snapshot.invalid_length, "not-found": snapshot.not_found}
    return render(request, "routing/overview.html", {
        "snapshot": snapshot,
        "vrp_snapshot": vrp_snapshot,
        "states": state_summary(counts),
        "incidents": RoutingIncident.objects.select_related("country").order_by("-starts_at", "-pk")[:10],
        "incident_total": RoutingIncident.objects.count(),
        "month": month,
        "countries": countries,
        "participants": ManrsParticipant.objects.count(),
    })


def network_context(asn: int) -> dict:
    if not 0 <= asn <= ASN_MAX:
        raise Http404(_("Not an AS number."))
    network = AutonomousSystem.objects.select_related("country").filter(asn=asn).first()
    routes = queries.routes_of_network(asn)
    monthly = list(NetworkScore.objects.filter(asn=asn).order_by("month"))
    incidents = RoutingIncident.objects.filter(culprit_asn=asn).order_by("-starts_at", "-pk")
    participants = list(ManrsParticipant.objects.filter(networks__asn=asn).select_related("organization"))
    if network is None and not routes and not monthly and not incidents.exists() and not participants:
        raise Http404(_("No data about this network."))
    latest = monthly[-1] if monthly else None
    return {
        "asn": asn,
        "asn_label": f"AS{asn}",
        "network": network,
        "routes": routes,
        "route_limit": queries.ROUTE_LIMIT,
        "states": state_summary(queries.state_counts_of_network(asn)),
        "monthly": monthly,
        "latest": latest,
        "chart": score_chart(monthly),
        "incidents": incidents[:100],
        "incident_total": incidents.count(),
        "incidents_by_month": incidents_by_month(incidents),
        "participants": participants,
        "conformance": [scores_conformance(p, latest) for p in participants],
        "snapshot": queries.latest_routes(),
    }


def incidents_by_month(qs: QuerySet[RoutingIncident]) -> list[tuple[str, int]]:
    from django.db.models import Count
    from django.db.models.functions import TruncMonth

    rows = qs.order_by().annotate(m=TruncMonth("starts_at")).values("m").annotate(n=Count("id")).order_by("m")
    return [(f"{r['m']:%Y-%m}", r["n"]) for r in rows if r["m"] is not None]


def scores_conformance(participant: ManrsParticipant, latest: NetworkScore | None) -> dict:
    """Per committed action: the measured readiness and whether it meets our threshold."""
    out = []
    for action in participant.actions:
        value = None
        if latest is not None:
            value = {"filtering": latest.filtering, "global-validation": latest.global_validation,
                     "coordination": latest.coordination}.get(action)
        label = ManrsAction(action).label if action in ManrsAction.values else action
        out.append({"action": action, "label": label, "value": value,
                    "conformant": None if value is None else value >= CONFORMANT_AT})
    return {"participant": participant, "actions": out}


def network(request, asn: int):
    return render(request, "routing/network.html", network_context(asn))


def country_context(code: str) -> dict:
    country = get_object_or_404(Country, code=code.upper())
    monthly = list(CountryScore.objects.filter(country=country).order_by("month"))
    return {
        "country": country,
        "networks": queries.country_networks(country.code),
        "states": state_summary(queries.country_state_counts(country.code)),
        "monthly": monthly,
        "latest": monthly[-1] if monthly else None,
        "chart": score_chart(monthly),
        "incidents": RoutingIncident.objects.filter(country=country).order_by("-starts_at", "-pk")[:20],
        "snapshot": queries.latest_routes(),
    }


def country(request, code: str):
    return render(request, "routing/country.html", country_context(code))


class PrefixForm(forms.Form):
    q = forms.CharField(label=_("Prefix or address"), max_length=60, help_text=_("e.g. 193.0.0.0/21, 2001:67c:2e8::/48 or 8.8.8.8"))

    def clean_q(self):
        text = self.cleaned_data["q"].strip()
        try:
            queries.tables.bounds(text)
        except ValueError:
            raise forms.ValidationError(_("“%(text)s” is not an IP prefix or address."), params={"text": text}) from None
        return text


def prefix_search(request):
    form = PrefixForm(request.GET or None)
    answer = queries.search_prefix(form.cleaned_data["q"]) if form.is_bound and form.is_valid() else None
    status = 400 if form.is_bound and not form.is_valid() else 200
    return render(request, "routing/prefix.html", {"form": form, "answer": answer}, status=status)


class IncidentFilters(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=[("", _("All kinds")), *IncidentKind.choices])
    country = forms.CharField(label=_("Country code"), required=False, max_length=2)
    asn = forms.IntegerField(label=_("AS number"), required=False, min_value=0, max_value=ASN_MAX)
    prefix = forms.CharField(label=_("Prefix"), required=False, max_length=60)
    start = forms.DateField(label=_("From (UTC)"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("To (UTC)"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def clean_country(self):
        code = self.cleaned_data["country"].strip().upper()
        if code and not Country.objects.filter(code=code).exists():
            raise forms.ValidationError(_("Unknown country code."))
        return code


def filtered_incidents(values: dict) -> QuerySet[RoutingIncident]:
    qs = RoutingIncident.objects.select_related("country")
    if values.get("kind"):
        qs = qs.filter(kind=values["kind"])
    if values.get("country"):
        qs = qs.filter(country_id=values["country"])
    if values.get("asn") is not None:
        qs = qs.filter(culprit_asn=values["asn"])
    if values.get("prefix"):
        qs = qs.filter(prefix=values["prefix"].strip())
    start: date | None = values.get("start")
    end: date | None = values.get("end")
    if start:
        qs = qs.exclude(ends_at__date__lt=start)
    if end:
        qs = qs.filter(starts_at__date__lte=end)
    return qs.order_by("-starts_at", "-pk")


def incidents(request):
    form = IncidentFilters(request.GET or None)
    values = form.cleaned_data if form.is_bound and form.is_valid() else {}
    qs = filtered_incidents(values)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "routing/incidents.html", {
        "form": form, "page": page, "incidents": page.object_list, "query": query.urlencode(),
        "status": 400 if form.is_bound and not form.is_valid() else 200,
    }, status=400 if form.is_bound and not form.is_valid() else 200)


def incident(request, pk: int):
    item = get_object_or_404(RoutingIncident.objects.select_related("country", "dataset"), pk=pk)
    network = AutonomousSystem.objects.filter(asn=item.culprit_asn).first()
    return render(request, "routing/incident.html", {
        "incident": item, "network": network,
        "evidence_json": json.dumps(item.evidence, indent=2, sort_keys=True, ensure_ascii=False)})


def participants(request):
    items = ManrsParticipant.objects.select_related("organization", "country").prefetch_related("networks")
    return render(request, "routing/participants.html", {"participants": items})


def participant(request, slug: str):
    item = get_object_or_404(ManrsParticipant.objects.select_related("organization", "country"), slug=slug)
    asns = [n.asn for n in item.networks.all()]
    latest = {}
    for score in NetworkScore.objects.filter(asn__in=asns).order_by("asn", "month"):
        latest[score.asn] = score
    names = {a.asn: a for a in AutonomousSystem.objects.filter(asn__in=asns)}
    rows = [{"asn": asn, "network": names.get(asn), "score": latest.get(asn),
             "conformance": scores_conformance(item, latest.get(asn))["actions"]} for asn in asns]
    labels = [ManrsAction(a).label if a in ManrsAction.values else a for a in item.actions]
    return render(request, "routing/participant.html", {"participant": item, "rows": rows, "action_labels": labels})


def methodology(request):
    return render(request, "routing/methodology.html", {"scores": scores, "conformant_at": CONFORMANT_AT})
