"""Cyber incident pages: the trends overview, each year's report (HTML and PDF), the
methodology and one incident. The figures are ``services.year_figures``, which the JSON
API (``incidents/api.py``) and ``isoc trust report`` share."""

from __future__ import annotations

from datetime import date

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render

from isoc.incidents import labels, report, services, trends
from isoc.incidents.models import Incident


def _dataset():
    from isoc.pulse.models import Dataset

    slug = services.DEMO_DATASET_SLUG if services.shows_demo() else services.DATASET_SLUG
    return Dataset.objects.filter(slug=slug).first()


def trends_page(request):
    incidents = services.all_incidents()
    by_year = trends.counts_by_year(incidents)
    latest = max(by_year) if by_year else None
    recent = list(services.shown_incidents().filter(year=latest)[:10]) if latest else []
    for incident in recent:
        incident.action_labels = [labels.action_label(a) for a in incident.action_types]
    return render(request, "incidents/trends.html", {
        "years": list(by_year), "by_year": sorted(by_year.items(), reverse=True), "latest": latest,
        "recent": recent, "demo": services.shows_demo(), "dataset": _dataset()})


def _context_or_404(year: int) -> dict:
    try:
        return report.context(year)
    except services.IncidentError:
        raise Http404 from None


def report_page(request, year: int):
    return render(request, "incidents/report.html", _context_or_404(year))


def report_pdf(request, year: int):
    _context_or_404(year)  # a year without incidents is a 404 before any rendering
    response = HttpResponse(report.render_pdf(year), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{report.file_stem(year)}.pdf"'
    return response


def methodology(request):
    return render(request, "incidents/methodology.html", {
        "units": [(labels.UNITS[u], d) for u, d in trends.DAYS_PER_UNIT.items()],
        "rules": [(labels.CONTROLS[r.slug], r) for r in trends.PREVENTABLE_RULES]})


def incident_date(incident: Incident) -> tuple[date | None, str]:
    """The incident's date as far as VERIS gives it, and the named format to show it in."""
    if incident.month:
        try:
            return date(incident.year, incident.month, incident.day or 1), "DATE_FORMAT" if incident.day else "YEAR_MONTH_FORMAT"
        except ValueError:  # 31 February: VERIS checks each part alone
            return date(incident.year, incident.month, 1), "YEAR_MONTH_FORMAT"
    return None, ""


def incident(request, pk: int):
    item = get_object_or_404(Incident, pk=pk)
    when, fmt = incident_date(item)
    return render(request, "incidents/incident.html", {
        "incident": item, "incident_date": when, "date_format": fmt, "sector": labels.sector_label(item.sector),
        "actions": [(a, labels.action_label(a), item.actions.get(a) or {}) for a in item.action_types],
        "controls": [str(labels.CONTROLS[s]) for s in item.preventable_reasons],
        "discovery_days": None if item.discovery_days is None else int(round(item.discovery_days))})
