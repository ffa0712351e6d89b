"""An assessment's report as one self-contained HTML document and as PDF (WeasyPrint),
made offline: the styles are inline, the fonts are the system's, nothing is fetched."""

from __future__ import annotations

import re

from django.template.loader import render_to_string

from isoc.iwn.models import Assessment


def render_html(context: dict) -> str:
    return render_to_string("iwn/report_document.html", context)


def render_pdf(html: str) -> bytes:
    import logging

    from weasyprint import HTML

    logging.getLogger("weasyprint").setLevel(logging.ERROR)  # its notes on skipped CSS are not the reader's concern

    def no_fetch(url: str, *args, **kwargs):
        raise ValueError(f"the report fetches nothing ({url})")

    return HTML(string=html, url_fetcher=no_fetch).write_pdf()


def file_name(assessment: Assessment) -> str:
    stem = re.sub(r"[^a-z0-9]+", "-", assessment.title.lower()).strip("-")[:60] or "assessment"
    return f"iwn-assessment-{stem}.pdf"
