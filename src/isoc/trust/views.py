"""Online Trust Audit pages: the Honor Roll by sector and year, an organization's scorecard
(every criterion, its points, and how to fix what failed) with its years compared, and the
methodology with the weights in force. The context builders here are shared with the JSON
API (``trust/api.py``), so a page and its JSON answer say the same thing."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from isoc.trust import scoring, services
from isoc.trust.models import Adjustment, Audit, AuditedOrganization, Scorecard

OUTCOME_LABELS = {
    scoring.Outcome.PASSED.value: pgettext_lazy("criterion outcome", "passed"),
    scoring.Outcome.FAILED.value: pgettext_lazy("criterion outcome", "failed"),
    scoring.Outcome.NOT_MEASURED.value: pgettext_lazy("criterion outcome", "not measured"),
}


def _t(text: str) -> str:
    # Criterion and category texts are marked with gettext_noop in the Django-free
    # scoring module and translated here, when shown.
    return translation.gettext(text) if text else ""


def category_title(key: str) -> str:
    return _t(scoring.CATEGORY_TITLES.get(key, key))


def criterion_rows(card: Scorecard) -> list[dict]:
    """The scorecard's criteria, grouped by category (base criteria, then bonus), each with
    its title, points and, when it did not pass, how to fix it."""
    stored = {c["key"]: c for c in card.criteria}
    groups = []
    for category in scoring.CATEGORIES:
        rows = []
        for criterion in scoring.CRITERIA:
            if criterion.category != category or criterion.key not in stored:
                continue
            item = stored[criterion.key]
            rows.append({**item, "title": _t(criterion.title), "fix": _t(criterion.fix),
                         "outcome_label": OUTCOME_LABELS.get(item["outcome"], item["outcome"])})
        rows.sort(key=lambda r: r["bonus"])
        scores = card.categories.get(category, {})
        groups.append({"key": category, "title": category_title(category), "rows": rows, "score": scores})
    return groups


def honor_roll_context(year: int | None = None) -> dict:
    audits = list(Audit.objects.order_by("-year"))
    if year is None:
        audit = audits[0] if audits else None
    else:
        audit = next((a for a in audits if a.year == year), None)
        if audit is None:
            raise Http404(_("No audit for that year."))
    cards = list(audit.scorecards.select_related("organization__sector")
                 .order_by("organization__sector__order", "organization__sector__name", "-total", "organization__name")
                 ) if audit else []
    sectors: list[dict] = []
    for card in cards:
        sector = card.organization.sector
        if not sectors or sectors[-1]["sector"].pk != sector.pk:
            sectors.append({"sector": sector, "honor_roll": [], "cards": []})
        sectors[-1]["cards"].append(card)
        if card.honor_roll:
            sectors[-1]["honor_roll"].append(card)
    return {"audit": audit, "years": [a.year for a in audits], "sectors": sectors, "cards": cards,
            "honor_roll_count": sum(c.honor_roll for c in cards),
            "percent": scoring.HONOR_ROLL_PERCENT, "minimum": scoring.HONOR_ROLL_CATEGORY_MINIMUM,
            "total_base": scoring.TOTAL_BASE}


def honor_roll(request, year: int | None = None):
    return render(request, "trust/honor_roll.html", honor_roll_context(year))


def organization_context(slug: str, year: int | None = None) -> dict:
    org = get_object_or_404(AuditedOrganization.objects.select_related("sector", "organization"), slug=slug)
    cards = list(org.scorecards.select_related("audit").order_by("audit__year"))
    if year is None:
        card = cards[-1] if cards else None
    else:
        card = next((c for c in cards if c.audit.year == year), None)
        if card is None:
            raise Http404(_("No scorecard for that year."))
    years = [c.audit.year for c in cards]
    compare = []
    for criterion in scoring.CRITERIA:
        outcomes = [next((i["outcome"] for i in c.criteria if i["key"] == criterion.key), None) for c in cards]
        compare.append({"key": criterion.key, "title": _t(criterion.title), "bonus": criterion.bonus,
                        "cells": [{"outcome": o, "label": OUTCOME_LABELS.get(o, "–")} for o in outcomes]})
    adjustments = org.adjustments.filter(year=card.audit.year) if card else Adjustment.objects.none()
    return {"org": org, "card": card, "cards": cards, "years": years, "compare": compare,
            "groups": criterion_rows(card) if card else [], "adjustments": list(adjustments),
            "percent": scoring.HONOR_ROLL_PERCENT, "minimum": scoring.HONOR_ROLL_CATEGORY_MINIMUM,
            "total_base": scoring.TOTAL_BASE}


def organization(request, slug: str):
    return render(request, "trust/scorecard.html", organization_context(slug))


def scorecard(request, slug: str, year: int):
    return render(request, "trust/scorecard.html", organization_context(slug, year))


def methodology_context(year: int | None = None) -> dict:
    """The weights in force (or those an audit used), criterion by criterion."""
    audit = None
    if year is not None:
        audit = Audit.objects.filter(year=year).first()
        if audit is None:
            raise Http404(_("No audit for that year."))
        weights = scoring.weights_from_snapshot(audit.weights, audit.weights_source)
    else:
        weights = services.weights_in_force()
    groups = []
    for category in scoring.CATEGORIES:
        rows = [{"key": c.key, "title": _t(c.title), "fix": _t(c.fix), "weight": weights.of(c.key), "bonus": c.bonus}
                for c in scoring.CRITERIA if c.category == category]
        rows.sort(key=lambda r: r["bonus"])
        groups.append({"key": category, "title": category_title(category), "rows": rows,
                       "base": sum(r["weight"] for r in rows if not r["bonus"])})
    return {"weights": weights, "groups": groups, "audit": audit,
            "audits": Audit.objects.order_by("-year"), "percent": scoring.HONOR_ROLL_PERCENT,
            "minimum": scoring.HONOR_ROLL_CATEGORY_MINIMUM, "total_base": scoring.TOTAL_BASE,
            "honor_total": scoring.TOTAL_BASE * scoring.HONOR_ROLL_PERCENT // 100,
            "max_third_parties": scoring.MAX_THIRD_PARTY_HOSTS, "privacy_elements": scoring.PRIVACY_ELEMENTS}


def methodology(request):
    year = request.GET.get("year", "")
    if year and not year.isdigit():
        raise Http404(_("No audit for that year."))
    return render(request, "trust/methodology.html", methodology_context(int(year) if year else None))
