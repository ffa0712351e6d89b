"""Celery tasks of the shutdowns app."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="isoc.shutdowns.tasks.detect_outages")
def detect_outages(country: str | None = None) -> dict:
    """Run the outage detector over the stored signals (of one country, or all) and
    store the windows it finds as DetectedOutage candidates for staff review."""
    from isoc.shutdowns.signals import run_detection

    found = run_detection(country=country)
    return {"detected": len(found), "ids": [o.pk for o in found]}
