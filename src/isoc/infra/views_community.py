"""Community network pages: the registry (map and filterable table), a network's page
(facts, support, trainings, history, and the forms to record them for those who may),
the add and edit forms, and the cost planner. The API (``api_community``) shares
``registry`` and ``planner_result``; every change goes through ``services.community``."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, QuerySet, Sum
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from isoc.infra import forms_community as forms
from isoc.infra import planner
from isoc.infra.models.community import (
    CommunityNetwork,
    NetworkEvent,
    NetworkStatus,
    SupportKind,
    Technology,
)
from isoc.infra.services import community as svc
from isoc.members.services import RuleViolation
from isoc.shutdowns import worldmap_points
from isoc.shutdowns.views import MAP_HEIGHT, map_legend, world_map

PAGE_SIZE = 50


# --- the registry ------------------------------------------------------------------------


def registry(country: str = "", technology: str = "", status: str = "") -> QuerySet[CommunityNetwork]:
    """The networks, filtered (unknown values match nothing rather than everything)."""
    qs = CommunityNetwork.objects.select_related("country", "chapter").prefetch_related("technologies")
    if country:
        qs = qs.filter(country_id=country.upper())
    if technology:
        qs = qs.filter(technologies__technology=technology)
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("name", "pk")


def index(request):
    lang = get_language()
    countries = CommunityNetwork.objects.values_list("country_id", flat=True).distinct()
    form = forms.RegistryFilterForm(request.GET or None, countries=set(countries), lang=lang)
    chosen = form.cleaned_data if form.is_valid() else {}
    qs = registry(chosen.get("country", ""), chosen.get("technology", ""), chosen.get("status", ""))
    per_country = list(qs.order_by().values("country_id").annotate(n=Count("pk")).values_list("country_id", "n"))
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    totals = qs.order_by().aggregate(people=Sum("people_served"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "infra/community/index.html", {
        "form": form, "page": page, "query": query.urlencode(), "total": page.paginator.count,
        "people": totals["people"] or 0, "may_add": svc.may_add(request.user),
        "map": world_map(sorted(per_country), lang, lambda code: f"?country={code.lower()}"),
        "map_size": (worldmap_points.WIDTH, MAP_HEIGHT), "legend": map_legend(),
        "api_url": reverse("api-1:cn_list"), "geojson_url": reverse("api-1:cn_geojson"),
    }, status=200 if form.is_valid() or not request.GET else 400)


# --- a network's page ------------------------------------------------------------------------


FIELD_LABELS = {
    "name": gettext_lazy("Name"), "country": gettext_lazy("Country"), "place": gettext_lazy("Place"),
    "latitude": gettext_lazy("Latitude"), "longitude": gettext_lazy("Longitude"),
    "technologies": gettext_lazy("Technologies"), "people_served": gettext_lazy("People served"),
    "operator": gettext_lazy("Operator"), "chapter": gettext_lazy("Chapter"), "status": gettext_lazy("Status"),
    "started_on": gettext_lazy("Started on"), "website": gettext_lazy("Website"),
    "description": gettext_lazy("Description"), "support": gettext_lazy("Support received"),
    "training": gettext_lazy("Training"),
}


def _shown(field: str, value: Any) -> str:
    """A history value in words."""
    if value is None or value == "" or value == []:
        return "–"
    if field == "technologies":
        return ", ".join(str(Technology(v).label) if v in Technology.values else v for v in value)
    if field == "status" and value in NetworkStatus.values:
        return str(NetworkStatus(value).label)
    if field == "support" and isinstance(value, dict):
        kind = SupportKind(value["kind"]).label if value.get("kind") in SupportKind.values else value.get("kind")
        amount = f" ({value['amount']} {value['currency']})" if value.get("amount") else ""
        return f"{kind}: {value.get('provider', '')}{amount}, {value.get('received_on', '')}"
    if field == "training" and isinstance(value, dict):
        return _("%(topic)s, %(day)s, %(n)s participants") % {
            "topic": value.get("topic", ""), "day": value.get("held_on", ""),
            "n": value.get("participants", "")}
    return str(value)


def history(network: CommunityNetwork) -> list[NetworkEvent]:
    events = list(network.events.select_related("actor"))
    for e in events:
        e.lines = [(FIELD_LABELS.get(f, f), _shown(f, pair[0]), _shown(f, pair[1]))
                   for f, pair in (e.changes or {}).items() if isinstance(pair, list) and len(pair) == 2]
    return events


def _network_page(request, network: CommunityNetwork, *, support_form=None, training_form=None,
                  status: int = 200) -> HttpResponse:
    may_update = svc.may_update(request.user, network)
    return render(request, "infra/community/network.html", {
        "network": network, "history": history(network), "may_update": may_update,
        "support": network.support.all(), "trainings": network.trainings.all(),
        "support_form": (support_form or forms.SupportForm()) if may_update else None,
        "training_form": (training_form or forms.TrainingForm()) if may_update else None,
        "api_url": reverse("api-1:cn_network", args=[network.slug]),
    }, status=status)


def _network(slug: str) -> CommunityNetwork:
    return get_object_or_404(CommunityNetwork.objects.select_related("country", "chapter"), slug=slug)


def network(request, slug: str):
    return _network_page(request, _network(slug))


def _refused(form, exc: RuleViolation) -> int:
    """Put a service's refusal on the form; the status to answer with."""
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)
    return 403 if exc.code == "forbidden" else 400


