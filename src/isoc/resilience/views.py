"""Internet Resilience Index pages: the ranked map and table, a country's breakdown, the
methodology generated from the tree, the what-if view (a GET form: nothing is stored)
and the download of every score with its inputs. The data comes from ``queries``, which
the JSON API shares."""

from __future__ import annotations

from django import forms
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from isoc.pulse import opendata
from isoc.pulse.models import Country
from isoc.resilience import index, queries
from isoc.resilience import tree as trees
from isoc.resilience.labels import label
from isoc.resilience.models import Computation
from isoc.resilience.services import QUARTER
from isoc.shutdowns import worldmap_points
from isoc.shutdowns.views import MAP_HEIGHT
from isoc.site.l10n import country_name

#: (lowest score of the bin, fill) — a sequential blue scale, light is low.
SCORE_BINS = [(0, "#deebf7"), (20, "#9ecae1"), (40, "#6baed6"), (60, "#3182bd"), (80, "#08519c")]


def score_fill(score: float) -> str:
    return next(fill for low, fill in reversed(SCORE_BINS) if score >= low)


def legend() -> list[dict]:
    return [{"low": low, "high": SCORE_BINS[i + 1][0] if i + 1 < len(SCORE_BINS) else 100, "fill": fill}
            for i, (low, fill) in enumerate(SCORE_BINS)]


class ScoreFilterForm(forms.Form):
    quarter = forms.ChoiceField(label=_("Quarter"), required=False)
    region = forms.ChoiceField(label=_("Region"), required=False)

    def __init__(self, *args, quarters: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["quarter"].choices = [(q, q) for q in quarters]
        self.fields["region"].choices = [("", _("All regions"))] + [(r.slug, str(r.localized("name", get_language()))) for r in queries.regions()]


def _quarter(request, form=None) -> str | None:
    """The quarter asked for (when valid and computed), else the latest."""
    quarter = (form.cleaned_data.get("quarter") if form is not None and form.is_valid() else request.GET.get("quarter")) or ""
    return quarter if quarter in queries.quarters() else queries.latest_quarter()


def overview(request):
    quarters = queries.quarters()
    form = ScoreFilterForm(request.GET or None, quarters=quarters)
    quarter = _quarter(request, form)
    region = form.cleaned_data.get("region") if form.is_bound and form.is_valid() else ""
    rows = queries.scores(quarter, region or None) if quarter else []
    lang = get_language()
    map_rows = [{"code": s.country_id, "name": country_name(s.country_id, lang), "score": s.overall,
                 "fill": score_fill(s.overall)} for s in rows if s.overall is not None]
    return render(request, "resilience/overview.html", {
        "form": form, "quarter": quarter, "rows": rows, "map": map_rows, "legend": legend(),
        "map_size": (worldmap_points.WIDTH, MAP_HEIGHT), "tree": trees.default(),
        "regions": queries.region_summary(quarter) if quarter and not region else [],
        "is_demo": bool(quarter) and Computation.objects.filter(quarter=quarter, is_current=True, is_demo=True).exists(),
    }, status=200 if form.is_valid() or not form.is_bound else 400)


def country(request, code: str):
    c = get_object_or_404(Country, code=code.upper())
    quarter = _quarter(request)
    b = queries.breakdown(c, quarter) if quarter else None
    return render(request, "resilience/country.html", {"country": c, "quarter": quarter, "b": b,
                                                        "quarters": queries.quarters()}, status=200 if b else 404)


def methodology(request):
    return render(request, "resilience/methodology.html", {
        "tree": trees.default(), "sources": trees.SOURCES, "fence": index.FENCE, "all_equal": index.ALL_EQUAL_SCORE,
        "min_pillars": index.MIN_PILLARS, "worldbank_source": "worldbank:CODE", "pillar_count": trees.PILLARS, "per": index.PER})


class WhatIfForm(forms.Form):
    country = forms.ChoiceField(label=_("Country"))
    indicator = forms.ChoiceField(label=_("Indicator"))
    value = forms.FloatField(label=_("New value"), help_text=_("In the indicator's unit, before any per-capita division (a count for per-capita indicators)."))
    quarter = forms.ChoiceField(label=_("Quarter"), required=False)

    def __init__(self, *args, quarters: list[str], countries: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["country"].choices = countries
        self.fields["indicator"].choices = [(i.code, f"{label(i.name)} ({label(i.unit)})" if i.unit else label(i.name)) for i in trees.default().indicators()]
        self.fields["quarter"].choices = [(q, q) for q in quarters]

    def clean_value(self):
        import math

        value = self.cleaned_data["value"]
        if value is not None and (not math.isfinite(value) or value < 0):
            raise forms.ValidationError(_("Give a number of zero or more."))
        return value


def what_if(request):
    quarters = queries.quarters()
    quarter = _quarter(request)
    lang = get_language()
    codes = queries.scores(quarter) if quarter else []
    countries = sorted(((s.country_id.lower(), country_name(s.country_id, lang)) for s in codes), key=lambda p: p[1])
    data = request.GET.copy()
    if data.get("country"):
        data["country"] = data["country"].lower()
    if "indicator" in data or "value" in data:
        form = WhatIfForm(data, quarters=quarters, countries=countries)
    else:  # a link from a country's page: the form filled in, nothing asked yet
        form = WhatIfForm(initial={"country": data.get("country"), "quarter": quarter}, quarters=quarters, countries=countries)
    result = None
    if form.is_valid():
        c = get_object_or_404(Country, code=form.cleaned_data["country"].upper())
        try:
            result = queries.what_if(c, form.cleaned_data["indicator"], form.cleaned_data["value"], quarter)
        except queries.WhatIfError as exc:
            form.add_error(None, str(exc))
    rows = _comparison(result) if result else []
    return render(request, "resilience/what_if.html", {"form": form, "quarter": quarter, "result": result, "rows": rows},
                  status=400 if form.is_bound and not form.is_valid() else 200)


def _comparison(result: queries.WhatIf) -> list[dict]:
    """Old and new overall, pillar and dimension scores, in the tree's order."""
    def row(level, name, old, new):
        return {"level": level, "name": name, "old": old, "new": new,
                "change": None if old is None or new is None else new - old}

    rows = [row("overall", _("Overall"), result.before.overall, result.after.overall)]
    for p in result.tree.pillars:
        rows.append(row("pillar", label(p.name), _score(result.before.pillars, p.code), _score(result.after.pillars, p.code)))
        for d in p.dimensions:
            rows.append(row("dimension", label(d.name), _score(result.before.dimensions, d.code), _score(result.after.dimensions, d.code)))
    return rows


def _score(nodes: dict, code: str) -> float | None:
    node = nodes.get(code)
    return node.score if node else None


def download(request):
    fmt = request.GET.get("format", "csv")
    quarter = request.GET.get("quarter", "")
    if fmt not in ("csv", "parquet") or (quarter and not QUARTER.match(quarter)):
        return HttpResponse("format must be csv or parquet; quarter YYYY-Qn", status=400, content_type="text/plain; charset=utf-8")
    if quarter and quarter not in queries.quarters():
        raise Http404
    columns, rows = queries.download_rows(quarter or None)
    table = opendata.Table(columns, rows)
    name = f"iri-{queries.version()}-{quarter or 'all'}"
    if fmt == "parquet":
        body = opendata.to_parquet(table, {"title": "Internet Resilience Index", "version": queries.version(), "quarter": quarter or "all"})
        response = HttpResponse(body, content_type=opendata.FORMATS["parquet"])
    else:
        response = StreamingHttpResponse(opendata.to_csv(table), content_type=opendata.FORMATS["csv"])
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response
