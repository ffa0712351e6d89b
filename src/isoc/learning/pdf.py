"""The certificate as a one-page PDF (WeasyPrint, offline: nothing is fetched)."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils import translation

from isoc.learning.models import Certificate


def certificate_html(certificate: Certificate, verify_url: str) -> str:
    return render_to_string("learning/certificate_pdf.html", {"certificate": certificate, "verify_url": verify_url,
                                                               "language": translation.get_language()})


def certificate_pdf(certificate: Certificate, verify_url: str) -> bytes:
    import logging

    from weasyprint import HTML

    logging.getLogger("weasyprint").setLevel(logging.ERROR)

    def no_fetch(url: str, *args, **kwargs):
        raise ValueError(f"the certificate fetches nothing ({url})")

    return HTML(string=certificate_html(certificate, verify_url), url_fetcher=no_fetch).write_pdf()