def _record(request, slug: str, form_class, record, form_name: str, done: str, anchor: str):
    """Support and trainings: a form on the network's page, stored through ``record``."""
    n = _network(slug)
    if not svc.may_update(request.user, n):
        raise PermissionDenied(_("Only the secretariat and the officers of a chapter serving its country can "
                                 "change this network."))
    form = form_class(request.POST)
    if not form.is_valid():
        return _network_page(request, n, status=400, **{form_name: form})
    try:
        record(n, request.user, **form.cleaned_data)
    except RuleViolation as exc:
        return _network_page(request, n, status=_refused(form, exc), **{form_name: form})
    messages.success(request, done)
    return redirect(n.get_absolute_url() + anchor)


@login_required
@require_POST
def record_support(request, slug: str):
    return _record(request, slug, forms.SupportForm, svc.record_support, "support_form",
                   _("The support was recorded."), "#support-heading")


@login_required
@require_POST
def record_training(request, slug: str):
    return _record(request, slug, forms.TrainingForm, svc.record_training, "training_form",
                   _("The training was recorded."), "#trainings-heading")


# --- adding and editing ---------------------------------------------------------------------


def _facts(form: forms.NetworkForm) -> dict[str, Any]:
    return dict(form.cleaned_data)


@login_required
def add(request):
    if not svc.may_add(request.user):
        raise PermissionDenied(_("Only the secretariat and chapter officers can add community networks."))
    form = forms.NetworkForm(request.POST if request.method == "POST" else None, person=request.user,
                             lang=get_language())
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                n = svc.add_network(request.user, **_facts(form))
            except RuleViolation as exc:
                status = _refused(form, exc)
            else:
                messages.success(request, _("%(name)s was added to the registry.") % {"name": n.name})
                return redirect(n.get_absolute_url())
    return render(request, "infra/community/form.html", {"form": form, "network": None}, status=status)


def _initial(n: CommunityNetwork) -> dict[str, Any]:
    return {"name": n.name, "country": n.country_id, "place": n.place, "latitude": n.latitude,
            "longitude": n.longitude, "technologies": n.technology_values(), "people_served": n.people_served,
            "operator": n.operator, "chapter": n.chapter_id, "status": n.status, "started_on": n.started_on,
            "website": n.website, "description": n.description}


@login_required
def edit(request, slug: str):
    n = _network(slug)
    if not svc.may_update(request.user, n):
        raise PermissionDenied(_("Only the secretariat and the officers of a chapter serving its country can "
                                 "change this network."))
    form = forms.NetworkForm(request.POST if request.method == "POST" else None, initial=_initial(n),
                             person=request.user, lang=get_language(), extra_country=n.country_id,
                             extra_chapter=n.chapter)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                event = svc.update_network(n, request.user, **_facts(form))
            except RuleViolation as exc:
                status = _refused(form, exc)
            else:
                messages.success(request, _("The network was updated.") if event else _("Nothing was changed."))
                return redirect(n.get_absolute_url())
    return render(request, "infra/community/form.html", {"form": form, "network": n}, status=status)


# --- the cost planner -------------------------------------------------------------------------


ITEM_LABELS = {
    "nodes_equipment": gettext_lazy("Access nodes (radio, mast, cabling)"),
    "nodes_installation": gettext_lazy("Installing the nodes"),
    "solar": gettext_lazy("Solar power kits"),
    "households": gettext_lazy("Household equipment and installation"),
    "core": gettext_lazy("Core (gateway, server, UPS)"),
    "backhaul_setup": gettext_lazy("Backhaul set-up"),
    "backhaul": gettext_lazy("Backhaul (Internet access)"),
    "maintenance": gettext_lazy("Maintenance and spares"),
    "staff": gettext_lazy("Local technicians' stipends"),
    "power": gettext_lazy("Power"),
}

PLAN_ERRORS = {
    "not_a_number": gettext_lazy("Enter a number."),
    "not_whole": gettext_lazy("Enter a whole number."),
    "households_range": gettext_lazy("Between %(low)s and %(high)s households: the model describes a community "
                                     "network, not a regional operator."),
    "area_range": gettext_lazy("Between %(low)s and %(high)s km²."),
    "unknown_terrain": gettext_lazy("Choose a terrain."),
    "unknown_backhaul": gettext_lazy("Choose a backhaul option."),
    "take_up_range": gettext_lazy("Between 5 and 100 %."),
}


def plan_error_message(exc: planner.PlanError) -> str:
    words = PLAN_ERRORS.get(exc.code)
    return str(words) % exc.params if words is not None else exc.message


def planner_result(p: planner.Plan) -> dict[str, Any]:
    """The plan with its lines in words, for the page."""
    def lines(rows):
        return [{"label": ITEM_LABELS.get(x.key, x.key), "quantity": x.quantity, "unit_cost": x.unit_cost,
                 "amount": x.amount} for x in rows]

    return {"plan": p, "capital": lines(p.capital), "monthly": lines(p.monthly),
            "months": int(p.assumptions.figures["operations.amortisation_years"] * 12)}


def planner_page(request):
    form = forms.PlannerForm(request.GET or None)
    result = None
    status = 200
    if request.GET:
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                c = planner.community(data["households"], data["area_km2"], data["terrain"], data["backhaul"],
                                      form.take_up_share())
            except planner.PlanError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, plan_error_message(exc))
            else:
                result, status = planner_result(planner.plan(c)), 200
    assumptions = planner.load_assumptions()
    return render(request, "infra/community/planner.html", {
        "form": form, "result": result, "assumptions": assumptions,
        "terrains": [(key, label, assumptions.terrain[key], assumptions.notes.get(f"terrain.{key}", ""))
                     for key, label in forms.TERRAIN_CHOICES],
        "backhauls": [(key, label, assumptions.backhaul[key], assumptions.notes.get(f"backhaul.{key}", ""))
                      for key, label in forms.BACKHAUL_CHOICES],
        "figures": [(key, value, assumptions.notes.get(key, "")) for key, value in assumptions.figures.items()],
        "api_url": reverse("api-1:cn_planner"),
    }, status=status)
