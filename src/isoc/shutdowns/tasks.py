"""Celery tasks of the shutdowns app."""

from __future__ import annotations

from datetime import datetime

from celery import shared_task


@shared_task(name="isoc.shutdowns.tasks.detect_outages")
def detect_outages(country: str | None = None, start: str | None = None, end: str | None = None) -> dict:
    """Run the outage detector over the stored signals (of one country, or all; ``start``
    and ``end`` ISO 8601 instants limit the time range) and store the windows it finds as
    DetectedOutage candidates for staff review. Safe to run again: a window already stored
    is updated, keeping its review state."""
    from isoc.shutdowns.signals import run_detection

    found = run_detection(country=country, start=datetime.fromisoformat(start) if start else None,
                          end=datetime.fromisoformat(end) if end else None)
    return {"detected": len(found), "ids": [o.pk for o in found]}
