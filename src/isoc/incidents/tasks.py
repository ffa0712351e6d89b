"""Celery tasks of the incidents app: the annual report."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="isoc.incidents.tasks.write_report")
def write_report(year: int, out: str, language: str = "en") -> dict:
    """Write the Cyber Incident & Breach Trends report of ``year`` (HTML and PDF) into the
    folder ``out`` (a ``shared_path``). Running it again rewrites the same two files from
    the same data: nothing else changes."""
    from isoc.incidents import report as reports
    from isoc.site.celery import local_path, shared_path

    written = reports.write(year, local_path(out), language=language)
    return {"html": shared_path(written.html), "pdf": shared_path(written.pdf)}
