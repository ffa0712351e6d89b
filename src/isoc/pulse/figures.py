"""Live figures a story embeds by reference, rendered from the data when shown."""

from __future__ import annotations

from django.template.loader import render_to_string

from isoc.pulse import opendata, queries, storytext
from isoc.pulse.models import Country, Dataset

FIGURE_ROWS = 10


def figure(embed: storytext.Embed) -> str:
    if embed.kind == "dataset":
        dataset = Dataset.objects.select_related("source").filter(slug=embed.ref).first()
        if dataset is None:
            return render_to_string("pulse/figure_missing.html", {"embed": embed})
        table = opendata.table_for(dataset)
        rows = []
        for i, row in enumerate(table.rows):
            if i >= FIGURE_ROWS:
                break
            rows.append(row)
        from isoc.pulse.api import download_links

        return render_to_string("pulse/figure_dataset.html", {
            "dataset": dataset, "columns": table.columns, "rows": rows, "downloads": download_links(dataset)})
    country = Country.objects.filter(code=embed.params.get("country", "").upper()[:2]).first()
    series = queries.series(embed.ref, country.code, last=FIGURE_ROWS) if country else None
    if series is None:
        return render_to_string("pulse/figure_missing.html", {"embed": embed})
    from isoc.shutdowns.timechart import bar_chart

    # A chart of the series, and its numbers in the table beneath it.
    chart = bar_chart([(str(year), value) for year, value in series["values"]], height=180)
    from django.utils.translation import get_language

    from isoc.site.l10n import country_name

    return render_to_string("pulse/figure_indicator.html", {
        "s": series, "country": country, "chart": chart,
        "chart_id": f"figure-{embed.ref}-{country.code}".lower().replace(".", "-"),
        "chart_title": f"{series['dataset'].title}, {country_name(country.code, get_language())}",
    })


def render_story_body(body: str) -> str:
    return storytext.render(body, figure)
