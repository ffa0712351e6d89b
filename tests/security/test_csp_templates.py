"""The Content-Security-Policy: sent with every page, and nothing in the templates that
it would refuse (inline scripts, inline event handlers, style attributes, javascript:
URLs). The browser side is tests/e2e/test_e2e_csp.py."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from isoc.site.security.csp import POLICY

SRC = Path(__file__).resolve().parents[2] / "src" / "isoc"

REFUSED = {
    "inline script": re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/(?:ld\+)?json\")[^>]*>", re.I),
    "inline event handler": re.compile(r"\son[a-z]+\s*=", re.I),
    "htmx inline handler (hx-on)": re.compile(r"\bhx-on", re.I),
    "style attribute": re.compile(r"\sstyle\s*=", re.I),
    "<style> element": re.compile(r"<style\b", re.I),
    "javascript: URL": re.compile(r"javascript:", re.I),
}

# Templates never served to a browser: WeasyPrint turns them into PDF documents, and a
# PDF has its styles inside (no stylesheet URL to fetch: the renderers fetch nothing).
PDF_ONLY = {
    "incidents/templates/incidents/report_document.html",
    "iwn/templates/iwn/report_document.html",
    "learning/templates/learning/certificate_pdf.html",
}


def test_no_template_holds_what_the_policy_refuses():
    found = []
    for template in sorted(SRC.glob("**/templates/**/*.html")):
        if str(template.relative_to(SRC)) in PDF_ONLY:
            continue
        text = template.read_text()
        for what, pattern in REFUSED.items():
            for match in pattern.finditer(text):
                line = text.count("\n", 0, match.start()) + 1
                found.append(f"{template.relative_to(SRC)}:{line}: {what}: {match.group(0)[:60]}")
    assert not found, "\n".join(found)


def test_the_policy_allows_only_this_site():
    directives = dict(d.split(" ", 1) for d in POLICY.split("; "))
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'"  # no 'unsafe-inline', no 'unsafe-eval'
    assert directives["style-src"] == "'self'"
    assert directives["object-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["form-action"] == "'self'"


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/", "/members/directory/", "/accounts/login/", "/pulse/", "/api/v1/organizations",
                                  "/admin/login/", "/no-such-page/"])
def test_every_response_carries_the_policy(client, path):
    assert client.get(path)["Content-Security-Policy"] == POLICY


@pytest.mark.django_db
def test_the_admin_carries_the_policy(staff_client):
    response = staff_client.get("/admin/members/invoice/")
    assert response.status_code == 200
    assert response["Content-Security-Policy"] == POLICY


def test_htmx_is_told_to_inject_no_styles_and_evaluate_nothing():
    directory = (SRC / "members" / "templates" / "members" / "directory.html").read_text()
    assert '"includeIndicatorStyles":false' in directory and '"allowEval":false' in directory
