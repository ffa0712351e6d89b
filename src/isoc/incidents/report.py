"""The annual Cyber Incident & Breach Trends report: one incident year's figures as an
HTML document and a PDF (WeasyPrint), with server-side SVG charts, rendered offline
(no fonts, scripts or images fetched from anywhere)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import timezone, translation

from isoc.incidents import charts, labels, services, trends
from isoc.pulse.models import Dataset


@dataclass
class Written:
    html: Path
    pdf: Path


def _days(value: float | None) -> int | None:
    return None if value is None else int(round(value))


def context(year: int) -> dict:
    """Everything the report template shows for ``year`` (refused by
    ``services.year_figures`` for a year without incidents)."""
    figures = services.year_figures(year)
    demo = services.shows_demo()
    by_action = [(labels.action_label(a), n, str(n)) for a, n in figures.by_action.items()]
    by_sector = [(labels.sector_label(s), n, str(n)) for s, n in figures.by_sector.items()]
    medians = [(str(y), _days(m.days)) for y, m in figures.median_by_year.items() if m.days is not None]
    dataset = Dataset.objects.filter(slug=services.DEMO_DATASET_SLUG if demo else services.DATASET_SLUG).select_related("source").first()
    return {
        "year": year,
        "figures": figures,
        "median_days": _days(figures.median.days),
        "demo": demo,
        "dataset": dataset,
        "source": dataset.source if dataset else None,
        "action_chart": charts.hbar_chart(by_action) if by_action else None,
        "sector_chart": charts.hbar_chart(by_sector) if by_sector else None,
        "year_chart": charts.bar_chart([(str(y), n) for y, n in figures.by_year.items()], width=640, height=200),
        "median_chart": charts.bar_chart(medians, width=640, height=200) if medians else None,
        "rules": [(labels.CONTROLS[r.slug], r, figures.preventable_by_rule.get(r.slug, 0)) for r in trends.PREVENTABLE_RULES],
        "generated_at": timezone.now(),
    }


def _page_style() -> str:
    """The incident pages' stylesheet, inlined so the document stands alone."""
    return Path(finders.find("incidents/incidents.css")).read_text(encoding="utf-8")


def render_html(year: int) -> str:
    """The report as one self-contained HTML document (styles inline, charts as SVG)."""
    return render_to_string("incidents/report_document.html", {**context(year), "page_style": _page_style()})


def render_pdf(year: int, html: str | None = None) -> bytes:
    """The report as PDF. WeasyPrint gets a fetcher that refuses every URL, so the PDF
    is made offline whatever the HTML holds."""
    import logging

    from weasyprint import HTML

    logging.getLogger("weasyprint").setLevel(logging.ERROR)  # its notes on CSS it skips are not the user's concern
    def no_fetch(url: str, *args, **kwargs):
        raise ValueError(f"the report fetches nothing ({url})")

    return HTML(string=html if html is not None else render_html(year), url_fetcher=no_fetch).write_pdf()


def file_stem(year: int) -> str:
    return f"cyber-incident-breach-trends-{year}"


def write(year: int, out_dir: Path, *, language: str = "en") -> Written:
    """Write ``<stem>.html`` and ``<stem>.pdf`` into ``out_dir`` (created if missing)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    with translation.override(language):
        html = render_html(year)
        pdf = render_pdf(year, html)
    written = Written(out_dir / f"{file_stem(year)}.html", out_dir / f"{file_stem(year)}.pdf")
    written.html.write_text(html, encoding="utf-8")
    written.pdf.write_bytes(pdf)
    return written
